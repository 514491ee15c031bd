import { Annotation } from '@langchain/langgraph';
import type { PlanKind, VerificationOutcome } from '../domain/agent-outputs.ts';

/** How a thread ended (or where it waits). */
export type ThreadOutcome =
  | 'closed'
  | 'covered'
  | 'verified'
  | 'mitigated'
  | 'pending_verification'
  | 'rejected'
  | 'accepted'
  | 'escalated';

/** The plan as the thread carries it between nodes (the full record lives in the plans table). */
export type ThreadPlan = {
  id: string;
  kind: PlanKind;
  routine: boolean;
  target: { ecosystem: string; package: string; to: string } | null;
  /** Where the plan's code change lives, when it has one. */
  branch: string | null;
  steps: { id: string; ordinal: number; tool: string; args: Record<string, unknown>; idempotencyKey: string }[];
};

/** A human's decision on a plan, as the approval API resumes the thread with it. */
export type ApprovalResume = {
  decision: 'approved' | 'rejected' | 'changes_requested' | 'expired';
  decidedBy: string;
  note: string | null;
  acceptRiskUntil: string | null;
};

const last = <T>(initial: T) => Annotation<T>({ reducer: (_, next) => next, default: () => initial });

/**
 * The state of one durable thread: one exposure, or one fix group (exposures one change fixes).
 * Everything here is JSON: it is checkpointed after every node.
 */
export const ThreadState = Annotation.Root({
  threadId: last(''),
  groupKey: last(''),
  exposureIds: last<string[]>([]),
  startedBy: last(''),
  assetId: last(''),
  advisoryIds: last<string[]>([]),
  summarized: last(0),
  coverage: last<Record<string, { coverage: string; decidedBy: string }>>({}),
  route: last<'covered' | 'plan' | null>(null),
  plan: last<ThreadPlan | null>(null),
  plansMade: last(0),
  approval: last<ApprovalResume | null>(null),
  executed: last<{ tool: string; ok: boolean; message: string | null; replayed: boolean; output: unknown }[]>([]),
  autoExecuted: last(false),
  verification: last<{ outcome: VerificationOutcome; evidence: string } | null>(null),
  replans: last(0),
  reviewerNote: last<string | null>(null),
  previousFailure: last<string | null>(null),
  previousKind: last<PlanKind | null>(null),
  outcome: last<ThreadOutcome | null>(null),
  reason: last<string | null>(null),
});
export type ThreadStateValue = typeof ThreadState.State;
export type ThreadUpdate = typeof ThreadState.Update;
