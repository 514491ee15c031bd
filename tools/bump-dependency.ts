import path from 'node:path';
import { z } from 'zod';
import { checkoutOf } from '../src/remediate/checkout.ts';
import type { DependencyEdit } from '../src/remediate/dependency-edit.ts';
import {
  ecosystemSupport,
  isExactVersion,
  type ProjectFiles,
  TOOL_ECOSYSTEMS,
  type ToolEcosystem,
} from '../src/remediate/ecosystems.ts';
import { BRANCH_PATTERN, isSafeRelativePath, readFileAt, resolveCommit } from '../src/remediate/git.ts';
import { unifiedDiff } from '../src/remediate/npm/manifest-edit.ts';
import { compareVersions } from '../src/remediate/versioning.ts';
import { commitChange } from './commit-change.ts';
import { defineTool, toolError } from './define-tool.ts';

/** A manifest path as the model gives it: relative to the repository root and inside it. */
export const ManifestPathSchema = z
  .string()
  .max(500)
  .refine(isSafeRelativePath, 'must be a relative path inside the repository, without ".."');

export const EcosystemSchema = z
  .enum(TOOL_ECOSYSTEMS)
  .describe('package ecosystem: npm, pypi (requirements*.txt or pyproject.toml), maven (pom.xml) or go (go.mod)');

const PackageSchema = z
  .string()
  .min(1)
  .max(300)
  .describe(
    'package exactly as the ecosystem names it: npm lodash or @scope/name; pypi django; ' +
      'maven groupId:artifactId such as org.apache.logging.log4j:log4j-core; go a module path such as golang.org/x/net',
  );

type EcosystemFields = { ecosystem: ToolEcosystem; package: string; manifestPath?: string | undefined };

/** Checks the fields whose rules depend on the ecosystem (package name form, manifest file name). */
export function checkEcosystemFields(value: EcosystemFields, ctx: z.RefinementCtx): void {
  const support = ecosystemSupport(value.ecosystem);
  if (!support.validPackage(value.package)) {
    ctx.addIssue({ code: 'custom', path: ['package'], message: `must be a ${support.packageHint}` });
  }
  if (value.manifestPath !== undefined && !support.acceptsManifest(value.manifestPath)) {
    ctx.addIssue({ code: 'custom', path: ['manifestPath'], message: support.manifestHint });
  }
}

/** The manifest the ecosystem edits by default, when the caller names none. */
export function withDefaultManifest<T extends EcosystemFields>(value: T): T & { manifestPath: string } {
  return { ...value, manifestPath: value.manifestPath ?? ecosystemSupport(value.ecosystem).defaultManifest };
}

/** Reads the manifest at a commit and the first lockfile present next to it; null when the manifest is absent. */
export async function readProjectFiles(
  repoDir: string,
  commit: string,
  ecosystem: ToolEcosystem,
  manifestPath: string,
  timeoutMs: number,
): Promise<ProjectFiles | null> {
  const manifest = await readFileAt(repoDir, commit, manifestPath, timeoutMs);
  if (manifest === null) return null;
  for (const name of ecosystemSupport(ecosystem).lockfiles(manifestPath)) {
    const lockPath = path.posix.join(path.posix.dirname(manifestPath), name);
    const text = await readFileAt(repoDir, commit, lockPath, timeoutMs);
    if (text !== null) return { manifestPath, manifest, lockfile: { name, text } };
  }
  return { manifestPath, manifest, lockfile: null };
}

/** Where the "neither declared nor installed" hint looks: the lockfile a project of this ecosystem would have. */
export function lockPathFor(ecosystem: ToolEcosystem, manifestPath: string, files: ProjectFiles): string | null {
  const name = files.lockfile?.name ?? ecosystemSupport(ecosystem).lockfiles(manifestPath)[0];
  return name ? path.posix.join(path.posix.dirname(manifestPath), name) : null;
}

export const BumpDependencyInputSchema = z
  .object({
    assetId: z
      .string()
      .min(1)
      .max(200)
      .describe('id of the repository asset to change (from get_exposure or get_asset)'),
    ecosystem: EcosystemSchema,
    package: PackageSchema,
    targetVersion: z
      .string()
      .min(1)
      .max(100)
      .describe(
        'the fixed version to move to: an exact version from the advisory data (no ^, ~, ranges), ' +
          'e.g. 4.17.21 (npm), 3.2.10 (pypi), 2.17.1 or 5.3.18.RELEASE (maven), 0.17.0 or v0.17.0 (go)',
      ),
    manifestPath: ManifestPathSchema.optional().describe(
      'path of the manifest to change, relative to the repository root; default package.json, requirements.txt, ' +
        'pom.xml or go.mod by ecosystem (pypi may name pyproject.toml). Its lockfile is read next to it.',
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
      .describe(
        'commit message: first line a summary (e.g. "Bump lodash to 4.17.21"), then why, naming the advisories',
      ),
  })
  .superRefine((value, ctx) => {
    checkEcosystemFields(value, ctx);
    if (!isExactVersion(value.ecosystem, value.targetVersion)) {
      ctx.addIssue({
        code: 'custom',
        path: ['targetVersion'],
        message: `must be one exact ${value.ecosystem} version such as those in the advisory's fixed versions`,
      });
    }
  })
  .transform(withDefaultManifest);

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
  /** Where the change went (`dependencies`, `overrides`, `properties`, `dependencyManagement`, `require`, ...). */
  section: z.string(),
  /** What a reviewer must know (a shared version property, a transitive pin, ...). */
  notes: z.array(z.string()),
});
export type BumpDependencyOutput = z.infer<typeof BumpDependencyOutputSchema>;

/** The commit message: the model's text, plus the lockfile instruction when the lockfile must be regenerated. */
function commitMessage(message: string, edit: DependencyEdit, note: string): string {
  return edit.lockfile === 'regenerate' && note ? `${message.trim()}\n\n${note}` : message;
}

export const bumpDependency = defineTool({
  name: 'bump_dependency',
  description:
    'Move one package of a repository to a fixed version on a new mobilize/* branch (npm, pypi, maven, go). ' +
    'npm: the package.json spec is bumped (keeping ^, ~ or an exact pin), a transitive package gets an ' +
    '"overrides" entry. pypi: requirements*.txt or pyproject.toml (PEP 621 or Poetry) specifiers are bumped, ' +
    'extras and markers kept. maven: the <version> (or the version property it names) is raised; a transitive or ' +
    'parent-managed artifact gets a <dependencyManagement> entry. go: the go.mod require line is raised (a ' +
    'transitive module is added as // indirect). Commits without touching the checked-out working copy and ' +
    'returns the diff. Lockfiles are never edited: when `lockfile` is "regenerate" they must be regenerated ' +
    'before merging. Choose targetVersion from the advisory fixed versions, then verify with check_dependency ' +
    'on the branch.',
  kind: 'action',
  effects: ['modifies_code'],
  input: BumpDependencyInputSchema,
  output: BumpDependencyOutputSchema,
  async run(input, context) {
    const { timeoutMs } = context;
    const support = ecosystemSupport(input.ecosystem);
    const checkout = await checkoutOf(await context.reader.getAsset(input.assetId), input.assetId, timeoutMs);
    if ('problem' in checkout) return toolError(checkout.problem);
    const repoDir = checkout.dir;
    const base = await resolveCommit(repoDir, 'HEAD', timeoutMs);
    if (!base) return toolError(`The checkout of "${input.assetId}" has no commit yet; nothing to branch from.`);
    const files = await readProjectFiles(repoDir, base, input.ecosystem, input.manifestPath, timeoutMs);
    if (files === null) {
      return toolError(`No ${input.manifestPath} at HEAD of "${input.assetId}". Pass the manifestPath of the project.`);
    }

    let edit: DependencyEdit;
    try {
      if (!support.mentions(files, input.package) && !support.pinsUndeclared(files)) {
        const lockPath = lockPathFor(input.ecosystem, input.manifestPath, files);
        return toolError(
          `${input.package} is neither declared in ${input.manifestPath} nor installed per ${lockPath}. ` +
            'Check the package name and the manifestPath.',
        );
      }
      edit = support.edit(files, input.package, input.targetVersion);
    } catch (error) {
      // The repository's own files are malformed or declare the package in a way only a person should change.
      return toolError(`Cannot change ${input.manifestPath}: ${(error as Error).message}`);
    }
    const floor = edit.previousVersion;
    if (floor && compareVersions(support.osv, floor, input.targetVersion) > 0) {
      return toolError(
        `${input.package} is already declared as "${edit.previousSpec}" (at least ${floor}); ` +
          `${input.targetVersion} would be a downgrade. Check whether the advisory still applies.`,
      );
    }
    const changed = edit.files
      .filter((file) => file.before !== file.after)
      .map((file) => ({ ...file, path: path.posix.join(path.posix.dirname(input.manifestPath), file.path) }));
    if (changed.length === 0) {
      return toolError(
        `${input.manifestPath} already declares ${input.package} as "${edit.newSpec}"; nothing to commit. ` +
          'If the lockfile still pins an affected version, it needs regenerating; use check_dependency.',
      );
    }
    const diff = changed.map((file) => unifiedDiff(file.path, file.before, file.after)).join('');
    const summary = {
      diff,
      files: changed.map((file) => file.path),
      direct: edit.direct,
      previousSpec: edit.previousSpec,
      newSpec: edit.newSpec,
      lockfile: edit.lockfile,
      section: edit.section,
      notes: edit.notes,
    };
    return commitChange(
      'bump_dependency',
      {
        repoDir,
        branch: input.branch,
        base,
        files: changed.map((file) => ({ path: file.path, content: file.after })),
        message: commitMessage(input.message, edit, support.lockfileNote(edit.lockfileName ?? '')),
        summary,
      },
      context,
    );
  },
});
