import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isToolFailure } from '../../../tools/define-tool.ts';
import { narrowIamPolicy } from '../../../tools/narrow-iam-policy.ts';
import { fakeToolContext, git, repositoryAsset, tempRepo } from '../remediate/support.ts';
import { IAM_TF } from '../remediate/terraform/samples.ts';

const args = (over: Record<string, unknown> = {}) => ({
  assetId: 'repo-infra',
  path: 'iam.tf',
  resource: 'aws_iam_policy.ci_deploy',
  actions: ['s3:GetObject', 's3:PutObject'],
  branch: 'mobilize/plan-21',
  message: 'Narrow s3:* in the CI deploy policy\n\nFixes iam_policy_no_administrative_privileges.',
  ...over,
});

async function run(input: Record<string, unknown>, context: Parameters<typeof narrowIamPolicy.run>[1]) {
  const raw = await narrowIamPolicy.run(narrowIamPolicy.input.parse(input), context);
  return isToolFailure(raw) ? raw : narrowIamPolicy.output.parse(raw);
}

describe('narrow_iam_policy', () => {
  let repo: { dir: string; cleanup(): void };
  beforeEach(() => {
    repo = tempRepo({ 'iam.tf': IAM_TF });
  });
  afterEach(() => repo.cleanup());
  const context = (over: Parameters<typeof fakeToolContext>[0] = {}) =>
    fakeToolContext({ assets: [repositoryAsset('repo-infra', repo.dir)], idempotencyKey: 'plan-21:step-1', ...over });
  const show = (ref: string) => `${git(repo.dir, 'show', `${ref}:iam.tf`)}\n`;

  it('touches identity, so the policy gate always asks a human', () => {
    expect(narrowIamPolicy.kind).toBe('action');
    expect(narrowIamPolicy.effects).toEqual(['modifies_code', 'touches_identity']);
  });

  it('commits the narrowed statement to a new branch; a rerun returns the same commit', async () => {
    const head = git(repo.dir, 'rev-parse', 'HEAD');
    const output = await run(args(), context());
    if (isToolFailure(output)) throw new Error(output.message);
    expect(output).toMatchObject({ created: true, files: ['iam.tf'], check: { status: 'resolved' } });
    expect(show('mobilize/plan-21')).toBe(
      IAM_TF.replace(
        'Action   = ["s3:*", "cloudfront:CreateInvalidation"]',
        'Action   = ["s3:GetObject", "s3:PutObject", "cloudfront:CreateInvalidation"]',
      ),
    );
    expect(git(repo.dir, 'rev-parse', 'HEAD')).toBe(head);
    expect(git(repo.dir, 'rev-parse', '--abbrev-ref', 'HEAD')).toBe('main');
    expect(git(repo.dir, 'status', '--porcelain')).toBe('');
    expect(await run(args(), context())).toMatchObject({ commit: output.commit, created: false });
  });

  it('narrows the statement named by Sid when several allow wildcards', async () => {
    const ambiguous = await run(args({ resource: 'aws_iam_role_policy.app', actions: ['sqs:SendMessage'] }), context());
    expect(isToolFailure(ambiguous) && ambiguous.message).toMatch(
      /2 statements allow wildcard actions .* Say which statement to change\.$/,
    );
    const output = await run(
      args({ resource: 'aws_iam_role_policy.app', actions: ['sqs:SendMessage'], statement: 'Queue' }),
      context(),
    );
    if (isToolFailure(output)) throw new Error(output.message);
    expect(show('mobilize/plan-21')).toBe(IAM_TF.replace('"Action": "sqs:*",', '"Action": "sqs:SendMessage",'));
    expect(output.check.status).toBe('affected');
  });

  it('returns the diff without committing on a dry run', async () => {
    const output = await run(
      args({ resource: 'aws_iam_policy.ops', actions: ['ec2:DescribeInstances'] }),
      context({ dryRun: true }),
    );
    expect(output).toMatchObject({ commit: null, created: false });
    expect(isToolFailure(output) ? '' : output.diff).toContain('+    actions   = ["ec2:DescribeInstances"]\n');
    expect(git(repo.dir, 'branch', '--list', 'mobilize/*')).toBe('');
  });

  it.each([
    ['a wildcard action', { actions: ['s3:*'] }],
    ['a partial wildcard', { actions: ['s3:Get*'] }],
    ['no actions', { actions: [] }],
    ['a negative statement index', { statement: -1 }],
  ])('rejects %s in the schema', (_, over) => {
    expect(narrowIamPolicy.input.safeParse(args(over)).success).toBe(false);
  });

  it('returns tool errors for a missing policy and a statement without wildcard', async () => {
    const failure = async (over: Record<string, unknown>) => {
      const output = await run(args(over), context());
      return isToolFailure(output) ? output.message : 'no tool error';
    };
    expect(await failure({ resource: 'aws_iam_policy.admin' })).toMatch(/^iam.tf has no aws_iam_policy.admin/);
    expect(await failure({ statement: 'DenyInsecure' })).toMatch(/allows no wildcard action. Nothing to commit/);
    expect(await failure({ path: 'policies.tf' })).toMatch(/^No policies.tf at HEAD/);
  });
});
