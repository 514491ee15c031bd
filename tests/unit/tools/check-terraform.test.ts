import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, expectTypeOf, it } from 'vitest';
import { changeTerraform } from '../../../tools/change-terraform.ts';
import { type CheckTerraformOutput, checkTerraform } from '../../../tools/check-terraform.ts';
import { isToolFailure } from '../../../tools/define-tool.ts';
import { narrowIamPolicy } from '../../../tools/narrow-iam-policy.ts';
import { fakeToolContext, git, repositoryAsset, tempRepo } from '../remediate/support.ts';
import { IAM_TF, NETWORK_TF, STORAGE_TF } from '../remediate/terraform/samples.ts';

const args = (over: Record<string, unknown> = {}) => ({
  assetId: 'repo-infra',
  path: 'network.tf',
  check: 'open_ingress',
  resource: 'aws_security_group.web',
  ...over,
});

describe('check_terraform', () => {
  let repo: { dir: string; cleanup(): void };
  beforeEach(() => {
    repo = tempRepo({ 'network.tf': NETWORK_TF, 'storage.tf': STORAGE_TF, 'iam.tf': IAM_TF });
  });
  afterEach(() => repo.cleanup());
  const context = () => fakeToolContext({ assets: [repositoryAsset('repo-infra', repo.dir)], idempotencyKey: 'k-1' });
  const check = async (over: Record<string, unknown> = {}) => {
    const raw = await checkTerraform.run(checkTerraform.input.parse(args(over)), context());
    return isToolFailure(raw) ? raw : checkTerraform.output.parse(raw);
  };
  const statusOf = async (over: Record<string, unknown>) => {
    const output = await check(over);
    if (isToolFailure(output)) throw new Error(output.message);
    return output.status;
  };
  const commitOn = (branch: string, file: string, text: string) => {
    git(repo.dir, 'checkout', '-q', '-b', branch);
    fs.writeFileSync(path.join(repo.dir, file), text);
    git(repo.dir, 'add', '-A');
    git(repo.dir, 'commit', '-qm', 'change');
    git(repo.dir, 'checkout', '-q', 'main');
  };

  it('is a read tool with a typed output', () => {
    expect(checkTerraform.kind).toBe('read');
    expectTypeOf<CheckTerraformOutput['findings'][number]>().toEqualTypeOf<{
      path: string;
      address: string;
      detail: string;
    }>();
  });

  it('says affected on HEAD and resolved on the branch change_terraform made', async () => {
    const changed = await changeTerraform.run(
      changeTerraform.input.parse({
        assetId: 'repo-infra',
        path: 'network.tf',
        operation: 'restrict_ingress',
        resource: 'aws_security_group.web',
        branch: 'mobilize/plan-31',
        message: 'Restrict ingress',
      }),
      context(),
    );
    if (isToolFailure(changed)) throw new Error(changed.message);
    const onHead = await check();
    expect(onHead).toMatchObject({ status: 'affected', ref: 'HEAD', commit: git(repo.dir, 'rev-parse', 'HEAD') });
    expect(isToolFailure(onHead) ? [] : onHead.findings.map((f) => f.address)).toEqual([
      'aws_security_group.web',
      'aws_security_group_rule.web_postgres',
      'aws_vpc_security_group_ingress_rule.web_rdp',
    ]);
    expect(await check({ ref: 'mobilize/plan-31' })).toMatchObject({
      status: 'resolved',
      findings: [],
      commit: changed.commit,
    });
  });

  it('stays affected after a wrong fix that narrowed only the HTTPS rule', async () => {
    commitOn(
      'mobilize/wrong',
      'network.tf',
      NETWORK_TF.replace(
        '    from_port   = 443\n    to_port     = 443\n    protocol    = "tcp"\n    cidr_blocks = ["0.0.0.0/0"]',
        '    from_port   = 443\n    to_port     = 443\n    protocol    = "tcp"\n    cidr_blocks = ["10.0.0.0/8"]',
      ),
    );
    expect(await statusOf({ ref: 'mobilize/wrong' })).toBe('affected');
  });

  it('checks buckets and IAM policies, and every resource when none is named', async () => {
    expect(await statusOf({ path: 'storage.tf', check: 'public_bucket', resource: 'aws_s3_bucket.logs' })).toBe(
      'affected',
    );
    const narrowed = await narrowIamPolicy.run(
      narrowIamPolicy.input.parse({
        assetId: 'repo-infra',
        path: 'iam.tf',
        resource: 'aws_iam_policy.ops',
        actions: ['ec2:DescribeInstances'],
        branch: 'mobilize/plan-32',
        message: 'Narrow ops',
      }),
      context(),
    );
    expect(isToolFailure(narrowed)).toBe(false);
    const iam = { path: 'iam.tf', check: 'wildcard_iam', resource: 'aws_iam_policy.ops' };
    expect(await statusOf(iam)).toBe('affected');
    expect(await statusOf({ ...iam, ref: 'mobilize/plan-32' })).toBe('resolved');
    // The other policies of the file still allow wildcards.
    expect(await statusOf({ ...iam, resource: undefined, ref: 'mobilize/plan-32' })).toBe('affected');
  });

  it('reads extra files, e.g. where attached rules live', async () => {
    commitOn(
      'mobilize/split',
      'rules.tf',
      'resource "aws_security_group_rule" "redis" {\n  type              = "ingress"\n  from_port         = 6379\n' +
        '  to_port           = 6379\n  protocol          = "tcp"\n  cidr_blocks       = ["0.0.0.0/0"]\n' +
        '  security_group_id = aws_security_group.web.id\n}\n',
    );
    const output = await check({ ref: 'mobilize/split', paths: ['rules.tf'] });
    expect(isToolFailure(output) ? [] : output.findings.map((f) => `${f.path} ${f.address}`)).toContain(
      'rules.tf aws_security_group_rule.redis',
    );
  });

  it.each([
    ['a file that is not .tf', { path: 'network.json' }],
    ['an unknown check', { check: 'open_egress' }],
    ['a module address', { resource: 'module.a.aws_s3_bucket.b' }],
    ['a ref with ..', { ref: 'HEAD..main' }],
  ])('rejects %s in the schema', (_, over) => {
    expect(checkTerraform.input.safeParse(args(over)).success).toBe(false);
  });

  it('returns tool errors for an unknown ref, a missing file, a missing resource, invalid HCL and a non-repository', async () => {
    const message = async (over: Record<string, unknown>) => {
      const output = await check(over);
      return isToolFailure(output) ? output.message : 'no tool error';
    };
    expect(await message({ ref: 'mobilize/none' })).toMatch(/names no commit/);
    expect(await message({ path: 'vpc.tf' })).toMatch(/^No vpc.tf at HEAD/);
    expect(await message({ resource: 'aws_security_group.db' })).toBe(
      'Cannot check at HEAD: aws_security_group.db is in none of network.tf.',
    );
    commitOn('mobilize/broken', 'network.tf', 'resource "aws_security_group" "web" {\n');
    expect(await message({ ref: 'mobilize/broken' })).toMatch(
      /^Cannot check at mobilize\/broken: network.tf is not valid HCL/,
    );
    const raw = await checkTerraform.run(
      checkTerraform.input.parse(args()),
      fakeToolContext({ assets: [repositoryAsset('repo-infra', repo.dir, 'cloud_resource')] }),
    );
    expect(isToolFailure(raw) && raw.message).toMatch(/is a cloud_resource, not a repository/);
  });
});
