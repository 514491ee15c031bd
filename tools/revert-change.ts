import { z } from 'zod';
import { checkoutOf } from '../src/remediate/checkout.ts';
import { BRANCH_PATTERN, deleteBranch, isMergedInto } from '../src/remediate/git.ts';
import { defineTool, toolError } from './define-tool.ts';

export const revertChange = defineTool({
  name: 'revert_change',
  description:
    "Roll back a plan's code change that is not merged yet: close its open change request (a GitHub pull " +
    'request gets a comment saying why), then delete its mobilize/<plan-id> branch from the working copy (the ' +
    'commit id is returned so it can be recovered). A merged change must be reverted by a new change request instead.',
  kind: 'action',
  effects: ['modifies_code'],
  input: z.object({
    assetId: z.string().min(1).describe('the repository asset'),
    branch: z.string().regex(BRANCH_PATTERN, 'expected a mobilize/<plan-id> branch'),
    base: z.string().min(1).default('main'),
    reason: z
      .string()
      .min(1)
      .max(2000)
      .default('Mobilize rolled this change back: its plan failed verification or was withdrawn.')
      .describe('why, for the change request'),
  }),
  output: z.object({
    branch: z.string(),
    deleted: z.boolean(),
    commit: z.string().nullable(),
    /** The change request closed on the way (null: none was open). */
    changeRequest: z.object({ id: z.string(), system: z.string(), url: z.string().nullable() }).nullable(),
  }),
  async run({ assetId, branch, base, reason }, context) {
    const asset = await context.reader.getAsset(assetId);
    const checkout = await checkoutOf(asset, assetId, context.timeoutMs);
    if ('problem' in checkout) return toolError(checkout.problem);
    if (await isMergedInto(checkout.dir, branch, base, context.timeoutMs).catch(() => false)) {
      return toolError(`${branch} is already merged into ${base}: revert it with a new change request.`);
    }
    if (context.dryRun) return { branch, deleted: false, commit: null, changeRequest: null };
    // The change request first: if closing it fails the branch is still there, and a retry does both.
    const repositoryUrl = asset?.identifiers.find((i) => i.kind === 'repository_url')?.value ?? null;
    const closed = await context.forge.closeChangeRequest({ assetId, branch, repositoryUrl, reason });
    const commit = await deleteBranch(checkout.dir, branch, context.timeoutMs);
    return {
      branch,
      deleted: commit !== null,
      commit,
      changeRequest: closed ? { id: closed.id, system: closed.system, url: closed.url } : null,
    };
  },
});
