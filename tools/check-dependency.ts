import { z } from 'zod';
import type { Advisory } from '../src/domain/advisory.ts';
import { checkoutAt } from '../src/remediate/checkout.ts';
import { type DependencyCheck, DependencyCheckSchema } from '../src/remediate/dependency-check.ts';
import { ecosystemSupport } from '../src/remediate/ecosystems.ts';
import {
  checkEcosystemFields,
  EcosystemSchema,
  lockPathFor,
  ManifestPathSchema,
  readProjectFiles,
  withDefaultManifest,
} from './bump-dependency.ts';
import { checkRefSchema } from './check-ref.ts';
import { defineTool, toolError } from './define-tool.ts';

export const CheckDependencyInputSchema = z
  .object({
    assetId: z
      .string()
      .min(1)
      .max(200)
      .describe('id of the repository asset to check (from get_exposure or get_asset)'),
    ecosystem: EcosystemSchema,
    package: z
      .string()
      .min(1)
      .max(300)
      .describe(
        'package exactly as the ecosystem names it: npm lodash; pypi django; maven groupId:artifactId; go module path',
      ),
    ref: checkRefSchema('bump_dependency'),
    manifestPath: ManifestPathSchema.optional().describe(
      'path of the manifest to read, relative to the repository root; default package.json, requirements.txt, ' +
        'pom.xml or go.mod by ecosystem (pypi may name pyproject.toml). Its lockfile is read next to it.',
    ),
    advisoryIds: z
      .array(z.string().min(1).max(200))
      .min(1)
      .max(50)
      .describe('advisory ids (GHSA, CVE or OSV ids) the package must be free of'),
  })
  .superRefine(checkEcosystemFields)
  .transform(withDefaultManifest);

export const CheckDependencyOutputSchema = DependencyCheckSchema.extend({
  ref: z.string(),
  /** The commit the ref named when checked: the evidence is about exactly this commit. */
  commit: z.string(),
});
export type CheckDependencyOutput = z.infer<typeof CheckDependencyOutputSchema>;

export const checkDependency = defineTool({
  name: 'check_dependency',
  description:
    'Re-check one package of a repository at a ref (HEAD or a branch) against advisories, from its manifest and ' +
    'lockfile alone (npm package.json + package-lock.json; pypi requirements*.txt or pyproject.toml + ' +
    'poetry.lock/uv.lock/pdm.lock; maven pom.xml; go go.mod). status "resolved": no affected version remains; ' +
    '"affected": the manifest still admits an affected version; "pending": the manifest is fixed but the ' +
    'lockfile must be regenerated, or the version is inherited (a Maven parent or BOM) and only the next scan ' +
    'can tell. Use it after bump_dependency on the new branch, and on HEAD to confirm the problem.',
  kind: 'read',
  input: CheckDependencyInputSchema,
  output: CheckDependencyOutputSchema,
  async run(input, context) {
    const { timeoutMs } = context;
    const support = ecosystemSupport(input.ecosystem);
    const advisories: Advisory[] = [];
    for (const id of input.advisoryIds) {
      const advisory = await context.reader.getAdvisory(id);
      if (!advisory) return toolError(`No advisory "${id}". Use the advisory ids of the exposure (get_exposure).`);
      advisories.push(advisory);
    }
    const checkout = await checkoutAt(
      await context.reader.getAsset(input.assetId),
      input.assetId,
      input.ref,
      timeoutMs,
    );
    if ('problem' in checkout) return toolError(checkout.problem);
    const { commit } = checkout;
    const files = await readProjectFiles(checkout.dir, commit, input.ecosystem, input.manifestPath, timeoutMs);
    if (files === null)
      return toolError(`No ${input.manifestPath} at ${input.ref}. Pass the manifestPath of the project.`);
    let result: DependencyCheck;
    try {
      if (!support.mentions(files, input.package)) {
        const lockPath = lockPathFor(input.ecosystem, input.manifestPath, files);
        const where = lockPath
          ? `neither declared in ${input.manifestPath} nor installed per ${lockPath}`
          : `not declared in ${input.manifestPath}`;
        const transitive =
          input.ecosystem === 'maven'
            ? ' A transitive artifact shows in pom.xml only once bump_dependency pins it in dependencyManagement.'
            : '';
        return toolError(
          `${input.package} is ${where} at ${input.ref}. ` +
            `Check the package name and the manifestPath.${transitive}`,
        );
      }
      result = support.check(files, input.package, advisories);
    } catch (error) {
      // The repository's own files are malformed: report it, do not crash.
      return toolError(`Cannot read the manifests at ${input.ref}: ${(error as Error).message}`);
    }
    return { ...result, ref: input.ref, commit };
  },
});
