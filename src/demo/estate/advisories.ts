import type { KevCatalogEntry } from '../../ingest/kev/schema.ts';
import type { OsvRecord } from '../../ingest/osv/schema.ts';

/**
 * The advisory feeds of the demo estate: GitHub-reviewed advisories in OSV form, an excerpt of
 * CISA's KEV catalog and EPSS scores, for the vulnerable package versions the demo uses.
 *
 * Ids, aliases, affected ranges, fixed versions, CVSS vectors, CWEs, dates and KEV entries are the
 * published facts (GitHub Advisory Database, CISA KEV catalog 2025.08.25); the `details` texts are
 * short summaries written for the demo, not the advisories' own text.
 */

type Range = { introduced: string; fixed: string };

/** One GitHub advisory in OSV 1.6 form, built from its facts. */
function ghsa(facts: {
  id: string;
  cve: string;
  summary: string;
  details: string;
  published: string;
  modified: string;
  cvss?: string;
  cwes: string[];
  severity: 'LOW' | 'MODERATE' | 'HIGH' | 'CRITICAL';
  ecosystem: 'npm' | 'PyPI' | 'Maven';
  packages: Record<string, Range[]>;
}): OsvRecord {
  return {
    schema_version: '1.6.0',
    id: facts.id,
    modified: facts.modified,
    published: facts.published,
    aliases: [facts.cve],
    summary: facts.summary,
    details: facts.details,
    severity: facts.cvss ? [{ type: facts.cvss.startsWith('CVSS:4') ? 'CVSS_V4' : 'CVSS_V3', score: facts.cvss }] : [],
    affected: Object.entries(facts.packages).flatMap(([name, ranges]) =>
      ranges.map((range) => ({
        package: { ecosystem: facts.ecosystem, name },
        ranges: [{ type: 'ECOSYSTEM' as const, events: [{ introduced: range.introduced }, { fixed: range.fixed }] }],
      })),
    ),
    references: [
      { type: 'ADVISORY', url: `https://nvd.nist.gov/vuln/detail/${facts.cve}` },
      { type: 'WEB', url: `https://github.com/advisories/${facts.id}` },
    ],
    database_specific: { cwe_ids: facts.cwes, severity: facts.severity, github_reviewed: true },
  };
}

const from0 = (fixed: string): Range => ({ introduced: '0', fixed });

/** The advisories, one OSV record each; every one affects a package version the demo uses. */
export const DEMO_ADVISORIES: readonly OsvRecord[] = [
  ghsa({
    id: 'GHSA-35jh-r3h4-6jhm',
    cve: 'CVE-2021-23337',
    summary: 'Command Injection in lodash',
    details: 'lodash before 4.17.21 is vulnerable to command injection through the template function.',
    published: '2021-05-06T16:05:51Z',
    modified: '2022-02-08T21:35:09Z',
    cvss: 'CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H',
    cwes: ['CWE-77', 'CWE-94'],
    severity: 'HIGH',
    ecosystem: 'npm',
    packages: { lodash: [from0('4.17.21')], 'lodash-es': [from0('4.17.21')] },
  }),
  ghsa({
    id: 'GHSA-29mw-wpgm-hmr9',
    cve: 'CVE-2020-28500',
    summary: 'Regular Expression Denial of Service (ReDoS) in lodash',
    details: 'lodash before 4.17.21 spends super-linear time in toNumber, trim and trimEnd on crafted strings.',
    published: '2022-01-06T20:30:46Z',
    modified: '2023-09-05T22:58:25Z',
    cvss: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L',
    cwes: ['CWE-1333', 'CWE-400'],
    severity: 'MODERATE',
    ecosystem: 'npm',
    packages: { lodash: [from0('4.17.21')], 'lodash-es': [from0('4.17.21')] },
  }),
  ghsa({
    id: 'GHSA-rv95-896h-c2vc',
    cve: 'CVE-2024-29041',
    summary: 'Express.js Open Redirect in malformed URLs',
    details: 'Express before 4.19.2 (and 5.0.0 pre-releases before beta.3) can redirect to an attacker-chosen host.',
    published: '2024-03-25T19:40:26Z',
    modified: '2024-03-25T22:24:57Z',
    cvss: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N',
    cwes: ['CWE-601', 'CWE-1286'],
    severity: 'MODERATE',
    ecosystem: 'npm',
    packages: { express: [from0('4.19.2'), { introduced: '5.0.0-alpha.1', fixed: '5.0.0-beta.3' }] },
  }),
  ghsa({
    id: 'GHSA-qw6h-vgh9-j6wx',
    cve: 'CVE-2024-43796',
    summary: 'express vulnerable to XSS via response.redirect()',
    details: 'In express before 4.20.0, untrusted input passed to response.redirect() may execute script.',
    published: '2024-09-10T19:41:04Z',
    modified: '2024-09-10T19:41:04Z',
    cvss: 'CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:L/A:L',
    cwes: ['CWE-79'],
    severity: 'MODERATE',
    ecosystem: 'npm',
    packages: { express: [from0('4.20.0'), { introduced: '5.0.0-alpha.1', fixed: '5.0.0' }] },
  }),
  ghsa({
    id: 'GHSA-qwph-4952-7xr6',
    cve: 'CVE-2022-23540',
    summary: 'jsonwebtoken vulnerable to signature validation bypass due to insecure default algorithm in jwt.verify()',
    details: 'jsonwebtoken up to 8.5.1 falls back to the "none" algorithm when jwt.verify() is given no algorithms.',
    published: '2022-12-22T03:32:59Z',
    modified: '2022-12-22T03:32:59Z',
    cwes: ['CWE-287'],
    severity: 'MODERATE',
    ecosystem: 'npm',
    packages: { jsonwebtoken: [from0('9.0.0')] },
  }),
  ghsa({
    id: 'GHSA-hjrf-2m68-5959',
    cve: 'CVE-2022-23541',
    summary:
      "jsonwebtoken's insecure implementation of key retrieval function could lead to Forgeable Public/Private Tokens from RSA to HMAC",
    details: 'jsonwebtoken up to 8.5.1 can verify an RSA-signed token as HS256 with a poorly written key callback.',
    published: '2022-12-22T03:33:19Z',
    modified: '2022-12-22T03:33:19Z',
    cwes: ['CWE-1259', 'CWE-287'],
    severity: 'MODERATE',
    ecosystem: 'npm',
    packages: { jsonwebtoken: [from0('9.0.0')] },
  }),
  ghsa({
    id: 'GHSA-jfh8-c2jp-5v3q',
    cve: 'CVE-2021-44228',
    summary: 'Remote code injection in Log4j',
    details:
      'Log4Shell: log4j-core resolves JNDI lookups in logged messages, so an attacker who controls a logged ' +
      'string can load and run remote code. Fixed in 2.15.0 (and 2.12.2 / 2.3.1 for older Java).',
    published: '2021-12-10T00:40:56Z',
    modified: '2022-03-25T20:56:18Z',
    cvss: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H',
    cwes: ['CWE-20', 'CWE-400', 'CWE-502', 'CWE-917'],
    severity: 'CRITICAL',
    ecosystem: 'Maven',
    packages: {
      'org.apache.logging.log4j:log4j-core': [
        { introduced: '2.13.0', fixed: '2.15.0' },
        from0('2.3.1'),
        { introduced: '2.4', fixed: '2.12.2' },
      ],
    },
  }),
  ghsa({
    id: 'GHSA-7rjr-3q55-vv33',
    cve: 'CVE-2021-45046',
    summary: 'Incomplete fix for Apache Log4j vulnerability',
    details:
      'The Log4Shell fix in log4j-core 2.15.0 was incomplete for non-default pattern layouts with context ' +
      'lookups; fixed in 2.16.0 (and 2.12.2).',
    published: '2021-12-14T18:01:28Z',
    modified: '2022-02-24T18:12:21Z',
    cvss: 'CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:C/C:H/I:H/A:H',
    cwes: ['CWE-502'],
    severity: 'CRITICAL',
    ecosystem: 'Maven',
    packages: {
      'org.apache.logging.log4j:log4j-core': [{ introduced: '2.13.0', fixed: '2.16.0' }, from0('2.12.2')],
    },
  }),
  ghsa({
    id: 'GHSA-57j2-w4cx-62h2',
    cve: 'CVE-2020-36518',
    summary: 'Deeply nested json in jackson-databind',
    details: 'jackson-databind exhausts the stack on deeply nested JSON input; fixed in 2.13.2.1 and 2.12.6.1.',
    published: '2022-03-12T00:00:36Z',
    modified: '2022-03-25T21:37:08Z',
    cvss: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H',
    cwes: ['CWE-787'],
    severity: 'HIGH',
    ecosystem: 'Maven',
    packages: {
      'com.fasterxml.jackson.core:jackson-databind': [{ introduced: '2.13.0', fixed: '2.13.2.1' }, from0('2.12.6.1')],
    },
  }),
  ghsa({
    id: 'GHSA-68w8-qjq3-2gfm',
    cve: 'CVE-2021-33203',
    summary: 'Path Traversal in Django',
    details: "Django's admindocs TemplateDetailView lets staff members read files outside the template directories.",
    published: '2021-06-10T17:21:00Z',
    modified: '2022-02-14T22:19:16Z',
    cvss: 'CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:N/A:N',
    cwes: ['CWE-22'],
    severity: 'MODERATE',
    ecosystem: 'PyPI',
    packages: {
      django: [from0('2.2.24'), { introduced: '3.0.0', fixed: '3.1.12' }, { introduced: '3.2.0', fixed: '3.2.4' }],
    },
  }),
  ghsa({
    id: 'GHSA-v6rh-hp5x-86rv',
    cve: 'CVE-2021-44420',
    summary: 'Potential bypass of an upstream access control based on URL paths in Django',
    details: 'Django URLs with trailing newlines can bypass access controls that an upstream proxy applies by path.',
    published: '2021-12-09T19:09:37Z',
    modified: '2022-02-14T22:20:29Z',
    cvss: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:L/A:L',
    cwes: ['CWE-287'],
    severity: 'HIGH',
    ecosystem: 'PyPI',
    packages: {
      Django: [from0('2.2.25'), { introduced: '3.0', fixed: '3.1.14' }, { introduced: '3.2', fixed: '3.2.10' }],
    },
  }),
  ghsa({
    id: 'GHSA-8q59-q68h-6hv4',
    cve: 'CVE-2020-14343',
    summary: 'Improper Input Validation in PyYAML',
    details: 'PyYAML before 5.4 runs arbitrary code when full_load or FullLoader processes untrusted YAML.',
    published: '2021-03-25T21:26:26Z',
    modified: '2021-09-28T19:04:49Z',
    cvss: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
    cwes: ['CWE-20'],
    severity: 'CRITICAL',
    ecosystem: 'PyPI',
    packages: { PyYAML: [from0('5.4')] },
  }),
  ghsa({
    id: 'GHSA-ffqj-6fqr-9h24',
    cve: 'CVE-2022-29217',
    summary: 'Key confusion through non-blocklisted public key formats',
    details: 'PyJWT 1.5.0 to 2.3.0 lets a token choose an algorithm that verifies with a public key as an HMAC secret.',
    published: '2022-05-24T22:17:27Z',
    modified: '2022-06-08T16:29:45Z',
    cvss: 'CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:N',
    cwes: ['CWE-327'],
    severity: 'HIGH',
    ecosystem: 'PyPI',
    packages: { pyjwt: [{ introduced: '1.5.0', fixed: '2.4.0' }] },
  }),
];

/** The KEV catalog release the excerpt is taken from. */
export const KEV_CATALOG_VERSION = '2025.08.25';

/**
 * The KEV entries of the demo's vulnerabilities (both Log4j CVEs; none of the others is listed),
 * as CISA publishes them.
 */
export const DEMO_KEV_ENTRIES: readonly KevCatalogEntry[] = [
  {
    cveID: 'CVE-2021-44228',
    vendorProject: 'Apache',
    product: 'Log4j2',
    vulnerabilityName: 'Apache Log4j2 Remote Code Execution Vulnerability',
    dateAdded: '2021-12-10',
    shortDescription:
      'Apache Log4j2 contains a vulnerability where JNDI features do not protect against attacker-controlled ' +
      'JNDI-related endpoints, allowing for remote code execution.',
    requiredAction:
      'For all affected software assets for which updates exist, the only acceptable remediation actions are: ' +
      '1) Apply updates; OR 2) remove affected assets from agency networks. Temporary mitigations using one of ' +
      'the measures provided at https://www.cisa.gov/uscert/ed-22-02-apache-log4j-recommended-mitigation-measures ' +
      'are only acceptable until updates are available.',
    dueDate: '2021-12-24',
    knownRansomwareCampaignUse: 'Known',
    notes: 'https://nvd.nist.gov/vuln/detail/CVE-2021-44228',
    cwes: ['CWE-20', 'CWE-400', 'CWE-502'],
  },
  {
    cveID: 'CVE-2021-45046',
    vendorProject: 'Apache',
    product: 'Log4j2',
    vulnerabilityName: 'Apache Log4j2 Deserialization of Untrusted Data Vulnerability',
    dateAdded: '2023-05-01',
    shortDescription:
      'Apache Log4j2 contains a deserialization of untrusted data vulnerability due to the incomplete fix of ' +
      'CVE-2021-44228, where the Thread Context Lookup Pattern is vulnerable to remote code execution in certain ' +
      'non-default configurations.',
    requiredAction: 'Apply updates per vendor instructions.',
    dueDate: '2023-05-22',
    knownRansomwareCampaignUse: 'Known',
    notes: 'https://logging.apache.org/log4j/2.x/security.html; https://nvd.nist.gov/vuln/detail/CVE-2021-45046',
    cwes: ['CWE-917'],
  },
];

/** The KEV excerpt as a catalog document (the header the KEV format expects, then the entries). */
export function kevCatalog(): Record<string, unknown> {
  return {
    title: 'CISA Catalog of Known Exploited Vulnerabilities',
    catalogVersion: KEV_CATALOG_VERSION,
    dateReleased: '2025-08-25T17:04:19.9796Z',
    count: DEMO_KEV_ENTRIES.length,
    vulnerabilities: DEMO_KEV_ENTRIES,
  };
}

export type EpssRow = { cve: string; epss: number; percentile: number };

/** The EPSS model and score date the rows are stated for. */
export const EPSS_MODEL = { modelVersion: 'v2025.03.14', scoreDate: '2025-08-25T00:00:00+0000' } as const;

/**
 * EPSS scores of the demo's CVEs. EPSS moves daily: these are rounded values of the order FIRST
 * published for these CVEs in 2025 (Log4Shell near the top of the scale, the library bugs far
 * below), enough to show how the score weighs in, not a copy of one day's feed.
 */
export const DEMO_EPSS: readonly EpssRow[] = [
  { cve: 'CVE-2021-44228', epss: 0.94358, percentile: 0.99958 },
  { cve: 'CVE-2021-45046', epss: 0.94149, percentile: 0.9992 },
  { cve: 'CVE-2020-14343', epss: 0.0156, percentile: 0.8036 },
  { cve: 'CVE-2021-23337', epss: 0.0134, percentile: 0.7852 },
  { cve: 'CVE-2020-28500', epss: 0.0042, percentile: 0.6138 },
  { cve: 'CVE-2020-36518', epss: 0.0029, percentile: 0.5215 },
  { cve: 'CVE-2021-33203', epss: 0.0081, percentile: 0.7175 },
  { cve: 'CVE-2021-44420', epss: 0.0055, percentile: 0.6602 },
  { cve: 'CVE-2022-23540', epss: 0.0021, percentile: 0.4458 },
  { cve: 'CVE-2022-23541', epss: 0.0017, percentile: 0.3924 },
  { cve: 'CVE-2022-29217', epss: 0.0026, percentile: 0.4983 },
  { cve: 'CVE-2023-0286', epss: 0.0067, percentile: 0.6941 },
  { cve: 'CVE-2024-29041', epss: 0.0018, percentile: 0.4011 },
  { cve: 'CVE-2024-43796', epss: 0.0009, percentile: 0.2567 },
];

/** The EPSS rows as FIRST's CSV (model line, header, one row per CVE). */
export function epssCsv(): string {
  const lines = [
    `#model_version:${EPSS_MODEL.modelVersion},score_date:${EPSS_MODEL.scoreDate}`,
    'cve,epss,percentile',
    ...DEMO_EPSS.map((row) => `${row.cve},${row.epss.toFixed(5)},${row.percentile.toFixed(5)}`),
  ];
  return `${lines.join('\n')}\n`;
}
