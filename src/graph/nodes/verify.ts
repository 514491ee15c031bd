import { checkForStep } from '../../../agents/planner/plan-kinds.ts';
import { verifier } from '../../../agents/verifier/agent.ts';
import { appendAudit } from '../../db/repositories/audit-log.ts';
import { setExposureStates } from '../../db/repositories/exposure-state.ts';
import { setPlanState } from '../../db/repositories/plans-store.ts';
import { type GraphDeps, runAgentStep, takeAudit } from '../deps.ts';
import type { ThreadStateValue, ThreadUpdate } from '../state.ts';

/**
 * Asks the verifier whether the executed plan resolved its exposures, stores the verification
 * with its evidence, and sets what happens next: done, wait for the next scan, or re-plan.
 */
export function verify(deps: GraphDeps) {
  return async (state: ThreadStateValue): Promise<ThreadUpdate> => {
    const plan = state.plan!;
    const checks = plan.steps.flatMap((step, i) => {
      const check = checkForStep(step, state.executed[i]?.output ?? null, {
        advisoryIds: state.advisoryIds,
        exposureIds: state.exposureIds,
      });
      return check ? [check] : [];
    });
    const run = await runAgentStep(
      deps,
      verifier,
      {
        planId: plan.id,
        kind: plan.kind,
        assetId: state.assetId,
        exposureIds: state.exposureIds,
        advisoryIds: state.advisoryIds,
        steps: state.executed.map(({ tool, ok, message }) => ({ tool, ok, message })),
        checks,
      },
      { type: 'plan', id: plan.id, threadId: state.threadId },
    );
    const { outcome, evidence } = run.output;
    await deps.db.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO verifications (plan_id, exposure_id, outcome, method, evidence, verified_by, thread_id)
         SELECT $1, unnest($2::text[]), $3, $4, $5, $6, $7`,
        [
          plan.id,
          state.exposureIds,
          outcome,
          checks.length ? checks.map((c) => c.tool).join('+') : 'next-scan',
          JSON.stringify({ evidence, provenance: run.provenance }),
          run.provenance.decidedBy,
          state.threadId,
        ],
      );
      await setPlanState(
        tx,
        plan.id,
        outcome === 'failed' ? 'failed' : outcome === 'pending' ? 'executed' : 'verified',
      );
      const reason =
        outcome === 'resolved'
          ? `fix verified on ${plan.branch ?? 'its change'}: ${evidence} It closes when a scan of the merged code no longer finds it.`
          : outcome === 'pending'
            ? `plan ${plan.id} executed; waiting for the next scan to prove it: ${evidence}`
            : outcome === 'mitigated'
              ? `mitigated by plan ${plan.id}: ${evidence}`
              : `plan ${plan.id} did not verify: ${evidence}`;
      if (outcome !== 'failed') {
        await setExposureStates(tx, state.exposureIds, outcome === 'mitigated' ? 'mitigated' : 'in_progress', reason);
      }
      await appendAudit(
        tx,
        takeAudit(deps, [
          {
            actor: `agent:${verifier.name}`,
            action: 'plan.verified',
            subjectType: 'plan',
            subjectId: plan.id,
            data: { outcome, evidence, decidedBy: run.provenance.decidedBy, threadId: state.threadId },
          },
        ]),
      );
    });
    if (outcome === 'failed') {
      return {
        verification: { outcome, evidence },
        previousFailure: evidence,
        previousKind: plan.kind,
        replans: state.replans + 1,
      };
    }
    const final = outcome === 'resolved' ? 'verified' : outcome === 'mitigated' ? 'mitigated' : 'pending_verification';
    return { verification: { outcome, evidence }, outcome: final, reason: evidence };
  };
}
