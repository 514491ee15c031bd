import { z } from 'zod';
import { checkoutAt } from '../src/remediate/checkout.ts';
import {
  baseImagesOf,
  baseRefsOf,
  checkDockerfileBase,
  DockerfileCheckSchema,
} from '../src/remediate/docker/dockerfile-edit.ts';
import { readFileAt } from '../src/remediate/git.ts';
import { DockerfilePathSchema, ImageRepositorySchema } from './bump-base-image.ts';
import { checkRefSchema } from './check-ref.ts';
import { defineTool, toolError } from './define-tool.ts';

export const CheckBaseImageInputSchema = z.object({
  assetId: z
    .string()
    .min(1)
    .max(200)
    .describe('id of the repository asset holding the Dockerfile (from get_exposure or get_asset)'),
  ref: checkRefSchema('bump_base_image'),
  dockerfilePath: DockerfilePathSchema.describe('path of the Dockerfile, relative to the repository root'),
  image: ImageRepositorySchema.describe('the base image repository, without tag or digest, e.g. node or python'),
  vulnerableRefs: z
    .array(z.string().min(1).max(300))
    .max(100)
    .default([])
    .describe(
      'the vulnerable tags or digests of the image, e.g. ["18.19.0-alpine", "sha256:<64 hex>"]. When empty, ' +
        'the references HEAD uses are taken as the vulnerable ones (so a branch passes once it moved off them)',
    ),
});

export const CheckBaseImageOutputSchema = DockerfileCheckSchema.extend({
  ref: z.string(),
  /** The commit the ref named when checked: the evidence is about exactly this commit. */
  commit: z.string(),
  /** The refs judged vulnerable: the given ones, or those HEAD uses when none were given. */
  vulnerableRefs: z.array(z.string()),
});
export type CheckBaseImageOutput = z.infer<typeof CheckBaseImageOutputSchema>;

export const checkBaseImage = defineTool({
  name: 'check_base_image',
  description:
    'Re-read a Dockerfile at a ref (HEAD or a branch) and say whether any FROM of a base image still uses a ' +
    'vulnerable tag or digest (all stages; ARG-built references read with their defaults). status "resolved": ' +
    'none does; "affected": the listed FROMs do. Use it on the branch after bump_base_image, and on HEAD to ' +
    'confirm the problem.',
  kind: 'read',
  input: CheckBaseImageInputSchema,
  output: CheckBaseImageOutputSchema,
  async run(input, context) {
    const { timeoutMs } = context;
    const checkout = await checkoutAt(
      await context.reader.getAsset(input.assetId),
      input.assetId,
      input.ref,
      timeoutMs,
    );
    if ('problem' in checkout) return toolError(checkout.problem);
    const { commit } = checkout;
    const dockerfile = await readFileAt(checkout.dir, commit, input.dockerfilePath, timeoutMs);
    if (dockerfile === null) {
      return toolError(`No ${input.dockerfilePath} at ${input.ref}. Pass the dockerfilePath the image is built from.`);
    }
    // HEAD is the baseline: the image must be used there, and without advisory refs its refs are the vulnerable ones.
    const head =
      input.ref === 'HEAD' ? dockerfile : await readFileAt(checkout.dir, 'HEAD', input.dockerfilePath, timeoutMs);
    const headRefs = head === null ? [] : [...new Set(baseRefsOf(head, input.image))];
    if (headRefs.length === 0 && baseRefsOf(dockerfile, input.image).length === 0) {
      const images = baseImagesOf(dockerfile);
      return toolError(
        `No FROM of ${input.dockerfilePath} uses ${input.image} at ${input.ref} or HEAD (it builds on ` +
          `${images.join(', ') || 'nothing'}). Pass the image repository as the FROM names it, without tag.`,
      );
    }
    const vulnerableRefs = input.vulnerableRefs.length ? input.vulnerableRefs : headRefs;
    const baseline = input.vulnerableRefs.length
      ? ''
      : ` No vulnerable refs were given: the refs HEAD uses (${headRefs.join(', ') || 'none'}) count as vulnerable.`;
    const result = checkDockerfileBase(dockerfile, input.image, vulnerableRefs);
    return { ...result, evidence: `${result.evidence}${baseline}`, ref: input.ref, commit, vulnerableRefs };
  },
});
