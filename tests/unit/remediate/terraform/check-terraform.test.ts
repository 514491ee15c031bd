import { describe, expect, it } from 'vitest';
import {
  checkTerraform,
  isWildcardAction,
  verifyTerraformEdit,
} from '../../../../src/remediate/terraform/check-terraform.ts';
import { TerraformEditError, TerraformVerificationError } from '../../../../src/remediate/terraform/errors.ts';
import { parseAddress } from '../../../../src/remediate/terraform/hcl-spans.ts';
import {
  describePorts,
  portRangeOf,
  SENSITIVE_PORTS,
  sensitivePortsIn,
} from '../../../../src/remediate/terraform/sensitive-ports.ts';
import { IAM_TF, NETWORK_TF, STORAGE_TF } from './samples.ts';

const files = (text: string, path = 'main.tf') => [{ path, text }];

describe('checkTerraform', () => {
  it('finds ingress open to the world on sensitive ports, in groups and attached rules', async () => {
    const result = await checkTerraform(files(NETWORK_TF, 'network.tf'), 'open_ingress');
    expect(result.status).toBe('affected');
    expect(result.findings).toEqual([
      {
        path: 'network.tf',
        address: 'aws_security_group.web',
        detail: 'ingress #1 allows 0.0.0.0/0 and ::/0 on port 22/tcp, including 22 (SSH)',
      },
      {
        path: 'network.tf',
        address: 'aws_security_group_rule.web_postgres',
        detail: 'the ingress rule allows 0.0.0.0/0 on port 5432/tcp, including 5432 (PostgreSQL)',
      },
      {
        path: 'network.tf',
        address: 'aws_vpc_security_group_ingress_rule.web_rdp',
        detail: 'the ingress rule allows 0.0.0.0/0 on port 3389/tcp, including 3389 (RDP)',
      },
    ]);
    expect(result.evidence).toMatch(
      /^Re-parsed all resources in network.tf with hcl2json \(5 rules checked\): 3 findings/,
    );
  });

  it('scopes to a target: a group includes its attached rules, a rule is only itself', async () => {
    const group = await checkTerraform(files(NETWORK_TF), 'open_ingress', 'aws_security_group.web');
    expect(group.findings).toHaveLength(3);
    const http = await checkTerraform(
      files(NETWORK_TF),
      'open_ingress',
      'aws_vpc_security_group_ingress_rule.web_http',
    );
    expect(http).toMatchObject({ status: 'resolved', findings: [] });
    expect(http.evidence).toBe(
      'Re-parsed aws_vpc_security_group_ingress_rule.web_http in main.tf with hcl2json (1 rule checked): ' +
        'no ingress rule open to 0.0.0.0/0 or ::/0 on a sensitive port.',
    );
  });

  it('stays affected when a fix narrows the wrong rule', async () => {
    // Narrowing HTTPS (not sensitive) instead of SSH leaves the exposure in place.
    const wrong = NETWORK_TF.replace(
      '    from_port   = 443\n    to_port     = 443\n    protocol    = "tcp"\n    cidr_blocks = ["0.0.0.0/0"]',
      '    from_port   = 443\n    to_port     = 443\n    protocol    = "tcp"\n    cidr_blocks = ["10.0.0.0/8"]',
    );
    expect(wrong).not.toBe(NETWORK_TF);
    const result = await checkTerraform(files(wrong), 'open_ingress', 'aws_security_group.web');
    expect(result.status).toBe('affected');
    expect(result.findings.map((f) => f.address)).toContain('aws_security_group.web');
  });

  it('finds buckets without a full public access block', async () => {
    const result = await checkTerraform(files(STORAGE_TF), 'public_bucket');
    // hcl2json orders resources by type and name.
    expect(result.findings).toEqual([
      {
        path: 'main.tf',
        address: 'aws_s3_bucket.assets',
        detail:
          'aws_s3_bucket_public_access_block.assets leaves block_public_acls, ignore_public_acls, restrict_public_buckets unset or not true',
      },
      { path: 'main.tf', address: 'aws_s3_bucket.logs', detail: 'no aws_s3_bucket_public_access_block refers to it' },
    ]);
  });

  it('finds Allow statements granting "*" or "service:*", following a policy to its document when targeted', async () => {
    const all = await checkTerraform(files(IAM_TF), 'wildcard_iam');
    expect(all.findings.map((f) => `${f.address}: ${f.detail}`)).toEqual([
      'aws_iam_policy.ci_deploy: statement "Artifacts" allows "s3:*"',
      'aws_iam_role_policy.app: statement "Queue" allows "sqs:*"',
      'aws_iam_role_policy.app: statement #1 allows "*"',
      'data.aws_iam_policy_document.ops: statement "Everything" allows "*"',
    ]);
    const ops = await checkTerraform(files(IAM_TF), 'wildcard_iam', 'aws_iam_policy.ops');
    expect(ops.findings).toEqual([
      {
        path: 'main.tf',
        address: 'data.aws_iam_policy_document.ops',
        detail: 'statement "Everything" allows "*" (the policy of aws_iam_policy.ops)',
      },
    ]);
  });

  it('notes policies it cannot read instead of clearing them silently', async () => {
    const text = 'resource "aws_iam_policy" "x" {\n  policy = jsonencode(local.policy)\n}\n';
    const result = await checkTerraform(files(text), 'wildcard_iam');
    expect(result.status).toBe('resolved');
    expect(result.evidence).toContain(
      'Note: the policy of aws_iam_policy.x is not a literal document and was not checked.',
    );
  });

  it('reads several files together', async () => {
    const rules =
      'resource "aws_security_group_rule" "ssh" {\n  type              = "ingress"\n  from_port         = 22\n' +
      '  to_port           = 22\n  protocol          = "tcp"\n  cidr_blocks       = ["0.0.0.0/0"]\n' +
      '  security_group_id = aws_security_group.web.id\n}\n';
    const fixed = NETWORK_TF.replace(
      '["0.0.0.0/0"]\n    ipv6_cidr_blocks = ["::/0"]',
      '["10.0.0.0/8"]\n    ipv6_cidr_blocks = []',
    )
      .replace('"0.0.0.0/0", # TODO: remove after the migration', '"10.0.0.0/8",')
      .replace(
        'cidr_ipv4         = "0.0.0.0/0"\n  from_port         = 3389',
        'cidr_ipv4         = "10.0.0.0/8"\n  from_port         = 3389',
      );
    const result = await checkTerraform(
      [
        { path: 'network.tf', text: fixed },
        { path: 'rules.tf', text: rules },
      ],
      'open_ingress',
      'aws_security_group.web',
    );
    expect(result.findings).toEqual([
      {
        path: 'rules.tf',
        address: 'aws_security_group_rule.ssh',
        detail: 'the ingress rule allows 0.0.0.0/0 on port 22/tcp, including 22 (SSH)',
      },
    ]);
  });

  it('throws for invalid HCL, a missing target and a target of the wrong kind', async () => {
    const error = (attempt: Promise<unknown>) =>
      attempt.then(
        () => null,
        (thrown: unknown) => thrown,
      );
    const invalid = await error(checkTerraform(files('resource "x" {'), 'open_ingress'));
    expect(invalid).toBeInstanceOf(TerraformEditError);
    expect(invalid).toMatchObject({ reason: 'invalid', code: 'TERRAFORM_INVALID' });
    expect(await error(checkTerraform(files(NETWORK_TF), 'open_ingress', 'aws_security_group.db'))).toMatchObject({
      reason: 'not_found',
    });
    expect(await error(checkTerraform(files(NETWORK_TF), 'public_bucket', 'aws_security_group.web'))).toMatchObject({
      reason: 'unsupported',
    });
  });
});

describe('verifyTerraformEdit', () => {
  const base = {
    path: 'main.tf',
    before: STORAGE_TF,
    check: 'public_bucket' as const,
    target: 'aws_s3_bucket.assets',
    touched: [parseAddress('aws_s3_bucket_public_access_block.assets')],
    expect: 'resolved' as const,
  };
  const fixed = STORAGE_TF.replace(
    '  block_public_acls   = false\n  block_public_policy = true\n',
    '  block_public_acls       = true\n  block_public_policy     = true\n  ignore_public_acls      = true\n  restrict_public_buckets = true\n',
  );

  it('accepts an edit that removes the finding and touches nothing else', async () => {
    expect(await verifyTerraformEdit({ ...base, after: fixed })).toMatchObject({ status: 'resolved' });
  });

  it('rejects an edit that does not parse, changes another resource or leaves the finding', async () => {
    const fail = (after: string) =>
      verifyTerraformEdit({ ...base, after }).then(
        () => 'accepted',
        (error: unknown) => (error instanceof TerraformVerificationError ? error.message : String(error)),
      );
    expect(await fail(`${fixed}resource "x" {`)).toBe('the edited main.tf does not parse');
    expect(await fail(fixed.replace('"Enabled"', '"Suspended"'))).toBe(
      'the edit of main.tf changed resources other than aws_s3_bucket.assets',
    );
    expect(await fail(STORAGE_TF.replace('block_public_policy = true', 'block_public_policy = false'))).toMatch(
      /^the edit of main.tf did not remove the finding of aws_s3_bucket.assets/,
    );
  });
});

describe('sensitive ports', () => {
  it('lists the default ports with a reason each', () => {
    expect(SENSITIVE_PORTS.map((p) => p.port)).toEqual([
      22, 3389, 3306, 5432, 1433, 1521, 6379, 9200, 27017, 5984, 11211, 2375, 2379,
    ]);
    expect(SENSITIVE_PORTS.every((p) => p.reason.length > 10)).toBe(true);
  });

  it('reads port ranges as AWS does', () => {
    expect(portRangeOf({ fromPort: 0, toPort: 0, protocol: '-1' })).toEqual({ kind: 'all' });
    expect(portRangeOf({ fromPort: 8, toPort: 0, protocol: 'icmp' })).toEqual({ kind: 'none' });
    expect(portRangeOf({ fromPort: `\${var.p}`, toPort: 22, protocol: 'tcp' })).toEqual({ kind: 'unknown' });
    const range = portRangeOf({ fromPort: 1000, toPort: 10000, protocol: 'tcp' });
    expect(describePorts(sensitivePortsIn(range))).toBe('3389 (RDP), 3306 (MySQL), 5432 (PostgreSQL) and 7 more');
    expect(sensitivePortsIn({ kind: 'range', from: 80, to: 443 })).toEqual([]);
  });

  it('counts only full wildcards as wildcard actions', () => {
    expect(['*', 's3:*', ' iam:* '].every(isWildcardAction)).toBe(true);
    expect(['s3:Get*', 's3:GetObject', 42].some(isWildcardAction)).toBe(false);
  });
});
