import { z } from 'zod';
import type { Advisory, AffectedPackage } from '../domain/advisory.ts';
import { advisoriesAffecting, affectedPackagesFor } from './affected.ts';
import { assertValidVersion, bumpLevel, versionScheme } from './versioning.ts';

/** The version a fix moves to, and what that move costs (the policy gate reads `bump` and `crossesMajor`). */
export const TargetChoiceSchema = z.object({
  target: z.string().nullable(),
  bump: z.enum(['patch', 'minor', 'major']).nullable(),
  crossesMajor: z.boolean(),
  /** Advisories that affect the current version and not the target. */
  resolves: z.array(z.string()),
  /** Advisories that still affect the target, or (no target) every advisory affecting the current version. */
  unresolved: z.array(z.string()),
  /** Fixed versions from the advisory data above the current version, ascending. */
  candidates: z.array(z.string()),
  reason: z.string(),
});
export type TargetChoice = z.infer<typeof TargetChoiceSchema>;

export type TargetInput = { ecosystem: string; package: string; current: string; advisories: readonly Advisory[] };

const list = (ids: readonly string[]) => (ids.length ? ids.join(', ') : 'none');

/**
 * Chooses the smallest version that no given advisory affects, among the fixed versions the advisories
 * themselves publish: we never invent a version the registry may not have. The current major wins when
 * it has one (a patch or minor bump); a major bump is chosen only when the current major has no fix.
 * Prerelease fixes are candidates only when the current version is itself a prerelease. Versions are
 * ordered by the ecosystem's rules (npm semver, PEP 440, Maven ComparableVersion, Go semver, where a
 * pseudo-version is an ordinary commit, not a prerelease); the target keeps the advisory's spelling.
 */
export function chooseTargetVersion(input: TargetInput): TargetChoice {
  const { ecosystem, current } = input;
  const scheme = versionScheme(ecosystem);
  assertValidVersion(ecosystem, current);
  const entries = affectedPackagesFor(input.advisories, ecosystem, input.package);
  const affectingCurrent = advisoriesAffecting(entries, ecosystem, current);
  const allowPrerelease = scheme.prerelease(current);
  const candidates = [...new Set(entries.flatMap(({ affected }) => fixedVersionsOf(affected)))]
    .filter((version) => scheme.valid(version) && scheme.compare(version, current) > 0)
    .filter((version) => allowPrerelease || !scheme.prerelease(version))
    .sort((a, b) => scheme.compare(a, b));
  const none = { target: null, bump: null, crossesMajor: false, candidates } as const;
  const name = `${input.package} ${current}`;

  if (affectingCurrent.length === 0) {
    return { ...none, resolves: [], unresolved: [], reason: `${name} is not affected by the given advisories.` };
  }
  const clean = candidates.filter((version) => advisoriesAffecting(entries, ecosystem, version).length === 0);
  const currentMajor = scheme.levels(current)[0];
  const target = clean.find((version) => scheme.levels(version)[0] === currentMajor) ?? clean[0];
  if (!target) {
    const tried = candidates.length ? `none of the fixed versions ${candidates.join(', ')}` : 'no fixed version';
    return {
      ...none,
      resolves: [],
      unresolved: affectingCurrent,
      reason: `${name} is affected by ${list(affectingCurrent)} and ${tried} above it is free of every advisory.`,
    };
  }
  const crossesMajor = scheme.levels(target)[0] !== currentMajor;
  const scope = crossesMajor ? `no fix exists in major ${currentMajor}, so` : `in major ${currentMajor},`;
  return {
    target,
    bump: bumpLevel(ecosystem, current, target),
    crossesMajor,
    candidates,
    resolves: affectingCurrent,
    unresolved: [],
    reason:
      `${scope} ${target} is the smallest fixed version of ${input.package} above ${current} that no advisory ` +
      `affects; it resolves ${list(affectingCurrent)}.`,
  };
}

/** The package's `fixed` list and every `fixed` event of its non-GIT ranges. */
function fixedVersionsOf(affected: AffectedPackage): string[] {
  const fromRanges = affected.ranges
    .filter((range) => range.type !== 'GIT')
    .flatMap((range) => range.events.flatMap((event) => (event.fixed === undefined ? [] : [event.fixed])));
  return [...affected.fixed, ...fromRanges];
}
