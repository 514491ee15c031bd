import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Source } from '../../../src/ingest/format.ts';
import { format } from '../../../src/ingest/prowler-ocsf/parser.ts';
import { describeConformance } from '../../helpers/conformance.ts';
import { fileSource, findingsOf, OWN_FIXTURES, parseAll, textSource } from '../../helpers/fixtures.ts';
import {
  DOJO_SEVERITY,
  describeBadInput,
  describeSharedDetection,
  itClaimsEachOwnFixture,
} from '../../helpers/ingest-tests.ts';

describeConformance({
  folder: 'prowler_ocsf',
  format: 'prowler-ocsf',
  view: (finding) => ({
    title: finding.title,
    severity: DOJO_SEVERITY[finding.severity ?? 'unknown'],
    component_name: finding.resource ?? null,
    description: finding.description ?? null,
    // Our description ends with the remediation references (a "References:" list).
    references: finding.description ?? null,
  }),
  // DefectDojo drops muted findings (OCSF status "Suppressed"); we keep them, marked suppressed.
  counted: (findings) => findings.filter((finding) => !finding.suppression),
  unsupported: {
    unique_id_from_tool: "Finding has no tool-side id; Prowler's finding_info.uid stays in raw",
    date: 'Finding carries no scan date; event_time / time_dt stay in raw',
  },
});

const parse = (source: Source) => parseAll(format, source);
const own = (name: string) => path.join(OWN_FIXTURES, 'prowler-ocsf', name);
const recordsOf = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8')) as unknown[];

describe('prowler-ocsf: own fixtures', () => {
  it('maps FAIL and MANUAL to cloud findings, skips PASS with a warning, keeps muted findings as suppressed', async () => {
    const file = own('aws-mixed-statuses.json');
    const raw = recordsOf(file);
    const records = await parse(fileSource(file));
    expect(records.map((r) => [r.type, r.pointer])).toEqual([
      ['finding', '/0'],
      ['warning', '/1'],
      ['finding', '/2'],
      ['finding', '/3'],
    ]);
    expect(records[1]).toEqual({
      type: 'warning',
      pointer: '/1',
      message:
        'check "iam_password_policy_minimum_length_14" passed on arn:aws:iam:eu-west-1:210987654321:password-policy; a passed check is not an exposure',
    });
    const [bucket, contact, sshOpen] = findingsOf(records);
    expect(bucket).toEqual({
      sourceTool: 'prowler',
      sourceVersion: '5.4.0',
      format: 'prowler-ocsf',
      kind: 'cloud',
      ruleId: 's3_bucket_level_public_access_block',
      resource: 'arn:aws:s3:::acme-prod-logs',
      severity: 'high',
      title: 'S3 Bucket acme-prod-logs has Public Access Block disabled.',
      description: [
        'Ensure that S3 buckets have Block Public Access enabled at the bucket level.',
        'Risk: Public access to a bucket can expose the objects it stores.',
        'Remediation: Enable Block Public Access on the bucket unless it must be public.',
        'References:\n- https://docs.aws.amazon.com/AmazonS3/latest/userguide/configuring-block-public-access-bucket.html\n- https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html',
      ].join('\n\n'),
      assetHint: [
        { kind: 'arn', value: 'arn:aws:s3:::acme-prod-logs' },
        { kind: 'account', value: '210987654321' },
      ],
      suppression: null,
      raw: raw[0],
    });
    expect(contact).toMatchObject({
      ruleId: 'account_maintain_current_contact_details',
      resource: 'arn:aws:iam::210987654321:root',
      severity: 'medium',
      title:
        'Login to the AWS Console. Choose your account name on the top right of the window -> My Account -> Contact Information.',
      description:
        'Maintain current contact details.\n\nRemediation: Using the Billing and Cost Management console complete contact details.',
      suppression: null,
      raw: raw[2],
    });
    expect(sshOpen).toMatchObject({
      ruleId: 'ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_22',
      severity: 'critical',
      title: 'Security group sg-0a1b2c3d4e5f60718 has SSH port 22 open to the Internet.',
      assetHint: [
        { kind: 'arn', value: 'arn:aws:ec2:eu-west-1:210987654321:security-group/sg-0a1b2c3d4e5f60718' },
        { kind: 'account', value: '210987654321' },
      ],
      suppression: { state: 'suppressed', justification: 'muted in Prowler', detail: 'OCSF status "Suppressed"' },
    });
  });

  it('names non-ARN resources (GCP) as resource_id and the project as account', async () => {
    const file = own('gcp-one-fail.json');
    const [finding] = findingsOf(await parse(fileSource(file)));
    expect(finding).toEqual({
      sourceTool: 'prowler',
      sourceVersion: '5.4.0',
      format: 'prowler-ocsf',
      kind: 'cloud',
      ruleId: 'compute_firewall_rdp_access_from_the_internet_allowed',
      resource: '4815162342',
      severity: 'critical',
      title: 'Firewall default-allow-rdp does exposes port 3389 (RDP) to the internet.',
      description: 'Ensure That RDP Access Is Restricted From the Internet.',
      assetHint: [
        { kind: 'resource_id', value: '4815162342' },
        { kind: 'account', value: 'acme-shop-prod' },
      ],
      suppression: null,
      raw: recordsOf(file)[0],
    });
  });

  it('falls back to severity_id and to the check title when captions are missing', async () => {
    const record = {
      metadata: { event_code: 'iam_no_root_access_key' },
      finding_info: { title: 'Ensure no root account access key exists' },
      status_code: 'FAIL',
      severity_id: 5,
    };
    const [finding] = findingsOf(await parse(textSource('r.ocsf.json', JSON.stringify([record]))));
    expect(finding).toMatchObject({
      sourceTool: 'prowler',
      sourceVersion: null,
      ruleId: 'iam_no_root_access_key',
      severity: 'critical',
      title: 'Ensure no root account access key exists',
      resource: null,
      assetHint: [],
    });
  });

  it('skips an unknown status_code with a warning rather than guessing', async () => {
    const record = { metadata: { event_code: 'x' }, finding_info: {}, status_code: 'ERROR' };
    expect(await parse(textSource('r.ocsf.json', JSON.stringify([record])))).toEqual([
      { type: 'warning', pointer: '/0', message: 'status_code "ERROR" is not PASS, FAIL or MANUAL; not ingested' },
    ]);
  });
});

const valid = fs.readFileSync(own('aws-mixed-statuses.json'), 'utf8');

describeBadInput(format, [
  ['invalid JSON', '[{"metadata": {,}}]', /^bad\.json \(prowler-ocsf\) at byte \d+: invalid JSON/],
  [
    'a truncated file',
    valid.slice(0, valid.length / 2),
    /^bad\.json \(prowler-ocsf\) at byte \d+: the JSON document is truncated/,
  ],
  [
    'an empty file',
    '',
    /^bad\.json \(prowler-ocsf\): the file is empty; expected a JSON array of OCSF Detection Findings/,
  ],
  [
    'an object instead of an array',
    '{"findings": []}',
    /^bad\.json \(prowler-ocsf\): expected a JSON array of OCSF Detection Findings; the document starts with "\{"/,
  ],
  [
    'a record without metadata.event_code',
    JSON.stringify([{ metadata: {}, finding_info: {}, status_code: 'FAIL' }]),
    /^bad\.json \(prowler-ocsf\) at \/0\/metadata\/event_code: expected "metadata\.event_code" to be a string \(it is missing\)/,
  ],
  [
    'a record without status_code',
    JSON.stringify([{ metadata: { event_code: 'x' }, finding_info: {} }]),
    /^bad\.json \(prowler-ocsf\) at \/0\/status_code: expected "status_code" to be a string \(it is missing\)/,
  ],
  [
    'resources that are not an array',
    JSON.stringify([{ metadata: { event_code: 'x' }, finding_info: {}, status_code: 'FAIL', resources: {} }]),
    /^bad\.json \(prowler-ocsf\) at \/0\/resources: expected "resources" to be an array/,
  ],
]);

describe('prowler-ocsf: detection', () => {
  itClaimsEachOwnFixture(format, (score, file) => {
    expect(score, file).toBe(0.95);
  });

  it('scores another OCSF producer lower, and an empty array only by its .ocsf.json name', () => {
    const other =
      '[{"class_uid": 2004, "finding_info": {"uid": "1"}, "metadata": {"event_code": "x", "product": {"name": "Other"}}}]';
    expect(format.detect(other, 'out.json')).toBe(0.6);
    expect(format.detect('[]', 'scan.ocsf.json')).toBe(0.5);
    expect(format.detect('[]', 'scan.json')).toBe(0);
    expect(format.detect('{"class_uid": 2004}', 'scan.ocsf.json')).toBe(0);
  });
});

describeSharedDetection(format, ['scanners/prowler_ocsf'], (score, file) => {
  expect(score, file).toBeGreaterThanOrEqual(0.5);
});
