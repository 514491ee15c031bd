import { TOOLS } from '../../tools/index.ts';
import { runTool } from '../../tools/run-tool.ts';
import { appendAudit } from '../db/repositories/audit-log.ts';
import { setExposureStates } from '../db/repositories/exposure-state.ts';
import { getPlan, setPlanState } from '../db/repositories/plans-store.ts';
import { ConflictError, NotFoundError } from '../domain/errors.ts';
import type { PlanRecord } from '../domain/plan.ts';
import { audit, type GraphDeps, takeAudit, toolContext } from './deps.ts';

const CODE_CHANGES = new Set(['bump_dependency', 'bump_base_image', 'change_terraform', 'narrow_iam_policy']);
const MITIGATIONS = new Set(['apply_virtual_patch', 'quarantine_asset']);
const ROLLBACK_TOOLS = ['revert_change', 'rollback_mitigation'];

export type RollbackResult = {
  plan: PlanRecord;
  undone: { step: string; tool: string; ok: boolean; message: string | null }[];
};

/**
 * Undoes what a plan did, step by step, where that is possible: a change request is closed where it
 * lives (a GitHub pull request with a comment saying who rolled it back and why) and its unmerged
 * branch deleted (the commit id is kept in the result); a mitigation is rolled back exactly.
 * Tickets stay (the owner keeps the history). Each undo is a keyed, audited tool call.
 */
export async function rollbackPlan(
  deps: GraphDeps,
  planId: string,
  by: string,
  note: string | null,
): Promise<RollbackResult> {
  const plan = await getPlan(deps.db, planId);
  if (!plan) throw new NotFoundError('plan', planId);
  if (!['executed', 'verified', 'failed', 'escalated'].includes(plan.state)) {
    throw new ConflictError('PLAN_NOT_EXECUTED', `plan ${planId} is ${plan.state}: nothing to roll back`);
  }
  const actions = await deps.db.query<{ idempotency_key: string; result: unknown }>(
    `SELECT idempotency_key, result FROM actions WHERE plan_id = $1 AND state = 'succeeded'`,
    [planId],
  );
  const results = new Map(actions.rows.map((a) => [a.idempotency_key, a.result]));
  const undone: RollbackResult['undone'] = [];
  const reverted = new Set<string>();
  for (const step of [...plan.steps].reverse()) {
    if (!results.has(step.idempotencyKey)) continue;
    let call: { tool: string; args: Record<string, unknown> } | null = null;
    if (CODE_CHANGES.has(step.tool) || step.tool === 'open_change_request') {
      // One revert per branch closes its change request and deletes it (the later step comes first).
      const target = `${step.args.assetId}:${step.args.branch}`;
      if (reverted.has(target)) continue;
      reverted.add(target);
      const reason = `Mobilize rolled this change back (${by})${note ? `: ${note}` : '.'}`;
      call = {
        tool: 'revert_change',
        args: {
          assetId: step.args.assetId,
          branch: step.args.branch,
          ...(typeof step.args.base === 'string' ? { base: step.args.base } : {}),
          reason: reason.slice(0, 2000),
        },
      };
    } else if (MITIGATIONS.has(step.tool)) {
      const id = (results.get(step.idempotencyKey) as { id?: unknown } | null)?.id;
      if (typeof id === 'string') call = { tool: 'rollback_mitigation', args: { mitigationId: id } };
    }
    if (!call) continue;
    const result = await runTool(
      TOOLS.get(call.tool)!,
      call.args,
      toolContext(deps, { planId, idempotencyKey: `${step.idempotencyKey}:rollback` }),
      { allowed: ROLLBACK_TOOLS, actor: by, audit: (e) => audit(deps, e), ledger: deps.ledger, stepId: step.id },
    );
    undone.push({ step: step.id, tool: call.tool, ok: result.ok, message: result.ok ? null : result.message });
  }
  const ok = undone.every((u) => u.ok);
  await deps.db.transaction(async (tx) => {
    if (ok) {
      await setPlanState(tx, planId, 'rolled_back');
      await setExposureStates(
        tx,
        plan.exposureIds,
        'open',
        `plan ${planId} rolled back by ${by}${note ? `: ${note}` : ''}`,
      );
    }
    await appendAudit(
      tx,
      takeAudit(deps, [
        {
          actor: by,
          action: ok ? 'plan.rolled_back' : 'plan.rollback_incomplete',
          subjectType: 'plan',
          subjectId: planId,
          data: { note, undone },
        },
      ]),
    );
  });
  return { plan: (await getPlan(deps.db, planId))!, undone };
}
