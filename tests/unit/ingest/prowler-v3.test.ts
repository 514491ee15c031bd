import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Source } from '../../../src/ingest/format.ts';
import { format } from '../../../src/ingest/prowler-v3/parser.ts';
import { describeConformance } from '../../helpers/conformance.ts';
import { fileSource, findingsOf, head, OWN_FIXTURES, parseAll } from '../../helpers/fixtures.ts';
import { describeBadInput, describeSharedDetection } from '../../helpers/ingest-tests.ts';

describeConformance({
  folder: 'prowler_v3_json',
  format: 'prowler-v3',
  view: (finding) => ({
    title: finding.title,
    component_name: finding.resource ?? null,
    description: finding.description ?? null,
  }),
  // DefectDojo counts FAIL only; allowlisted results (Status WARNING) are kept by us, suppressed.
  counted: (findings) => findings.filter((finding) => !finding.suppression),
  unsupported: {
    unique_id_from_tool: "Finding has no tool-side id; Prowler's FindingUniqueId stays in raw",
    date: 'Finding carries no scan date; AssessmentStartTime stays in raw',
  },
});

const parse = (source: Source) => parseAll(format, source);
const own = (name: string) => path.join(OWN_FIXTURES, 'prowler-v3', name);

describe('prowler-v3: own fixtures', () => {
  const file = own('aws-mixed-statuses.json');
  const raw = JSON.parse(fs.readFileSync(file, 'utf8')) as unknown[];

  it('maps FAIL to a cloud finding, skips PASS with a warning, keeps allowlisted results as suppressed', async () => {
    const records = await parse(fileSource(file));
    expect(records.map((r) => [r.type, r.pointer])).toEqual([
      ['finding', '/0'],
      ['warning', '/1'],
      ['finding', '/2'],
    ]);
    expect(records[1]).toEqual({
      type: 'warning',
      pointer: '/1',
      message: 'check "iam_root_mfa_enabled" passed on arn:aws:iam::210987654321:root; not an exposure',
    });
    const [publicBucket, allowlisted] = findingsOf(records);
    expect(publicBucket).toEqual({
      sourceTool: 'prowler',
      format: 'prowler-v3',
      kind: 'cloud',
      ruleId: 's3_bucket_public_access',
      resource: 'arn:aws:s3:::acme-prod-logs',
      severity: 'critical',
      title: 'S3 Bucket acme-prod-logs is public.',
      description: [
        'Ensure there are no S3 buckets open to Everyone or Any AWS user.',
        'Risk: Public buckets can leak the data they hold.',
        'Remediation: Block public access at the account and bucket level.',
        'References:\n- https://docs.aws.amazon.com/AmazonS3/latest/userguide/configuring-block-public-access-bucket.html\n- https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html',
      ].join('\n\n'),
      assetHint: [
        { kind: 'arn', value: 'arn:aws:s3:::acme-prod-logs' },
        { kind: 'account', value: '210987654321' },
      ],
      suppression: null,
      raw: raw[0],
    });
    expect(allowlisted).toEqual({
      sourceTool: 'prowler',
      format: 'prowler-v3',
      kind: 'cloud',
      ruleId: 'cloudtrail_multi_region_enabled',
      resource: '210987654321',
      severity: 'high',
      title: 'No CloudTrail trails enabled and logging were found.',
      description: 'Ensure CloudTrail is enabled in all regions',
      assetHint: [
        { kind: 'resource_id', value: '210987654321' },
        { kind: 'account', value: '210987654321' },
      ],
      suppression: { state: 'suppressed', justification: 'allowlisted in Prowler', detail: 'Status WARNING' },
      raw: raw[2],
    });
  });
});

const valid = fs.readFileSync(own('aws-mixed-statuses.json'), 'utf8');

describeBadInput(format, [
  ['invalid JSON', '[{"CheckID": {,}}]', /^bad\.json \(prowler-v3\) at byte \d+: invalid JSON/],
  [
    'a truncated file',
    valid.slice(0, valid.length / 2),
    /^bad\.json \(prowler-v3\) at byte \d+: the JSON document is truncated/,
  ],
  ['an empty file', '', /^bad\.json \(prowler-v3\): the file is empty; expected a JSON array of Prowler check results/],
  [
    'an object instead of an array',
    '{"CheckID": "x"}',
    /^bad\.json \(prowler-v3\): expected a JSON array of Prowler check results; the document starts with "\{"/,
  ],
  [
    'a result without CheckID',
    JSON.stringify([{ Status: 'FAIL' }]),
    /^bad\.json \(prowler-v3\) at \/0\/CheckID: expected "CheckID" to be a string \(it is missing\)/,
  ],
  [
    'a result with an empty Status',
    JSON.stringify([{ CheckID: 'x', Status: '' }]),
    /^bad\.json \(prowler-v3\) at \/0\/Status: expected "Status" to be a non-empty string/,
  ],
]);

describe('prowler-v3: detection', () => {
  it('scores our own fixture as Prowler 3, the bare check shape lower', () => {
    expect(format.detect(head(own('aws-mixed-statuses.json')), 'aws-mixed-statuses.json')).toBe(0.95);
    expect(format.detect('[{"CheckID": "x", "StatusExtended": "y"}]', 'out.json')).toBe(0.6);
    expect(format.detect('{"CheckID": "x", "StatusExtended": "y"}', 'out.json')).toBe(0);
  });
});

describeSharedDetection(format, ['scanners/prowler_v3_json'], (score, file) => {
  expect(score, file).toBe(0.95);
});
