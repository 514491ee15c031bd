import { z } from 'zod';
import { AdvisorySchema } from './advisory.ts';
import { AssetSchema } from './asset.ts';
import { ExposureSchema } from './exposure.ts';

/** One exposure as lists show it: the facts a triager scans, not the full evidence. */
export const ExposureSummarySchema = z.object({
  id: z.string(),
  title: z.string(),
  state: z.string(),
  vulnerabilityId: z.string(),
  advisoryId: z.string().nullable(),
  component: z.string().nullable(),
  severity: z.string(),
  riskScore: z.number().nullable(),
  ssvcDecision: z.string().nullable(),
  coverage: z.string(),
  reachable: z.string(),
  owner: z.string().nullable(),
  team: z.string().nullable(),
  triage: z.boolean(),
  slaDueAt: z.coerce.date().nullable(),
  assetId: z.string(),
  assetName: z.string(),
  environment: z.string(),
  internetExposure: z.string(),
  kev: z.boolean(),
  epssScore: z.number().nullable(),
  findings: z.number().int(),
  openedAt: z.coerce.date(),
});
export type ExposureSummary = z.infer<typeof ExposureSummarySchema>;

/** One scanner finding behind an exposure, as the planner and verifier need it. */
export const FindingRefSchema = z.object({
  fingerprint: z.string(),
  sourceTool: z.string(),
  ruleId: z.string(),
  packageName: z.string().nullable(),
  packageVersion: z.string().nullable(),
  fixedVersions: z.array(z.string()),
  location: z.string().nullable(),
  state: z.string(),
  lastSeenAt: z.coerce.date(),
});
export type FindingRef = z.infer<typeof FindingRefSchema>;

/** Stored coverage evidence of the last prioritization. */
export const CoverageEvidenceSchema = z.object({
  control: z.string(),
  rule: z.string().nullish(),
  coverage: z.string(),
  mapping: z.string().nullish(),
});

/** An exposure with everything an agent needs to reason about it. */
export const ExposureDetailSchema = z.object({
  exposure: ExposureSchema.extend({
    slaDueAt: z.coerce.date().nullish(),
    firstSeenAt: z.coerce.date(),
    lastSeenAt: z.coerce.date(),
    openedAt: z.coerce.date(),
    mitigatedAt: z.coerce.date().nullish(),
    resolvedAt: z.coerce.date().nullish(),
  }),
  asset: AssetSchema,
  advisory: AdvisorySchema.nullable(),
  findings: z.array(FindingRefSchema),
  coverageEvidence: z.array(CoverageEvidenceSchema),
});
export type ExposureDetail = z.infer<typeof ExposureDetailSchema>;
