import crypto from 'node:crypto';
import { planner } from '../../../agents/planner/agent.ts';
import type { PlannedExposure } from '../../../agents/planner/input.ts';
import { branchFor, PLAN_KIND_TOOLS } from '../../../agents/planner/plan-kinds.ts';
import { checkDependency, TOOLS } from '../../../tools/index.ts';
import { runTool } from '../../../tools/run-tool.ts';
import { appendAudit } from '../../db/repositories/audit-log.ts';
import { setExposureStates } from '../../db/repositories/exposure-state.ts';
import { savePlan } from '../../db/repositories/plans-store.ts';
import { updateThread } from '../../db/repositories/threads-store.ts';
import type { Advisory } from '../../domain/advisory.ts';
import type { Asset } from '../../domain/asset.ts';
import { executorEcosystem } from '../../domain/ecosystem.ts';
import type { ExposureDetail } from '../../domain/exposure-detail.ts';
import { decideGate } from '../../prioritize/gate.ts';
import { audit, type GraphDeps, ORCHESTRATOR, runAgentStep, takeAudit, toolContext } from '../deps.ts';
import type { ThreadPlan, ThreadStateValue, ThreadUpdate } from '../state.ts';

/** Deterministic per thread and attempt: a node re-run after a crash saves the same plan, not a second one. */
export function planIdFor(threadId: string, attempt: number): string {
  return `plan_${crypto.createHash('sha256').update(`${threadId}:${attempt}`).digest('hex').slice(0, 16)}`;
}

/**
 * Plans the fix, dry-runs every action step to get its exact diff, asks the policy gate, and
 * stores the plan: approved when routine, awaiting approval otherwise. A plan whose dry run
 * fails is re-planned (bounded) with the failure as evidence.
 */
export function plan(deps: GraphDeps) {
  return async (state: ThreadStateValue): Promise<ThreadUpdate> => {
    const planId = planIdFor(state.threadId, state.plansMade);
    const asset = (await deps.reader.getAsset(state.assetId))!;
    const details = (await Promise.all(state.exposureIds.map((id) => deps.reader.getExposure(id)))).filter(
      (d): d is ExposureDetail => d !== null,
    );
    const advisories = (await Promise.all(state.advisoryIds.map((id) => deps.reader.getAdvisory(id)))).filter(
      (a): a is Advisory => a !== null,
    );
    const controls = await deps.reader.controlsForAsset(asset.id);
    const exposures = await withInstalledVersions(deps, asset, details.map(plannedExposure), advisories);
    const input = {
      planId,
      asset,
      exposures,
      advisories,
      controls,
      reviewerNote: state.reviewerNote,
      previousFailure: state.previousFailure,
      previousKind: state.previousKind,
    };
    const run = await runAgentStep(deps, planner, input, { type: 'plan', id: planId, threadId: state.threadId });
    const proposal = run.output;
    const steps: ThreadPlan['steps'] = proposal.steps.map((step, ordinal) => ({
      id: `${planId}-s${ordinal}`,
      ordinal,
      tool: step.tool,
      args: step.args,
      idempotencyKey: `${planId}:${ordinal}:${step.tool}`,
    }));

    // The exact change, computed without making it: what an approver reviews.
    const allowed = PLAN_KIND_TOOLS[proposal.kind];
    const diffs: string[] = [];
    for (const step of steps) {
      const context = toolContext(deps, { dryRun: true, planId });
      const result = await runTool(TOOLS.get(step.tool)!, step.args, context, {
        allowed,
        actor: ORCHESTRATOR,
        audit: (e) => audit(deps, e),
        stepId: step.id,
      });
      if (!result.ok) {
        const failure = `dry run of ${step.tool} failed: ${result.message}`;
        return {
          plan: null,
          plansMade: state.plansMade + 1,
          previousFailure: failure,
          previousKind: proposal.kind,
          replans: state.replans + 1,
          reason: failure,
        };
      }
      const diff = (result.output as { diff?: unknown }).diff;
      if (typeof diff === 'string' && diff) diffs.push(diff);
    }

    const effects = [...new Set(steps.flatMap((s) => TOOLS.get(s.tool)!.effects))];
    const gate = decideGate(
      {
        effects,
        bump: proposal.target?.bump ?? null,
        breaking: proposal.target?.crossesMajor ?? false,
        confidence: proposal.confidence,
        assets: [asset],
      },
      deps.policy,
    );
    const now = deps.now();
    const expires = gate.routine ? null : new Date(now.getTime() + deps.policy.approvals.expiresAfterHours * 3_600_000);
    const previous = state.plan?.id ?? null;
    await deps.db.transaction(async (tx) => {
      await savePlan(tx, {
        id: planId,
        kind: proposal.kind,
        title: proposal.title,
        rationale: proposal.rationale,
        state: gate.routine ? 'approved' : 'awaiting_approval',
        routine: gate.routine,
        exposureIds: state.exposureIds,
        steps: steps.map((s) => ({ ...s, preconditions: [], rollback: null, verification: null })),
        requestedBy: state.startedBy,
        decidedBy: run.provenance.decidedBy,
        promptVersion: run.provenance.promptVersion,
        confidence: proposal.confidence,
        threadId: state.threadId,
        groupKey: state.groupKey,
        policyDecision: gate,
        evidence: run.provenance.evidence,
        risk: {
          exposures: details.map((d) => ({
            id: d.exposure.id,
            vulnerabilityId: d.exposure.vulnerabilityId,
            decision: d.exposure.ssvcDecision ?? null,
            riskScore: d.exposure.riskScore ?? null,
            slaDueAt: d.exposure.slaDueAt ?? null,
            coverage: d.exposure.coverage,
          })),
          target: proposal.target,
        },
        diff: diffs.join('\n') || null,
        replanCount: state.replans,
        supersedes: previous,
        approvalExpiresAt: expires,
      });
      await setExposureStates(
        tx,
        state.exposureIds,
        gate.routine ? 'in_progress' : 'awaiting_approval',
        gate.routine ? `routine plan ${planId} is being executed` : `plan ${planId} awaits approval`,
      );
      await appendAudit(
        tx,
        takeAudit(deps, [
          {
            actor: ORCHESTRATOR,
            action: 'plan.proposed',
            subjectType: 'plan',
            subjectId: planId,
            data: {
              threadId: state.threadId,
              kind: proposal.kind,
              decidedBy: run.provenance.decidedBy,
              promptVersion: run.provenance.promptVersion,
              steps: steps.map((s) => s.tool),
              supersedes: previous,
            },
          },
          {
            actor: 'policy',
            action: gate.routine ? 'plan.routine' : 'plan.approval_requested',
            subjectType: 'plan',
            subjectId: planId,
            data: {
              reasons: gate.reasons,
              policyVersion: gate.policyVersion,
              expiresAt: expires?.toISOString() ?? null,
            },
          },
        ]),
      );
      await updateThread(tx, state.threadId, {
        status: gate.routine ? 'running' : 'awaiting_approval',
        planId,
      });
    });
    return {
      plan: {
        id: planId,
        kind: proposal.kind,
        routine: gate.routine,
        target: proposal.target
          ? { ecosystem: proposal.target.ecosystem, package: proposal.target.package, to: proposal.target.to }
          : null,
        branch: steps.some((s) => typeof s.args.branch === 'string') ? branchFor(planId) : null,
        steps,
      },
      plansMade: state.plansMade + 1,
      approval: null,
      executed: [],
      verification: null,
    };
  };
}

/**
 * Some scanners (npm audit) report a vulnerable range, not the installed version. For a
 * repository with a checkout, the manifest says what is installed: read it with check_dependency.
 */
async function withInstalledVersions(
  deps: GraphDeps,
  asset: Asset,
  exposures: PlannedExposure[],
  advisories: Advisory[],
): Promise<PlannedExposure[]> {
  const first = exposures[0]!;
  const ecosystem = executorEcosystem(first.ecosystem);
  const unknown = exposures.every((e) => e.installedVersions.length === 0);
  if (!unknown || !ecosystem || !first.package || !advisories.length) return exposures;
  if (asset.kind !== 'repository' || typeof asset.attributes.checkoutPath !== 'string') return exposures;
  const read = await runTool(
    checkDependency,
    { assetId: asset.id, ecosystem, package: first.package, ref: 'HEAD', advisoryIds: advisories.map((a) => a.id) },
    toolContext(deps),
    { allowed: [checkDependency.name], actor: ORCHESTRATOR, audit: (e) => audit(deps, e) },
  );
  if (!read.ok) return exposures;
  const versions = (read.output as { versions: { version: string; affectedBy: string[] }[] }).versions
    .filter((v) => v.affectedBy.length)
    .map((v) => v.version);
  return exposures.map((e) => (e.package === first.package ? { ...e, installedVersions: [...new Set(versions)] } : e));
}

function plannedExposure(detail: ExposureDetail): PlannedExposure {
  const e = detail.exposure;
  const installed = detail.findings
    .filter((f) => f.state !== 'fixed' && f.packageVersion)
    .map((f) => f.packageVersion as string);
  return {
    id: e.id,
    title: e.title,
    kind: e.kind,
    vulnerabilityId: e.vulnerabilityId,
    advisoryId: e.advisoryId ?? null,
    component: e.component ?? null,
    package: detail.findings.find((f) => f.packageName)?.packageName ?? null,
    ruleIds: [...new Set(detail.findings.map((f) => f.ruleId))],
    ecosystem: e.ecosystem ?? null,
    installedVersions: [...new Set(installed)],
    ssvcDecision: e.ssvcDecision ?? null,
    owner: e.owner ?? null,
    team: e.team ?? null,
    slaDueAt: e.slaDueAt ?? null,
  };
}
