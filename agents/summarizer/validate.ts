import type { Advisory } from '../../src/domain/advisory.ts';
import type { AdvisorySummary } from '../../src/domain/advisory-summary.ts';
import { cveTokens, isKnownNumber, knownIds, knownVersionTokens, versionTokens } from './facts.ts';

const EPSS_TOLERANCE = 1e-6;

/** Every string of a value with its path (`affected[0].vulnerableRanges[1]`), for naming the field at fault. */
function stringsOf(value: unknown, at = ''): [string, string][] {
  if (typeof value === 'string') return [[at, value]];
  if (Array.isArray(value)) return value.flatMap((item, i) => stringsOf(item, `${at}[${i}]`));
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).flatMap(([key, item]) => stringsOf(item, at ? `${at}.${key}` : key));
  }
  return [];
}

/** Fields whose versions and names are checked against the data more strictly, one by one. */
function isIdentityField(at: string): boolean {
  return (
    at === 'advisoryId' ||
    /^cveIds\[\d+\]$/.test(at) ||
    /^affected\[\d+\]\.(ecosystem|package|fixedVersions\[\d+\])$/.test(at)
  );
}

function sameNullable(actual: number | null, expected: number | null | undefined): boolean {
  if (actual === null || expected === null || expected === undefined) return actual === (expected ?? null);
  return Math.abs(actual - expected) <= EPSS_TOLERANCE;
}

/**
 * Mechanical checks of a summary against the advisory it summarizes: what the schema cannot say.
 * A package, fixed version, version or CVE id the data does not state is a problem, and so is an
 * exploitation claim (KEV, ransomware, EPSS) that differs from the data. Returns readable
 * sentences naming the field; an empty list means the summary may be used.
 */
export function validateSummary(summary: AdvisorySummary, advisory: Advisory): string[] {
  const problems: string[] = [];
  if (summary.advisoryId !== advisory.id) {
    problems.push(`advisoryId is "${summary.advisoryId}" but the advisory is "${advisory.id}".`);
  }

  summary.affected.forEach((entry, i) => {
    const pkg = advisory.affected.find(
      (candidate) =>
        candidate.package === entry.package && candidate.ecosystem.toLowerCase() === entry.ecosystem.toLowerCase(),
    );
    if (!pkg) {
      problems.push(`affected[${i}].package "${entry.package}" (${entry.ecosystem}) is not a package of the advisory.`);
      return;
    }
    for (const version of entry.fixedVersions) {
      if (!pkg.fixed.includes(version)) {
        problems.push(
          `affected[${i}].fixedVersions lists "${version}", which is not a fixed version of ${pkg.package} ` +
            'in the advisory data.',
        );
      }
    }
  });

  const ids = knownIds(advisory);
  const versions = knownVersionTokens(advisory);
  for (const [at, text] of stringsOf(summary)) {
    for (const id of new Set(cveTokens(text))) {
      if (!ids.has(id)) problems.push(`${at} names ${id}, which is neither the advisory id nor one of its aliases.`);
    }
    if (isIdentityField(at)) continue;
    for (const token of new Set(versionTokens(text))) {
      if (!versions.has(token) && !isKnownNumber(token, advisory)) {
        problems.push(`${at} mentions version "${token}", which appears nowhere in the advisory's version data.`);
      }
    }
  }

  const { exploitation } = summary;
  if (exploitation.kev && !advisory.kev) {
    problems.push('exploitation.kev claims a CISA KEV listing, but the advisory data has no KEV entry.');
  } else if (!exploitation.kev && advisory.kev) {
    problems.push(`exploitation.kev is false, but the advisory is in CISA KEV since ${advisory.kev.dateAdded}.`);
  }
  const kevDateAdded = advisory.kev?.dateAdded ?? null;
  if (exploitation.kevDateAdded !== kevDateAdded) {
    problems.push(
      `exploitation.kevDateAdded is ${exploitation.kevDateAdded ?? 'null'}, the data says ${kevDateAdded ?? 'null'}.`,
    );
  }
  const ransomware = advisory.kev ? advisory.kev.ransomware : null;
  if (exploitation.ransomware !== ransomware) {
    problems.push(`exploitation.ransomware is ${exploitation.ransomware}, the data says ${ransomware}.`);
  }
  if (!sameNullable(exploitation.epss, advisory.epss?.score)) {
    problems.push(`exploitation.epss is ${exploitation.epss}, the data says ${advisory.epss?.score ?? null}.`);
  }
  if (!sameNullable(exploitation.epssPercentile, advisory.epss?.percentile)) {
    problems.push(
      `exploitation.epssPercentile is ${exploitation.epssPercentile}, the data says ${advisory.epss?.percentile ?? null}.`,
    );
  }
  return problems;
}
