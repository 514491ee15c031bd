import path from 'node:path';
import { z } from 'zod';
import type { Advisory } from '../src/domain/advisory.ts';
import { checkoutOf } from '../src/remediate/checkout.ts';
import { readFileAt, resolveCommit } from '../src/remediate/git.ts';
import { mentionsPackage } from '../src/remediate/npm/manifest-edit.ts';
import {
  checkNpmDependency,
  type DependencyCheck,
  DependencyCheckSchema,
} from '../src/remediate/npm/verify-manifest.ts';
import { ManifestPathSchema } from './bump-dependency.ts';
import { defineTool, toolError } from './define-tool.ts';

export const CheckDependencyInputSchema = z.object({
  assetId: z.string().min(1).max(200).describe('id of the repository asset to check (from get_exposure or get_asset)'),
  ecosystem: z.literal('npm').describe('package ecosystem; only npm is supported for now'),
  package: z.string().min(1).max(214).describe('npm package name exactly as published, e.g. lodash or @scope/name'),
  ref: z
    .string()
    .regex(/^(HEAD|[A-Za-z0-9_][A-Za-z0-9._/-]*)$/, 'must be HEAD or a branch name')
    .refine((ref) => !ref.includes('..') && !ref.endsWith('/'), 'must be HEAD or a branch name')
    .max(200)
    .default('HEAD')
    .describe('what to check: HEAD (the current default branch) or a branch such as the one bump_dependency made'),
  manifestPath: ManifestPathSchema.describe(
    'path of the package.json to read, relative to the repository root; package-lock.json is read next to it',
  ),
  advisoryIds: z
    .array(z.string().min(1).max(200))
    .min(1)
    .max(50)
    .describe('advisory ids (GHSA, CVE or OSV ids) the package must be free of'),
});

export const CheckDependencyOutputSchema = DependencyCheckSchema.extend({
  ref: z.string(),
  /** The commit the ref named when checked: the evidence is about exactly this commit. */
  commit: z.string(),
});
export type CheckDependencyOutput = z.infer<typeof CheckDependencyOutputSchema>;

export const checkDependency = defineTool({
  name: 'check_dependency',
  description:
    'Re-check one npm package of a repository at a ref (HEAD or a branch) against advisories, from package.json ' +
    'and package-lock.json alone. status "resolved": no affected version remains; "affected": package.json still ' +
    'admits an affected version; "pending": package.json is fixed but the lockfile must be regenerated (the next ' +
    'scan proves it). Use it after bump_dependency on the new branch, and on HEAD to confirm the problem.',
  kind: 'read',
  input: CheckDependencyInputSchema,
  output: CheckDependencyOutputSchema,
  async run(input, context) {
    const { timeoutMs } = context;
    const advisories: Advisory[] = [];
    for (const id of input.advisoryIds) {
      const advisory = await context.reader.getAdvisory(id);
      if (!advisory) return toolError(`No advisory "${id}". Use the advisory ids of the exposure (get_exposure).`);
      advisories.push(advisory);
    }
    const checkout = await checkoutOf(await context.reader.getAsset(input.assetId), input.assetId, timeoutMs);
    if ('problem' in checkout) return toolError(checkout.problem);
    const commit = await resolveCommit(checkout.dir, input.ref, timeoutMs);
    if (!commit)
      return toolError(`"${input.ref}" names no commit in "${input.assetId}". Use HEAD or an existing branch.`);
    const lockPath = path.posix.join(path.posix.dirname(input.manifestPath), 'package-lock.json');
    const packageJson = await readFileAt(checkout.dir, commit, input.manifestPath, timeoutMs);
    if (packageJson === null)
      return toolError(`No ${input.manifestPath} at ${input.ref}. Pass the manifestPath of the project.`);
    const lockfile = await readFileAt(checkout.dir, commit, lockPath, timeoutMs);
    let result: DependencyCheck;
    try {
      if (!mentionsPackage(packageJson, lockfile, input.package)) {
        return toolError(
          `${input.package} is neither declared in ${input.manifestPath} nor installed per ${lockPath} at ` +
            `${input.ref}. Check the package name and the manifestPath.`,
        );
      }
      result = checkNpmDependency({ packageJson, lockfile, packageName: input.package, advisories });
    } catch (error) {
      // The repository's own files are malformed: report it, do not crash.
      return toolError(`Cannot read the manifests at ${input.ref}: ${(error as Error).message}`);
    }
    return { ...result, ref: input.ref, commit };
  },
});
