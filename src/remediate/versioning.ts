import * as pep440 from '@renovatebot/pep440';
import semver from 'semver';
import { ValidationError } from '../domain/errors.ts';
import { compareMavenVersions, isMavenPrerelease, isMavenVersion } from './maven/comparable-version.ts';

/**
 * How one ecosystem names packages and orders versions. OSV range semantics are the same everywhere;
 * only the ordering differs, and getting it wrong either misses a vulnerable version or "fixes" to one.
 */
export type VersionScheme = {
  /** The ecosystem as OSV spells it. */
  osv: 'npm' | 'PyPI' | 'Maven' | 'Go';
  valid(version: string): boolean;
  compare(a: string, b: string): number;
  /** A pre-release (a fix there is a candidate only when the current version is one too). */
  prerelease(version: string): boolean;
  /** The major and minor release parts, as text, for the bump level and "stays in its major". */
  levels(version: string): [major: string, minor: string];
  /** The key two spellings of one package name share (PEP 503 for PyPI, the name itself elsewhere). */
  packageKey(name: string): string;
};

/** npm: strict semver (loose off), total order including prereleases (OSV compares, it does not "satisfy"). */
const npmScheme: VersionScheme = {
  osv: 'npm',
  valid: (version) => semver.valid(version) !== null,
  compare: (a, b) => semver.compare(a, b),
  prerelease: (version) => semver.prerelease(version) !== null,
  levels: (version) => [String(semver.major(version)), String(semver.minor(version))],
  packageKey: (name) => name,
};

/** PEP 503: names compare case-insensitively with runs of `-`, `_` and `.` equal. */
export function normalizePypiName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

/** PyPI: PEP 440 (epochs, pre/post/dev releases, local versions) through @renovatebot/pep440. */
const pypiScheme: VersionScheme = {
  osv: 'PyPI',
  valid: (version) => pep440.valid(version) !== null,
  compare: (a, b) => pep440.compare(a, b),
  prerelease: (version) => pep440.explain(version)?.is_prerelease === true,
  levels: (version) => {
    const parsed = pep440.explain(version);
    if (!parsed) return [version, ''];
    const epoch = parsed.epoch ? `${parsed.epoch}!` : '';
    return [`${epoch}${parsed.release[0] ?? 0}`, String(parsed.release[1] ?? 0)];
  },
  packageKey: normalizePypiName,
};

/** Maven: ComparableVersion; the release numbers are the leading numeric parts (`5.2.20.RELEASE` → 5, 2). */
const mavenScheme: VersionScheme = {
  osv: 'Maven',
  valid: isMavenVersion,
  compare: compareMavenVersions,
  prerelease: isMavenPrerelease,
  levels: (version) => {
    const match = /^(\d+)(?:\.(\d+))?/.exec(version);
    if (!match) return [version.toLowerCase(), ''];
    return [String(BigInt(match[1]!)), String(BigInt(match[2] ?? '0'))];
  },
  packageKey: (name) => name,
};

/** A Go pseudo-version (`v0.0.0-20220906165146-f3363e06e74c` and its `X.Y.Z-0.` / `-pre.0.` forms). */
const PSEUDO_VERSION = /-(?:[0-9A-Za-z.-]*\.)?\d{14}-[0-9a-f]{12}(?:\+incompatible)?$/;

/** Go module versions are semver with a `v` prefix; OSV writes them without it. */
export function goSemver(version: string): string | null {
  const bare = version.startsWith('v') ? version.slice(1) : version;
  return /^\d/.test(bare) && semver.valid(bare) !== null ? bare : null;
}

/** The canonical `v`-prefixed spelling go.mod uses; null when it is not a Go module version. */
export function goModVersion(version: string): string | null {
  const bare = goSemver(version);
  return bare === null ? null : `v${bare}`;
}

const goBare = (version: string) => {
  const bare = goSemver(version);
  if (bare === null) throw new ValidationError(`"${version}" is not a valid Go module version`);
  return bare;
};

/**
 * Go: semver order (build metadata such as `+incompatible` ignored). Pseudo-versions order by their
 * prerelease part as semver does, and count as ordinary commits, not pre-releases.
 */
const goScheme: VersionScheme = {
  osv: 'Go',
  valid: (version) => goSemver(version) !== null,
  compare: (a, b) => semver.compare(goBare(a), goBare(b)),
  prerelease: (version) => semver.prerelease(goBare(version)) !== null && !PSEUDO_VERSION.test(version),
  levels: (version) => [String(semver.major(goBare(version))), String(semver.minor(goBare(version)))],
  packageKey: (name) => name,
};

/**
 * OSV `SEMVER` ranges are SemVer 2.0 whatever the ecosystem (a leading `v` tolerated): Go's scheme is
 * exactly that. npm keeps its own (identical order, no `v`).
 */
export function semverRangeScheme(scheme: VersionScheme): VersionScheme {
  return scheme.osv === 'npm' ? scheme : goScheme;
}

/** One entry per supported ecosystem, keyed lower-case. */
const SCHEMES: ReadonlyMap<string, VersionScheme> = new Map([
  ['npm', npmScheme],
  ['pypi', pypiScheme],
  ['maven', mavenScheme],
  ['go', goScheme],
]);

/** Callers check this before isAffected and chooseTargetVersion, which throw for other ecosystems. */
export function supportsEcosystem(ecosystem: string): boolean {
  return SCHEMES.has(ecosystem.toLowerCase());
}

/** The scheme of a supported ecosystem (any case); a ValidationError for the others. */
export function versionScheme(ecosystem: string): VersionScheme {
  const scheme = SCHEMES.get(ecosystem.toLowerCase());
  if (!scheme) {
    throw new ValidationError(`unsupported ecosystem "${ecosystem}": only ${[...SCHEMES.keys()].join(', ')}`);
  }
  return scheme;
}

/** Throws a ValidationError naming the ecosystem unless the version is one it can read. */
export function assertValidVersion(ecosystem: string, version: string): void {
  if (!versionScheme(ecosystem).valid(version)) {
    throw new ValidationError(`"${version}" is not a valid ${ecosystem} version`);
  }
}

/** Orders two versions of an ecosystem (negative, zero, positive); throws for versions it cannot read. */
export function compareVersions(ecosystem: string, a: string, b: string): number {
  assertValidVersion(ecosystem, a);
  assertValidVersion(ecosystem, b);
  return Math.sign(versionScheme(ecosystem).compare(a, b));
}

/** Whether the ecosystem can read the version (false for unsupported ecosystems too). */
export function isValidVersion(ecosystem: string, version: string): boolean {
  return supportsEcosystem(ecosystem) && versionScheme(ecosystem).valid(version);
}

/**
 * How big a move from one version to another is: the first release number is the major, the second
 * the minor (Go `v0` → `v1` is major). The policy gate treats a major bump as non-routine.
 */
export function bumpLevel(ecosystem: string, from: string, to: string): 'patch' | 'minor' | 'major' {
  assertValidVersion(ecosystem, from);
  assertValidVersion(ecosystem, to);
  const scheme = versionScheme(ecosystem);
  const [fromMajor, fromMinor] = scheme.levels(from);
  const [toMajor, toMinor] = scheme.levels(to);
  if (fromMajor !== toMajor) return 'major';
  return fromMinor !== toMinor ? 'minor' : 'patch';
}

/** The readable versions in ascending order (unreadable ones dropped, duplicates kept, stable). */
export function sortVersions(ecosystem: string, versions: readonly string[]): string[] {
  const scheme = versionScheme(ecosystem);
  return versions.filter((version) => scheme.valid(version)).sort((a, b) => scheme.compare(a, b));
}

/** Whether two names denote the same package in the ecosystem (PyPI: PEP 503; elsewhere exact). */
export function samePackage(ecosystem: string, a: string, b: string): boolean {
  const scheme = SCHEMES.get(ecosystem.toLowerCase());
  return scheme ? scheme.packageKey(a) === scheme.packageKey(b) : a === b;
}
