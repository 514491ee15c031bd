import { appendAudit } from '../../db/repositories/audit-log.ts';
import { setExposureStates } from '../../db/repositories/exposure-state.ts';
import { setPlanState } from '../../db/repositories/plans-store.ts';
import { updateThread } from '../../db/repositories/threads-store.ts';
import { type GraphDeps, ORCHESTRATOR, takeAudit } from '../deps.ts';
import type { ThreadStateValue, ThreadUpdate } from '../state.ts';

/** A rejected plan: the exposures stay open with the reason, or become accepted risk until a date. */
export function reject(deps: GraphDeps) {
  return async (state: ThreadStateValue): Promise<ThreadUpdate> => {
    const approval = state.approval!;
    const until = approval.acceptRiskUntil ? new Date(approval.acceptRiskUntil) : null;
    const reason = `plan ${state.plan?.id} rejected by ${approval.decidedBy}${approval.note ? `: ${approval.note}` : ''}`;
    await setExposureStates(deps.db, state.exposureIds, until ? 'accepted' : 'open', reason, { acceptedUntil: until });
    return { outcome: until ? 'accepted' : 'rejected', reason };
  };
}

/**
 * The thread gives up: re-plans ran out, the approval expired, or no plan could be made. The
 * exposures go back to open with the reason, the plan is marked escalated for its owner's lead.
 */
export function escalate(deps: GraphDeps) {
  return async (state: ThreadStateValue): Promise<ThreadUpdate> => {
    const why =
      state.approval?.decision === 'expired'
        ? `approval of plan ${state.plan?.id} expired after ${deps.policy.approvals.expiresAfterHours} h`
        : `no plan verified after ${state.replans} re-plan(s): ${state.previousFailure ?? state.reason ?? 'unknown'}`;
    await deps.db.transaction(async (tx) => {
      if (state.plan) await setPlanState(tx, state.plan.id, 'escalated');
      await setExposureStates(tx, state.exposureIds, 'open', `escalated: ${why}`);
      await appendAudit(
        tx,
        takeAudit(deps, [
          {
            actor: ORCHESTRATOR,
            action: 'thread.escalated',
            subjectType: 'thread',
            subjectId: state.threadId,
            data: { planId: state.plan?.id ?? null, reason: why },
          },
        ]),
      );
    });
    return { outcome: 'escalated', reason: why };
  };
}

/** Records how the thread ended. */
export function close(deps: GraphDeps) {
  return async (state: ThreadStateValue): Promise<ThreadUpdate> => {
    const outcome = state.outcome ?? 'closed';
    await deps.db.transaction(async (tx) => {
      await updateThread(tx, state.threadId, {
        status: outcome === 'escalated' ? 'escalated' : 'completed',
        outcome,
      });
      await appendAudit(
        tx,
        takeAudit(deps, [
          {
            actor: ORCHESTRATOR,
            action: 'thread.closed',
            subjectType: 'thread',
            subjectId: state.threadId,
            data: { outcome, reason: state.reason, planId: state.plan?.id ?? null },
          },
        ]),
      );
    });
    return { outcome };
  };
}
