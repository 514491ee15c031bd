import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, expectTypeOf, it } from 'vitest';
import { type Asset, AssetSchema } from '../../../src/domain/asset.ts';
import { changeTerraform, type TerraformChangeOutput } from '../../../tools/change-terraform.ts';
import { isToolFailure } from '../../../tools/define-tool.ts';
import { fakeToolContext, git, repositoryAsset, tempRepo } from '../remediate/support.ts';
import { NETWORK_TF, STORAGE_TF } from '../remediate/terraform/samples.ts';

const args = (over: Record<string, unknown> = {}) => ({
  assetId: 'repo-infra',
  path: 'network/main.tf',
  operation: 'restrict_ingress',
  resource: 'aws_security_group.web',
  branch: 'mobilize/plan-11',
  message: 'Restrict SSH, PostgreSQL and RDP on aws_security_group.web\n\nFixes ec2_securitygroup_allow_ingress.',
  ...over,
});

async function run(input: Record<string, unknown>, context: Parameters<typeof changeTerraform.run>[1]) {
  const raw = await changeTerraform.run(changeTerraform.input.parse(input), context);
  return isToolFailure(raw) ? raw : changeTerraform.output.parse(raw);
}

/** NETWORK_TF with the sensitive rules narrowed to `cidr`: exactly the lines restrict_ingress may change. */
const narrowed = (cidr: string) =>
  NETWORK_TF.replace(
    '    cidr_blocks      = ["0.0.0.0/0"]\n    ipv6_cidr_blocks = ["::/0"]\n',
    `    cidr_blocks      = ["${cidr}"]\n`,
  )
    .replace('    "0.0.0.0/0", # TODO: remove after the migration\n', `    "${cidr}",\n`)
    .replace(
      '  cidr_ipv4         = "0.0.0.0/0"\n  from_port         = 3389',
      `  cidr_ipv4         = "${cidr}"\n  from_port         = 3389`,
    );

describe('change_terraform', () => {
  let repo: { dir: string; cleanup(): void };
  beforeEach(() => {
    repo = tempRepo({ 'network/main.tf': NETWORK_TF, 'storage.tf': STORAGE_TF, 'broken.tf': 'resource "x" {\n' });
  });
  afterEach(() => repo.cleanup());
  const infraAsset = (attributes: Record<string, unknown> = {}): Asset =>
    AssetSchema.parse({
      id: 'repo-infra',
      name: 'infra',
      kind: 'repository',
      attributes: { checkoutPath: repo.dir, ...attributes },
    });
  const context = (over: Parameters<typeof fakeToolContext>[0] = {}) =>
    fakeToolContext({ assets: [infraAsset()], idempotencyKey: 'plan-11:step-1', ...over });
  const show = (ref: string, file: string) => `${git(repo.dir, 'show', `${ref}:${file}`)}\n`;

  it('is an action that modifies code, with a typed output', () => {
    expect(changeTerraform.kind).toBe('action');
    expect(changeTerraform.effects).toEqual(['modifies_code']);
    expectTypeOf<TerraformChangeOutput['commit']>().toEqualTypeOf<string | null>();
    expectTypeOf<TerraformChangeOutput['check']['status']>().toEqualTypeOf<'resolved' | 'affected'>();
  });

  it('narrows ingress to the default CIDR on a new branch, leaving the checkout alone; a rerun returns the same commit', async () => {
    const head = git(repo.dir, 'rev-parse', 'HEAD');
    const output = await run(args(), context());
    if (isToolFailure(output)) throw new Error(output.message);
    expect(output).toMatchObject({ branch: 'mobilize/plan-11', created: true, files: ['network/main.tf'] });
    expect(output.check.status).toBe('resolved');
    expect(output.changes).toHaveLength(4);
    expect(show('mobilize/plan-11', 'network/main.tf')).toBe(narrowed('10.0.0.0/8'));
    expect(show('mobilize/plan-11', 'storage.tf')).toBe(STORAGE_TF);
    expect(output.diff.startsWith('--- a/network/main.tf\n+++ b/network/main.tf\n@@ ')).toBe(true);
    expect(output.diff).toContain('-    "0.0.0.0/0", # TODO: remove after the migration\n+    "10.0.0.0/8",\n');
    expect(git(repo.dir, 'rev-parse', '--abbrev-ref', 'HEAD')).toBe('main');
    expect(git(repo.dir, 'rev-parse', 'HEAD')).toBe(head);
    expect(git(repo.dir, 'status', '--porcelain')).toBe('');
    expect(fs.readFileSync(path.join(repo.dir, 'network/main.tf'), 'utf8')).toBe(NETWORK_TF);

    const again = await run(args(), context());
    expect(again).toMatchObject({ commit: output.commit, created: false });
  });

  it('takes allowed CIDRs from the input, else from the repository asset', async () => {
    const fromAsset = await run(args(), context({ assets: [infraAsset({ allowedCidrs: ['172.16.0.0/12'] })] }));
    expect(isToolFailure(fromAsset)).toBe(false);
    expect(show('mobilize/plan-11', 'network/main.tf')).toBe(narrowed('172.16.0.0/12'));
    const explicit = await run(
      args({ allowedCidrs: ['192.168.10.0/24'], branch: 'mobilize/plan-12' }),
      context({ assets: [infraAsset({ allowedCidrs: ['172.16.0.0/12'] })], idempotencyKey: 'plan-12:step-1' }),
    );
    expect(isToolFailure(explicit)).toBe(false);
    expect(show('mobilize/plan-12', 'network/main.tf')).toBe(narrowed('192.168.10.0/24'));
  });

  it('adds a public access block to a bucket', async () => {
    const output = await run(
      args({ path: 'storage.tf', operation: 'block_public_access', resource: 'aws_s3_bucket.logs' }),
      context(),
    );
    if (isToolFailure(output)) throw new Error(output.message);
    expect(show('mobilize/plan-11', 'storage.tf')).toBe(
      `${STORAGE_TF}\nresource "aws_s3_bucket_public_access_block" "logs" {\n  bucket = aws_s3_bucket.logs.id\n\n` +
        '  block_public_acls       = true\n  block_public_policy     = true\n  ignore_public_acls      = true\n' +
        '  restrict_public_buckets = true\n}\n',
    );
  });

  it('returns the diff without committing on a dry run', async () => {
    const output = await run(args(), context({ dryRun: true, idempotencyKey: undefined }));
    expect(output).toMatchObject({ commit: null, created: false, check: { status: 'resolved' } });
    expect(isToolFailure(output) ? '' : output.diff).toContain('+    cidr_blocks      = ["10.0.0.0/8"]\n');
    expect(git(repo.dir, 'branch', '--list', 'mobilize/*')).toBe('');
  });

  it.each([
    ['a file that is not .tf', { path: 'network/main.tfvars' }],
    ['a path outside the repository', { path: '../main.tf' }],
    ['a module address', { resource: 'module.net.aws_security_group.web' }],
    ['an indexed address', { resource: 'aws_security_group.web[0]' }],
    ['the world as allowed CIDR', { allowedCidrs: ['0.0.0.0/0'] }],
    ['a malformed CIDR', { allowedCidrs: ['10.0.0.0/40'] }],
    ['an unknown operation', { operation: 'delete_bucket' }],
    ['a branch outside mobilize/', { branch: 'main' }],
  ])('rejects %s in the schema', (_, over) => {
    expect(changeTerraform.input.safeParse(args(over)).success).toBe(false);
  });

  it('returns tool errors with a hint for caller mistakes', async () => {
    const failure = async (over: Record<string, unknown>, ctx = context()) => {
      const output = await run(args(over), ctx);
      return isToolFailure(output) ? output.message : 'no tool error';
    };
    expect(await failure({ path: 'network/other.tf' })).toMatch(/^No network\/other.tf at HEAD of "repo-infra"/);
    expect(await failure({ resource: 'aws_security_group.db' })).toBe(
      'network/main.tf has no aws_security_group.db (it has aws_security_group.web). ' +
        'Check the resource address and the path (get_asset shows where the resource is declared).',
    );
    expect(await failure({ resource: 'aws_vpc_security_group_ingress_rule.web_http' })).toMatch(
      /has no ingress rule open to 0.0.0.0\/0 or ::\/0 on a sensitive port .*Nothing to commit; verify with check_terraform/,
    );
    expect(await failure({ resource: 'aws_s3_bucket.logs' })).toMatch(
      /restricting ingress applies to .*create a ticket for the owner\.$/,
    );
    expect(await failure({ path: 'broken.tf' })).toMatch(/^broken.tf is not valid HCL: /);
    expect(await failure({}, context({ assets: [infraAsset({ allowedCidrs: ['0.0.0.0/0'] })] }))).toMatch(
      /attributes.allowedCidrs of "repo-infra" are not narrow CIDRs/,
    );
    expect(await failure({}, context({ assets: [repositoryAsset('repo-infra', repo.dir, 'cloud_resource')] }))).toMatch(
      /is a cloud_resource, not a repository/,
    );
    expect(await failure({}, context({ idempotencyKey: undefined }))).toMatch(/needs an idempotency key/);
    git(repo.dir, 'branch', 'mobilize/plan-11');
    expect(await failure({})).toMatch(/already exists .* Choose another branch name/);
  });
});
