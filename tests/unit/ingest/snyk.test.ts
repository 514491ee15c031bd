import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Source } from '../../../src/ingest/format.ts';
import { format } from '../../../src/ingest/snyk/parser.ts';
import { describeConformance } from '../../helpers/conformance.ts';
import { fileSource, findingsOf, head, OWN_FIXTURES, parseAll, textSource } from '../../helpers/fixtures.ts';
import { cweNumbers, DOJO_SEVERITY, describeBadInput, describeSharedDetection } from '../../helpers/ingest-tests.ts';

describeConformance({
  folder: 'snyk',
  format: 'snyk',
  view: (finding) => ({
    severity: DOJO_SEVERITY[finding.severity ?? 'unknown'],
    component_name: finding.packageName ?? null,
    component_version: finding.packageVersion ?? null,
    vuln_id_from_tool: finding.ruleId,
    // DefectDojo lists the CVE identifiers of a Snyk issue.
    vulnerability_ids: (finding.aliases ?? []).filter((id) => id.startsWith('CVE-')),
    cwe: cweNumbers(finding)[0] ?? null,
    cwes: cweNumbers(finding),
    cvssv3: finding.cvssVector ?? null,
    epss_score: finding.epss?.score ?? null,
    epss_percentile: finding.epss?.percentile ?? null,
  }),
  counts: {
    'snykcontainer_issue_epss.json': {
      findings: 13,
      reason:
        'DefectDojo reads only the image\'s own issue; we also emit the 12 issues of the application Snyk found inside the image ("applications")',
    },
  },
  unsupported: {
    title: "DefectDojo composes '<dependency path root>: <title>'; ours is '<Snyk title> in <package>@<version>'",
    tags: "DefectDojo's target_file tag; the manifest is our location",
    severity_justification: "DefectDojo's composed text; the CVSS score is our cvssScore",
    mitigation:
      "DefectDojo's composed upgrade advice; the fixed versions are our fixedVersions, the upgrade path stays in raw",
    file_path:
      'DefectDojo writes the dependency path there; our location is the manifest, the dependency path stays in raw',
  },
});

const parse = (source: Source) => parseAll(format, source);
const own = (name: string) => path.join(OWN_FIXTURES, 'snyk', name);
const json = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8'));

describe('snyk: own fixtures', () => {
  it('maps one project: CVE/GHSA aliases, CWE, EPSS, and an issue ignored by policy as suppressed', async () => {
    const file = own('npm-project-with-ignore.json');
    const raw = json(file);
    const records = await parse(fileSource(file));
    expect(records.map((r) => [r.type, r.pointer])).toEqual([
      ['finding', '/vulnerabilities/0'],
      ['finding', '/vulnerabilities/1'],
      ['finding', '/filtered/ignore/0'],
    ]);
    const [commandInjection, redos, ignored] = findingsOf(records);
    expect(commandInjection).toEqual({
      sourceTool: 'snyk',
      format: 'snyk',
      kind: 'package',
      ruleId: 'SNYK-JS-LODASH-1040724',
      aliases: ['CVE-2021-23337', 'GHSA-35jh-r3h4-6jhm'],
      packageName: 'lodash',
      ecosystem: 'npm',
      packageVersion: '4.17.11',
      fixedVersions: ['4.17.21'],
      location: 'package-lock.json',
      severity: 'high',
      cvssScore: 7.2,
      cvssVector: 'CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H/E:P/RL:U/RC:C',
      cwes: ['CWE-78'],
      title: 'Command Injection in lodash@4.17.11',
      description: raw.vulnerabilities[0].description,
      assetHint: [{ kind: 'name', value: 'shop-web' }],
      suppression: null,
      epss: { score: 0.01156, percentile: 0.88241 },
      raw: raw.vulnerabilities[0],
    });
    expect(redos).toMatchObject({
      ruleId: 'SNYK-JS-LODASH-1018905',
      aliases: ['CVE-2020-28500'],
      severity: 'medium',
      epss: null,
      raw: raw.vulnerabilities[1],
    });
    expect(ignored).toMatchObject({
      ruleId: 'SNYK-JS-MINIMIST-559764',
      aliases: ['CVE-2020-7598', 'GHSA-vh95-rmgr-6w4m'],
      packageName: 'minimist',
      packageVersion: '1.2.0',
      fixedVersions: ['0.2.1', '1.2.3'],
      suppression: {
        state: 'suppressed',
        justification: 'ignored in Snyk policy',
        detail: 'Only used by the build tooling, never at runtime until 2024-12-31T00:00:00.000Z',
      },
      raw: raw.filtered.ignore[0],
    });
  });

  it('keeps each --all-projects project apart by name and manifest', async () => {
    const file = own('all-projects.json');
    const records = await parse(fileSource(file));
    expect(records.map((r) => [r.type, r.pointer])).toEqual([['finding', '/0/vulnerabilities/0']]);
    expect(findingsOf(records)[0]).toMatchObject({
      ruleId: 'SNYK-PYTHON-DJANGO-2940618',
      aliases: ['CVE-2022-34265'],
      packageName: 'django',
      ecosystem: 'PyPI',
      packageVersion: '4.0.5',
      fixedVersions: ['3.2.14', '4.0.6'],
      location: 'backoffice/requirements.txt',
      severity: 'critical',
      cwes: ['CWE-89'],
      title: 'SQL Injection in django@4.0.5',
      assetHint: [{ kind: 'name', value: 'backoffice' }],
      raw: json(file)[0].vulnerabilities[0],
    });
  });

  it('names the scanned image (name:tag) for the image and for applications found inside it', async () => {
    const file = own('container-image.json');
    const [os, app] = findingsOf(await parse(fileSource(file)));
    expect(os).toMatchObject({
      ruleId: 'SNYK-DEBIAN11-GCC10-5901313',
      aliases: ['CVE-2023-4039'],
      packageName: 'gcc-10',
      ecosystem: 'Debian',
      packageVersion: '10.2.1-6',
      fixedVersions: [],
      location: null,
      severity: 'low',
      cvssScore: 4.8,
      title: 'CVE-2023-4039 in gcc-10@10.2.1-6',
      assetHint: [{ kind: 'image', value: 'acme/shop-api:1.4.2' }],
    });
    expect(app).toMatchObject({
      ruleId: 'SNYK-JS-LODASH-1040724',
      ecosystem: 'npm',
      location: '/app/package.json',
      assetHint: [{ kind: 'image', value: 'acme/shop-api:1.4.2' }],
    });
  });

  it('turns a failed project of --all-projects into a warning', async () => {
    const projects = [json(own('npm-project-with-ignore.json')), json(own('cli-error.json'))];
    const records = await parse(textSource('all.json', JSON.stringify(projects)));
    expect(records[0]).toEqual({
      type: 'warning',
      pointer: '/1/error',
      message: `Snyk could not test this project: ${projects[1].error}`,
    });
    expect(findingsOf(records)).toHaveLength(3);
  });
});

const valid = fs.readFileSync(own('npm-project-with-ignore.json'), 'utf8');
const issue = json(own('npm-project-with-ignore.json')).vulnerabilities[0];
const project = (vulnerabilities: unknown[]) => JSON.stringify({ vulnerabilities, ok: false, projectName: 'p' });

describeBadInput(format, [
  ['invalid JSON', '{"vulnerabilities": [ {,} ]}', /^bad\.json \(snyk\) at byte \d+: invalid JSON/],
  [
    'a truncated file',
    valid.slice(0, valid.length / 2),
    /^bad\.json \(snyk\) at byte \d+: the JSON document is truncated/,
  ],
  [
    'an empty file',
    '',
    /^bad\.json \(snyk\): the file is empty; expected a Snyk test report \(a project object or an array of projects\)$/,
  ],
  [
    'a scalar document',
    '42',
    /^bad\.json \(snyk\): expected a Snyk test report \(a project object or an array of projects\); the document starts with "4"$/,
  ],
  [
    'a Snyk CLI error instead of results',
    fs.readFileSync(own('cli-error.json'), 'utf8'),
    /^bad\.json \(snyk\) at \/error: Snyk reported an error instead of results: Could not detect supported target files/,
  ],
  [
    'JSON that is not a Snyk report',
    '{"matches": []}',
    /^bad\.json \(snyk\) at \/ok: expected a Snyk test report with "ok" and "vulnerabilities"/,
  ],
  [
    'an issue without id',
    project([{ ...issue, id: undefined }]),
    /^bad\.json \(snyk\) at \/vulnerabilities\/0\/id: expected "id" to be a string \(it is missing\)/,
  ],
  [
    'a cvssScore that is not a number',
    project([{ ...issue, cvssScore: 'high' }]),
    /^bad\.json \(snyk\) at \/vulnerabilities\/0\/cvssScore: expected "cvssScore" to be a number/,
  ],
  [
    'a projectName that is not a string',
    JSON.stringify({ vulnerabilities: [], ok: true, projectName: 7 }),
    /^bad\.json \(snyk\) at \/projectName: expected "projectName" to be a string/,
  ],
]);

describe('snyk: detection', () => {
  it('scores our own reports as Snyk (the CLI error output has no results and is not claimed)', () => {
    for (const file of ['npm-project-with-ignore.json', 'all-projects.json', 'container-image.json']) {
      expect(format.detect(head(own(file)), file), file).toBe(0.95);
    }
    expect(format.detect(head(own('cli-error.json')), 'cli-error.json')).toBe(0);
  });

  it('scores the generic shape lower and refuses CycloneDX that carries Snyk ids', () => {
    const generic = '{"vulnerabilities": [{"id": "X-1", "upgradePath": [], "isUpgradable": false}]}';
    expect(format.detect(generic, 'r.json')).toBe(0.7);
    const cyclonedx = '{"bomFormat": "CycloneDX", "vulnerabilities": [{"id": "SNYK-JS-LODASH-1040724"}]}';
    expect(format.detect(cyclonedx, 'bom.json')).toBe(0);
  });
});

describeSharedDetection(format, ['scanners/snyk'], (score, file) => {
  expect(score, file).toBeGreaterThanOrEqual(0.9);
});
