import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { format } from '../../../src/ingest/asff/parser.ts';
import type { Source } from '../../../src/ingest/format.ts';
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

/** DefectDojo names a resource by the last `:` segment of its id (`i-0abc`, an access key id). */
const resourceName = (finding: FindingInput) => (finding.resource ?? '').split(':').pop();

const PASSED_ONLY =
  'every record is a Security Hub control with Compliance.Status PASSED, which DefectDojo keeps as a mitigated finding; ' +
  'we emit a warning per record instead (a pass is not an exposure), asserted in "asff: shared samples" below';

describeConformance({
  folder: 'awssecurityhub',
  format: 'asff',
  view: (finding) => ({
    severity: DOJO_SEVERITY[finding.severity ?? 'unknown'],
    // DefectDojo appends " - Resource: <last id segment>" to the ASFF Title.
    title: `${finding.title} - Resource: ${resourceName(finding)}`,
    impact: `Resource: ${resourceName(finding)}`,
    vulnerability_ids: finding.kind === 'package' ? [finding.ruleId, ...(finding.aliases ?? [])] : [],
    cvssv3: finding.cvssVector ?? null,
    active: !finding.suppression,
    is_mitigated: finding.suppression?.state === 'resolved',
  }),
  skipFiles: {
    'config_one_finding.json': PASSED_ONLY,
    'config_many_findings.json': PASSED_ONLY,
  },
  unsupported: {
    mitigation:
      "DefectDojo's composed '- Update <pkg>-<version>' list; Finding has no mitigation field (the remediation text is in description)",
    references: 'Finding has no references field; the vendor and remediation URLs are listed in description',
    severity_justification: "DefectDojo's composed text; the AWS label is our severity",
    epss_score:
      'ASFF gives an EPSS score without its percentile and Finding.epss requires both; the score stays in raw',
  },
});

const parse = (source: Source) => parseAll(format, source);
const own = (name: string) => path.join(OWN_FIXTURES, 'asff', name);
const json = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8'));

describe('asff: own fixtures', () => {
  const file = own('securityhub-export.json');
  const raw = json(file).Findings as unknown[];

  it('streams a Security Hub export: controls, Inspector packages, passes and archived records', async () => {
    const records = await parse(fileSource(file));
    expect(records.map((r) => [r.type, r.pointer])).toEqual([
      ['finding', '/Findings/0'],
      ['finding', '/Findings/1'],
      ['warning', '/Findings/2'],
      ['finding', '/Findings/3/Vulnerabilities/0/VulnerablePackages/0'],
      ['finding', '/Findings/4/Vulnerabilities/0/VulnerablePackages/0'],
      ['finding', '/Findings/4/Vulnerabilities/0/VulnerablePackages/1'],
      ['warning', '/Findings/5'],
    ]);
    expect(records.filter((r) => r.type === 'warning')).toEqual([
      {
        type: 'warning',
        pointer: '/Findings/2',
        message: 'control "IAM.6" passed (Compliance.Status PASSED); not an exposure',
      },
      {
        type: 'warning',
        pointer: '/Findings/5',
        message:
          'RecordState ARCHIVED: the provider no longer reports "Unprotected port on EC2 instance i-0f1e2d3c4b5a69788 is being probed." as active; not an exposure',
      },
    ]);
  });

  it('maps a failed control to a cloud finding named by its control id', async () => {
    const [control] = findingsOf(await parse(fileSource(file)));
    expect(control).toEqual({
      sourceTool: 'aws-securityhub',
      sourceVersion: null,
      format: 'asff',
      kind: 'cloud',
      ruleId: 'S3.8',
      resource: 'arn:aws:s3:::acme-prod-logs',
      severity: 'high',
      title: 'S3 general purpose buckets should block public access',
      description: [
        'This control checks whether an Amazon S3 general purpose bucket blocks public access at the bucket level.',
        'Remediation: For information on how to correct this issue, consult the AWS Security Hub controls documentation.',
        'References:\n- https://docs.aws.amazon.com/console/securityhub/S3.8/remediation',
      ].join('\n\n'),
      assetHint: [
        { kind: 'arn', value: 'arn:aws:s3:::acme-prod-logs' },
        { kind: 'account', value: '210987654321' },
      ],
      suppression: null,
      raw: raw[0],
    });
  });

  it('keeps a control suppressed in Security Hub, with the note as detail', async () => {
    const suppressed = findingsOf(await parse(fileSource(file)))[1];
    expect(suppressed).toMatchObject({
      ruleId: 'EC2.19',
      severity: 'critical',
      suppression: {
        state: 'suppressed',
        justification: 'Workflow.Status SUPPRESSED',
        detail: 'Bastion security group; ingress limited by network ACL',
      },
      raw: raw[1],
    });
  });

  it('maps an Inspector image finding to a package finding with the v3 CVSS, image digest and file path', async () => {
    const log4j = findingsOf(await parse(fileSource(file)))[2];
    const imageArn =
      'arn:aws:ecr:eu-west-1:210987654321:repository/shop-api/sha256:4a7c2e9b1d3f5a6c8e0b2d4f6a8c0e2b4d6f8a0c2e4b6d8f0a2c4e6b8d0f2a4c';
    expect(log4j).toEqual({
      sourceTool: 'aws-inspector',
      sourceVersion: '2',
      format: 'asff',
      kind: 'package',
      ruleId: 'CVE-2021-44228',
      aliases: ['GHSA-jfh8-c2jp-5v3q'],
      packageName: 'org.apache.logging.log4j:log4j-core',
      ecosystem: 'Maven',
      packageVersion: '2.14.1',
      fixedVersions: ['2.15.0'],
      location: 'app/lib/log4j-core-2.14.1.jar',
      resource: imageArn,
      severity: 'critical',
      cvssScore: 10,
      cvssVector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H',
      title: 'CVE-2021-44228 - org.apache.logging.log4j:log4j-core',
      description: [
        'Apache Log4j2 JNDI features do not protect against attacker controlled LDAP and other JNDI related endpoints.',
        'Package remediation: Upgrade your installed software packages to the proposed fixed in version and release.',
        'References:\n- https://nvd.nist.gov/vuln/detail/CVE-2021-44228\n- https://logging.apache.org/log4j/2.x/security.html',
      ].join('\n\n'),
      assetHint: [
        { kind: 'arn', value: imageArn },
        { kind: 'image_digest', value: 'sha256:4a7c2e9b1d3f5a6c8e0b2d4f6a8c0e2b4d6f8a0c2e4b6d8f0a2c4e6b8d0f2a4c' },
        { kind: 'account', value: '210987654321' },
      ],
      suppression: null,
      raw: raw[3],
    });
  });

  it('gives one finding per vulnerable OS package, versions joined as epoch:version-release', async () => {
    const [openssl, opensslLibs] = findingsOf(await parse(fileSource(file))).slice(3);
    const shared = {
      ruleId: 'CVE-2023-0286',
      aliases: [],
      ecosystem: 'Amazon Linux',
      packageVersion: '1:1.0.2k-24.amzn2.0.6',
      fixedVersions: ['1:1.0.2k-24.amzn2.0.7'],
      cvssScore: 7.4,
      cvssVector: 'CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:H',
      severity: 'high',
      resource: 'arn:aws:ec2:eu-west-1:210987654321:instance/i-0f1e2d3c4b5a69788',
      raw: raw[4],
    };
    expect(openssl).toMatchObject({ ...shared, packageName: 'openssl' });
    expect(opensslLibs).toMatchObject({ ...shared, packageName: 'openssl-libs' });
    expect(opensslLibs!.description).toContain('Package remediation: yum update openssl-libs');
  });

  it('reads one finding object (Prowler json-asff) and names the rule by its check id', async () => {
    const single = own('prowler-single-finding.json');
    expect(await parse(fileSource(single))).toEqual([
      {
        type: 'finding',
        pointer: '',
        value: {
          sourceTool: 'prowler',
          sourceVersion: '3.11.3',
          format: 'asff',
          kind: 'cloud',
          ruleId: 'iam_root_hardware_mfa_enabled',
          resource: 'arn:aws:iam::210987654321:root',
          severity: 'critical',
          title: 'Ensure only hardware MFA is enabled for the root account',
          description: [
            'Root account has a virtual MFA instead of a hardware MFA device enabled.',
            'Remediation: Using IAM console navigate to Dashboard and expand Activate MFA on your root account.',
            'References:\n- https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_mfa_enable_physical.html#enable-hw-mfa-for-root',
          ].join('\n\n'),
          assetHint: [
            { kind: 'arn', value: 'arn:aws:iam::210987654321:root' },
            { kind: 'account', value: '210987654321' },
          ],
          suppression: null,
          raw: json(single),
        },
      },
    ]);
  });

  it('reads a bare array; GuardDuty rules come from the finding type, severity from Normalized', async () => {
    const array = own('guardduty-array.json');
    const [finding] = findingsOf(await parse(fileSource(array)));
    expect(finding).toMatchObject({
      sourceTool: 'aws-guardduty',
      kind: 'cloud',
      ruleId: 'Backdoor:EC2-C&CActivity.B!DNS',
      severity: 'high',
      suppression: null,
      raw: json(array)[0],
    });
  });

  it('treats Workflow RESOLVED on a failing check as a suppression and Inspector CLOSED as a skip', async () => {
    const base = json(own('prowler-single-finding.json'));
    const resolved = { ...base, Workflow: { Status: 'RESOLVED' }, Note: { Text: 'Hardware key ordered' } };
    const closed = { ...base, ProductFields: { 'aws/inspector/FindingStatus': 'CLOSED' } };
    const records = await parse(textSource('hub.json', JSON.stringify({ Findings: [resolved, closed] })));
    expect(findingsOf(records)[0]!.suppression).toEqual({
      state: 'resolved',
      justification: 'Workflow.Status RESOLVED',
      detail: 'Hardware key ordered',
    });
    expect(records[1]).toEqual({
      type: 'warning',
      pointer: '/Findings/1',
      message:
        'Inspector closed "Ensure only hardware MFA is enabled for the root account" (FindingStatus CLOSED); not an exposure',
    });
  });

  it('accepts an empty Findings array', async () => {
    expect(await parse(textSource('hub.json', '{"Findings": [], "NextToken": null}'))).toEqual([]);
  });
});

describe.skipIf(!hasSharedFixtures)('asff: shared samples', () => {
  const dir = path.join(SHARED_FIXTURES, 'scanners', 'awssecurityhub');

  it.each([
    ['config_one_finding.json', ['IAM.5']],
    ['config_many_findings.json', ['IAM.5', 'SSM.2', 'ELBv2.1']],
  ])('%s: every PASSED control becomes a warning that names it, none a finding', async (sample, controls) => {
    const records = await parse(fileSource(path.join(dir, sample)));
    expect(records).toEqual(
      controls.map((control, index) => ({
        type: 'warning',
        pointer: `/findings/${index}`,
        message: `control "${control}" passed (Compliance.Status PASSED); not an exposure`,
      })),
    );
  });
});

const valid = fs.readFileSync(own('securityhub-export.json'), 'utf8');
const prowlerFinding = json(own('prowler-single-finding.json'));
const without = (key: string) => JSON.stringify({ Findings: [{ ...prowlerFinding, [key]: undefined }] });

describeBadInput(format, [
  ['invalid JSON', '{"Findings": [ {,} ]}', /^bad\.json \(asff\) at byte \d+: invalid JSON/],
  [
    'a truncated file',
    valid.slice(0, valid.length / 2),
    /^bad\.json \(asff\) at byte \d+: the JSON document is truncated/,
  ],
  ['an empty file', '', /^bad\.json \(asff\): the file is empty; expected a "Findings" array/],
  ['JSON that is not ASFF', '{"Results": []}', /^bad\.json \(asff\): expected a "Findings" array/],
  ['a scalar document', '42', /^bad\.json \(asff\): expected a "Findings" array .* the document starts with "4"/],
  [
    'a finding without Id',
    without('Id'),
    /^bad\.json \(asff\) at \/Findings\/0\/Id: expected "Id" to be a string \(it is missing\)/,
  ],
  [
    'a finding without Resources',
    without('Resources'),
    /^bad\.json \(asff\) at \/Findings\/0\/Resources: expected "Resources" to be an array \(it is missing\)/,
  ],
  [
    'a finding with no resource',
    JSON.stringify([{ ...prowlerFinding, Resources: [] }]),
    /^bad\.json \(asff\) at \/0\/Resources: expected "Resources" to have at least 1 item\(s\)/,
  ],
  [
    'a vulnerability without Id',
    JSON.stringify({ Findings: [{ ...prowlerFinding, Vulnerabilities: [{ VulnerablePackages: [] }] }] }),
    /^bad\.json \(asff\) at \/Findings\/0\/Vulnerabilities\/0\/Id: expected "Vulnerabilities\[0\]\.Id" to be a string/,
  ],
]);

describe('asff: detection', () => {
  itClaimsEachOwnFixture(format, (score, file) => {
    expect(score, file).toBe(0.95);
  });

  it('scores the generic Findings shape lower and plain JSON at 0', () => {
    const generic =
      '{"Findings": [{"GeneratorId": "g", "AwsAccountId": "1", "Resources": [{"Type": "Other", "Id": "x"}]}]}';
    expect(format.detect(generic, 'export.json')).toBe(0.6);
    expect(format.detect('{"Findings": []}', 'export.json')).toBe(0);
  });
});

describeSharedDetection(format, ['scanners/awssecurityhub'], (score, file) => {
  expect(score, file).toBeGreaterThanOrEqual(0.9);
});
