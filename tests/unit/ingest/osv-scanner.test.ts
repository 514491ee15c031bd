import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Source } from '../../../src/ingest/format.ts';
import { format } from '../../../src/ingest/osv-scanner/parser.ts';
import { describeConformance } from '../../helpers/conformance.ts';
import {
  fileSource,
  findingsOf,
  hasSharedFixtures,
  OWN_FIXTURES,
  parseAll,
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

/** This DefectDojo parser says "Unknown" where others say "Info". */
const SEVERITY_WORD: Record<string, string> = { ...DOJO_SEVERITY, unknown: 'Unknown' };

/**
 * DefectDojo reports one finding per OSV record; we report one per osv-scanner group (a GHSA
 * and the PYSEC of the same CVE are one flaw). To compare, each of our findings is expanded
 * back into its group's records (kept in `raw.vulnerabilities`), in osv-scanner's order: the
 * records of a package entry sorted by id.
 */
function perOsvRecord(findings: FindingInput[]): FindingInput[] {
  const out: FindingInput[] = [];
  let entry: FindingInput[] = [];
  let entryKey: string | undefined;
  const flush = () => {
    out.push(...entry.sort((a, b) => (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0)));
    entry = [];
  };
  for (const finding of findings) {
    const key = `${finding.location}|${finding.packageName}|${finding.packageVersion}`;
    if (key !== entryKey) flush();
    entryKey = key;
    const ids = (finding.raw as { vulnerabilities: { id: string }[] }).vulnerabilities.map((record) => record.id);
    for (const id of ids) {
      const aliases = [finding.ruleId, ...(finding.aliases ?? [])].filter((alias) => alias !== id);
      entry.push({ ...finding, ruleId: id, aliases });
    }
  }
  flush();
  return out;
}

describeConformance({
  folder: 'osv_scanner',
  format: 'osv-scanner',
  view: (finding) => ({
    title: `${finding.ruleId}_${finding.packageName}`,
    vulnerability_ids: [finding.ruleId, ...(finding.aliases ?? [])],
    severity: SEVERITY_WORD[finding.severity ?? 'unknown'],
    file_path: finding.location ?? null,
    component_name: finding.packageName ?? null,
    component_version: finding.packageVersion ?? null,
  }),
  counted: perOsvRecord,
  unsupported: {
    cve: "DefectDojo's legacy single-CVE field, which its parser never sets; our ids are ruleId + aliases",
    static_finding: 'we do not model static vs dynamic testing; every scanner report here is static analysis',
    references: 'Finding has no references field; the OSV references stay in raw.vulnerabilities',
    mitigation:
      "DefectDojo's composed text from the first affected range only; we keep every fixed version of the package in fixedVersions",
  },
  skipFiles: {
    'no_findings.json':
      'a 0-byte file: nothing identifies it as osv-scanner output, and an empty input is an IngestError here (DefectDojo swallows the JSON error and returns no findings); asserted in "osv-scanner: empty input"',
  },
});

const parse = (source: Source) => parseAll(format, source);
const own = (name: string) => path.join(OWN_FIXTURES, 'osv-scanner', name);
const packageEntry = (file: string, result: number, index: number) =>
  (JSON.parse(fs.readFileSync(file, 'utf8')) as { results: { packages: Record<string, unknown>[] }[] }).results[result]!
    .packages[index]!;

describe('osv-scanner: own fixtures', () => {
  it('maps one finding per (package, group) with max_severity, fixed versions, CWEs and call analysis', async () => {
    const file = own('npm-lockfile.json');
    const records = await parse(fileSource(file));
    expect(records.map((r) => [r.type, r.pointer])).toEqual([
      ['finding', '/results/0/packages/0/vulnerabilities/0'],
      ['finding', '/results/0/packages/0/vulnerabilities/1'],
      ['finding', '/results/0/packages/1/vulnerabilities/0'],
      ['warning', '/results/0/packages/2/license_violations'],
    ]);
    const [redos, injection, minimist] = findingsOf(records);
    const lodash = packageEntry(file, 0, 0) as { package: unknown; vulnerabilities: unknown[]; groups: unknown[] };
    expect(redos).toEqual({
      sourceTool: 'osv-scanner',
      sourceVersion: null,
      format: 'osv-scanner',
      kind: 'package',
      ruleId: 'GHSA-29mw-wpgm-hmr9',
      aliases: ['CVE-2020-28500'],
      packageName: 'lodash',
      ecosystem: 'npm',
      packageVersion: '4.17.20',
      fixedVersions: ['4.17.21'],
      purl: 'pkg:npm/lodash@4.17.20',
      location: '/src/shop-frontend/package-lock.json',
      severity: 'medium',
      cvssScore: 5.3,
      cvssVector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L',
      cwes: ['CWE-1333', 'CWE-400'],
      title: 'Regular Expression Denial of Service (ReDoS) in lodash',
      description:
        'All versions of package lodash prior to 4.17.21 are vulnerable to Regular Expression Denial of Service (ReDoS) via the `toNumber`, `trim` and `trimEnd` functions.',
      assetHint: [{ kind: 'name', value: '/src/shop-frontend/package-lock.json' }],
      suppression: {
        state: 'not_affected',
        justification: 'vulnerable_code_not_in_execute_path',
        detail: 'osv-scanner call analysis: the vulnerable functions are not called',
      },
      raw: { package: lodash.package, group: lodash.groups[0], vulnerabilities: [lodash.vulnerabilities[0]] },
    });
    expect(injection).toMatchObject({
      ruleId: 'GHSA-35jh-r3h4-6jhm',
      aliases: ['CVE-2021-23337'],
      severity: 'high',
      cvssScore: 7.2,
      cwes: ['CWE-77', 'CWE-94'],
      title: 'Command Injection in lodash',
      suppression: null,
    });
    expect(minimist).toMatchObject({
      ruleId: 'GHSA-xvch-5gv4-984h',
      aliases: ['CVE-2021-44906'],
      packageName: 'minimist',
      packageVersion: '1.2.5',
      fixedVersions: ['1.2.6', '0.2.4'],
      severity: 'critical',
      cvssScore: 9.8,
      cwes: ['CWE-1321'],
    });
  });

  it('merges a GHSA and its PYSEC twin into one finding, and resumes when a source follows its packages', async () => {
    const file = own('source-after-packages.json');
    const records = await parse(fileSource(file));
    expect(records.map((r) => [r.type, r.pointer])).toEqual([
      ['finding', '/results/0/packages/0/vulnerabilities/0'],
      ['finding', '/results/1/packages/0/vulnerabilities/0'],
    ]);
    const [urllib3, jinja2] = findingsOf(records);
    const entry = packageEntry(file, 0, 0) as { vulnerabilities: unknown[]; groups: unknown[] };
    expect(urllib3).toMatchObject({
      ruleId: 'GHSA-g4mx-q9vg-27p4',
      aliases: ['CVE-2023-45803', 'PYSEC-2023-212'],
      ecosystem: 'PyPI',
      // PYSEC's GIT range names a commit, no upgrade target for a PyPI package.
      fixedVersions: ['2.0.7', '1.26.18'],
      severity: 'medium',
      cvssScore: null,
      cvssVector: 'CVSS:3.1/AV:A/AC:H/PR:H/UI:N/S:U/C:H/I:N/A:N',
      location: '/srv/billing/requirements.txt',
      title: "urllib3's request body not stripped after redirect from 303 status changes request method to GET",
    });
    expect((urllib3!.raw as { vulnerabilities: unknown[] }).vulnerabilities).toEqual(entry.vulnerabilities);
    expect(jinja2).toMatchObject({
      ruleId: 'GHSA-h5c8-rqwp-cp95',
      aliases: ['CVE-2024-22195'],
      location: '/srv/billing/poetry.lock',
      assetHint: [{ kind: 'name', value: '/srv/billing/poetry.lock' }],
      // An ungrouped record (older osv-scanner) is its own group.
      raw: { group: { ids: ['GHSA-h5c8-rqwp-cp95'] } },
    });
  });
});

describe.skipIf(!hasSharedFixtures)('osv-scanner: shared samples', () => {
  const sample = path.join(SHARED_FIXTURES, 'scanners', 'osv_scanner', 'many_findings.json');

  it('reports the 66 OSV records as 37 grouped findings', async () => {
    const all = findingsOf(await parse(fileSource(sample)));
    expect(all).toHaveLength(37);
    expect(perOsvRecord(all)).toHaveLength(66);
  });

  it('describes a git source by the repository of its GIT ranges and the scanned commit', async () => {
    const rengine = findingsOf(await parse(fileSource(sample))).find((f) => f.ruleId === 'CVE-2023-50094');
    expect(rengine).toMatchObject({
      packageName: 'https://github.com/yogeshojha/rengine',
      packageVersion: 'f5f3c22f3ed5a6804a2a8d9ee9fa43044cfa24a6',
      ecosystem: null,
      fixedVersions: [],
      severity: 'unknown',
      cvssVector: 'CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H',
      title: 'CVE-2023-50094 in https://github.com/yogeshojha/rengine@f5f3c22f3ed5a6804a2a8d9ee9fa43044cfa24a6',
      location: '/tmprengine/',
    });
  });
});

const valid = fs.readFileSync(own('npm-lockfile.json'), 'utf8');
const report = (packages: unknown[], source: unknown = { path: 'package-lock.json', type: 'lockfile' }) =>
  JSON.stringify({ results: [{ ...(source ? { source } : {}), packages }] });
const pkg = { name: 'lodash', version: '4.17.20', ecosystem: 'npm' };

describeBadInput(format, [
  ['invalid JSON', '{"results": [ {"source": } ]}', /^bad\.json \(osv-scanner\) at byte \d+: invalid JSON/],
  [
    'a truncated file',
    valid.slice(0, valid.length / 2),
    /^bad\.json \(osv-scanner\) at byte \d+: the JSON document is truncated/,
  ],
  ['an empty file', '', /^bad\.json \(osv-scanner\) at byte 0: the file is empty/],
  [
    'a vulnerability without an id',
    report([{ package: pkg, vulnerabilities: [{ summary: 'Command Injection in lodash' }] }]),
    /^bad\.json \(osv-scanner\) at \/results\/0\/packages\/0\/vulnerabilities\/0\/id: expected "vulnerabilities\[0\]\.id" to be a string \(it is missing\)/,
  ],
  [
    'a package without a name',
    report([{ package: { version: '1.0.0', ecosystem: 'npm' }, vulnerabilities: [] }]),
    /^bad\.json \(osv-scanner\) at \/results\/0\/packages\/0\/package\/name: expected "package\.name" to be a string/,
  ],
  [
    'a group without ids',
    report([{ package: pkg, vulnerabilities: [{ id: 'GHSA-35jh-r3h4-6jhm' }], groups: [{ ids: [] }] }]),
    /at \/results\/0\/packages\/0\/groups\/0\/ids: expected "groups\[0\]\.ids" to have at least 1 item/,
  ],
  [
    'a result without a source',
    report([{ package: pkg, vulnerabilities: [{ id: 'GHSA-35jh-r3h4-6jhm' }] }], null),
    /^bad\.json \(osv-scanner\) at \/results\/0\/source: expected "source" with the "path"/,
  ],
]);

describe('osv-scanner: empty input', () => {
  it.skipIf(!hasSharedFixtures)('rejects the 0-byte shared sample no_findings.json', async () => {
    const file = path.join(SHARED_FIXTURES, 'scanners', 'osv_scanner', 'no_findings.json');
    await expect(parse(fileSource(file))).rejects.toThrow(
      /no_findings\.json \(osv-scanner\) at byte 0: the file is empty/,
    );
  });

  it('reads a report with no results as zero findings', async () => {
    const text = '{"results": [], "experimental_config": {"licenses": {"summary": false, "allowlist": null}}}';
    expect(await parse(textSource('clean.json', text))).toEqual([]);
  });
});

describe('osv-scanner: detection', () => {
  itClaimsEachOwnFixture(format, (score, file) => {
    expect(score, file).toBe(0.9);
  });

  it('scores an empty report as osv-scanner output, and not a cut one', () => {
    expect(format.detect('{"results": [], "experimental_config": {}}', 'osv.json')).toBe(0.9);
    expect(format.detect('{"results": [', 'osv.json')).toBe(0);
  });
});

describeSharedDetection(format, ['scanners/osv_scanner'], (score, file) => {
  // The 0-byte no_findings.json names no format.
  expect(score, file).toBe(path.basename(file) === 'no_findings.json' ? 0 : 0.9);
});
