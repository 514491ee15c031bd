import { z } from 'zod';
import { CoverageSchema } from './exposure.ts';

/** The control assessor's answer for one exposure. */
export const ControlAssessmentSchema = z.object({
  exposureId: z.string(),
  coverage: CoverageSchema.describe('full only when an enabled, in-scope, blocking control counters this weakness'),
  reachable: z.enum(['open', 'controlled']),
  controls: z
    .array(
      z.object({
        controlId: z.string(),
        coverage: CoverageSchema,
        reason: z.string().max(1000),
      }),
    )
    .max(50),
  effect: z.string().max(2000).describe('how the controls change exploitability and exposure'),
  confidence: z.number().min(0).max(1),
});
export type ControlAssessment = z.infer<typeof ControlAssessmentSchema>;

export const PlanKindSchema = z.enum(['dependency_bump', 'base_image', 'terraform', 'mitigation', 'ticket']);
export type PlanKind = z.infer<typeof PlanKindSchema>;

/** The planner's proposal: typed tool calls, checked by validators and the policy gate before anything runs. */
export const PlanProposalSchema = z.object({
  kind: PlanKindSchema,
  title: z.string().min(1).max(300),
  rationale: z.string().max(4000),
  confidence: z.number().min(0).max(1),
  target: z
    .object({
      ecosystem: z.string(),
      package: z.string(),
      from: z.string().nullable(),
      to: z.string(),
      bump: z.enum(['patch', 'minor', 'major']),
      crossesMajor: z.boolean(),
    })
    .nullable()
    .describe('the version change, for dependency_bump plans'),
  steps: z
    .array(
      z.object({
        tool: z.string().describe('an action tool allowed for this plan kind'),
        args: z.record(z.string(), z.unknown()),
        purpose: z.string().max(500),
      }),
    )
    .min(1)
    .max(10),
});
export type PlanProposal = z.infer<typeof PlanProposalSchema>;

export const VerificationOutcomeSchema = z.enum(['resolved', 'mitigated', 'pending', 'failed']);
export type VerificationOutcome = z.infer<typeof VerificationOutcomeSchema>;

/** The verifier's verdict, with the evidence a reviewer can re-check. */
export const VerificationSchema = z.object({
  outcome: VerificationOutcomeSchema,
  evidence: z.string().max(4000),
});
export type Verification = z.infer<typeof VerificationSchema>;
