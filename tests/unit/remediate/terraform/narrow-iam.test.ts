import { describe, expect, it } from 'vitest';
import { TerraformEditError } from '../../../../src/remediate/terraform/errors.ts';
import { narrowIamActions } from '../../../../src/remediate/terraform/narrow-iam.ts';
import { IAM_TF } from './samples.ts';

const reasonOf = (attempt: Promise<unknown>) =>
  attempt.then(
    () => 'no error',
    (error: unknown) => (error instanceof TerraformEditError ? `${error.reason}: ${error.message}` : String(error)),
  );

describe('narrowIamActions', () => {
  it('replaces a service wildcard inside jsonencode, keeping the other actions and the Deny statement', async () => {
    const result = await narrowIamActions({
      text: IAM_TF,
      path: 'iam.tf',
      resource: 'aws_iam_policy.ci_deploy',
      actions: ['s3:GetObject', 's3:PutObject'],
    });
    expect(result.after).toBe(
      IAM_TF.replace(
        'Action   = ["s3:*", "cloudfront:CreateInvalidation"]',
        'Action   = ["s3:GetObject", "s3:PutObject", "cloudfront:CreateInvalidation"]',
      ),
    );
    expect(result.changes).toEqual([
      'aws_iam_policy.ci_deploy statement "Artifacts" (line 8): "s3:*" -> "s3:GetObject", "s3:PutObject"',
    ]);
    expect(result.check.status).toBe('resolved');
  });

  it('asks which statement when several allow a wildcard, then narrows the chosen one in heredoc JSON', async () => {
    expect(
      await reasonOf(
        narrowIamActions({ text: IAM_TF, resource: 'aws_iam_role_policy.app', actions: ['sqs:SendMessage'] }),
      ),
    ).toBe(
      'ambiguous: 2 statements allow wildcard actions (aws_iam_role_policy.app statement "Queue", ' +
        'aws_iam_role_policy.app statement #1): say which one (by Sid or 0-based position); each needs its own list of actions',
    );
    const bySid = await narrowIamActions({
      text: IAM_TF,
      resource: 'aws_iam_role_policy.app',
      actions: ['sqs:SendMessage', 'sqs:ReceiveMessage'],
      statement: 'Queue',
    });
    expect(bySid.after).toBe(
      IAM_TF.replace('"Action": "sqs:*",', '"Action": ["sqs:SendMessage", "sqs:ReceiveMessage"],'),
    );
    // The other wildcard statement is still there: the check says so.
    expect(bySid.check).toMatchObject({ status: 'affected', findings: [{ detail: 'statement #1 allows "*"' }] });
    const byIndex = await narrowIamActions({
      text: IAM_TF,
      resource: 'aws_iam_role_policy.app',
      actions: ['ec2:DescribeInstances'],
      statement: 1,
    });
    expect(byIndex.after).toBe(IAM_TF.replace('"Action": ["*"],', '"Action": ["ec2:DescribeInstances"],'));
  });

  it('follows a policy to its data "aws_iam_policy_document" and leaves Deny statements alone', async () => {
    const result = await narrowIamActions({
      text: IAM_TF,
      resource: 'aws_iam_policy.ops',
      actions: ['ec2:DescribeInstances', 'ec2:RebootInstances'],
    });
    expect(result.after).toBe(
      IAM_TF.replace('    actions   = ["*"]\n', '    actions   = ["ec2:DescribeInstances", "ec2:RebootInstances"]\n'),
    );
    expect(result.changes[0]).toMatch(/^data\.aws_iam_policy_document\.ops statement "Everything" \(line 52\)/);
    const direct = await narrowIamActions({
      text: IAM_TF,
      resource: 'data.aws_iam_policy_document.ops',
      actions: ['ec2:DescribeInstances'],
    });
    expect(direct.after).toBe(IAM_TF.replace('    actions   = ["*"]\n', '    actions   = ["ec2:DescribeInstances"]\n'));
  });

  it('refuses wildcards, missing statements and statements that only deny', async () => {
    const run = (resource: string, actions: string[], statement?: string | number) =>
      reasonOf(narrowIamActions({ text: IAM_TF, resource, actions, statement }));
    expect(await run('aws_iam_policy.ci_deploy', ['s3:Get*'])).toMatch(/^invalid: actions must be explicit/);
    expect(await run('aws_iam_policy.ci_deploy', ['s3:GetObject'], 'DenyInsecure')).toBe(
      'no_change: aws_iam_policy.ci_deploy statement "DenyInsecure" allows no wildcard action',
    );
    expect(await run('aws_iam_policy.ci_deploy', ['s3:GetObject'], 'Nope')).toMatch(
      /^not_found: .*no statement with Sid "Nope"/,
    );
    expect(await run('aws_iam_policy.missing', ['s3:GetObject'])).toMatch(
      /^not_found: main.tf has no aws_iam_policy.missing/,
    );
    expect(await run('aws_s3_bucket.assets', ['s3:GetObject'])).toMatch(/^unsupported/);
    const computed = 'resource "aws_iam_policy" "x" {\n  policy = jsonencode(local.policy)\n}\n';
    expect(
      await reasonOf(narrowIamActions({ text: computed, resource: 'aws_iam_policy.x', actions: ['s3:GetObject'] })),
    ).toMatch(/^unsupported: the policy of aws_iam_policy.x is jsonencode\(local.policy\)/);
  });
});
