import path from 'node:path';
import { z } from 'zod';
import { checkoutOf } from '../src/remediate/checkout.ts';
import {
  type DockerfileBaseEdit,
  DockerfileEditError,
  editDockerfileBase,
  IMAGE_REPOSITORY,
  IMAGE_TARGET,
} from '../src/remediate/docker/dockerfile-edit.ts';
import { BRANCH_PATTERN, isSafeRelativePath, readFileAt, resolveCommit } from '../src/remediate/git.ts';
import { unifiedDiff } from '../src/remediate/npm/manifest-edit.ts';
import { commitChange } from './commit-change.ts';
import { defineTool, toolError } from './define-tool.ts';

/** A Dockerfile path as the model gives it: relative, inside the repository, named like a Dockerfile or Containerfile. */
export const DockerfilePathSchema = z
  .string()
  .max(500)
  .refine(isSafeRelativePath, 'must be a relative path inside the repository, without ".."')
  .refine(
    (file) => /dockerfile|containerfile/i.test(path.posix.basename(file)),
    'must name a Dockerfile (Dockerfile, Dockerfile.prod, app.dockerfile, Containerfile)',
  )
  .default('Dockerfile');

/** The image repository, without tag or digest: node, python, registry.example.com:5000/team/base. */
export const ImageRepositorySchema = z
  .string()
  .min(1)
  .max(255)
  .regex(IMAGE_REPOSITORY, 'must be an image repository without tag or digest, e.g. node or ghcr.io/acme/base');

export const BumpBaseImageInputSchema = z.object({
  assetId: z
    .string()
    .min(1)
    .max(200)
    .describe(
      'id of the repository asset holding the Dockerfile (not the image asset; get_asset of the image names it)',
    ),
  dockerfilePath: DockerfilePathSchema.describe('path of the Dockerfile, relative to the repository root'),
  image: ImageRepositorySchema.describe(
    'the base image repository whose FROM lines move, without tag or digest, e.g. node or python',
  ),
  target: z
    .string()
    .min(1)
    .max(300)
    .regex(IMAGE_TARGET, 'must be a tag, tag@sha256:<64 hex> or @sha256:<64 hex>')
    .describe(
      'the patched tag or digest from the advisory or the image metadata, e.g. 20.11.1-alpine3.19, ' +
        '20.11.1-alpine3.19@sha256:<64 hex> or @sha256:<64 hex>; without the repository',
    ),
  branch: z
    .string()
    .regex(BRANCH_PATTERN, 'must look like mobilize/<name> using letters, digits, . _ -')
    .max(200)
    .describe('new branch to commit the change on, e.g. mobilize/plan-42; it must not exist yet'),
  message: z
    .string()
    .min(1)
    .max(2000)
    .describe('commit message: first line a summary (e.g. "Rebuild on node:20.11.1-alpine3.19"), then why'),
});

export const BumpBaseImageOutputSchema = z.object({
  branch: z.string(),
  /** Null on a dry run: nothing was committed. */
  commit: z.string().nullable(),
  created: z.boolean(),
  diff: z.string(),
  files: z.array(z.string()),
  changed: z.array(z.object({ line: z.number().int(), from: z.string(), to: z.string() })),
  /** FROMs of the image built from ARG variables: not changed; their ARG default needs the change. */
  skipped: z.array(z.object({ line: z.number().int(), ref: z.string(), reason: z.string() })),
});
export type BumpBaseImageOutput = z.infer<typeof BumpBaseImageOutputSchema>;

export const bumpBaseImage = defineTool({
  name: 'bump_base_image',
  description:
    'Move the base image of a Dockerfile to a patched tag or digest on a new mobilize/* branch: every FROM of ' +
    'that image repository (all stages of a multi-stage build; --platform and AS names kept) gets the target. ' +
    'FROMs built from ARG variables are reported in `skipped`, not changed. Commits without touching the ' +
    'checked-out working copy and returns the diff. Verify with check_base_image on the branch.',
  kind: 'action',
  effects: ['modifies_code'],
  input: BumpBaseImageInputSchema,
  output: BumpBaseImageOutputSchema,
  async run(input, context) {
    const { timeoutMs } = context;
    const checkout = await checkoutOf(await context.reader.getAsset(input.assetId), input.assetId, timeoutMs);
    if ('problem' in checkout) return toolError(checkout.problem);
    const repoDir = checkout.dir;
    const base = await resolveCommit(repoDir, 'HEAD', timeoutMs);
    if (!base) return toolError(`The checkout of "${input.assetId}" has no commit yet; nothing to branch from.`);
    const dockerfile = await readFileAt(repoDir, base, input.dockerfilePath, timeoutMs);
    if (dockerfile === null) {
      return toolError(
        `No ${input.dockerfilePath} at HEAD of "${input.assetId}". Pass the dockerfilePath the image is built from.`,
      );
    }
    let edit: DockerfileBaseEdit;
    try {
      edit = editDockerfileBase({ dockerfile, image: input.image, target: input.target });
    } catch (error) {
      if (error instanceof DockerfileEditError) {
        return toolError(`Cannot change ${input.dockerfilePath}: ${error.message}. Check the image and the target.`);
      }
      throw error;
    }
    if (edit.changed.length === 0) {
      const skipped = edit.skipped.map((s) => `line ${s.line} ${s.ref}: ${s.reason}`).join('; ');
      return toolError(
        skipped
          ? `No FROM of ${input.image} in ${input.dockerfilePath} can be changed here (${skipped}). Change the ARG ` +
              'default by hand or create a ticket.'
          : `Every FROM of ${input.image} in ${input.dockerfilePath} already uses ${input.target}; nothing to commit. ` +
              'Verify with check_base_image.',
      );
    }
    const summary = {
      diff: unifiedDiff(input.dockerfilePath, edit.before, edit.after),
      files: [input.dockerfilePath],
      changed: edit.changed,
      skipped: edit.skipped,
    };
    return commitChange(
      'bump_base_image',
      {
        repoDir,
        branch: input.branch,
        base,
        files: [{ path: input.dockerfilePath, content: edit.after }],
        message: input.message,
        summary,
      },
      context,
    );
  },
});
