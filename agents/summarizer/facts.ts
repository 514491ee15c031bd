import type { Advisory } from '../../src/domain/advisory.ts';

/** Anything that reads like a version: 4.17.21, 2.0-beta9, 5.2.20.RELEASE, 10.2.9-h1, 0.94. */
export const VERSION_TOKEN = /\b\d+\.\d+(?:\.\d+)?(?:[-.+][0-9A-Za-z.-]+)?\b/g;
/** A CVE id anywhere in a string, any case. */
export const CVE_TOKEN = /\bCVE-\d{4}-\d{4,}\b/gi;
const CVE_ID = /^CVE-\d{4}-\d{4,}$/;

/** The version-looking tokens of a string. */
export function versionTokens(text: string): string[] {
  return text.match(VERSION_TOKEN) ?? [];
}

/** The CVE ids of a string, upper-cased. */
export function cveTokens(text: string): string[] {
  return (text.match(CVE_TOKEN) ?? []).map((id) => id.toUpperCase());
}

/** The advisory id and its aliases, upper-cased: the only vulnerability ids a summary may name. */
export function knownIds(advisory: Advisory): Set<string> {
  return new Set([advisory.id, ...advisory.aliases].map((id) => id.toUpperCase()));
}

/** The CVE ids among the advisory id and aliases, in that order, once each. */
export function cveIdsOf(advisory: Advisory): string[] {
  return [...new Set([advisory.id, ...advisory.aliases].map((id) => id.toUpperCase()))].filter((id) => CVE_ID.test(id));
}

/**
 * Every version string the advisory data states (range events, listed versions, fixed versions),
 * plus the version-looking tokens inside them and inside package names and the CVSS vector, so
 * that "log4j-1.2-api" or "CVSS:3.1" in a summary is not mistaken for an invented version.
 */
export function knownVersionTokens(advisory: Advisory): Set<string> {
  const known = new Set<string>();
  const add = (value: string | null | undefined) => {
    if (!value) return;
    known.add(value);
    for (const token of versionTokens(value)) known.add(token);
  };
  for (const pkg of advisory.affected) {
    add(pkg.package);
    add(pkg.ecosystem);
    for (const version of [...pkg.versions, ...pkg.fixed]) add(version);
    for (const range of pkg.ranges) {
      for (const event of range.events) {
        add(event.introduced);
        add(event.fixed);
        add(event.last_affected);
        add(event.limit);
      }
    }
  }
  add(advisory.cvssVector);
  return known;
}

/**
 * Numbers a summary may quote besides versions: the EPSS score and percentile (as fractions or
 * percentages) and the CVSS score. A decimal token matches when it is one of them rounded to
 * the digits written.
 */
export function isKnownNumber(token: string, advisory: Advisory): boolean {
  if (!/^\d+\.\d+$/.test(token)) return false;
  const value = Number(token);
  const decimals = token.split('.')[1]!.length;
  const tolerance = 0.5 * 10 ** -decimals + 1e-9;
  const targets: number[] = [];
  if (advisory.epss) {
    const { score, percentile } = advisory.epss;
    targets.push(score, percentile, score * 100, percentile * 100);
  }
  if (advisory.cvssScore !== null && advisory.cvssScore !== undefined) targets.push(advisory.cvssScore);
  return targets.some((target) => Math.abs(value - target) <= tolerance);
}

/** Pre-release words sort before the release they precede; other words (hotfix, RELEASE, sp) after. */
const PRE_RELEASE = /^(?:a|alpha|b|beta|c|cr|dev|m|milestone|pre|preview|rc|snapshot)$/i;

function parts(version: string): (number | string)[] {
  return (version.match(/\d+|[A-Za-z]+/g) ?? []).map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}

/**
 * A loose, ecosystem-agnostic version order for display (sorting ranges and fixed versions).
 * Never used to decide whether a version is affected: that is the ecosystem matchers' job.
 */
export function compareVersions(left: string, right: string): number {
  const a = parts(left);
  const b = parts(right);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i];
    const y = b[i];
    if (x === y) continue;
    if (x === undefined) return typeof y === 'string' && PRE_RELEASE.test(y) ? 1 : -1;
    if (y === undefined) return typeof x === 'string' && PRE_RELEASE.test(x) ? -1 : 1;
    if (typeof x === 'number' && typeof y === 'number') return x - y;
    if (typeof x === 'number') return PRE_RELEASE.test(y as string) ? 1 : -1;
    if (typeof y === 'number') return PRE_RELEASE.test(x) ? -1 : 1;
    const byText = x.toLowerCase().localeCompare(y.toLowerCase());
    if (byText !== 0) return byText;
  }
  return left.localeCompare(right);
}
