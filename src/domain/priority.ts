import { z } from 'zod';
import { SeveritySchema } from './common.ts';
import { CoverageSchema, RiskFactorSchema, SsvcDecisionSchema } from './exposure.ts';
import { FindingKindSchema } from './finding.ts';

/**
 * Everything the deterministic core needs to know about one exposure, gathered from its
 * findings and advisory: the input of coverage assessment, SSVC and the risk score.
 */
export const ExposureContextSchema = z.object({
  exposureId: z.string(),
  kind: FindingKindSchema,
  vulnerabilityId: z.string(),
  aliases: z.array(z.string()).default([]),
  component: z.string().nullish(),
  location: z.string().nullish(),
  severity: SeveritySchema,
  cvssVector: z.string().nullish(),
  cvssScore: z.number().min(0).max(10).nullish(),
  cwes: z.array(z.string()).default([]),
  epss: z.object({ score: z.number(), percentile: z.number() }).nullish(),
  kev: z.object({ dateAdded: z.string(), ransomware: z.boolean() }).nullish(),
  /** A public proof of concept is known (e.g. an advisory reference of type EXPLOIT). */
  publicExploit: z.boolean().default(false),
  openedAt: z.coerce.date(),
});
export type ExposureContext = z.infer<typeof ExposureContextSchema>;

/** One control's contribution to covering an exposure, with the evidence a reviewer needs. */
export const ControlContributionSchema = z.object({
  controlId: z.string(),
  controlKind: z.string(),
  mode: z.enum(['block', 'detect']),
  ruleId: z.string().nullish(),
  /** `none` for a control that only changes reachability (segmentation, firewall): it does not fix the flaw. */
  coverage: z.enum(['full', 'partial', 'none']),
  /** Reachability effect: a control that removes internet reachability makes the exposure controlled. */
  reachability: z.enum(['unchanged', 'controlled']),
  mapping: z.string().describe('knowledge-base mapping id that applied'),
  reason: z.string(),
  inScopeBecause: z.string(),
  verifiedAt: z.coerce.date().nullish(),
});
export type ControlContribution = z.infer<typeof ControlContributionSchema>;

export const CoverageAssessmentSchema = z.object({
  coverage: CoverageSchema,
  reachable: z.enum(['open', 'controlled']),
  contributions: z.array(ControlContributionSchema),
  /** Controls considered and not counted, with why (disabled, out of scope, stale, no mapping). */
  ignored: z.array(z.object({ controlId: z.string(), reason: z.string() })),
  effect: z.string().describe('plain-English effect on exploitability and exposure'),
});
export type CoverageAssessment = z.infer<typeof CoverageAssessmentSchema>;

export const SsvcPathStepSchema = z.object({ point: z.string(), value: z.string(), reason: z.string() });

export const SsvcResultSchema = z.object({
  decision: SsvcDecisionSchema,
  /** The decision straight from CISA's table, before the exposure adjustment. */
  tableDecision: SsvcDecisionSchema,
  tableRow: z.number().int(),
  path: z.array(SsvcPathStepSchema),
});
export type SsvcResult = z.infer<typeof SsvcResultSchema>;

export const RiskAssessmentSchema = z.object({
  score: z.number().min(0).max(100),
  factors: z.array(RiskFactorSchema),
});
export type RiskAssessment = z.infer<typeof RiskAssessmentSchema>;

export const OwnerAssignmentSchema = z.object({
  owner: z.string().nullish(),
  team: z.string().nullish(),
  rule: z.string(),
  reason: z.string(),
  triage: z.boolean(),
});
export type OwnerAssignment = z.infer<typeof OwnerAssignmentSchema>;
