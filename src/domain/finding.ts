import { z } from 'zod';
import { AssetIdentifierSchema } from './asset.ts';
import { SeveritySchema } from './common.ts';

export const FindingKindSchema = z.enum(['package', 'misconfiguration', 'secret', 'code', 'cloud']);
export type FindingKind = z.infer<typeof FindingKindSchema>;

/** VEX or scanner suppression: the record stays, but it is not an open exposure. */
export const SuppressionSchema = z.object({
  state: z.string().min(1),
  justification: z.string().nullish(),
  detail: z.string().nullish(),
});
export type Suppression = z.infer<typeof SuppressionSchema>;

/**
 * One scanner record, normalized. Parsers produce these (bytes in, findings out) and know
 * nothing of assets in the database; `assetHint` carries what the report says about where
 * the finding was seen (image, repository, ARN, hostname) for correlation later.
 */
export const FindingSchema = z.object({
  sourceTool: z.string().min(1),
  sourceVersion: z.string().nullish(),
  format: z.string().min(1),
  kind: FindingKindSchema,
  ruleId: z.string().min(1).describe('vulnerability or rule id as the scanner gave it'),
  aliases: z.array(z.string()).default([]),
  packageName: z.string().nullish(),
  ecosystem: z.string().nullish(),
  packageVersion: z.string().nullish(),
  fixedVersions: z.array(z.string()).default([]),
  purl: z.string().nullish(),
  resource: z.string().nullish(),
  location: z.string().nullish(),
  line: z.number().int().nullish(),
  severity: SeveritySchema.default('unknown'),
  cvssScore: z.number().min(0).max(10).nullish(),
  cvssVector: z.string().nullish(),
  cwes: z.array(z.string()).default([]),
  title: z.string().min(1),
  description: z.string().nullish(),
  assetHint: z.array(AssetIdentifierSchema).default([]),
  suppression: SuppressionSchema.nullish(),
  epss: z.object({ score: z.number(), percentile: z.number() }).nullish(),
  raw: z.unknown(),
});
export type Finding = z.infer<typeof FindingSchema>;
