import path from 'node:path';
import semver from 'semver';
import type { Advisory } from '../domain/advisory.ts';
import type { DependencyCheck } from './dependency-check.ts';
import type { DependencyEdit } from './dependency-edit.ts';
import { editGoMod } from './go/gomod-edit.ts';
import { checkGoDependency, goModMentions } from './go/verify-manifest.ts';
import { editPom } from './maven/pom-edit.ts';
import { checkMavenDependency, pomMentions } from './maven/verify-manifest.ts';
import { editNpmManifest, mentionsPackage } from './npm/manifest-edit.ts';
import { checkNpmDependency } from './npm/verify-manifest.ts';
import { editPyproject } from './pypi/pyproject-edit.ts';
import { editRequirements } from './pypi/requirements-edit.ts';
import { checkPypiDependency, PYPI_LOCKFILES, pypiMentions } from './pypi/verify-manifest.ts';
import { isValidVersion } from './versioning.ts';

/** The ecosystems the dependency tools take, spelled as the tools' `ecosystem` field spells them. */
export const TOOL_ECOSYSTEMS = ['npm', 'pypi', 'maven', 'go'] as const;
export type ToolEcosystem = (typeof TOOL_ECOSYSTEMS)[number];

/** A project's manifest at a ref, with the lockfile found next to it (if any). */
export type ProjectFiles = {
  manifestPath: string;
  manifest: string;
  lockfile: { name: string; text: string } | null;
};

/**
 * Everything the bump and check tools need to know about one ecosystem, so they stay one code path:
 * which manifests it edits, which lockfiles sit next to them, how to name a package, how to edit and
 * re-check. One entry per ecosystem below; adding an ecosystem adds an entry, not a branch in the tools.
 */
export type EcosystemSupport = {
  /** The ecosystem as OSV (and the version schemes) spell it. */
  osv: 'npm' | 'PyPI' | 'Maven' | 'Go';
  defaultManifest: string;
  acceptsManifest(manifestPath: string): boolean;
  manifestHint: string;
  validPackage(name: string): boolean;
  packageHint: string;
  /** Lockfile names looked for next to the manifest, first found wins. */
  lockfiles(manifestPath: string): readonly string[];
  /** Whether the files name the package; false means it is most likely a typo (or transitive, see below). */
  mentions(files: ProjectFiles, packageName: string): boolean;
  /** Whether bump may pin a package the files do not name (a transitive one, where the files cannot tell). */
  pinsUndeclared(files: ProjectFiles): boolean;
  edit(files: ProjectFiles, packageName: string, target: string): DependencyEdit;
  check(files: ProjectFiles, packageName: string, advisories: readonly Advisory[]): DependencyCheck;
  /** The instruction appended to the commit message when the lockfile must be regenerated. */
  lockfileNote(lockfileName: string): string;
};

const basename = (file: string) => path.posix.basename(file);

const NPM_LOCKFILE_NOTE =
  'package-lock.json still pins an older version and was not edited (its integrity hashes cannot be computed ' +
  'offline): regenerate it with `npm install --package-lock-only` before merging.';

function npmLowest(spec: string): string | null {
  try {
    return semver.validRange(spec) === null ? null : (semver.minVersion(spec)?.version ?? null);
  } catch {
    return null;
  }
}

const npm: EcosystemSupport = {
  osv: 'npm',
  defaultManifest: 'package.json',
  acceptsManifest: (file) => basename(file) === 'package.json',
  manifestHint: 'must name a package.json file',
  validPackage: (name) => name.length <= 214,
  packageHint: 'npm package name exactly as published, e.g. lodash or @scope/name',
  lockfiles: () => ['package-lock.json'],
  mentions: (files, name) => mentionsPackage(files.manifest, files.lockfile?.text ?? null, name),
  pinsUndeclared: () => false,
  edit(files, name, target) {
    const edit = editNpmManifest({
      packageJson: files.manifest,
      packageName: name,
      target,
      lockfile: files.lockfile?.text ?? null,
    });
    const previousVersion = edit.direct && edit.previousSpec ? npmLowest(edit.previousSpec) : null;
    return { ...edit, previousVersion, lockfileName: files.lockfile?.name ?? null, notes: [] };
  },
  check: (files, name, advisories) =>
    checkNpmDependency({
      packageJson: files.manifest,
      lockfile: files.lockfile?.text ?? null,
      packageName: name,
      advisories,
    }),
  lockfileNote: () => NPM_LOCKFILE_NOTE,
};

const isPyproject = (file: string) => basename(file) === 'pyproject.toml';

const pypi: EcosystemSupport = {
  osv: 'PyPI',
  defaultManifest: 'requirements.txt',
  acceptsManifest: (file) => isPyproject(file) || (/\.txt$/i.test(file) && /requirements/i.test(file)),
  manifestHint: 'must name a requirements file (requirements*.txt) or pyproject.toml',
  validPackage: (name) => /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$/.test(name),
  packageHint: 'PyPI project name, e.g. django or PyYAML',
  // A requirements file is its own pin list; lockfiles belong to pyproject.toml tools (Poetry, uv, PDM).
  lockfiles: (file) => (isPyproject(file) ? PYPI_LOCKFILES : []),
  mentions: (files, name) =>
    pypiMentions({
      manifestName: basename(files.manifestPath),
      manifest: files.manifest,
      lockfile: files.lockfile,
      packageName: name,
    }),
  pinsUndeclared: () => true,
  edit: (files, name, target) =>
    isPyproject(files.manifestPath)
      ? editPyproject({ text: files.manifest, packageName: name, target, lockfile: files.lockfile })
      : editRequirements({ text: files.manifest, fileName: basename(files.manifestPath), packageName: name, target }),
  check: (files, name, advisories) =>
    checkPypiDependency({
      manifestName: basename(files.manifestPath),
      manifest: files.manifest,
      lockfile: files.lockfile,
      packageName: name,
      advisories,
    }),
  lockfileNote: (name) => {
    const command = { 'poetry.lock': 'poetry lock --no-update', 'uv.lock': 'uv lock', 'pdm.lock': 'pdm lock' }[name];
    const how = command ? ` with \`${command}\`` : '';
    return `${name} records the old constraint and was not edited: regenerate it${how} before merging.`;
  },
};

const maven: EcosystemSupport = {
  osv: 'Maven',
  defaultManifest: 'pom.xml',
  acceptsManifest: (file) => basename(file) === 'pom.xml',
  manifestHint: 'must name a pom.xml file',
  validPackage: (name) => /^[A-Za-z0-9_.-]+:[A-Za-z0-9_.-]+$/.test(name),
  packageHint: 'Maven coordinates groupId:artifactId, e.g. org.apache.logging.log4j:log4j-core',
  lockfiles: () => [],
  mentions: (files, name) => pomMentions(files.manifest, name),
  // Transitive artifacts never appear in pom.xml; dependencyManagement is how Maven pins them.
  pinsUndeclared: () => true,
  edit: (files, name, target) => editPom({ pom: files.manifest, packageName: name, target }),
  check: (files, name, advisories) => checkMavenDependency({ pom: files.manifest, packageName: name, advisories }),
  lockfileNote: () => '',
};

const go: EcosystemSupport = {
  osv: 'Go',
  defaultManifest: 'go.mod',
  acceptsManifest: (file) => basename(file) === 'go.mod',
  manifestHint: 'must name a go.mod file',
  validPackage: (name) => /^[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+(?:\/[A-Za-z0-9._~+-]+)*$/.test(name),
  packageHint: 'Go module path, e.g. golang.org/x/net',
  lockfiles: () => ['go.sum'],
  mentions: (files, name) =>
    goModMentions(files.manifest, name) ||
    (files.lockfile?.text.split('\n').some((line) => line.startsWith(`${name} `)) ?? false),
  // go.sum lists every module the build downloaded: with one, a module in neither file is most likely a typo.
  pinsUndeclared: (files) => files.lockfile === null,
  edit: (files, name, target) =>
    editGoMod({ goMod: files.manifest, goSum: files.lockfile?.text ?? null, module: name, target }),
  check: (files, name, advisories) => checkGoDependency({ goMod: files.manifest, module: name, advisories }),
  lockfileNote: () => 'go.sum has no hashes for the new version and was not edited: run `go mod tidy` before merging.',
};

const SUPPORT: Readonly<Record<ToolEcosystem, EcosystemSupport>> = { npm, pypi, maven, go };

/** The support entry of a tool ecosystem. */
export function ecosystemSupport(ecosystem: ToolEcosystem): EcosystemSupport {
  return SUPPORT[ecosystem];
}

/** Whether `version` is an exact version of the ecosystem (no ranges, no operators). */
export function isExactVersion(ecosystem: ToolEcosystem, version: string): boolean {
  if (ecosystem === 'npm') return semver.valid(version) !== null;
  return isValidVersion(SUPPORT[ecosystem].osv, version) && !/[\s,<>=^~*|[\]()]/.test(version);
}
