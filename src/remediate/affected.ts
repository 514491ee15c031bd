import type { Advisory, AffectedPackage, AffectedRange } from '../domain/advisory.ts';
import { ValidationError } from '../domain/errors.ts';
import { samePackage, semverRangeScheme, supportsEcosystem, type VersionScheme, versionScheme } from './versioning.ts';

/** Re-exported so callers that match advisories ask one module; the schemes live in versioning.ts. */
export { supportsEcosystem };

type Event = { kind: 'introduced' | 'fixed' | 'last_affected'; version: string };

/**
 * OSV's evaluation of one SEMVER/ECOSYSTEM range: walk the events in version order; `introduced`
 * opens, `fixed` closes (exclusive), `last_affected` closes after itself (inclusive). `introduced: "0"`
 * sorts first. Events whose version the scheme cannot read are skipped, which leaves a range open
 * rather than wrongly closed (conservative). `limit` events cap the range: the version must be below one.
 */
function inRange(scheme: VersionScheme, version: string, range: AffectedRange): boolean {
  const events: Event[] = [];
  const limits: string[] = [];
  for (const event of range.events) {
    if (event.introduced !== undefined) events.push({ kind: 'introduced', version: event.introduced });
    if (event.fixed !== undefined) events.push({ kind: 'fixed', version: event.fixed });
    if (event.last_affected !== undefined) events.push({ kind: 'last_affected', version: event.last_affected });
    if (event.limit !== undefined) limits.push(event.limit);
  }
  const isZero = (event: Event) => event.kind === 'introduced' && event.version === '0';
  const readable = events.filter((event) => isZero(event) || scheme.valid(event.version));
  readable.sort((a, b) => {
    if (isZero(a) || isZero(b)) return Number(isZero(b)) - Number(isZero(a));
    return scheme.compare(a.version, b.version);
  });
  let affected = false;
  for (const event of readable) {
    if (event.kind === 'introduced') {
      if (isZero(event) || scheme.compare(event.version, version) <= 0) affected = true;
    } else if (event.kind === 'fixed') {
      if (scheme.compare(event.version, version) <= 0) affected = false;
    } else if (scheme.compare(event.version, version) < 0) {
      affected = false;
    }
  }
  if (!affected || limits.length === 0) return affected;
  return limits.some((limit) => limit === '*' || (scheme.valid(limit) && scheme.compare(version, limit) < 0));
}

/**
 * Whether `version` of the package falls within an advisory's affected package: listed in `versions`
 * or inside any SEMVER/ECOSYSTEM range (GIT ranges name commits and are ignored here), ordered by the
 * ecosystem's own rules (semver, PEP 440, Maven ComparableVersion, Go semver). Throws a ValidationError for
 * an unsupported ecosystem or a version the ecosystem cannot read: a wrong answer either way would be unsafe.
 */
export function isAffected(ecosystem: string, version: string, affected: AffectedPackage): boolean {
  const scheme = versionScheme(ecosystem);
  if (!scheme.valid(version)) throw new ValidationError(`"${version}" is not a valid ${ecosystem} version`);
  const listed = affected.versions.some(
    (listedVersion) =>
      listedVersion === version || (scheme.valid(listedVersion) && scheme.compare(listedVersion, version) === 0),
  );
  if (listed) return true;
  const semverScheme = semverRangeScheme(scheme);
  return affected.ranges.some((range) => {
    if (range.type === 'GIT') return false;
    // A SEMVER range is read as SemVer; a version SemVer cannot read falls back to the ecosystem's order.
    const rangeScheme = range.type === 'SEMVER' && semverScheme.valid(version) ? semverScheme : scheme;
    return inRange(rangeScheme, version, range);
  });
}

/**
 * The affected entries of the advisories that name this package in this ecosystem (ecosystem case-insensitive;
 * PyPI names compared by PEP 503 normalization, so `Django` and `django` are one package).
 */
export function affectedPackagesFor(
  advisories: readonly Advisory[],
  ecosystem: string,
  pkg: string,
): { advisoryId: string; affected: AffectedPackage }[] {
  const wanted = ecosystem.toLowerCase();
  return advisories.flatMap((advisory) =>
    advisory.affected
      .filter(
        (affected) => affected.ecosystem.toLowerCase() === wanted && samePackage(ecosystem, affected.package, pkg),
      )
      .map((affected) => ({ advisoryId: advisory.id, affected })),
  );
}

/** Ids of the advisories (deduplicated, in input order) whose entries for the package include `version`. */
export function advisoriesAffecting(
  entries: readonly { advisoryId: string; affected: AffectedPackage }[],
  ecosystem: string,
  version: string,
): string[] {
  const ids = entries.filter((entry) => isAffected(ecosystem, version, entry.affected)).map((e) => e.advisoryId);
  return [...new Set(ids)];
}
