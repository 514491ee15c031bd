import { z } from 'zod';
import { checkoutOf } from '../src/remediate/checkout.ts';
import { BRANCH_PATTERN, deleteBranch, isMergedInto } from '../src/remediate/git.ts';
import { defineTool, toolError } from './define-tool.ts';

export const revertChange = defineTool({
  name: 'revert_change',
  description:
    "Roll back a plan's code change that is not merged yet: delete its mobilize/<plan-id> branch from the " +
    'working copy (the commit id is returned so it can be recovered). A merged change must be reverted by a new ' +
    'change request instead.',
  kind: 'action',
  effects: ['modifies_code'],
  input: z.object({
    assetId: z.string().min(1).describe('the repository asset'),
    branch: z.string().regex(BRANCH_PATTERN, 'expected a mobilize/<plan-id> branch'),
    base: z.string().min(1).default('main'),
  }),
  output: z.object({ branch: z.string(), deleted: z.boolean(), commit: z.string().nullable() }),
  async run({ assetId, branch, base }, context) {
    const checkout = await checkoutOf(await context.reader.getAsset(assetId), assetId, context.timeoutMs);
    if ('problem' in checkout) return toolError(checkout.problem);
    if (await isMergedInto(checkout.dir, branch, base, context.timeoutMs).catch(() => false)) {
      return toolError(`${branch} is already merged into ${base}: revert it with a new change request.`);
    }
    if (context.dryRun) return { branch, deleted: false, commit: null };
    const commit = await deleteBranch(checkout.dir, branch, context.timeoutMs);
    return { branch, deleted: commit !== null, commit };
  },
});
