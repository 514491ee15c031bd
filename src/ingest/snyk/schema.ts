import { z } from 'zod';

/**
 * The parts of a Snyk CLI `test --json` issue (open source, container and license issues) that
 * this parser reads. Objects are loose: Snyk adds members release by release; only what we map
 * is checked, so a newer report still ingests while a wrong type in a field we rely on fails
 * with its pointer.
 */

const text = z.string().nullish();
const ids = z.array(z.union([z.string(), z.number()])).nullish();

export const SnykIssueSchema = z.looseObject({
  id: z.string().min(1),
  type: text,
  title: text,
  description: text,
  packageName: text,
  name: text,
  version: text,
  packageManager: text,
  severity: text,
  severityWithCritical: text,
  cvssScore: z.number().nullish(),
  CVSSv3: text,
  identifiers: z.looseObject({ CVE: ids, CWE: ids, GHSA: ids, ALTERNATIVE: ids }).nullish(),
  fixedIn: z.array(z.string()).nullish(),
  from: z.array(z.string()).nullish(),
  epssDetails: z
    .looseObject({
      probability: z.union([z.number(), z.string()]).nullish(),
      percentile: z.union([z.number(), z.string()]).nullish(),
    })
    .nullish(),
  filtered: z
    .looseObject({
      ignored: z.array(z.looseObject({ reason: text, reasonType: text, expires: text })).nullish(),
    })
    .nullish(),
});
export type SnykIssue = z.infer<typeof SnykIssueSchema>;
