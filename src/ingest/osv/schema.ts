import { z } from 'zod';

/**
 * The parts of an OSV 1.x record this parser reads (https://ossf.github.io/osv-schema/).
 * Objects are loose: databases add their own members (`database_specific`, `ecosystem_specific`),
 * so only the fields we map are checked, and a wrong type there fails with its pointer.
 */

const EventSchema = z.looseObject({
  introduced: z.string().optional(),
  fixed: z.string().optional(),
  last_affected: z.string().optional(),
  limit: z.string().optional(),
});

const RangeSchema = z.looseObject({
  type: z.enum(['SEMVER', 'ECOSYSTEM', 'GIT']),
  repo: z.string().optional(),
  events: z.array(EventSchema),
});
export type OsvRange = z.infer<typeof RangeSchema>;

/** An entry names its package, or (OSS-Fuzz style, C/C++ projects) only a GIT range with its repository. */
const AffectedSchema = z
  .looseObject({
    package: z
      .looseObject({ ecosystem: z.string().min(1), name: z.string().min(1), purl: z.string().optional() })
      .optional(),
    ranges: z.array(RangeSchema).nullish(),
    versions: z.array(z.string()).nullish(),
  })
  .refine((entry) => entry.package || entry.ranges?.some((range) => range.type === 'GIT' && range.repo), {
    message: 'expected "package" or a GIT range with "repo"',
  });
export type OsvAffected = z.infer<typeof AffectedSchema>;

export const OsvRecordSchema = z.looseObject({
  schema_version: z.string().optional(),
  id: z.string().min(1),
  modified: z.string().optional(),
  published: z.string().optional(),
  withdrawn: z.string().optional(),
  aliases: z.array(z.string()).nullish(),
  summary: z.string().nullish(),
  details: z.string().nullish(),
  severity: z.array(z.looseObject({ type: z.string(), score: z.string() })).nullish(),
  affected: z.array(AffectedSchema).nullish(),
  references: z.array(z.looseObject({ type: z.string().optional(), url: z.string() })).nullish(),
  /** Free-form per database; GitHub puts `severity` (LOW..CRITICAL) and `cwe_ids` here. */
  database_specific: z.record(z.string(), z.unknown()).nullish(),
});
export type OsvRecord = z.infer<typeof OsvRecordSchema>;
