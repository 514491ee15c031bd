import { z } from 'zod';
import { AdvisorySchema } from '../../src/domain/advisory.ts';
import { PlanKindSchema } from '../../src/domain/agent-outputs.ts';
import { AssetSchema } from '../../src/domain/asset.ts';
import { ControlSchema } from '../../src/domain/control.ts';

/** One exposure of the fix group, as the planner needs it. */
export const PlannedExposureSchema = z.object({
  id: z.string(),
  title: z.string(),
  kind: z.string(),
  vulnerabilityId: z.string(),
  advisoryId: z.string().nullable(),
  component: z.string().nullable(),
  /** The package name as its ecosystem spells it (from the findings), for dependency plans. */
  package: z.string().nullable(),
  ecosystem: z.string().nullable(),
  installedVersions: z.array(z.string()),
  ssvcDecision: z.string().nullable(),
  /** The scanner rule behind a misconfiguration (e.g. a Prowler check id), for IaC fixes. */
  ruleIds: z.array(z.string()).default([]),
  owner: z.string().nullable(),
  team: z.string().nullable(),
  slaDueAt: z.coerce.date().nullable(),
});
export type PlannedExposure = z.infer<typeof PlannedExposureSchema>;

export const PlannerInputSchema = z.object({
  planId: z.string().regex(/^[A-Za-z0-9._-]+$/),
  asset: AssetSchema,
  exposures: z.array(PlannedExposureSchema).min(1),
  advisories: z.array(AdvisorySchema),
  /** Controls whose scope includes the asset (a blocking WAF can carry a virtual patch while the fix ships). */
  controls: z.array(ControlSchema).default([]),
  /** A reviewer's request for changes (a trusted human, but still only a note). */
  reviewerNote: z.string().nullable(),
  /** Why the previous plan failed verification, when this is a re-plan. */
  previousFailure: z.string().nullable(),
  previousKind: PlanKindSchema.nullable(),
});
export type PlannerInput = z.infer<typeof PlannerInputSchema>;
