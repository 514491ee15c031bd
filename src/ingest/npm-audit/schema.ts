import { z } from 'zod';

/**
 * The parts of `npm audit --json` this parser reads, in both report forms. Objects are loose:
 * npm adds members between releases, and only what we map is checked, so a newer report still
 * ingests while a wrong type in a field we rely on fails with its pointer.
 */

const CvssSchema = z.looseObject({
  score: z.number().min(0).max(10).nullish(),
  vectorString: z.string().nullish(),
});

/** npm 7+: an advisory object inside `vulnerabilities.<name>.via[]`. */
export const NpmAdvisoryViaSchema = z.looseObject({
  source: z.union([z.number(), z.string()]).nullish(),
  name: z.string().min(1).optional(),
  dependency: z.string().optional(),
  title: z.string().nullish(),
  url: z.string().nullish(),
  severity: z.string().nullish(),
  cwe: z.array(z.string()).nullish(),
  cvss: CvssSchema.nullish(),
  range: z.string().nullish(),
});
export type NpmAdvisoryVia = z.infer<typeof NpmAdvisoryViaSchema>;

const FixAvailableSchema = z.union(
  [
    z.boolean(),
    z.looseObject({ name: z.string().min(1), version: z.string().min(1), isSemVerMajor: z.boolean().optional() }),
  ],
  { error: 'a boolean or an object with the fix\'s "name" and "version"' },
);

/**
 * npm 7+: one entry of the `vulnerabilities` map, keyed by package name. `via` mixes advisory
 * objects (the package itself is vulnerable) with package names (it depends on one that is).
 * Union error texts complete "expected <field> to be ...".
 */
export const NpmVulnerabilityEntrySchema = z.looseObject({
  name: z.string().min(1).optional(),
  severity: z.string().nullish(),
  isDirect: z.boolean().optional(),
  via: z.array(z.union([z.string().min(1), NpmAdvisoryViaSchema], { error: 'a package name or an advisory object' })),
  effects: z.array(z.string()).optional(),
  range: z.string().nullish(),
  nodes: z.array(z.string()).optional(),
  fixAvailable: FixAvailableSchema.optional(),
});
export type NpmVulnerabilityEntry = z.infer<typeof NpmVulnerabilityEntrySchema>;

/** npm 6: one installed version of the vulnerable module and the dependency paths to it. */
const NpmLegacyFindingSchema = z.looseObject({
  version: z.string().min(1),
  paths: z.array(z.string()).optional(),
});

/** npm 6: one entry of the `advisories` map, keyed by npm advisory id. */
export const NpmLegacyAdvisorySchema = z.looseObject({
  id: z.union([z.number(), z.string()]).optional(),
  module_name: z.string().min(1),
  title: z.string().nullish(),
  cves: z.array(z.string()).nullish(),
  github_advisory_id: z.string().nullish(),
  vulnerable_versions: z.string().nullish(),
  patched_versions: z.string().nullish(),
  overview: z.string().nullish(),
  recommendation: z.string().nullish(),
  severity: z.string().nullish(),
  cwe: z.union([z.string(), z.array(z.string())]).nullish(),
  cvss: CvssSchema.nullish(),
  url: z.string().nullish(),
  findings: z.array(NpmLegacyFindingSchema),
});
export type NpmLegacyAdvisory = z.infer<typeof NpmLegacyAdvisorySchema>;
