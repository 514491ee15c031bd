import semver from 'semver';
import { z } from 'zod';
import type { Advisory, AffectedPackage } from '../domain/advisory.ts';
import { advisoriesAffecting, affectedPackagesFor } from './affected.ts';

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

/** By version components, so a prerelease moving to its own release stays within its major. */
function bumpOf(current: string, target: string): 'patch' | 'minor' | 'major' {
  if (semver.major(current) !== semver.major(target)) return 'major';
  return semver.minor(current) !== semver.minor(target) ? 'minor' : 'patch';
}

const list = (ids: readonly string[]) => (ids.length ? ids.join(', ') : 'none');

/**
 * Chooses the smallest version that no given advisory affects, among the fixed versions the advisories
 * themselves publish: we never invent a version the registry may not have. The current major wins when
 * it has one (a patch or minor bump); a major bump is chosen only when the current major has no fix.
 * Prerelease fixes are candidates only when the current version is itself a prerelease.
 */
export function chooseTargetVersion(input: TargetInput): TargetChoice {
  const { ecosystem, current } = input;
  if (ecosystem.toLowerCase() !== 'npm') throw new Error(`unsupported ecosystem "${ecosystem}": only npm`);
  if (!semver.valid(current)) throw new Error(`"${current}" is not a valid npm version`);
  const entries = affectedPackagesFor(input.advisories, ecosystem, input.package);
  const affectingCurrent = advisoriesAffecting(entries, ecosystem, current);
  const allowPrerelease = semver.prerelease(current) !== null;
  const candidates = [...new Set(entries.flatMap(({ affected }) => fixedVersionsOf(affected)))]
    .filter((version) => semver.valid(version) && semver.gt(version, current))
    .filter((version) => allowPrerelease || semver.prerelease(version) === null)
    .sort(semver.compare);
  const none = { target: null, bump: null, crossesMajor: false, candidates } as const;
  const name = `${input.package} ${current}`;

  if (affectingCurrent.length === 0) {
    return { ...none, resolves: [], unresolved: [], reason: `${name} is not affected by the given advisories.` };
  }
  const clean = candidates.filter((version) => advisoriesAffecting(entries, ecosystem, version).length === 0);
  const currentMajor = semver.major(current);
  const target = clean.find((version) => semver.major(version) === currentMajor) ?? clean[0];
  if (!target) {
    const tried = candidates.length ? `none of the fixed versions ${candidates.join(', ')}` : 'no fixed version';
    return {
      ...none,
      resolves: [],
      unresolved: affectingCurrent,
      reason: `${name} is affected by ${list(affectingCurrent)} and ${tried} above it is free of every advisory.`,
    };
  }
  const crossesMajor = semver.major(target) !== currentMajor;
  const scope = crossesMajor ? `no fix exists in major ${currentMajor}, so` : `in major ${currentMajor},`;
  return {
    target,
    bump: bumpOf(current, target),
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
