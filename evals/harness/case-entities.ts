import { z } from 'zod';
import { AdvisorySchema } from '../../src/domain/advisory.ts';
import { AssetSchema } from '../../src/domain/asset.ts';
import { SeveritySchema, SlugSchema } from '../../src/domain/common.ts';
import { ControlSchema } from '../../src/domain/control.ts';
import { ExposureStateSchema } from '../../src/domain/exposure.ts';
import { FindingKindSchema } from '../../src/domain/finding.ts';

/**
 * Entities written inline in an evaluation case (assets, controls, advisories, exposures with
 * their scanner findings). The same records feed both estates a case can run on: the embedded
 * database (case-estate.ts) and the in-memory double (inline-estate.ts).
 */

/** One scanner finding behind an exposure; everything but the facts prioritization reads is optional. */
export const CaseFindingSchema = z.object({
  sourceTool: z.string().min(1).default('eval'),
  /** Defaults to the exposure's vulnerability id. */
  ruleId: z.string().min(1).optional(),
  aliases: z.array(z.string()).default([]),
  packageName: z.string().nullish(),
  packageVersion: z.string().nullish(),
  fixedVersions: z.array(z.string()).default([]),
  location: z.string().nullish(),
  severity: SeveritySchema.optional(),
  cvssVector: z.string().nullish(),
  cvssScore: z.number().min(0).max(10).nullish(),
  cwes: z.array(z.string()).default([]),
  title: z.string().min(1).optional(),
  state: z.enum(['open', 'fixed', 'suppressed']).default('open'),
});
export type CaseFinding = z.infer<typeof CaseFindingSchema>;

/** One exposure (a vulnerability on one asset) with an explicit id, so cases can name it. */
export const CaseExposureSchema = z.object({
  id: SlugSchema,
  assetId: SlugSchema,
  vulnerabilityId: z.string().min(1),
  /** The advisory id; when absent, an advisory naming the vulnerability id (or an alias) is linked. */
  advisoryId: z.string().min(1).nullish(),
  kind: FindingKindSchema.default('package'),
  component: z.string().nullish(),
  ecosystem: z.string().nullish(),
  /** Defaults to exposureTitle(). */
  title: z.string().min(1).optional(),
  severity: SeveritySchema.default('unknown'),
  state: ExposureStateSchema.default('open'),
  /** Who fixes it, as prioritization routed it. */
  owner: z.string().nullish(),
  team: z.string().nullish(),
  /** Defaults to the evaluation clock. */
  openedAt: z.coerce.date().optional(),
  findings: z.array(CaseFindingSchema).default([]),
});
export type CaseExposure = z.infer<typeof CaseExposureSchema>;

/** The title of an exposure that states none: `<vulnerability> in <component>`. */
export function exposureTitle(exposure: Pick<CaseExposure, 'title' | 'vulnerabilityId' | 'component'>): string {
  return exposure.title ?? `${exposure.vulnerabilityId}${exposure.component ? ` in ${exposure.component}` : ''}`;
}

/** An advisory as datasets write it: `source` may be left out (osv). */
export const CaseAdvisorySchema = AdvisorySchema.extend({ source: z.string().min(1).default('osv') });

const EntitiesSchema = z.object({
  assets: z.array(AssetSchema).default([]),
  controls: z.array(ControlSchema).default([]),
  advisories: z.array(CaseAdvisorySchema).default([]),
  exposures: z.array(CaseExposureSchema).default([]),
});

/** Every id once per kind, and every reference (exposure to asset, exposure to advisory) resolved inside the case. */
function resolvesInside(estate: z.infer<typeof EntitiesSchema>, ctx: z.RefinementCtx): void {
  for (const path of ['assets', 'controls', 'advisories', 'exposures'] as const) {
    const seen = new Set<string>();
    estate[path].forEach(({ id }, index) => {
      if (seen.has(id)) ctx.addIssue({ code: 'custom', path: [path, index, 'id'], message: `duplicate id "${id}"` });
      seen.add(id);
    });
  }
  const assets = new Set(estate.assets.map((a) => a.id));
  const advisories = new Set(estate.advisories.flatMap((a) => [a.id, ...a.aliases]));
  estate.exposures.forEach((exposure, index) => {
    if (!assets.has(exposure.assetId)) {
      ctx.addIssue({
        code: 'custom',
        path: ['exposures', index, 'assetId'],
        message: `no asset "${exposure.assetId}" in this case`,
      });
    }
    if (exposure.advisoryId && !advisories.has(exposure.advisoryId)) {
      ctx.addIssue({
        code: 'custom',
        path: ['exposures', index, 'advisoryId'],
        message: `no advisory "${exposure.advisoryId}" in this case`,
      });
    }
  });
}

/** A self-contained estate: at least one asset, and every reference resolves inside it. */
export const CaseEntitiesSchema = EntitiesSchema.extend({ assets: z.array(AssetSchema).min(1) }).superRefine(
  resolvesInside,
);
export type CaseEntities = z.infer<typeof CaseEntitiesSchema>;

/** The same for the in-memory double, where a case may hold no asset at all (an advisory alone). */
export const InlineEntitiesSchema = EntitiesSchema.superRefine(resolvesInside);
export type InlineEntities = z.input<typeof InlineEntitiesSchema>;
