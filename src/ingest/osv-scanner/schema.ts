import { z } from 'zod';

/**
 * The parts of osv-scanner's JSON output (`--format json`, v1 and v2) this parser reads.
 * Objects are loose: osv-scanner and the OSV schema add members over time; only what we map is
 * checked, so a wrong type there fails with its pointer and anything else passes through.
 */

export const OsvSourceSchema = z.looseObject({
  path: z.string(),
  type: z.string().optional(),
});
export type OsvSource = z.infer<typeof OsvSourceSchema>;

const OsvAffectedSchema = z.looseObject({
  package: z
    .looseObject({ name: z.string().optional(), ecosystem: z.string().optional(), purl: z.string().optional() })
    .optional(),
  ranges: z
    .array(
      z.looseObject({
        type: z.string(),
        repo: z.string().optional(),
        events: z.array(z.record(z.string(), z.string())),
      }),
    )
    .nullish(),
  database_specific: z.record(z.string(), z.unknown()).nullish(),
});

/** A full OSV record, as osv-scanner embeds it. */
export const OsvRecordSchema = z.looseObject({
  id: z.string().min(1),
  aliases: z.array(z.string()).nullish(),
  summary: z.string().nullish(),
  details: z.string().nullish(),
  severity: z.array(z.looseObject({ type: z.string(), score: z.string() })).nullish(),
  affected: z.array(OsvAffectedSchema).nullish(),
  database_specific: z.record(z.string(), z.unknown()).nullish(),
});
export type OsvRecord = z.infer<typeof OsvRecordSchema>;

/** Ids osv-scanner considers one vulnerability (aliases of each other). */
export const OsvGroupSchema = z.looseObject({
  ids: z.array(z.string().min(1)).min(1),
  aliases: z.array(z.string()).nullish(),
  max_severity: z.string().nullish(),
  experimental_analysis: z
    .record(z.string(), z.looseObject({ called: z.boolean().optional(), unimportant: z.boolean().optional() }))
    .nullish(),
});
export type OsvGroup = z.infer<typeof OsvGroupSchema>;

export const OsvPackageEntrySchema = z.looseObject({
  package: z.looseObject({
    name: z.string(),
    version: z.string().nullish(),
    ecosystem: z.string().nullish(),
    commit: z.string().nullish(),
  }),
  vulnerabilities: z.array(OsvRecordSchema).nullish(),
  groups: z.array(OsvGroupSchema).nullish(),
  license_violations: z.array(z.string()).nullish(),
});
export type OsvPackageEntry = z.infer<typeof OsvPackageEntrySchema>;
export type OsvPackage = OsvPackageEntry['package'];
