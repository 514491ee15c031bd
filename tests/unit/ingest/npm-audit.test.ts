import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { normalizeSeverity } from '../../../src/ingest/common/normalize.ts';
import { format } from '../../../src/ingest/npm-audit/parser.ts';
import { describeConformance } from '../../helpers/conformance.ts';
import {
  detectFile,
  fileSource,
  findingsOf,
  head,
  OWN_FIXTURES,
  parseWith,
  textSource,
} from '../../helpers/fixtures.ts';
import {
  DOJO_SEVERITY,
  describeBadInput,
  describeSharedDetection,
  type FindingInput,
} from '../../helpers/ingest-tests.ts';

const FORMAT = 'npm-audit';
const OWN = path.join(OWN_FIXTURES, FORMAT);

/**
 * DefectDojo makes one finding per `vulnerabilities` entry, titled by the package, with the
 * entry's severity (the highest of its advisories) and the first advisory's CWE and CVSS; we
 * make one per advisory, so the view renders DefectDojo's severity from the entry (our `raw`).
 */
function dojoView(finding: FindingInput): Record<string, unknown> {
  const entrySeverity = (finding.raw as { severity?: string }).severity;
  const cwe = finding.cwes?.[0];
  return {
    severity: DOJO_SEVERITY[normalizeSeverity(entrySeverity ?? finding.severity)],
    cwe: cwe ? Number(cwe.replace('CWE-', '')) : null,
    cvssv3: finding.cvssVector ?? null,
    title: finding.packageName,
  };
}

/** DefectDojo counts one finding per package entry: ours for its first advisory stands for it. */
function firstPerPackage(findings: FindingInput[]): FindingInput[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const key = f.packageName ?? '';
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

// Two blocks because the harness lists unsupported fields per folder, not per file, and only
// many_vulns.json needs two of them (its DefectDojo finding #0 is a transitive-only entry).
describeConformance({
  folder: 'npm_audit_7_plus',
  format: FORMAT,
  view: dojoView,
  counted: firstPerPackage,
  skipFiles: { 'many_vulns.json': 'checked in the next block, where its transitive-only entries are explained' },
});

describeConformance({
  folder: 'npm_audit_7_plus',
  format: FORMAT,
  view: dojoView,
  counted: firstPerPackage,
  skipFiles: {
    'one_vuln.json': 'checked in the block above',
    'no_vuln.json': 'checked in the block above',
  },
  counts: {
    'many_vulns.json': {
      findings: 3,
      reason:
        'DefectDojo also makes findings of the 3 transitive-only entries (@vercel/fun, @vercel/node, vercel), whose "via" lists only package names; we report each advisory once, on the package that has it (debug, semver, undici), and warn about the transitive entries',
    },
  },
  unsupported: {
    cwe: "DefectDojo's finding #0 is the transitive-only entry @vercel/fun, with its default CWE-1035; it has no advisory and so no finding here",
    title: "DefectDojo's finding #0 is the transitive-only entry @vercel/fun, which we report as a warning",
  },
});

async function parseOwn(file: string) {
  return parseWith(FORMAT, fileSource(path.join(OWN, file)));
}

async function parseText(text: string, name = 'audit.json') {
  return parseWith(FORMAT, textSource(name, text));
}

describe('npm-audit: npm 7+ report', () => {
  it('makes one finding per advisory, and a warning for the transitive-only entry', async () => {
    const records = await parseOwn('npm7-lodash-mkdirp.json');
    expect(records.map((r) => [r.type, r.pointer])).toEqual([
      ['finding', '/vulnerabilities/lodash/via/0'],
      ['finding', '/vulnerabilities/lodash/via/1'],
      ['finding', '/vulnerabilities/minimist/via/0'],
      ['warning', '/vulnerabilities/mkdirp'],
    ]);
    const warning = records[3]!;
    expect(warning.type === 'warning' && warning.message).toBe(
      'mkdirp has no advisory of its own: it is vulnerable through minimist, whose advisories are reported on those packages',
    );
  });

  it('maps a direct dependency with a fix in the same package', async () => {
    const [lodash] = findingsOf(await parseOwn('npm7-lodash-mkdirp.json'));
    const { raw, ...rest } = lodash!;
    expect(rest).toEqual({
      sourceTool: 'npm-audit',
      format: 'npm-audit',
      kind: 'package',
      ruleId: 'GHSA-jf85-cpcp-j695',
      aliases: [],
      packageName: 'lodash',
      ecosystem: 'npm',
      packageVersion: null,
      fixedVersions: ['4.17.21'],
      purl: 'pkg:npm/lodash',
      severity: 'critical',
      cvssScore: 9.1,
      cvssVector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:H/A:H',
      cwes: ['CWE-20', 'CWE-1321'],
      title: 'Prototype Pollution in lodash',
      description: [
        'Vulnerable versions: <4.17.12.',
        "npm's vulnerable range for the package: <=4.17.20.",
        'Installed at: node_modules/lodash.',
        'Direct dependency.',
        'Fix: upgrade lodash to 4.17.21.',
        'Advisory: https://github.com/advisories/GHSA-jf85-cpcp-j695',
      ].join('\n'),
      assetHint: [],
    });
    expect((raw as { nodes: string[] }).nodes).toEqual(['node_modules/lodash']);
  });

  it('keeps the per-advisory severity, and names the direct dependency that pulls a package in', async () => {
    const [, injection, minimist] = findingsOf(await parseOwn('npm7-lodash-mkdirp.json'));
    expect([injection!.ruleId, injection!.severity, injection!.cvssScore, injection!.cwes]).toEqual([
      'GHSA-35jh-r3h4-6jhm',
      'high',
      7.2,
      ['CWE-77', 'CWE-94'],
    ]);
    expect(minimist).toMatchObject({
      ruleId: 'GHSA-xvch-5gv4-984h',
      packageName: 'minimist',
      fixedVersions: [],
      description: [
        'Vulnerable versions: <0.2.4.',
        'Installed at: node_modules/mkdirp/node_modules/minimist.',
        'Brought in by direct dependencies: mkdirp.',
        'Fix: `npm audit fix` can update it within the allowed ranges.',
        'Advisory: https://github.com/advisories/GHSA-xvch-5gv4-984h',
      ].join('\n'),
    });
  });

  it('treats score 0 without a vector as unscored, and falls back to npm’s advisory number', async () => {
    const report = {
      auditReportVersion: 2,
      vulnerabilities: {
        'left-pad': {
          name: 'left-pad',
          severity: 'low',
          isDirect: true,
          via: [
            {
              source: 1234,
              name: 'left-pad',
              title: 'Unscored advisory',
              severity: 'low',
              cvss: { score: 0, vectorString: null },
            },
          ],
          range: '*',
          nodes: ['node_modules/left-pad'],
          fixAvailable: false,
        },
        orphan: {
          name: 'orphan',
          severity: 'low',
          isDirect: true,
          via: ['not-in-report'],
          range: '*',
          fixAvailable: false,
        },
      },
      metadata: { vulnerabilities: { total: 2 } },
    };
    const records = await parseText(JSON.stringify(report));
    const [finding] = findingsOf(records);
    expect(finding).toMatchObject({ ruleId: '1234', cvssScore: null, cvssVector: null, purl: 'pkg:npm/left-pad' });
    expect(finding!.description).toContain('No fix is available.');
    expect(records.at(-1)).toEqual({
      type: 'warning',
      pointer: '/vulnerabilities/orphan',
      message:
        'orphan names no advisory, and none of the packages it depends on through "via" has one in this report; nothing to report',
    });
  });

  it('writes the scoped package purl with an encoded @', async () => {
    const report = {
      auditReportVersion: 2,
      vulnerabilities: {
        '@babel/traverse': {
          name: '@babel/traverse',
          severity: 'critical',
          isDirect: false,
          via: [
            {
              source: 1096879,
              name: '@babel/traverse',
              title: 'Babel vulnerable to arbitrary code execution when compiling specifically crafted malicious code',
              url: 'https://github.com/advisories/GHSA-67hx-6x53-jw92',
              severity: 'critical',
              cwe: ['CWE-184', 'CWE-697'],
              cvss: { score: 8.8, vectorString: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H' },
              range: '<7.23.2',
            },
          ],
          effects: [],
          range: '<7.23.2',
          nodes: ['node_modules/@babel/traverse'],
          fixAvailable: true,
        },
      },
      metadata: {},
    };
    const records = await parseText(JSON.stringify(report));
    expect(records[0]!.pointer).toBe('/vulnerabilities/@babel~1traverse/via/0');
    expect(findingsOf(records)[0]).toMatchObject({ packageName: '@babel/traverse', purl: 'pkg:npm/%40babel/traverse' });
  });
});

describe('npm-audit: npm 6 report', () => {
  it('makes one finding per advisory and installed version', async () => {
    const records = await parseOwn('npm6-lodash-minimist.json');
    expect(records.map((r) => [r.type, r.pointer])).toEqual([
      ['finding', '/advisories/1065/findings/0'],
      ['finding', '/advisories/1067342/findings/0'],
      ['finding', '/advisories/1067342/findings/1'],
    ]);
  });

  it('maps the GHSA id, CVE alias, installed version and patched range', async () => {
    const [lodash] = findingsOf(await parseOwn('npm6-lodash-minimist.json'));
    const { raw, ...rest } = lodash!;
    expect(rest).toEqual({
      sourceTool: 'npm-audit',
      format: 'npm-audit',
      kind: 'package',
      ruleId: 'GHSA-jf85-cpcp-j695',
      aliases: ['CVE-2019-10744'],
      packageName: 'lodash',
      ecosystem: 'npm',
      packageVersion: '4.17.11',
      fixedVersions: ['4.17.12'],
      purl: 'pkg:npm/lodash@4.17.11',
      severity: 'critical',
      cvssScore: null,
      cvssVector: null,
      cwes: ['CWE-20'],
      title: 'Prototype Pollution',
      description: [
        'Versions of `lodash` before 4.17.12 are vulnerable to Prototype Pollution. The function `defaultsDeep` allows a malicious user to modify the prototype of `Object` via `{constructor: {prototype: {...}}}` causing the addition or modification of an existing property that will exist on all objects.',
        'Recommendation: Update to version 4.17.12 or later.',
        'Vulnerable versions: <4.17.12.',
        'Patched versions: >=4.17.12.',
        'Dependency paths: lodash; async > lodash.',
        'Advisory: https://npmjs.com/advisories/1065',
      ].join('\n'),
      assetHint: [],
    });
    expect((raw as { id: number }).id).toBe(1065);
  });

  it('takes the GHSA id from the url, the CVSS block and a patched range with two branches', async () => {
    const [, old, newer] = findingsOf(await parseOwn('npm6-lodash-minimist.json'));
    expect(old).toMatchObject({
      ruleId: 'GHSA-xvch-5gv4-984h',
      aliases: ['CVE-2021-44906'],
      packageVersion: '0.0.8',
      purl: 'pkg:npm/minimist@0.0.8',
      fixedVersions: ['0.2.4', '1.2.6'],
      cvssScore: 9.8,
      cvssVector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
      cwes: ['CWE-1321'],
    });
    expect(newer).toMatchObject({ packageVersion: '1.2.5', fixedVersions: ['0.2.4', '1.2.6'] });
    expect(newer!.description).toContain('Dependency paths: optimist > minimist.');
  });

  it('reads a report without advisories as clean', async () => {
    expect(await parseOwn('npm6-clean.json')).toEqual([]);
  });
});

const npm7 = (vulnerabilities: unknown) => JSON.stringify({ auditReportVersion: 2, vulnerabilities });

describeBadInput(
  format,
  [
    [
      'invalid JSON',
      '{"auditReportVersion": 2, "vulnerabilities": {"x": nope}}',
      /^bad\.json \(npm-audit\) at byte \d+: invalid JSON/,
      { file: 'bad.json' },
    ],
    [
      'a truncated report',
      fs.readFileSync(path.join(OWN, 'npm7-lodash-mkdirp.json'), 'utf8').slice(0, 900),
      /^cut\.json \(npm-audit\) at byte \d+: /,
      { file: 'cut.json' },
    ],
    [
      'an empty file',
      '',
      'empty.json (npm-audit) at byte 0: the file is empty; expected a JSON document',
      { file: 'empty.json' },
    ],
    [
      'an npm 7 entry without "via"',
      npm7({ debug: { name: 'debug', severity: 'high' } }),
      'audit.json (npm-audit) at /vulnerabilities/debug/via: expected "via" to be an array (it is missing)',
      { pointer: '/vulnerabilities/debug/via' },
    ],
    [
      'a malformed advisory inside "via", naming its field',
      npm7({ debug: { name: 'debug', via: [{ source: 1, title: 'x', cwe: 'CWE-400' }] } }),
      'audit.json (npm-audit) at /vulnerabilities/debug/via/0/cwe: expected "via[0].cwe" to be an array',
    ],
    [
      'a "via" item that is neither a name nor an advisory',
      npm7({ debug: { name: 'debug', via: [42] } }),
      'audit.json (npm-audit) at /vulnerabilities/debug/via/0: expected "via[0]" to be a package name or an advisory object',
    ],
    [
      'an advisory with neither a GHSA url nor an npm advisory number',
      npm7({ debug: { via: [{ title: 'ReDoS' }] } }),
      'audit.json (npm-audit) at /vulnerabilities/debug/via/0: expected the advisory to have a GitHub advisory "url" or an npm advisory number in "source"',
    ],
    [
      'an npm 6 advisory without "module_name"',
      JSON.stringify({ advisories: { 1065: { id: 1065, title: 'Prototype Pollution', findings: [] } }, metadata: {} }),
      'audit.json (npm-audit) at /advisories/1065/module_name: expected "module_name" to be a string (it is missing)',
    ],
    [
      'another report version',
      JSON.stringify({ auditReportVersion: 3, vulnerabilities: {} }),
      'audit.json (npm-audit) at /auditReportVersion: expected "auditReportVersion" to be 2, found 3',
    ],
    [
      'npm’s error output',
      JSON.stringify({ error: { code: 'ENOLOCK', summary: 'This command requires an existing lockfile.' } }),
      'audit.json (npm-audit) at /error: npm audit wrote an error instead of a report (ENOLOCK: This command requires an existing lockfile.)',
    ],
    ['another tool’s report', JSON.stringify({ Results: [] }), /^audit\.json \(npm-audit\): /, { pointer: '' }],
  ],
  { file: 'audit.json' },
);

describe('npm-audit: detection', () => {
  it.each(['npm6-lodash-minimist.json', 'npm6-clean.json', 'npm7-lodash-mkdirp.json'])('claims %s', async (file) => {
    expect(format.detect(head(path.join(OWN, file)), file)).toBeGreaterThan(0.5);
    expect(await detectFile(path.join(OWN, file))).toBe(FORMAT);
  });

  it('scores an empty npm 6 report below one with advisories', () => {
    expect(format.detect(head(path.join(OWN, 'npm6-clean.json')), 'a.json')).toBeLessThan(
      format.detect(head(path.join(OWN, 'npm6-lodash-minimist.json')), 'a.json'),
    );
  });
});

// Every npm 7+ sample, and no other tool's report, advisory or feed.
describeSharedDetection(format, ['scanners/npm_audit_7_plus'], (score, file) => {
  expect(score, file).toBe(0.9);
});
