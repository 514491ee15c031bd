import { z } from 'zod';
import { SeveritySchema } from './common.ts';
import { FindingKindSchema } from './finding.ts';

/** The lifecycle of an exposure; timestamps of each transition feed MTTR. */
export const ExposureStateSchema = z.enum([
  'open',
  'in_progress',
  'awaiting_approval',
  'mitigated',
  'resolved',
  'accepted',
  'suppressed',
]);
export type ExposureState = z.infer<typeof ExposureStateSchema>;

export const CoverageSchema = z.enum(['full', 'partial', 'none']);
export type Coverage = z.infer<typeof CoverageSchema>;

export const SsvcDecisionSchema = z.enum(['Track', 'Track*', 'Attend', 'Act']);
export type SsvcDecision = z.infer<typeof SsvcDecisionSchema>;

/** One itemized factor of the contextual risk score. */
export const RiskFactorSchema = z.object({
  factor: z.string(),
  value: z.union([z.string(), z.number(), z.boolean(), z.null()]),
  weight: z.number(),
  contribution: z.number(),
  reason: z.string(),
});
export type RiskFactor = z.infer<typeof RiskFactorSchema>;

/** One vulnerability on one asset, however many scanners report it. */
export const ExposureSchema = z.object({
  id: z.string(),
  correlationKey: z.string(),
  assetId: z.string(),
  advisoryId: z.string().nullish(),
  vulnerabilityId: z.string(),
  kind: FindingKindSchema,
  component: z.string().nullish(),
  ecosystem: z.string().nullish(),
  title: z.string(),
  severity: SeveritySchema,
  state: ExposureStateSchema,
  riskScore: z.number().nullish(),
  riskFactors: z.array(RiskFactorSchema).default([]),
  ssvcDecision: SsvcDecisionSchema.nullish(),
  slaDueAt: z.date().nullish(),
  owner: z.string().nullish(),
  team: z.string().nullish(),
  coverage: CoverageSchema,
  reachable: z.enum(['open', 'controlled']),
  reopenCount: z.number().int(),
  firstSeenAt: z.date(),
  lastSeenAt: z.date(),
  openedAt: z.date(),
  mitigatedAt: z.date().nullish(),
  resolvedAt: z.date().nullish(),
});
export type Exposure = z.infer<typeof ExposureSchema>;
