import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { format } from '../../../src/ingest/cyclonedx/parser.ts';
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
  cweNumbers,
  DOJO_SEVERITY,
  describeBadInput,
  describeSharedDetection,
  type FindingInput,
} from '../../helpers/ingest-tests.ts';

const FORMAT = 'cyclonedx';
const OWN = path.join(OWN_FIXTURES, FORMAT);
const XML_SAMPLES = ['cyclonedx_bom.xml', 'grype_dd_1_14_1.xml', 'spec1.xml'];

/** DefectDojo reads a bare v3 vector (no `CVSS:3.x/` prefix) as CVSS 3.1; we keep it as the BOM wrote it. */
function dojoCvss3(vector: string | null | undefined): string | null {
  if (!vector) return null;
  if (vector.startsWith('CVSS:3')) return vector;
  return /(^|\/)AV:[NALP]\/AC:[LH]\/PR:/.test(vector) ? `CVSS:3.1/${vector}` : null;
}

/**
 * Our finding in DefectDojo's names. DefectDojo names Maven components by artifact only and
 * titles findings `name:version | id` (None for what is unknown); it puts the recommendation
 * and the VEX detail in `mitigation`, which we carry in the description and the suppression.
 */
function dojoView(finding: FindingInput): Record<string, unknown> {
  const name = finding.ecosystem === 'Maven' ? finding.packageName?.split(':').at(-1) : finding.packageName;
  const cwes = cweNumbers(finding);
  return {
    title: `${name ?? 'None'}:${finding.packageVersion ?? 'None'} | ${finding.ruleId}`,
    severity: DOJO_SEVERITY[finding.severity ?? 'unknown'],
    component_name: name ?? null,
    component_version: finding.packageVersion ?? null,
    cvssv3: dojoCvss3(finding.cvssVector),
    vuln_id_from_tool: finding.ruleId,
    vulnerability_ids: [finding.ruleId, ...(finding.aliases ?? [])],
    cwe: cwes[0] ?? null,
    cwes,
    description: finding.description ?? 'Description was not provided.',
    mitigation: [finding.description, finding.suppression?.detail].filter(Boolean).join('\n'),
    is_mitigated: finding.suppression?.state === 'not_affected',
    active: !finding.suppression,
  };
}

describeConformance({
  folder: 'cyclonedx',
  format: FORMAT,
  view: dojoView,
  unsupported: {
    references: 'Finding has no references field; the advisory URLs stay in raw',
    date: 'Finding has no date field; published/created stay in raw',
  },
  skipFiles: Object.fromEntries(
    XML_SAMPLES.map((file) => [file, 'CycloneDX XML is out of scope: the issue asks for the JSON form']),
  ),
});

async function parseOwn(file: string) {
  return parseWith(FORMAT, fileSource(path.join(OWN, file)));
}

async function parseBom(bom: unknown, name = 'bom.json') {
  return parseWith(FORMAT, textSource(name, JSON.stringify(bom)));
}

function bomWith(vulnerabilities: unknown[], components: unknown[] = [], metadata: unknown = {}) {
  return { bomFormat: 'CycloneDX', specVersion: '1.5', version: 1, metadata, vulnerabilities, components };
}

const IMAGE_HINT = [
  { kind: 'image', value: 'registry.example.com/shop/api:1.4.2' },
  { kind: 'image_digest', value: 'sha256:9b2a4c1f0e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a3928170f6e5d4c' },
];

describe('cyclonedx: a VEX-annotated image BOM whose components come last', () => {
  it('makes one finding per (vulnerability, affected component)', async () => {
    const records = await parseOwn('trivy-image-vex.json');
    expect(records.map((r) => [r.type, r.pointer])).toEqual([
      ['finding', '/vulnerabilities/0/affects/0'],
      ['finding', '/vulnerabilities/1/affects/0'],
      ['finding', '/vulnerabilities/1/affects/1'],
      ['finding', '/vulnerabilities/2/affects/0'],
    ]);
  });

  it('maps an exploitable Maven finding with the v3 rating, tool, image and recommended fixes', async () => {
    const [log4j] = findingsOf(await parseOwn('trivy-image-vex.json'));
    const { raw, ...rest } = log4j!;
    expect(rest).toEqual({
      sourceTool: 'trivy',
      sourceVersion: '0.50.1',
      format: 'cyclonedx',
      kind: 'package',
      ruleId: 'CVE-2021-44228',
      aliases: [],
      packageName: 'org.apache.logging.log4j:log4j-core',
      ecosystem: 'Maven',
      packageVersion: '2.14.1',
      purl: 'pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1',
      fixedVersions: ['2.15.0', '2.12.2', '2.3.1'],
      severity: 'critical',
      cvssScore: 10,
      cvssVector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H',
      cwes: ['CWE-502', 'CWE-400', 'CWE-20', 'CWE-917'],
      title: 'CVE-2021-44228 in org.apache.logging.log4j:log4j-core@2.14.1',
      description: [
        'Apache Log4j2 2.0-beta9 through 2.15.0 (excluding security releases 2.12.2, 2.12.3, and 2.3.1) JNDI features used in configuration, log messages, and parameters do not protect against attacker controlled LDAP and other JNDI related endpoints.',
        'Recommendation: Upgrade org.apache.logging.log4j:log4j-core to version 2.15.0, 2.12.2, 2.3.1',
        'VEX analysis: exploitable; response: update (JNDI lookups are reachable from the request logger.).',
      ].join('\n\n'),
      assetHint: IMAGE_HINT,
      suppression: null,
    });
    expect((raw as { id: string }).id).toBe('CVE-2021-44228');
  });

  it('keeps not_affected findings as suppressed, for a top-level and a nested component (BOM-Link ref)', async () => {
    const [, top, nested] = findingsOf(await parseOwn('trivy-image-vex.json'));
    const suppression = {
      state: 'not_affected',
      justification: 'code_not_reachable',
      detail: '_.template is never called with user input.',
    };
    expect(top).toMatchObject({
      ruleId: 'CVE-2021-23337',
      aliases: ['GHSA-35jh-r3h4-6jhm'],
      packageName: 'lodash',
      ecosystem: 'npm',
      packageVersion: '4.17.20',
      purl: 'pkg:npm/lodash@4.17.20',
      fixedVersions: ['4.17.21'],
      severity: 'high',
      cvssScore: 7.2,
      cwes: ['CWE-77', 'CWE-94'],
      title: 'CVE-2021-23337 in lodash@4.17.20',
      suppression,
    });
    expect(nested).toMatchObject({ packageVersion: '4.17.15', purl: 'pkg:npm/lodash@4.17.15', suppression });
  });

  it('keeps a resolved finding open, naming the distro ecosystem and the claim in the description', async () => {
    const [, , , openssl] = findingsOf(await parseOwn('trivy-image-vex.json'));
    expect(openssl).toMatchObject({
      ruleId: 'CVE-2023-0286',
      packageName: 'libssl1.1',
      ecosystem: 'Debian',
      packageVersion: '1.1.1n-0+deb11u3',
      fixedVersions: ['1.1.1n-0+deb11u4'],
      severity: 'high',
      cvssScore: 7.4,
      cvssVector: 'CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:H',
      cwes: ['CWE-843'],
      suppression: null,
    });
    expect(openssl!.description).toContain('VEX analysis: resolved (Rebuilt on a base image with 1.1.1n-0+deb11u4.).');
  });
});

describe('cyclonedx: a Grype 1.4 BOM of a lockfile', () => {
  it('maps the GHSA finding, the 1.4 tools array and the scanned file as a name', async () => {
    const records = await parseOwn('grype-lockfile.json');
    expect(records.map((r) => r.pointer)).toEqual(['/vulnerabilities/0/affects/0']);
    const { raw, ...rest } = findingsOf(records)[0]!;
    expect(rest).toEqual({
      sourceTool: 'grype',
      sourceVersion: '0.63.1',
      format: 'cyclonedx',
      kind: 'package',
      ruleId: 'GHSA-c2qf-rxjj-qqgw',
      aliases: ['CVE-2022-25883'],
      packageName: 'semver',
      ecosystem: 'npm',
      packageVersion: '7.3.8',
      purl: 'pkg:npm/semver@7.3.8',
      fixedVersions: [],
      severity: 'medium',
      cvssScore: 5.3,
      cvssVector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L',
      cwes: [],
      title: 'GHSA-c2qf-rxjj-qqgw in semver@7.3.8',
      description: 'semver vulnerable to Regular Expression Denial of Service',
      assetHint: [{ kind: 'name', value: './billing-service/package-lock.json' }],
      suppression: null,
    });
    expect(raw).toMatchObject({ id: 'GHSA-c2qf-rxjj-qqgw' });
  });
});

describe('cyclonedx: ratings, components and VEX states', () => {
  const ubuntuLibc = {
    'bom-ref': 'pkg:deb/ubuntu/libc6@2.35-0ubuntu3.5?arch=amd64&distro=ubuntu-22.04',
    type: 'library',
    name: 'libc6',
    version: '2.35-0ubuntu3.5',
    purl: 'pkg:deb/ubuntu/libc6@2.35-0ubuntu3.5?arch=amd64&distro=ubuntu-22.04',
  };

  it('takes the severity of the vulnerability’s own source, and the NVD v3 rating for CVSS', async () => {
    const vulnerability = {
      id: 'CVE-2016-20013',
      source: { name: 'ubuntu', url: 'https://git.launchpad.net/ubuntu-cve-tracker' },
      ratings: [
        {
          source: { name: 'nvd' },
          score: 5,
          severity: 'medium',
          method: 'CVSSv2',
          vector: 'AV:N/AC:L/Au:N/C:N/I:N/A:P',
        },
        {
          source: { name: 'nvd' },
          score: 7.5,
          severity: 'high',
          method: 'CVSSv31',
          vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H',
        },
        { source: { name: 'ubuntu' }, severity: 'low' },
      ],
      affects: [{ ref: ubuntuLibc['bom-ref'] }],
    };
    const [finding] = findingsOf(await parseBom(bomWith([vulnerability], [ubuntuLibc])));
    expect(finding).toMatchObject({
      severity: 'low',
      cvssScore: 7.5,
      cvssVector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H',
      packageName: 'libc6',
      ecosystem: 'Ubuntu',
      sourceTool: 'cyclonedx',
      sourceVersion: null,
      assetHint: [],
    });
  });

  it('derives the severity from the CVSS score when no rating states one', async () => {
    const vulnerability = {
      id: 'CVE-2021-44228',
      ratings: [{ score: 10, method: 'CVSSv3', vector: 'AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H' }],
      affects: [{ ref: 'missing' }],
    };
    const [finding] = findingsOf(await parseBom(bomWith([vulnerability])));
    expect(finding).toMatchObject({
      severity: 'critical',
      cvssScore: 10,
      cvssVector: 'AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H',
    });
  });

  it('joins an npm scope kept in "group" to the package name', async () => {
    const component = {
      'bom-ref': 'babel-traverse',
      type: 'library',
      group: '@babel',
      name: 'traverse',
      version: '7.22.5',
      purl: 'pkg:npm/%40babel/traverse@7.22.5',
    };
    const vulnerability = { id: 'GHSA-67hx-6x53-jw92', affects: [{ ref: 'babel-traverse' }] };
    const [finding] = findingsOf(await parseBom(bomWith([vulnerability], [component])));
    expect(finding).toMatchObject({ packageName: '@babel/traverse', ecosystem: 'npm', severity: 'unknown' });
  });

  it('suppresses false_positive, leaves in_triage open', async () => {
    const vulnerabilities = [
      { id: 'CVE-2016-2781', analysis: { state: 'false_positive', detail: 'chroot is not installed' } },
      { id: 'CVE-2017-11164', analysis: { state: 'in_triage' } },
    ];
    const [falsePositive, triage] = findingsOf(await parseBom(bomWith(vulnerabilities)));
    expect(falsePositive!.suppression).toEqual({
      state: 'false_positive',
      justification: null,
      detail: 'chroot is not installed',
    });
    expect(triage!.suppression).toBeNull();
    expect(triage!.description).toContain('VEX analysis: in_triage.');
  });

  it('reports a vulnerability without "affects" once, without package facts, with a warning', async () => {
    const records = await parseBom(bomWith([{ id: 'CVE-2022-3219' }]));
    expect(records).toHaveLength(2);
    expect(records[0]).toEqual({
      type: 'warning',
      pointer: '/vulnerabilities/0',
      message: 'names no affected component ("affects"); reported without a package',
    });
    expect(records[1]).toMatchObject({
      type: 'finding',
      pointer: '/vulnerabilities/0',
      value: { ruleId: 'CVE-2022-3219', packageName: null, title: 'CVE-2022-3219', description: null },
    });
  });

  it('warns about a ref that names no component, and keeps the finding', async () => {
    const records = await parseBom(bomWith([{ id: 'CVE-2021-44228', affects: [{ ref: 'gerbwetbqt' }] }]));
    expect(records).toEqual([
      {
        type: 'warning',
        pointer: '/vulnerabilities/0/affects/0',
        message: '"ref" "gerbwetbqt" names no component of this BOM',
      },
      expect.objectContaining({ type: 'finding', pointer: '/vulnerabilities/0/affects/0' }),
    ]);
  });
});

describeBadInput(
  format,
  [
    [
      'invalid JSON',
      '{"bomFormat": "CycloneDX", "vulnerabilities": [nope]}',
      /^bad\.json \(cyclonedx\) at byte \d+: invalid JSON/,
      { file: 'bad.json' },
    ],
    [
      'a truncated BOM',
      fs.readFileSync(path.join(OWN, 'grype-lockfile.json'), 'utf8').slice(0, 700),
      /^cut\.json \(cyclonedx\) at byte \d+: /,
      { file: 'cut.json' },
    ],
    [
      'an empty file',
      '',
      'empty.json (cyclonedx) at byte 0: the file is empty; expected a JSON document',
      { file: 'empty.json' },
    ],
    [
      'a vulnerability without "id"',
      JSON.stringify(bomWith([{ id: 'CVE-2021-44228' }, { source: { name: 'nvd' } }])),
      'bom.json (cyclonedx) at /vulnerabilities/1/id: expected "id" to be a string (it is missing)',
      { pointer: '/vulnerabilities/1/id' },
    ],
    [
      'an "affects" item without "ref"',
      JSON.stringify(bomWith([{ id: 'CVE-2021-44228', affects: [{ versions: [] }] }])),
      'bom.json (cyclonedx) at /vulnerabilities/0/affects/0/ref: expected "affects[0].ref" to be a string (it is missing)',
    ],
    [
      '"tools" of neither form, naming both',
      JSON.stringify(bomWith([{ id: 'CVE-2021-44228', tools: 'trivy' }])),
      'bom.json (cyclonedx) at /vulnerabilities/0/tools: expected "tools" to be an array of tools (CycloneDX 1.4) or an object with "components" and "services" (1.5+)',
    ],
    [
      'a malformed rating, naming its field',
      JSON.stringify(bomWith([{ id: 'CVE-2021-44228', ratings: [{ score: 'high' }] }])),
      'bom.json (cyclonedx) at /vulnerabilities/0/ratings/0/score: expected "ratings[0].score" to be a number',
    ],
    [
      'a document that is not a CycloneDX BOM',
      JSON.stringify({ spdxVersion: 'SPDX-2.3', packages: [] }),
      'sbom.spdx.json (cyclonedx) at /bomFormat: expected "bomFormat" to be "CycloneDX" (it is missing); only the JSON form of CycloneDX is read',
      { file: 'sbom.spdx.json' },
    ],
  ],
  { file: 'bom.json' },
);

describe('cyclonedx: detection', () => {
  it.each(['trivy-image-vex.json', 'grype-lockfile.json'])('claims %s', async (file) => {
    expect(format.detect(head(path.join(OWN, file)), file)).toBe(0.9);
    expect(await detectFile(path.join(OWN, file))).toBe(FORMAT);
  });
});

// Every JSON sample and no XML sample; no other tool's report (not even Trivy's JSON of a scanned SBOM).
describeSharedDetection(format, ['scanners/cyclonedx'], (score, file) => {
  expect(score, file).toBe(XML_SAMPLES.includes(path.basename(file)) ? 0 : 0.9);
});
