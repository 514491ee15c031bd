import * as pep440 from '@renovatebot/pep440';
import { parse as parseToml } from 'smol-toml';
import type { Advisory } from '../../domain/advisory.ts';
import { type DependencyCheck, type FoundVersion, judgeDependency } from '../dependency-check.ts';
import { ManifestEditError } from '../dependency-edit.ts';
import { samePackage } from '../versioning.ts';
import { pyprojectDeclarations } from './pyproject-edit.ts';
import { readRequirements } from './requirements-edit.ts';

/** Lockfiles that sit next to pyproject.toml, in the order they are looked for. */
export const PYPI_LOCKFILES = ['poetry.lock', 'uv.lock', 'pdm.lock'] as const;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The versions a Python lockfile pins for a package: the `[[package]]` entries (name, version) that
 * poetry.lock, uv.lock and pdm.lock share, or Pipfile.lock's `default`/`develop` maps (`"==X"`).
 */
export function pypiLockedVersions(lockfile: { name: string; text: string }, packageName: string): FoundVersion[] {
  const { name, text } = lockfile;
  let document: unknown;
  try {
    document = name.endsWith('.json') || name === 'Pipfile.lock' ? JSON.parse(text) : parseToml(text);
  } catch (error) {
    throw new ManifestEditError(`${name} cannot be parsed (${(error as Error).message})`, error);
  }
  if (!isObject(document)) return [];
  const found: FoundVersion[] = [];
  if (Array.isArray(document.package)) {
    for (const entry of document.package) {
      if (!isObject(entry) || typeof entry.name !== 'string' || typeof entry.version !== 'string') continue;
      if (samePackage('PyPI', entry.name, packageName) && pep440.valid(entry.version) !== null) {
        found.push({ source: name, version: entry.version });
      }
    }
  }
  for (const section of ['default', 'develop']) {
    const packages = document[section];
    if (!isObject(packages)) continue;
    for (const [entryName, entry] of Object.entries(packages)) {
      const version = isObject(entry) && typeof entry.version === 'string' ? entry.version.replace(/^==/, '') : null;
      if (version && samePackage('PyPI', entryName, packageName) && pep440.valid(version) !== null) {
        found.push({ source: `${name} ${section}`, version });
      }
    }
  }
  return found;
}

export type PypiCheckInput = {
  /** The manifest's file name decides how it is read: pyproject.toml, or a requirements file. */
  manifestName: string;
  manifest: string;
  lockfile: { name: string; text: string } | null;
  packageName: string;
  advisories: readonly Advisory[];
};

/** Whether the manifest (or lockfile) names the package at all: one named nowhere is most likely a typo. */
export function pypiMentions(input: Omit<PypiCheckInput, 'advisories'>): boolean {
  const declared =
    input.manifestName === 'pyproject.toml'
      ? pyprojectDeclarations(input.manifest, input.packageName).length > 0
      : readRequirements(input.manifest).some((r) => samePackage('PyPI', r.name, input.packageName));
  return declared || (input.lockfile !== null && pypiLockedVersions(input.lockfile, input.packageName).length > 0);
}

/**
 * Re-checks a Python package after a fix: the lowest version each declaration admits (every requirement
 * line, every pyproject.toml table) and every version the lockfile pins, against the advisories.
 * Affected when a declaration admits an affected version; pending when only the lockfile lags.
 */
export function checkPypiDependency(input: PypiCheckInput): DependencyCheck {
  const declared: FoundVersion[] = [];
  const unread: string[] = [];
  if (input.manifestName === 'pyproject.toml') {
    for (const declaration of pyprojectDeclarations(input.manifest, input.packageName)) {
      const source = `pyproject.toml ${declaration.section}`;
      if (declaration.floor === null) unread.push(`${source} "${declaration.spec || declaration.problem}"`);
      else declared.push({ source, version: declaration.floor });
    }
  } else {
    for (const requirement of readRequirements(input.manifest)) {
      if (!samePackage('PyPI', requirement.name, input.packageName)) continue;
      const source = `${input.manifestName} line ${requirement.line}`;
      if (requirement.floor === null) unread.push(`${source} "${requirement.url ?? requirement.spec}"`);
      else declared.push({ source, version: requirement.floor });
    }
  }
  const locked = input.lockfile ? pypiLockedVersions(input.lockfile, input.packageName) : [];
  return judgeDependency({
    ecosystem: 'PyPI',
    packageName: input.packageName,
    advisories: input.advisories,
    manifestName: input.manifestName,
    declared,
    unread,
    lockfileName: input.lockfile?.name ?? null,
    locked,
  });
}
