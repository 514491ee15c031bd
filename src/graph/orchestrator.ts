import crypto from 'node:crypto';
import { Command } from '@langchain/langgraph';
import type { Config } from '../config.ts';
import type { Database } from '../db/database.ts';
import { appendAudit } from '../db/repositories/audit-log.ts';
import { setExposureStates } from '../db/repositories/exposure-state.ts';
import { getPlan, insertApproval, setPlanState } from '../db/repositories/plans-store.ts';
import { getThread, listThreads, startThread, updateThread } from '../db/repositories/threads-store.ts';
import { ConflictError, describeError, ForbiddenError, NotFoundError, ValidationError } from '../domain/errors.ts';
import type { PlanRecord } from '../domain/plan.ts';
import type { Logger } from '../logger.ts';
import type { Policy } from '../prioritize/policy.ts';
import { createCheckpointer } from './checkpointer.ts';
import { audit, createGraphDeps, flushAudit, type GraphDeps, ORCHESTRATOR } from './deps.ts';
import { selectFixGroups } from './fix-groups.ts';
import { buildGraph, type OrchestratorGraph } from './graph.ts';
import type { ChatModel, Embedder } from './llm/chat-model.ts';
import { type RollbackResult, rollbackPlan } from './rollback.ts';
import type { ApprovalResume, ThreadStateValue } from './state.ts';

/** What `mobilize run` prints. */
export type RunSummary = {
  threads: number;
  summarized: number;
  covered: number;
  planned: number;
  autoExecuted: number;
  awaitingApproval: number;
  verified: number;
  pendingVerification: number;
  rejected: number;
  escalated: number;
  failed: number;
  resumed: number;
  seconds: number;
};

export type RunOptions = {
  exposureIds?: string[];
  /** At most this many new threads (fix groups). */
  limit?: number;
  /** Who asked for the run: becomes the requester of its plans (and so can never approve them). */
  startedBy: string;
  /** Threads left `running` by a dead worker longer than this are resumed from their checkpoint. */
  staleAfterMs?: number;
  onProgress?: (done: number, total: number) => void;
};

export type DecisionInput = {
  planId: string;
  decision: 'approve' | 'reject' | 'request_changes';
  by: string;
  note?: string | null;
  /** Reject only: accept the risk until this date instead of leaving the exposures open. */
  acceptRiskUntil?: Date | null;
};

export type DecisionResult = {
  plan: PlanRecord;
  replayed: boolean;
  thread: { threadId: string; status: string; outcome: string | null } | null;
};

const DECISION_STATE = { approve: 'approved', reject: 'rejected', request_changes: 'changes_requested' } as const;

export type Orchestrator = {
  deps: GraphDeps;
  graph: OrchestratorGraph;
  run(options: RunOptions): Promise<RunSummary>;
  decide(input: DecisionInput): Promise<DecisionResult>;
  /** Escalates plans whose approval window has passed; returns how many. */
  expireApprovals(): Promise<number>;
  /** Re-opens exposures whose accepted risk has run out; returns how many. */
  expireAcceptedRisk(): Promise<number>;
  /**
   * Plans waiting in "verifying" (their proof is the next scan): verified when a scan resolved all
   * their exposures, escalated when the policy's window passed first.
   */
  settleVerifications(): Promise<{ verified: number; escalated: number }>;
  /** Undoes an executed plan where possible (branches, mitigations, change requests). Approvers only. */
  rollback(planId: string, by: string, note?: string | null): Promise<RollbackResult>;
};

export async function createOrchestrator(options: {
  db: Database;
  policy: Policy;
  logger: Logger;
  config: Config;
  model?: ChatModel;
  embedder?: Embedder;
  now?: () => Date;
}): Promise<Orchestrator> {
  const deps = createGraphDeps(options);
  const graph = buildGraph(deps, await createCheckpointer(options.db));
  const configOf = (threadId: string) => ({ configurable: { thread_id: threadId }, recursionLimit: 200 });

  /** Runs or resumes one thread and reports where it stopped. */
  async function drive(threadId: string, input: Parameters<OrchestratorGraph['invoke']>[0]) {
    try {
      await graph.invoke(input, configOf(threadId));
      const snapshot = await graph.getState(configOf(threadId));
      const values = snapshot.values as ThreadStateValue;
      const waiting = snapshot.next.includes('await_approval');
      return { values, waiting, error: null as string | null };
    } catch (error) {
      const message = describeError(error);
      deps.logger.error({ threadId, err: error }, 'thread failed');
      await updateThread(deps.db, threadId, { status: 'failed', outcome: 'error' });
      await audit(deps, {
        actor: ORCHESTRATOR,
        action: 'thread.failed',
        subjectType: 'thread',
        subjectId: threadId,
        data: { error: message },
      });
      await flushAudit(deps);
      return { values: null, waiting: false, error: message };
    }
  }

  function count(summary: RunSummary, result: Awaited<ReturnType<typeof drive>>) {
    if (result.error || !result.values) {
      summary.failed += 1;
      return;
    }
    const v = result.values;
    summary.summarized += v.summarized;
    if (v.plansMade > 0 && v.plan) summary.planned += 1;
    if (v.autoExecuted && v.executed.length) summary.autoExecuted += 1;
    if (result.waiting) summary.awaitingApproval += 1;
    const outcome = v.outcome;
    if (outcome === 'covered') summary.covered += 1;
    if (outcome === 'verified' || outcome === 'mitigated') summary.verified += 1;
    if (outcome === 'pending_verification') summary.pendingVerification += 1;
    if (outcome === 'rejected' || outcome === 'accepted') summary.rejected += 1;
    if (outcome === 'escalated') summary.escalated += 1;
  }

  async function resumeWith(threadId: string, resume: ApprovalResume) {
    return drive(threadId, new Command({ resume }));
  }

  const orchestrator: Orchestrator = {
    deps,
    graph,
    async run(runOptions) {
      const started = performance.now();
      const summary: RunSummary = {
        threads: 0,
        summarized: 0,
        covered: 0,
        planned: 0,
        autoExecuted: 0,
        awaitingApproval: 0,
        verified: 0,
        pendingVerification: 0,
        rejected: 0,
        escalated: 0,
        failed: 0,
        resumed: 0,
        seconds: 0,
      };
      await orchestrator.expireApprovals();
      await orchestrator.expireAcceptedRisk();
      await orchestrator.settleVerifications();
      // Threads a dead worker left mid-run continue from their last checkpoint.
      const staleBefore = Date.now() - (runOptions.staleAfterMs ?? 10 * 60_000);
      for (const thread of await listThreads(deps.db, 'running')) {
        if (runOptions.exposureIds && !thread.exposureIds.some((id) => runOptions.exposureIds!.includes(id))) continue;
        if (thread.updatedAt.getTime() > staleBefore) continue;
        summary.resumed += 1;
        count(summary, await drive(thread.threadId, null));
      }
      // Decisions recorded by a process that died before resuming their thread.
      for (const thread of await listThreads(deps.db, 'awaiting_approval')) {
        const plan = thread.planId ? await getPlan(deps.db, thread.planId) : null;
        if (!plan?.decision) continue;
        summary.resumed += 1;
        count(summary, await resumeWith(thread.threadId, resumeOf(plan)));
      }
      const groups = await selectFixGroups(deps.db, { exposureIds: runOptions.exposureIds, limit: runOptions.limit });
      let done = 0;
      for (const group of groups) {
        const threadId = `thr_${crypto.randomUUID()}`;
        const claimed = await startThread(deps.db, {
          threadId,
          groupKey: group.key,
          exposureIds: group.exposureIds,
          startedBy: runOptions.startedBy,
        });
        if (!claimed) continue;
        summary.threads += 1;
        count(
          summary,
          await drive(threadId, {
            threadId,
            groupKey: group.key,
            exposureIds: group.exposureIds,
            startedBy: runOptions.startedBy,
          }),
        );
        done += 1;
        runOptions.onProgress?.(done, groups.length);
      }
      summary.seconds = (performance.now() - started) / 1000;
      return summary;
    },

    async decide(input) {
      const plan = await getPlan(deps.db, input.planId);
      if (!plan) throw new NotFoundError('plan', input.planId);
      const wanted = DECISION_STATE[input.decision];
      if (input.acceptRiskUntil && input.decision !== 'reject') {
        throw new ValidationError('acceptRiskUntil is only valid with a reject decision');
      }
      if (plan.decision) {
        if (plan.decision.decision !== wanted) {
          throw new ConflictError(
            'PLAN_ALREADY_DECIDED',
            `plan ${plan.id} was already ${plan.decision.decision} by ${plan.decision.decidedBy}`,
          );
        }
        return { plan, replayed: true, thread: await threadOf(plan) };
      }
      if (plan.state !== 'awaiting_approval') {
        throw new ConflictError('PLAN_NOT_PENDING', `plan ${plan.id} is ${plan.state}, not awaiting approval`);
      }
      if (input.by === plan.requestedBy) {
        throw new ForbiddenError(
          'SEPARATION_OF_DUTIES',
          `${input.by} requested plan ${plan.id} and cannot decide it; another approver must`,
        );
      }
      if (plan.approvalExpiresAt && plan.approvalExpiresAt.getTime() < deps.now().getTime()) {
        await expire(plan);
        throw new ConflictError('APPROVAL_EXPIRED', `the approval window of plan ${plan.id} has passed; it escalated`);
      }
      const inserted = await deps.db.transaction(async (tx) => {
        const { inserted } = await insertApproval(tx, {
          id: `apr_${crypto.randomUUID()}`,
          planId: plan.id,
          decision: wanted,
          decidedBy: input.by,
          note: input.note ?? null,
          acceptRiskUntil: input.acceptRiskUntil ?? null,
        });
        if (!inserted) return false;
        await setPlanState(tx, plan.id, wanted);
        await appendAudit(tx, [
          {
            actor: input.by,
            action: 'approval.decided',
            subjectType: 'plan',
            subjectId: plan.id,
            data: {
              decision: wanted,
              note: input.note ?? null,
              acceptRiskUntil: input.acceptRiskUntil?.toISOString() ?? null,
              requestedBy: plan.requestedBy,
            },
          },
        ]);
        return true;
      });
      if (!inserted) return orchestrator.decide(input); // a concurrent decision won: replay or conflict
      const decided = (await getPlan(deps.db, plan.id))!;
      if (plan.threadId) await resumeWith(plan.threadId, resumeOf(decided));
      return { plan: (await getPlan(deps.db, plan.id))!, replayed: false, thread: await threadOf(plan) };
    },

    async expireApprovals() {
      const result = await deps.db.query<{ id: string }>(
        `SELECT id FROM plans WHERE state = 'awaiting_approval' AND approval_expires_at < $1 ORDER BY id`,
        [deps.now()],
      );
      for (const { id } of result.rows) await expire((await getPlan(deps.db, id))!);
      return result.rows.length;
    },
    expireAcceptedRisk: () => expireAccepted(),
    settleVerifications: () => settleVerifications(),
    rollback: (planId, by, note) => rollbackPlan(deps, planId, by, note ?? null),
  };

  async function settleVerifications(): Promise<{ verified: number; escalated: number }> {
    const waiting = await deps.db.query<{
      thread_id: string;
      plan_id: string | null;
      exposure_ids: string[];
      overdue: boolean;
      resolved: boolean;
    }>(
      `SELECT t.thread_id, t.plan_id, t.exposure_ids,
              t.updated_at < $1::timestamptz - make_interval(days => $2) AS overdue,
              NOT EXISTS (SELECT 1 FROM exposures e WHERE e.id = ANY(t.exposure_ids) AND e.state <> 'resolved') AS resolved
         FROM graph_threads t
        WHERE t.status = 'completed' AND t.outcome = 'pending_verification'`,
      [deps.now(), deps.policy.orchestrator.verificationWindowDays],
    );
    const settled = { verified: 0, escalated: 0 };
    for (const row of waiting.rows) {
      if (!row.resolved && !row.overdue) continue;
      await deps.db.transaction(async (tx) => {
        if (row.resolved) {
          await tx.query(
            `INSERT INTO verifications (plan_id, exposure_id, outcome, method, evidence, verified_by, thread_id)
             SELECT $1, unnest($2::text[]), 'resolved', 'next-scan', $3, 'scan', $4`,
            [
              row.plan_id,
              row.exposure_ids,
              JSON.stringify({ evidence: 'a later full scan no longer finds them' }),
              row.thread_id,
            ],
          );
          if (row.plan_id) await setPlanState(tx, row.plan_id, 'verified');
          await updateThread(tx, row.thread_id, { status: 'completed', outcome: 'verified' });
        } else {
          const days = deps.policy.orchestrator.verificationWindowDays;
          if (row.plan_id) await setPlanState(tx, row.plan_id, 'escalated');
          await setExposureStates(
            tx,
            row.exposure_ids,
            'open',
            `escalated: no scan proved plan ${row.plan_id} within ${days} days`,
          );
          await updateThread(tx, row.thread_id, { status: 'escalated', outcome: 'escalated' });
        }
        await appendAudit(tx, [
          {
            actor: 'policy',
            action: row.resolved ? 'plan.verified' : 'thread.escalated',
            subjectType: 'thread',
            subjectId: row.thread_id,
            data: {
              planId: row.plan_id,
              method: 'next-scan',
              outcome: row.resolved ? 'resolved' : 'not proven in time',
            },
          },
        ]);
      });
      if (row.resolved) settled.verified += 1;
      else settled.escalated += 1;
    }
    return settled;
  }

  async function expireAccepted(): Promise<number> {
    return deps.db.transaction(async (tx) => {
      const result = await tx.query<{ id: string; accepted_until: Date }>(
        `UPDATE exposures SET state = 'open', state_reason = 'accepted risk expired on ' || to_char(accepted_until, 'YYYY-MM-DD'),
                opened_at = now(), updated_at = now()
          WHERE state = 'accepted' AND accepted_until < $1
          RETURNING id, accepted_until`,
        [deps.now()],
      );
      await appendAudit(
        tx,
        result.rows.map((row) => ({
          actor: 'policy',
          action: 'exposure.acceptance_expired',
          subjectType: 'exposure',
          subjectId: row.id,
          data: { acceptedUntil: row.accepted_until.toISOString() },
        })),
      );
      return result.rowCount;
    });
  }

  async function expire(plan: PlanRecord) {
    await deps.db.transaction(async (tx) => {
      await setPlanState(tx, plan.id, 'escalated');
      await appendAudit(tx, [
        {
          actor: 'policy',
          action: 'approval.expired',
          subjectType: 'plan',
          subjectId: plan.id,
          data: { expiresAt: plan.approvalExpiresAt?.toISOString() ?? null },
        },
      ]);
    });
    if (plan.threadId) {
      await resumeWith(plan.threadId, { decision: 'expired', decidedBy: 'policy', note: null, acceptRiskUntil: null });
    }
  }

  async function threadOf(plan: PlanRecord) {
    if (!plan.threadId) return null;
    const thread = await getThread(deps.db, plan.threadId);
    return thread ? { threadId: thread.threadId, status: thread.status, outcome: thread.outcome } : null;
  }

  return orchestrator;
}

function resumeOf(plan: PlanRecord): ApprovalResume {
  return {
    decision: plan.decision!.decision,
    decidedBy: plan.decision!.decidedBy,
    note: plan.decision!.note,
    acceptRiskUntil: plan.decision!.acceptRiskUntil?.toISOString() ?? null,
  };
}
