import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { format } from '../../../src/ingest/grype/parser.ts';
import { describeConformance } from '../../helpers/conformance.ts';
import {
  fileSource,
  findingsOf,
  hasSharedFixtures,
  OWN_FIXTURES,
  parseWith,
  SHARED_FIXTURES,
  textSource,
} from '../../helpers/fixtures.ts';
import {
  DOJO_SEVERITY,
  describeBadInput,
  describeSharedDetection,
  type FindingInput,
  itClaimsEachOwnFixture,
} from '../../helpers/ingest-tests.ts';

/** DefectDojo's mitigation text, rendered from our fixed versions. */
function upgradeAdvice(fixedVersions: string[]): string | null {
  if (fixedVersions.length === 0) return null;
  if (fixedVersions.length === 1) return `Upgrade to version: ${fixedVersions[0]}`;
  return `Upgrade to version:\n${fixedVersions.map((version) => `- ${version}`).join('\n')}`;
}

const samePackageAndId = (a: FindingInput, b: FindingInput) =>
  a.ruleId === b.ruleId && a.packageName === b.packageName && a.packageVersion === b.packageVersion;

type RawMatch = { vulnerability: { id: string }; relatedVulnerabilities?: { id: string }[] };

describeConformance({
  folder: 'anchore_grype',
  format: 'grype',
  view: (finding, all) => {
    const raw = finding.raw as RawMatch;
    const v3 = finding.cvssVector?.startsWith('CVSS:3') ?? false;
    const fixedVersions = finding.fixedVersions ?? [];
    return {
      title: `${finding.ruleId} in ${finding.packageName}:${finding.packageVersion}`,
      // DefectDojo lists the matched id and then every related id as written, repeats included
      // (CVE-2004-0971 twice); our aliases hold the related ids once (asserted in our own tests).
      vulnerability_ids: [raw.vulnerability.id, ...(raw.relatedVulnerabilities ?? []).map((related) => related.id)],
      vuln_id_from_tool: finding.ruleId,
      severity: DOJO_SEVERITY[finding.severity ?? 'unknown'],
      cvssv3: v3 ? finding.cvssVector : null,
      component_name: finding.packageName ?? null,
      component_version: finding.packageVersion ?? null,
      mitigation: upgradeAdvice(fixedVersions),
      fix_available: fixedVersions.length > 0,
      fix_version: fixedVersions.join(', ') || null,
      epss_score: finding.epss?.score ?? null,
      epss_percentile: finding.epss?.percentile ?? null,
      nb_occurences: all.filter((other) => samePackageAndId(other, finding)).length,
    };
  },
  counts: {
    'check_all_fields.json': {
      findings: 6,
      reason:
        'one finding per Grype match: the report repeats GHSA-v6rh-hp5x-86rv for Django 3.2.9, which DefectDojo merges into one (nb_occurences 2); our pipeline fingerprint folds the repeat when stored',
    },
  },
  unsupported: {
    tags: "DefectDojo tags are Grype's matcher names (dpkg, python); they stay in raw.matchDetails",
  },
});

const own = (name: string) => fileSource(path.join(OWN_FIXTURES, 'grype', name));

const IMAGE_HINTS = [
  { kind: 'image', value: 'registry.example.com/shop/checkout:1.4.2' },
  { kind: 'image_digest', value: 'sha256:3b1a4e9c0d7f25a8e6c2b9d41f0e7a3c5d8b2f6e9a1c4d7b0e3f6a9c2d5b8e1f' },
  { kind: 'image_digest', value: 'sha256:9f2c7e1b4a8d3f6c0e5b9a2d7c4f1e8b3a6d9c2f5e8b1a4d7c0f3e6b9a2d5c8f' },
];

describe('grype: image report', () => {
  it('maps a language package match with every field, its related CVE as alias', async () => {
    const records = await parseWith('grype', own('image-report.json'));
    expect(records.map((r) => r.pointer)).toEqual(['/matches/0', '/matches/1', '/matches/2', '/ignoredMatches/0']);
    const { raw, ...django } = findingsOf(records)[0]!;
    expect(django).toEqual({
      sourceTool: 'grype',
      sourceVersion: '0.79.0',
      format: 'grype',
      kind: 'package',
      ruleId: 'GHSA-v6rh-hp5x-86rv',
      aliases: ['CVE-2021-44420'],
      packageName: 'Django',
      ecosystem: 'PyPI',
      packageVersion: '3.2.9',
      fixedVersions: ['3.2.10'],
      purl: 'pkg:pypi/django@3.2.9',
      resource: null,
      location: '/usr/local/lib/python3.8/site-packages/Django-3.2.9.dist-info/METADATA',
      line: null,
      severity: 'high',
      // The GHSA record has no CVSS: the related NVD record's v3 wins over its v2.
      cvssScore: 7.3,
      cvssVector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:L/A:L',
      cwes: [],
      title: 'GHSA-v6rh-hp5x-86rv in Django@3.2.9',
      description: 'Potential bypass of an upstream access control based on URL paths in Django',
      assetHint: IMAGE_HINTS,
      suppression: null,
      epss: null,
    });
    expect(raw).toMatchObject({ vulnerability: { id: 'GHSA-v6rh-hp5x-86rv' }, artifact: { name: 'Django' } });
  });

  it('maps a binary match: no ecosystem, its own v3 CVSS and EPSS', async () => {
    const busybox = findingsOf(await parseWith('grype', own('image-report.json')))[1]!;
    expect(busybox).toMatchObject({
      ruleId: 'CVE-2022-28391',
      aliases: [],
      packageName: 'busybox',
      ecosystem: null,
      packageVersion: '1.32.1',
      fixedVersions: [],
      purl: 'pkg:generic/busybox@1.32.1',
      location: '/bin/[',
      severity: 'high',
      cvssScore: 8.8,
      cvssVector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H',
      epss: { score: 0.0719, percentile: 0.91123 },
    });
  });

  it('maps an OS package match: distro ecosystem, wont-fix kept open, description from NVD', async () => {
    const libc = findingsOf(await parseWith('grype', own('image-report.json')))[2]!;
    expect(libc).toMatchObject({
      ruleId: 'CVE-2021-33574',
      // The related record is the same CVE: no alias.
      aliases: [],
      packageName: 'libc6',
      ecosystem: 'Debian',
      fixedVersions: [],
      location: '/var/lib/dpkg/status',
      severity: 'critical',
      cvssScore: 9.8,
      description:
        'The mq_notify function in the GNU C Library (aka glibc) versions 2.32 and 2.33 has a use-after-free.',
      suppression: null,
    });
  });

  it('keeps an ignored match as suppressed, with the rule and reason; Negligible is info', async () => {
    const ignored = findingsOf(await parseWith('grype', own('image-report.json')))[3]!;
    expect(ignored).toMatchObject({
      ruleId: 'CVE-2004-0971',
      packageName: 'libgssapi-krb5-2',
      severity: 'info',
      // Only a v2 score is given anywhere: it is kept as given.
      cvssScore: 2.1,
      cvssVector: 'AV:L/AC:L/Au:N/C:N/I:P/A:N',
      suppression: {
        state: 'ignored',
        justification: 'krb5-send-pr is not shipped in this image',
        detail: 'grype ignore rule (vulnerability CVE-2004-0971, package libgssapi-krb5-2)',
      },
    });
  });
});

describe('grype: directory report', () => {
  it('names the scanned directory and maps an npm match', async () => {
    const [lodash] = findingsOf(await parseWith('grype', own('directory-report.json')));
    const { raw, ...finding } = lodash!;
    expect(finding).toEqual({
      sourceTool: 'grype',
      sourceVersion: '0.79.0',
      format: 'grype',
      kind: 'package',
      ruleId: 'GHSA-35jh-r3h4-6jhm',
      aliases: ['CVE-2021-23337'],
      packageName: 'lodash',
      ecosystem: 'npm',
      packageVersion: '4.17.20',
      fixedVersions: ['4.17.21'],
      purl: 'pkg:npm/lodash@4.17.20',
      resource: null,
      location: '/package-lock.json',
      line: null,
      severity: 'high',
      cvssScore: 7.2,
      cvssVector: 'CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H',
      cwes: [],
      title: 'GHSA-35jh-r3h4-6jhm in lodash@4.17.20',
      description: 'Command Injection in lodash',
      assetHint: [{ kind: 'name', value: '/srv/checkout' }],
      suppression: null,
      epss: null,
    });
    expect(raw).toMatchObject({ artifact: { purl: 'pkg:npm/lodash@4.17.20' } });
  });

  it.skipIf(!hasSharedFixtures)('reads the pre-0.30 layout (cvssV3, fixedInVersion, one matchDetails)', async () => {
    const records = await parseWith(
      'grype',
      fileSource(path.join(SHARED_FIXTURES, 'scanners/anchore_grype/many_vulns3.json')),
    );
    const findings = findingsOf(records);
    const protobuf = findings.find((f) => f.ruleId === 'CVE-2015-5237')!;
    expect(protobuf).toMatchObject({
      cvssScore: 8.8,
      cvssVector: 'CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H',
      sourceVersion: '0.7.0',
      assetHint: expect.arrayContaining([{ kind: 'image', value: 'defectdojo/defectdojo-django:1.13.1' }]),
    });
    expect(findings.filter((f) => (f.fixedVersions ?? []).length > 0)).toHaveLength(28);
  });
});

describe('grype: key order', () => {
  it('reads a report whose context comes before the matches', async () => {
    const report = JSON.parse(fs.readFileSync(path.join(OWN_FIXTURES, 'grype', 'directory-report.json'), 'utf8'));
    const { matches, ...context } = report;
    const reordered = JSON.stringify({ ...context, matches });
    expect(reordered.indexOf('"source"')).toBeLessThan(reordered.indexOf('"matches"'));
    const [finding] = findingsOf(await parseWith('grype', textSource('reordered.json', reordered)));
    expect(finding).toMatchObject({
      ruleId: 'GHSA-35jh-r3h4-6jhm',
      sourceVersion: '0.79.0',
      assetHint: [{ kind: 'name', value: '/srv/checkout' }],
    });
  });
});

const report = (match: Record<string, unknown>) =>
  JSON.stringify({
    matches: [
      {
        vulnerability: { id: 'CVE-2022-28391', severity: 'High' },
        artifact: { name: 'busybox', version: '1.32.1', type: 'binary' },
      },
      match,
    ],
    source: { type: 'image', target: { userInput: 'busybox:1.32.1' } },
    descriptor: { name: 'grype', version: '0.79.0' },
  });

describeBadInput(format, [
  ['invalid JSON', '{"matches": [ {"vulnerability": {},, } ]}', /bad\.json \(grype\) at byte \d+: invalid JSON/],
  [
    'a truncated file',
    '{"matches": [{"vulnerability": {"id": "CVE-2022-28391"',
    /bad\.json \(grype\) at byte \d+: the JSON document is truncated/,
  ],
  ['an empty file', '', /bad\.json \(grype\) at byte 0: the file is empty/],
  [
    'a match without vulnerability id',
    report({ vulnerability: { severity: 'High' }, artifact: { name: 'busybox', version: '1.32.1' } }),
    /bad\.json \(grype\) at \/matches\/1: expected "vulnerability\.id" to be a non-empty string/,
  ],
  [
    'a match without artifact',
    report({ vulnerability: { id: 'CVE-2021-42378' } }),
    /bad\.json \(grype\) at \/matches\/1: expected "artifact" to be an object/,
  ],
  [
    'an EPSS entry without a score',
    report({
      vulnerability: { id: 'CVE-2021-42378', epss: [{ cve: 'CVE-2021-42378' }] },
      artifact: { name: 'busybox', version: '1.32.1' },
    }),
    /at \/matches\/1: expected "vulnerability\.epss\.0\.epss" to be a number/,
  ],
  ['a JSON document that is not a Grype report', '{"runs": []}', /bad\.json \(grype\): expected a Grype report/],
]);

describeSharedDetection(format, ['scanners/anchore_grype'], (score, file) => {
  expect(score, file).toBeGreaterThanOrEqual(0.9);
});

describe('grype: detection of our own fixtures', () => {
  itClaimsEachOwnFixture(format, (score, file) => {
    expect(score, file).toBeGreaterThanOrEqual(0.9);
  });
});
