import { z } from 'zod';
import { ChangeRequestSchema } from '../src/domain/remediation.ts';
import { defineTool, toolError } from './define-tool.ts';

export const OpenChangeRequestInputSchema = z.object({
  assetId: z.string().min(1).max(200).describe('the repository asset whose branch is proposed'),
  branch: z
    .string()
    .max(200)
    .regex(/^mobilize\/[A-Za-z0-9][A-Za-z0-9._/-]*$/, 'a branch under mobilize/')
    .refine(
      (branch) => !branch.includes('..') && !branch.endsWith('/') && !branch.endsWith('.lock'),
      'a valid git branch',
    )
    .describe('the branch made by bump_dependency, e.g. mobilize/plan-12'),
  base: z
    .string()
    .min(1)
    .max(200)
    .regex(/^[A-Za-z0-9][A-Za-z0-9._/-]*$/)
    .default('main')
    .describe('the branch to merge into'),
  title: z.string().min(1).max(300).describe('one line: what changes and why, e.g. "Bump lodash to 4.17.21"'),
  body: z
    .string()
    .max(60_000)
    .default('')
    .describe('the exposures and advisories fixed, how it was checked, and how to roll back'),
  planId: z.string().min(1).nullable().default(null).describe('the plan this change belongs to, if any'),
});
export type OpenChangeRequestInput = z.infer<typeof OpenChangeRequestInputSchema>;

export const OpenChangeRequestOutputSchema = ChangeRequestSchema.extend({
  repositoryUrl: z.string().nullable().describe('where the repository lives (null: only the local forge knows it)'),
});
export type OpenChangeRequestOutput = z.infer<typeof OpenChangeRequestOutputSchema>;

export const openChangeRequest = defineTool({
  name: 'open_change_request',
  description:
    'Open a change request (a GitHub pull request, or a recorded local branch) for a mobilize/ branch of a ' +
    'repository asset. Call after bump_dependency has committed the branch. Returns the change request and its URL.',
  kind: 'action',
  effects: ['opens_change_request'],
  input: OpenChangeRequestInputSchema,
  output: OpenChangeRequestOutputSchema,
  async run(input, context) {
    const asset = await context.reader.getAsset(input.assetId);
    if (!asset) return toolError(`No asset "${input.assetId}". Asset ids come from get_exposure or get_asset.`);
    if (asset.kind !== 'repository') {
      return toolError(
        `Asset "${input.assetId}" is a ${asset.kind}, not a repository: change requests need a repository asset. ` +
          'Create a ticket instead.',
      );
    }
    const repositoryUrl = asset.identifiers.find((identifier) => identifier.kind === 'repository_url')?.value ?? null;
    const planId = input.planId ?? context.planId ?? null;
    const request = {
      assetId: input.assetId,
      repositoryUrl,
      branch: input.branch,
      base: input.base,
      title: input.title,
      body: input.body,
      planId,
      checkoutPath: typeof asset.attributes.checkoutPath === 'string' ? asset.attributes.checkoutPath : null,
    };
    if (context.dryRun) {
      // The forge decides at run time whether this becomes a GitHub pull request.
      return {
        id: '(dry run)',
        system: 'local' as const,
        externalId: null,
        url: null,
        assetId: input.assetId,
        planId,
        branch: input.branch,
        base: input.base,
        title: input.title,
        state: 'open' as const,
        repositoryUrl,
      };
    }
    if (!context.idempotencyKey) {
      return toolError('open_change_request needs an idempotency key (set by the tool runner).');
    }
    const opened = await context.forge.openChangeRequest(request, context.idempotencyKey);
    return { ...opened, repositoryUrl };
  },
});
