import { z } from 'zod';
import { SeveritySchema } from './common.ts';

/** One affected range as OSV states it: events introduced / fixed / last_affected / limit. */
export const AffectedRangeSchema = z.object({
  type: z.enum(['SEMVER', 'ECOSYSTEM', 'GIT']),
  events: z.array(
    z.object({
      introduced: z.string().optional(),
      fixed: z.string().optional(),
      last_affected: z.string().optional(),
      limit: z.string().optional(),
    }),
  ),
});
export type AffectedRange = z.infer<typeof AffectedRangeSchema>;

export const AffectedPackageSchema = z.object({
  ecosystem: z.string().min(1),
  package: z.string().min(1),
  ranges: z.array(AffectedRangeSchema).default([]),
  versions: z.array(z.string()).default([]),
  /** Every version that fixes this advisory for the package, from the ranges' `fixed` events. */
  fixed: z.array(z.string()).default([]),
});
export type AffectedPackage = z.infer<typeof AffectedPackageSchema>;

/** A normalized advisory (OSV, GHSA or CVE JSON 5), with KEV and EPSS context attached. */
export const AdvisorySchema = z.object({
  id: z.string().min(1),
  source: z.string().min(1),
  aliases: z.array(z.string()).default([]),
  title: z.string().nullish(),
  details: z.string().nullish(),
  severity: SeveritySchema.default('unknown'),
  cvssVector: z.string().nullish(),
  cvssScore: z.number().min(0).max(10).nullish(),
  cwes: z.array(z.string()).default([]),
  affected: z.array(AffectedPackageSchema).default([]),
  references: z.array(z.object({ type: z.string().optional(), url: z.string() })).default([]),
  publishedAt: z.coerce.date().nullish(),
  modifiedAt: z.coerce.date().nullish(),
  withdrawnAt: z.coerce.date().nullish(),
  kev: z
    .object({
      dateAdded: z.string(),
      dueDate: z.string().nullish(),
      ransomware: z.boolean(),
      requiredAction: z.string().nullish(),
    })
    .nullish(),
  epss: z.object({ score: z.number(), percentile: z.number(), date: z.string().nullish() }).nullish(),
});
export type Advisory = z.infer<typeof AdvisorySchema>;
