import { z } from 'zod';
import { DecidedBySchema } from './common.ts';

export const PlanStateSchema = z.enum([
  'draft',
  'awaiting_approval',
  'approved',
  'rejected',
  'changes_requested',
  'executing',
  'executed',
  'verified',
  'failed',
  'rolled_back',
  'escalated',
]);
export type PlanState = z.infer<typeof PlanStateSchema>;

/** One typed tool call of a plan, with what must hold before, how to undo it and how to prove it. */
export const PlanStepSchema = z.object({
  id: z.string(),
  ordinal: z.number().int().nonnegative(),
  tool: z.string().regex(/^[a-z][a-z0-9_]*$/, 'expected a snake_case tool name'),
  args: z.record(z.string(), z.unknown()),
  preconditions: z.array(z.string()).default([]),
  idempotencyKey: z.string().min(1),
  rollback: z.record(z.string(), z.unknown()).nullish(),
  verification: z.record(z.string(), z.unknown()).nullish(),
});
export type PlanStep = z.infer<typeof PlanStepSchema>;

export const PlanSchema = z.object({
  id: z.string(),
  kind: z.string(),
  title: z.string(),
  rationale: z.string().nullish(),
  state: PlanStateSchema,
  routine: z.boolean(),
  exposureIds: z.array(z.string()).min(1),
  steps: z.array(PlanStepSchema),
  requestedBy: z.string().min(1),
  decidedBy: DecidedBySchema,
  promptVersion: z.string().nullish(),
  confidence: z.number().min(0).max(1).nullish(),
});
export type Plan = z.infer<typeof PlanSchema>;

export const ApprovalDecisionSchema = z.object({
  planId: z.string(),
  decision: z.enum(['approved', 'rejected', 'changes_requested']),
  decidedBy: z.string().min(1),
  note: z.string().max(10_000).nullish(),
});
export type ApprovalDecision = z.infer<typeof ApprovalDecisionSchema>;

/** What the policy gate decided about a plan, and why: shown to the approver. */
export const GateDecisionSchema = z.object({
  routine: z.boolean(),
  reasons: z.array(z.string()),
  policyVersion: z.string(),
});
export type GateDecision = z.infer<typeof GateDecisionSchema>;

/** A plan as stored and shown in the approval inbox: the plan, its gate decision, evidence, risk and diff. */
export const PlanRecordSchema = PlanSchema.extend({
  threadId: z.string().nullable(),
  groupKey: z.string().nullable(),
  policyDecision: GateDecisionSchema,
  evidence: z.array(z.string()),
  risk: z.record(z.string(), z.unknown()),
  diff: z.string().nullable(),
  replanCount: z.number().int(),
  supersedes: z.string().nullable(),
  approvalExpiresAt: z.coerce.date().nullable(),
  createdAt: z.coerce.date(),
  updatedAt: z.coerce.date(),
  decision: z
    .object({
      decision: z.enum(['approved', 'rejected', 'changes_requested']),
      decidedBy: z.string(),
      note: z.string().nullable(),
      decidedAt: z.coerce.date(),
      acceptRiskUntil: z.coerce.date().nullable(),
    })
    .nullable(),
});
export type PlanRecord = z.infer<typeof PlanRecordSchema>;
