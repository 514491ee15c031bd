import semver from 'semver';
import type { Advisory } from '../../domain/advisory.ts';
import { advisoriesAffecting, affectedPackagesFor } from '../affected.ts';
import { type DependencyCheck, DependencyCheckSchema } from '../dependency-check.ts';
import { installedInstances, parseLockfile } from './lockfile.ts';
import { directDependency } from './manifest-edit.ts';

export type { DependencyCheck };
/** The check's shape is shared by every ecosystem; re-exported here where npm callers import it. */
export { DependencyCheckSchema };

export type DependencyCheckInput = {
  packageJson: string;
  lockfile: string | null;
  packageName: string;
  advisories: readonly Advisory[];
};

type Observed = DependencyCheck['versions'][number];

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The lowest version a spec admits, or null for specs that are not semver ranges (dist-tags, git, files). */
function lowest(spec: string): string | null {
  const alias = /^npm:(@?[^@\s]+)@(.*)$/.exec(spec.trim());
  const range = alias ? alias[2] || '*' : spec;
  try {
    return semver.validRange(range) === null ? null : (semver.minVersion(range)?.version ?? null);
  } catch {
    return null;
  }
}

/** The override spec set for the package (a string, or the `"."` of a nested override); `$name` refers to a direct spec. */
function overrideSpec(manifest: Record<string, unknown>, packageName: string): string | null {
  const overrides = manifest.overrides;
  if (!isObject(overrides)) return null;
  const value = overrides[packageName];
  const spec =
    typeof value === 'string' ? value : isObject(value) && typeof value['.'] === 'string' ? value['.'] : null;
  if (spec?.startsWith('$')) return directDependency(manifest, spec.slice(1))?.spec ?? null;
  return spec;
}

const ids = (list: readonly string[]) => list.join(', ');
const describe = (observed: Observed) =>
  `${observed.source} ${observed.version}${observed.affectedBy.length ? ` (affected by ${ids(observed.affectedBy)})` : ''}`;

/**
 * Re-checks a package after a fix: the lowest version package.json admits (the override, for a
 * transitive package, wins) and every copy package-lock.json installs (v1 `dependencies` tree or
 * v2/v3 `packages` map), each against the advisories. Affected when the manifest still admits an
 * affected version (or, with no manifest floor, the lockfile holds one); pending when only the lockfile
 * lags; resolved when no affected version remains anywhere.
 */
export function checkNpmDependency(input: DependencyCheckInput): DependencyCheck {
  const { packageName } = input;
  let manifest: unknown;
  try {
    manifest = JSON.parse(input.packageJson);
  } catch (error) {
    throw new Error(`package.json is not valid JSON (${(error as Error).message})`, { cause: error });
  }
  if (!isObject(manifest)) throw new Error('package.json is not a JSON object');
  const entries = affectedPackagesFor(input.advisories, 'npm', packageName);
  const check = (source: string, version: string): Observed => ({
    source,
    version,
    affectedBy: advisoriesAffecting(entries, 'npm', version),
  });

  const direct = directDependency(manifest, packageName);
  const override = overrideSpec(manifest, packageName);
  const fromManifest: Observed[] = [];
  const directMin = direct ? lowest(direct.spec) : null;
  if (direct && directMin) fromManifest.push(check(`package.json ${direct.section}`, directMin));
  const overrideMin = override ? lowest(override) : null;
  if (overrideMin) fromManifest.push(check('package.json overrides', overrideMin));
  const effectiveSource = direct ? `package.json ${direct.section}` : 'package.json overrides';
  const effective = fromManifest.find((observed) => observed.source === effectiveSource);

  const fromLock =
    input.lockfile === null
      ? []
      : installedInstances(parseLockfile(input.lockfile), packageName)
          .filter((instance) => semver.valid(instance.version))
          .map((instance) => check(`package-lock.json ${instance.path}`, instance.version));

  const versions = [...fromManifest, ...fromLock];
  const lockAffected = fromLock.filter((o) => o.affectedBy.length);
  let status: DependencyCheck['status'];
  if (effective) status = effective.affectedBy.length ? 'affected' : lockAffected.length ? 'pending' : 'resolved';
  else status = lockAffected.length ? 'affected' : 'resolved';

  const advisoryIds = input.advisories.map((advisory) => advisory.id);
  const seen = versions.length ? versions.map(describe).join('; ') : 'no installed or declared version';
  const verdict = {
    resolved: `no version affected by ${ids(advisoryIds)} remains`,
    affected: effective
      ? `package.json still admits an affected version`
      : 'the lockfile installs an affected version and package.json sets no fixed floor',
    pending: 'package.json is fixed but package-lock.json still pins an affected copy: regenerate it and rescan',
  }[status];
  const unread = direct && !directMin ? ` (package.json declares "${direct.spec}", not a semver range)` : '';
  return { status, versions, evidence: `${packageName}: ${verdict}; found ${seen}${unread}.` };
}
