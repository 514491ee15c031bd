import path from 'node:path';
import semver from 'semver';
import { z } from 'zod';
import { checkoutOf } from '../src/remediate/checkout.ts';
import {
  BRANCH_PATTERN,
  BranchConflictError,
  commitToBranch,
  isSafeRelativePath,
  readFileAt,
  resolveCommit,
} from '../src/remediate/git.ts';
import {
  editNpmManifest,
  type ManifestEdit,
  mentionsPackage,
  unifiedDiff,
} from '../src/remediate/npm/manifest-edit.ts';
import { defineTool, toolError } from './define-tool.ts';

/** A manifest path as the model gives it: relative to the repository root, inside it, named package.json. */
export const ManifestPathSchema = z
  .string()
  .max(500)
  .refine(isSafeRelativePath, 'must be a relative path inside the repository, without ".."')
  .refine((file) => path.posix.basename(file) === 'package.json', 'must name a package.json file')
  .default('package.json');

export const BumpDependencyInputSchema = z.object({
  assetId: z.string().min(1).max(200).describe('id of the repository asset to change (from get_exposure or get_asset)'),
  ecosystem: z.literal('npm').describe('package ecosystem; only npm is supported for now'),
  package: z.string().min(1).max(214).describe('npm package name exactly as published, e.g. lodash or @scope/name'),
  targetVersion: z
    .string()
    .refine((version) => semver.valid(version) !== null, 'must be an exact semver version such as 4.17.21')
    .describe('the fixed version to move to: an exact version from the advisory data, e.g. 4.17.21 (no ^ or ~)'),
  manifestPath: ManifestPathSchema.describe(
    'path of the package.json to change, relative to the repository root; package-lock.json is read next to it',
  ),
  branch: z
    .string()
    .regex(BRANCH_PATTERN, 'must look like mobilize/<name> using letters, digits, . _ -')
    .max(200)
    .describe('new branch to commit the change on, e.g. mobilize/lodash-4.17.21; it must not exist yet'),
  message: z
    .string()
    .min(1)
    .max(2000)
    .describe('commit message: first line a summary (e.g. "Bump lodash to 4.17.21"), then why, naming the advisories'),
});

export const BumpDependencyOutputSchema = z.object({
  branch: z.string(),
  /** Null on a dry run: nothing was committed. */
  commit: z.string().nullable(),
  created: z.boolean(),
  diff: z.string(),
  files: z.array(z.string()),
  direct: z.boolean(),
  previousSpec: z.string().nullable(),
  newSpec: z.string(),
  lockfile: z.enum(['absent', 'regenerate', 'unchanged']),
});
export type BumpDependencyOutput = z.infer<typeof BumpDependencyOutputSchema>;

const LOCKFILE_NOTE =
  'package-lock.json still pins an older version and was not edited (its integrity hashes cannot be computed ' +
  'offline): regenerate it with `npm install --package-lock-only` before merging.';

/** The commit message: the model's text, plus the lockfile instruction when the lockfile must be regenerated. */
function commitMessage(message: string, edit: ManifestEdit): string {
  return edit.lockfile === 'regenerate' ? `${message.trim()}\n\n${LOCKFILE_NOTE}` : message;
}

export const bumpDependency = defineTool({
  name: 'bump_dependency',
  description:
    'Move one npm package of a repository to a fixed version on a new mobilize/* branch. A direct dependency ' +
    'gets its package.json spec bumped (keeping ^, ~ or an exact pin); a transitive one gets an "overrides" ' +
    'entry. Commits to the branch without touching the checked-out working copy, and returns the diff. ' +
    'package-lock.json is never edited: when `lockfile` is "regenerate" it must be regenerated before merging. ' +
    'Choose targetVersion from the advisory fixed versions, then verify with check_dependency on the branch.',
  kind: 'action',
  effects: ['modifies_code'],
  input: BumpDependencyInputSchema,
  output: BumpDependencyOutputSchema,
  async run(input, context) {
    const { timeoutMs } = context;
    const checkout = await checkoutOf(await context.reader.getAsset(input.assetId), input.assetId, timeoutMs);
    if ('problem' in checkout) return toolError(checkout.problem);
    const repoDir = checkout.dir;
    const base = await resolveCommit(repoDir, 'HEAD', timeoutMs);
    if (!base) return toolError(`The checkout of "${input.assetId}" has no commit yet; nothing to branch from.`);
    const lockPath = path.posix.join(path.posix.dirname(input.manifestPath), 'package-lock.json');
    const packageJson = await readFileAt(repoDir, base, input.manifestPath, timeoutMs);
    if (packageJson === null) {
      return toolError(`No ${input.manifestPath} at HEAD of "${input.assetId}". Pass the manifestPath of the project.`);
    }
    const lockfile = await readFileAt(repoDir, base, lockPath, timeoutMs);

    let edit: ManifestEdit;
    try {
      if (!mentionsPackage(packageJson, lockfile, input.package)) {
        return toolError(
          `${input.package} is neither declared in ${input.manifestPath} nor installed per ${lockPath}. ` +
            'Check the package name and the manifestPath.',
        );
      }
      edit = editNpmManifest({ packageJson, packageName: input.package, target: input.targetVersion, lockfile });
    } catch (error) {
      // The repository's own files are malformed or the spec is not from the registry: report, do not crash.
      return toolError(`Cannot change ${input.manifestPath}: ${(error as Error).message}`);
    }
    const floor = edit.direct && edit.previousSpec ? lowestOf(edit.previousSpec) : null;
    if (floor && semver.gt(floor, input.targetVersion)) {
      return toolError(
        `${input.package} is already declared as "${edit.previousSpec}" (at least ${floor}); ` +
          `${input.targetVersion} would be a downgrade. Check whether the advisory still applies.`,
      );
    }
    const files = edit.files
      .filter((file) => file.before !== file.after)
      .map((file) => ({ ...file, path: path.posix.join(path.posix.dirname(input.manifestPath), file.path) }));
    if (files.length === 0) {
      return toolError(
        `${input.manifestPath} already declares ${input.package} as "${edit.newSpec}"; nothing to commit. ` +
          'If the lockfile still pins an affected version, it needs regenerating; use check_dependency.',
      );
    }
    const diff = files.map((file) => unifiedDiff(file.path, file.before, file.after)).join('');
    const summary = {
      diff,
      files: files.map((file) => file.path),
      direct: edit.direct,
      previousSpec: edit.previousSpec,
      newSpec: edit.newSpec,
      lockfile: edit.lockfile,
    };
    if (context.dryRun) return { branch: input.branch, commit: null, created: false, ...summary };
    if (!context.idempotencyKey) {
      return toolError('bump_dependency changes code and needs an idempotency key; run it through the tool runner.');
    }
    try {
      const result = await commitToBranch({
        repoDir,
        branch: input.branch,
        base,
        files: files.map((file) => ({ path: file.path, content: file.after })),
        message: commitMessage(input.message, edit),
        idempotencyKey: context.idempotencyKey,
        timeoutMs,
      });
      return { ...result, ...summary };
    } catch (error) {
      if (error instanceof BranchConflictError) {
        return toolError(`${error.message}. Choose another branch name under mobilize/.`);
      }
      throw error;
    }
  },
});

function lowestOf(spec: string): string | null {
  try {
    return semver.validRange(spec) === null ? null : (semver.minVersion(spec)?.version ?? null);
  } catch {
    return null;
  }
}
