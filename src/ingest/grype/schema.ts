import { z } from 'zod';

/*
 * The parts of Grype's JSON (grype/presenter/models in anchore/grype) that we map, including
 * the fields of reports before Grype 0.30 (`cvssV2`/`cvssV3`, `fixedInVersion`, `matchDetails`
 * as one object). Each error text completes "expected <field> to be ...". Unknown fields are
 * ignored: the mapper keeps the original match as `raw`.
 */

const text = z.string({ error: 'a string' });
const nonEmptyText = z.string({ error: 'a non-empty string' }).min(1, { error: 'a non-empty string' });
const texts = z.array(text, { error: 'an array of strings' });
const num = z.number({ error: 'a number' });

/** One entry of `cvss[]`: NVD or a vendor, v2/v3/v4. */
export const GrypeCvssSchema = z.object(
  {
    source: text.nullish(),
    type: text.nullish(),
    version: text.nullish(),
    vector: text.nullish(),
    metrics: z.object({ baseScore: num.nullish() }, { error: 'an object' }).nullish(),
  },
  { error: 'an object' },
);
export type GrypeCvss = z.infer<typeof GrypeCvssSchema>;

/** `cvssV2`/`cvssV3` of early Grype reports. */
const LegacyCvssSchema = z.object({ baseScore: num.nullish(), vector: text.nullish() }, { error: 'an object' });

export const GrypeEpssSchema = z.object(
  { cve: text.nullish(), epss: num, percentile: num },
  { error: 'an object with numeric "epss" and "percentile"' },
);

const cvssList = z.array(GrypeCvssSchema, { error: 'an array' });
const epssList = z.array(GrypeEpssSchema, { error: 'an array' });

/** `vulnerability` of a match: the record Grype matched, from its namespace (distro, GHSA, NVD). */
export const GrypeVulnerabilitySchema = z.object(
  {
    id: nonEmptyText,
    namespace: text.nullish(),
    severity: text.nullish(),
    description: text.nullish(),
    cvss: cvssList.nullish(),
    cvssV3: LegacyCvssSchema.nullish(),
    cvssV2: LegacyCvssSchema.nullish(),
    epss: epssList.nullish(),
    fix: z.object({ versions: texts.nullish(), state: text.nullish() }, { error: 'an object' }).nullish(),
    fixedInVersion: text.nullish(),
  },
  { error: 'an object' },
);
export type GrypeVulnerability = z.infer<typeof GrypeVulnerabilitySchema>;

/** `relatedVulnerabilities[]`: usually the NVD record of the same CVE. */
export const GrypeRelatedSchema = z.object(
  {
    id: nonEmptyText,
    description: text.nullish(),
    cvss: cvssList.nullish(),
    epss: epssList.nullish(),
  },
  { error: 'an object' },
);
export type GrypeRelated = z.infer<typeof GrypeRelatedSchema>;

/** `appliedIgnoreRules[]` of an ignored match. */
export const GrypeIgnoreRuleSchema = z.object(
  {
    vulnerability: text.nullish(),
    reason: text.nullish(),
    'fix-state': text.nullish(),
    'vex-status': text.nullish(),
    'vex-justification': text.nullish(),
    'match-type': text.nullish(),
    package: z.object({ name: text.nullish() }, { error: 'an object' }).nullish(),
  },
  { error: 'an object' },
);
export type GrypeIgnoreRule = z.infer<typeof GrypeIgnoreRuleSchema>;

/** One entry of `matches[]` (or `ignoredMatches[]`). */
export const GrypeMatchSchema = z.object(
  {
    vulnerability: GrypeVulnerabilitySchema,
    relatedVulnerabilities: z.array(GrypeRelatedSchema, { error: 'an array' }).nullish(),
    artifact: z.object(
      {
        name: nonEmptyText,
        version: text,
        type: text.nullish(),
        purl: text.nullish(),
        locations: z.array(z.object({ path: text.nullish() }, { error: 'an object' }), { error: 'an array' }).nullish(),
      },
      { error: 'an object' },
    ),
    appliedIgnoreRules: z.array(GrypeIgnoreRuleSchema, { error: 'an array' }).nullish(),
  },
  { error: 'an object' },
);
export type GrypeMatch = z.infer<typeof GrypeMatchSchema>;
