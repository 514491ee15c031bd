import path from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { ParsedRecord, Source } from '../../../src/ingest/format.ts';
import { format } from '../../../src/ingest/trivy/parser.ts';
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

/** DefectDojo's title for each kind of Trivy record, rendered from our fields. */
function defectDojoTitle(finding: FindingInput): string {
  if (finding.kind === 'package') return `${finding.ruleId} ${finding.packageName} ${finding.packageVersion}`;
  if (finding.kind === 'secret') return `Secret detected in ${finding.location} - ${finding.title}`;
  return `${finding.ruleId} - ${finding.title}`;
}

/** A misconfiguration's resolution is the last paragraph of our description. */
function resolutionOf(description: string | null | undefined): string | null {
  return /(?:^|\n)Resolution: (.*)$/s.exec(description ?? '')?.[1] ?? null;
}

describeConformance({
  folder: 'trivy',
  format: 'trivy',
  view: (finding) => {
    const cwes = (finding.cwes ?? []).map((cwe) => Number(cwe.replace('CWE-', '')));
    const v3 = finding.cvssVector?.startsWith('CVSS:3') ?? false;
    const fixedVersions = finding.fixedVersions ?? [];
    return {
      severity: DOJO_SEVERITY[finding.severity ?? 'unknown'],
      title: defectDojoTitle(finding),
      // DefectDojo lists only the id Trivy reports (VulnerabilityID or the check ID).
      vulnerability_ids: [finding.ruleId],
      component_name: finding.packageName ?? null,
      component_version: finding.packageVersion ?? null,
      cwe: cwes[0] ?? 0,
      cwes,
      cvssv3: v3 ? finding.cvssVector : null,
      cvssv3_score: v3 ? finding.cvssScore : null,
      file_path: finding.location ?? null,
      line: finding.line ?? null,
      mitigation: finding.kind === 'package' ? fixedVersions.join(', ') : resolutionOf(finding.description),
      fix_available: fixedVersions.length > 0,
      service: finding.resource ? finding.resource.split('/').join(' / ') : null,
      active: !finding.suppression,
      is_mitigated: Boolean(finding.suppression),
    };
  },
  unsupported: {
    verified:
      'DefectDojo workflow flag derived from the Trivy status; we keep the status in raw and suppress only not_affected',
    description:
      "DefectDojo composes markdown (Target, Type, Fixed version, the secret's Match); we keep Trivy's own text and never the match",
    references: 'reference URLs are not a Finding field; they stay in raw',
    tags: "DefectDojo tags from Trivy's Type and Class; those drive our ecosystem and kind instead",
    static_finding: 'a DefectDojo constant for every import',
    dynamic_finding: 'a DefectDojo constant for every import',
  },
  skipFiles: {
    'license_scheme.json':
      'license findings are compliance facts, not exposures: we emit each as a warning (tested below), DefectDojo as a finding',
  },
});

const own = (name: string) => fileSource(path.join(OWN_FIXTURES, 'trivy', name));

async function findingsAt(name: string): Promise<Map<string, FindingInput>> {
  const records = await parseWith('trivy', own(name));
  return new Map(records.flatMap((r) => (r.type === 'finding' ? [[r.pointer, r.value] as const] : [])));
}

const IMAGE_HINTS = [
  { kind: 'image', value: 'registry.example.com/shop/checkout:1.4.2' },
  { kind: 'image_digest', value: 'sha256:3b1a4e9c0d7f25a8e6c2b9d41f0e7a3c5d8b2f6e9a1c4d7b0e3f6a9c2d5b8e1f' },
  { kind: 'image_digest', value: 'sha256:9f2c7e1b4a8d3f6c0e5b9a2d7c4f1e8b3a6d9c2f5e8b1a4d7c0f3e6b9a2d5c8f' },
];

describe('trivy: schema 2 image report', () => {
  it('maps an OS package vulnerability with every field', async () => {
    const findings = await findingsAt('image-report.json');
    const { raw, ...binutils } = findings.get('/Results/0/Vulnerabilities/0')!;
    expect(binutils).toEqual({
      sourceTool: 'trivy',
      sourceVersion: '0.61.0',
      format: 'trivy',
      kind: 'package',
      ruleId: 'CVE-2018-1000876',
      aliases: [],
      packageName: 'binutils',
      ecosystem: 'Debian',
      packageVersion: '2.31.1-16',
      fixedVersions: [],
      purl: 'pkg:deb/debian/binutils@2.31.1-16?arch=amd64&distro=debian-10.13',
      resource: null,
      location: 'registry.example.com/shop/checkout:1.4.2 (debian 10.13)',
      line: null,
      severity: 'low',
      // SeveritySource "debian" has no CVSS entry, so NVD's v3 is kept (not Red Hat's).
      cvssScore: 7.8,
      cvssVector: 'CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H',
      cwes: ['CWE-190', 'CWE-787'],
      title: 'integer overflow leads to heap-based buffer overflow in objdump',
      description: 'binutils version 2.32 and earlier contains a Integer Overflow vulnerability in objdump.',
      assetHint: IMAGE_HINTS,
      // will_not_fix leaves the package vulnerable: not a suppression.
      suppression: null,
      epss: null,
    });
    expect(raw).toMatchObject({ VulnerabilityID: 'CVE-2018-1000876', Status: 'will_not_fix' });
  });

  it('keeps a not_affected vulnerability as suppressed', async () => {
    const bash = (await findingsAt('image-report.json')).get('/Results/0/Vulnerabilities/1')!;
    expect(bash.suppression).toEqual({
      state: 'not_affected',
      justification: null,
      detail: 'Trivy status "not_affected" from Debian Security Tracker',
    });
    expect(bash.purl).toBeNull();
  });

  it('keeps a finding suppressed by VEX (ExperimentalModifiedFindings) with its statement', async () => {
    const modified = (await findingsAt('image-report.json')).get('/Results/0/ExperimentalModifiedFindings/0')!;
    expect(modified).toMatchObject({
      kind: 'package',
      ruleId: 'CVE-2018-12697',
      packageName: 'binutils',
      cvssScore: 7.5,
      cvssVector: 'CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H',
      cwes: ['CWE-476'],
      suppression: {
        state: 'not_affected',
        justification: 'vulnerable_code_not_in_execute_path',
        detail: 'suppressed by OpenVEX: vex/checkout.openvex.json',
      },
    });
    expect(modified.raw).toMatchObject({ Type: 'vulnerability', Finding: { VulnerabilityID: 'CVE-2018-12697' } });
  });

  it('maps language packages: purl ecosystem, PkgPath location, split fixed versions, CVSS of SeveritySource', async () => {
    const findings = await findingsAt('image-report.json');
    expect(findings.get('/Results/1/Vulnerabilities/0')).toMatchObject({
      ruleId: 'CVE-2021-44228',
      packageName: 'org.apache.logging.log4j:log4j-core',
      ecosystem: 'Maven',
      packageVersion: '2.14.1',
      fixedVersions: ['2.15.0', '2.12.2'],
      purl: 'pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1',
      location: 'app/lib/log4j-core-2.14.1.jar',
      severity: 'critical',
      cvssScore: 10,
      cwes: ['CWE-20', 'CWE-400', 'CWE-502', 'CWE-917'],
    });
    expect(findings.get('/Results/2/Vulnerabilities/0')).toMatchObject({
      ruleId: 'CVE-2023-37920',
      ecosystem: 'PyPI',
      fixedVersions: ['2023.7.22'],
      // SeveritySource is ghsa: GitHub's 7.5 wins over NVD's 9.8.
      cvssScore: 7.5,
      cvssVector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:H/A:N',
    });
  });

  it('maps a secret by rule, file and line, and never keeps the matched text', async () => {
    const { raw, ...secret } = (await findingsAt('image-report.json')).get('/Results/3/Secrets/0')!;
    expect(secret).toEqual({
      sourceTool: 'trivy',
      sourceVersion: '0.61.0',
      format: 'trivy',
      kind: 'secret',
      ruleId: 'aws-access-key-id',
      aliases: [],
      packageName: null,
      ecosystem: null,
      packageVersion: null,
      fixedVersions: [],
      purl: null,
      resource: null,
      location: 'app/config/settings.py',
      line: 12,
      severity: 'critical',
      cvssScore: null,
      cvssVector: null,
      cwes: [],
      title: 'AWS Access Key ID',
      description:
        'AWS secret found by rule "aws-access-key-id" in app/config/settings.py:12; the matched text is not kept.',
      assetHint: IMAGE_HINTS,
      suppression: null,
      epss: null,
    });
    expect(JSON.stringify(raw)).not.toContain('AKIAIOSFODNN7EXAMPLE');
    expect(raw).toMatchObject({
      RuleID: 'aws-access-key-id',
      Match: '[redacted]',
      Code: { Lines: [{ Number: 12, Content: '[redacted]', Highlighted: '[redacted]', IsCause: true }] },
    });
  });
});

describe('trivy: configuration and license results', () => {
  it('maps misconfigurations with location, line, resource and resolution; exceptions are suppressed', async () => {
    const records = await parseWith('trivy', own('repository-config.json'));
    const findings = findingsOf(records);
    const { raw, ...dockerfile } = findings[0]!;
    expect(dockerfile).toEqual({
      sourceTool: 'trivy',
      sourceVersion: null,
      format: 'trivy',
      kind: 'misconfiguration',
      ruleId: 'DS002',
      aliases: ['AVD-DS-0002'],
      packageName: null,
      ecosystem: null,
      packageVersion: null,
      fixedVersions: [],
      purl: null,
      resource: null,
      location: 'Dockerfile',
      line: null,
      severity: 'high',
      cvssScore: null,
      cvssVector: null,
      cwes: [],
      title: "Image user should not be 'root'",
      description:
        "Running containers with 'root' user can lead to a container escape situation.\n\nSpecify at least 1 USER command in Dockerfile with non-root user as argument\n\nResolution: Add 'USER <non root user name>' line to the Dockerfile",
      assetHint: [{ kind: 'repository_url', value: 'https://github.com/example/checkout' }],
      suppression: null,
      epss: null,
    });
    expect(findings[1]).toMatchObject({
      ruleId: 'AVD-AWS-0086',
      aliases: [],
      resource: 'aws_s3_bucket.assets',
      location: 'infra/s3.tf',
      line: 3,
      suppression: { state: 'exception', justification: null },
    });
    expect(records.filter((r) => r.type === 'warning')).toEqual([
      {
        type: 'warning',
        pointer: '/Results/0/Misconfigurations/1',
        message: 'skipped passed check DS001: not a finding',
      },
      {
        type: 'warning',
        pointer: '/Results/2/Licenses/0',
        message: 'skipped license finding "GPL-2.0" of node-forge: licenses are not exposures',
      },
    ]);
  });

  it.skipIf(!hasSharedFixtures)('turns every license finding of the shared sample into a warning', async () => {
    const records = await parseWith(
      'trivy',
      fileSource(path.join(SHARED_FIXTURES, 'scanners/trivy/license_scheme.json')),
    );
    expect(findingsOf(records)).toHaveLength(0);
    expect(records.filter((r) => r.type === 'warning')).toHaveLength(19);
  });
});

describe('trivy: other report forms', () => {
  it('maps a Kubernetes report: the workload as resource, its image for packages, the workload for checks', async () => {
    const findings = await findingsAt('kubernetes-resources.json');
    expect(findings.get('/Resources/0/Results/0/Vulnerabilities/0')).toMatchObject({
      ruleId: 'CVE-2020-27350',
      // VendorIDs (DSA-4808-1) name an advisory that can cover several CVEs: not an alias.
      aliases: [],
      resource: 'shop/Deployment/checkout',
      fixedVersions: ['1.8.2.2'],
      assetHint: [
        { kind: 'image', value: 'registry.example.com/shop/checkout:1.4.2' },
        { kind: 'resource_id', value: 'prod-eu-1/shop/Deployment/checkout' },
      ],
    });
    expect(findings.get('/Resources/0/Results/1/Misconfigurations/0')).toMatchObject({
      kind: 'misconfiguration',
      ruleId: 'KSV001',
      resource: 'shop/Deployment/checkout',
      location: null,
      line: 132,
      assetHint: [{ kind: 'resource_id', value: 'prod-eu-1/shop/Deployment/checkout' }],
    });
    expect(findings.get('/Resources/1/Results/0/Misconfigurations/0')).toMatchObject({
      ruleId: 'KSV046',
      severity: 'critical',
      resource: 'ClusterRole/shop-admin',
      assetHint: [{ kind: 'resource_id', value: 'prod-eu-1/ClusterRole/shop-admin' }],
    });
  });

  it('maps the legacy list form, naming the image from the OS target', async () => {
    const findings = await findingsAt('legacy-list.json');
    expect([...findings.keys()]).toEqual(['/0/Vulnerabilities/0']);
    expect(findings.get('/0/Vulnerabilities/0')).toMatchObject({
      ruleId: 'CVE-2011-3374',
      title: 'CVE-2011-3374 in apt@2.2.4',
      ecosystem: 'Debian',
      cvssScore: 3.7,
      assetHint: [{ kind: 'image', value: 'python:3.9-slim' }],
    });
  });

  it('reads a key-sorted report whose secrets and checks come before their Target', async () => {
    const records = await parseWith('trivy', own('sorted-keys.json'));
    expect(records).toHaveLength(2);
    expect(records[0]).toMatchObject({
      type: 'finding',
      pointer: '/Results/0/Secrets/0',
      value: { ruleId: 'github-pat', location: '.env', line: 3, assetHint: [{ kind: 'name', value: '/srv/checkout' }] },
    });
    expect(records[1]).toMatchObject({
      type: 'finding',
      pointer: '/Results/1/Misconfigurations/0',
      value: { ruleId: 'DS026', aliases: ['AVD-DS-0026'], location: 'Dockerfile', severity: 'low' },
    });
  });

  it('warns when the artifact is named only after findings it applies to', async () => {
    const text = JSON.stringify({
      SchemaVersion: 2,
      Results: [
        {
          Target: 'a:1 (alpine 3.19.1)',
          Class: 'os-pkgs',
          Type: 'alpine',
          Vulnerabilities: [{ VulnerabilityID: 'CVE-2024-0727', PkgName: 'libcrypto3', InstalledVersion: '3.1.4-r2' }],
        },
      ],
      ArtifactName: 'a:1',
    });
    const records = await parseWith('trivy', textSource('late.json', text));
    expect(records.map((r) => r.type)).toEqual(['finding', 'warning']);
    expect(records[1]).toEqual({
      type: 'warning',
      pointer: '/ArtifactName',
      message: '"ArtifactName" comes after findings it applies to; those findings were read without it',
    });
  });

  it('reads a legacy `null` report as no findings', async () => {
    expect(await parseWith('trivy', textSource('clean.json', 'null\n'))).toEqual([]);
  });

  it('emits records while the file is still being read', async () => {
    const head =
      '{"SchemaVersion":2,"ArtifactName":"a:1","ArtifactType":"container_image","Results":[{"Target":"a:1 (alpine 3.19.1)","Class":"os-pkgs","Type":"alpine","Vulnerabilities":[' +
      '{"VulnerabilityID":"CVE-2024-0727","PkgName":"libcrypto3","InstalledVersion":"3.1.4-r2","Severity":"MEDIUM"},' +
      '{"VulnerabilityID":"CVE-2023-6129","PkgName":"libcrypto3","InstalledVersion":"3.1.4-r2","Severity":"MEDIUM"},';
    const source: Source = {
      name: 'stream.json',
      open: () =>
        Readable.from(
          (async function* () {
            yield Buffer.from(head);
            throw new Error('connection reset');
          })(),
        ),
    };
    const seen: ParsedRecord[] = [];
    const reading = (async () => {
      for await (const record of format.parse(source)) seen.push(record);
    })();
    await expect(reading).rejects.toThrow(
      /stream\.json \(trivy\) at byte \d+: cannot read the input \(connection reset\)/,
    );
    expect(seen.map((r) => r.pointer)).toEqual(['/Results/0/Vulnerabilities/0', '/Results/0/Vulnerabilities/1']);
  });
});

const vulnerability = (fields: Record<string, unknown>) =>
  JSON.stringify({
    SchemaVersion: 2,
    ArtifactName: 'a:1',
    ArtifactType: 'container_image',
    Results: [
      {
        Target: 'a:1 (alpine 3.19.1)',
        Class: 'os-pkgs',
        Type: 'alpine',
        Vulnerabilities: [{ VulnerabilityID: 'CVE-2024-0727', PkgName: 'libcrypto3' }, fields],
      },
    ],
  });

describeBadInput(format, [
  [
    'invalid JSON',
    '{"SchemaVersion": 2, "Results": [ {"Target": "x",, } ]}',
    /bad\.json \(trivy\) at byte \d+: invalid JSON/,
  ],
  [
    'a truncated file',
    '{"SchemaVersion": 2, "Results": [{"Target": "a", "Vulnerabilities": [{"VulnerabilityID": "CVE-2024-0727"',
    /bad\.json \(trivy\) at byte \d+: the JSON document is truncated/,
  ],
  ['an empty file', '', /bad\.json \(trivy\) at byte 0: the file is empty/],
  [
    'a vulnerability without VulnerabilityID',
    vulnerability({ PkgName: 'libssl3', InstalledVersion: '3.1.4-r2' }),
    /bad\.json \(trivy\) at \/Results\/0\/Vulnerabilities\/1: expected "VulnerabilityID" to be a non-empty string/,
  ],
  [
    'a CVSS score that is not a number',
    vulnerability({ VulnerabilityID: 'CVE-2023-6129', PkgName: 'libssl3', CVSS: { nvd: { V3Score: 'high' } } }),
    /at \/Results\/0\/Vulnerabilities\/1: expected "CVSS\.nvd\.V3Score" to be a number/,
  ],
  [
    'a misconfiguration without ID or AVDID',
    JSON.stringify({ SchemaVersion: 2, Results: [{ Target: 'Dockerfile', Misconfigurations: [{ Title: 'x' }] }] }),
    /at \/Results\/0\/Misconfigurations\/0: expected "ID" to be a non-empty string \(or "AVDID" to be one\)/,
  ],
  [
    'a result without Target',
    JSON.stringify({ SchemaVersion: 2, Results: [{ Class: 'secret', Secrets: [{ RuleID: 'github-pat' }] }] }),
    /bad\.json \(trivy\) at \/Results\/0: expected "Target" to be a string/,
  ],
  ['a JSON document that is not a Trivy report', '{"runs": []}', /bad\.json \(trivy\): expected a Trivy report/],
]);

describeSharedDetection(format, ['scanners/trivy'], (score, file) => {
  expect(score, file).toBeGreaterThanOrEqual(path.basename(file) === 'legacy_no_vuln.json' ? 0.1 : 0.8);
});

describe('trivy: detection of our own fixtures', () => {
  itClaimsEachOwnFixture(format, (score, file) => {
    expect(score, file).toBeGreaterThanOrEqual(0.8);
  });
});
