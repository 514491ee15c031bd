import type { Advisory } from '../../src/domain/advisory.ts';
import type { AdvisorySummary } from '../../src/domain/advisory-summary.ts';
import type { SummarizeExpected } from './summarize.ts';

/**
 * The mechanical checks of the `summarize` eval: what a summary states, compared with what the
 * advisory data holds and what the case expects. Written independently of the summarizer's own
 * validator (agents/summarizer/validate.ts), so that a gap in one is not hidden by the other.
 */

/**
 * A version-looking token: two or more dot-separated numbers with any qualifiers glued on
 * (4.17.21, 5.2.20.RELEASE, 2.0-beta9, 22.4.0rc1, 10.2.9-h1, 5.0.0-alpha.1,
 * 0.0.0-20220906165146-f3363e06e74c). A leading "v" (Go style) is not part of the token. The
 * look-behind keeps pieces of longer words out ("log4j-1.2-api", "jackson2.13").
 */
const VERSION_TOKEN = /(?<![\w.+~-])v?(\d+(?:\.\d+)+(?:[-+~.]?[0-9A-Za-z]+)*)/g;

/** Vulnerability ids of the kinds advisories alias each other with. */
const VULN_ID = /\b(?:CVE-\d{4}-\d{4,}|GHSA(?:-[0-9a-z]{4}){3}|PYSEC-\d{4}-\d+|GO-\d{4}-\d+)\b/gi;

export function versionTokens(text: string): string[] {
  return [...text.matchAll(VERSION_TOKEN)].map((match) => match[1]!);
}

export function vulnerabilityIds(text: string): string[] {
  return (text.match(VULN_ID) ?? []).map((id) => id.toUpperCase());
}

/** Every string in a value, with the path of the field holding it (`affected[0].fixedVersions[1]`). */
export function stringFields(value: unknown, at = ''): [path: string, text: string][] {
  if (typeof value === 'string') return [[at, value]];
  if (Array.isArray(value)) return value.flatMap((item, i) => stringFields(item, `${at}[${i}]`));
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).flatMap(([key, item]) => stringFields(item, at ? `${at}.${key}` : key));
  }
  return [];
}

/** The version strings the advisory data states, and the version tokens inside names and the CVSS vector. */
export function statedVersions(advisory: Advisory): Set<string> {
  const stated = new Set<string>();
  const addVersion = (value: string | undefined) => {
    if (value === undefined) return;
    stated.add(value.replace(/^v/, ''));
    for (const token of versionTokens(value)) stated.add(token);
  };
  const addTokens = (value: string | null | undefined) => {
    for (const token of versionTokens(value ?? '')) stated.add(token);
  };
  for (const pkg of advisory.affected) {
    addTokens(pkg.package);
    addTokens(pkg.ecosystem);
    for (const version of [...pkg.versions, ...pkg.fixed]) addVersion(version);
    for (const range of pkg.ranges) {
      for (const event of range.events) {
        addVersion(event.introduced);
        addVersion(event.fixed);
        addVersion(event.last_affected);
        addVersion(event.limit);
      }
    }
  }
  addTokens(advisory.cvssVector);
  return stated;
}

/** A decimal equals a target when it is the target rounded to the digits written. */
function roundsTo(token: string, targets: readonly number[]): boolean {
  if (!/^\d+(?:\.\d+)?$/.test(token)) return false;
  const decimals = token.split('.')[1]?.length ?? 0;
  const tolerance = 0.5 * 10 ** -decimals + 1e-9;
  return targets.some((target) => Math.abs(Number(token) - target) <= tolerance);
}

function epssTargets(advisory: Advisory): number[] {
  if (!advisory.epss) return [];
  const { score, percentile } = advisory.epss;
  return [score, percentile, score * 100, percentile * 100];
}

/** Scores a summary may quote besides versions: EPSS (as a fraction or a percentage) and CVSS. */
function isStatedScore(token: string, advisory: Advisory): boolean {
  const cvss = advisory.cvssScore === null || advisory.cvssScore === undefined ? [] : [advisory.cvssScore];
  return roundsTo(token, [...epssTargets(advisory), ...cvss]);
}

/**
 * Versions and vulnerability ids the summary names that the advisory data does not: any string
 * field, structured or prose. Each problem names the field.
 */
export function inventedFacts(summary: AdvisorySummary, advisory: Advisory): string[] {
  const versions = statedVersions(advisory);
  const ids = new Set([advisory.id, ...advisory.aliases].map((id) => id.toUpperCase()));
  const problems: string[] = [];
  for (const [at, text] of stringFields(summary)) {
    for (const token of new Set(versionTokens(text))) {
      if (!versions.has(token) && !isStatedScore(token, advisory)) {
        problems.push(`${at} mentions version "${token}", which is not in the advisory's version data`);
      }
    }
    for (const id of new Set(vulnerabilityIds(text))) {
      if (!ids.has(id)) problems.push(`${at} names ${id}, which is neither the advisory id nor one of its aliases`);
    }
  }
  return problems;
}

const WORD_BOUNDS: [RegExp, string][] = [
  [/\b(?:before|prior to|below|earlier than|lower than)\s+/gi, '< '],
  [/\b(?:up to and including|through|at most)\s+/gi, '<= '],
  [/\b(?:from|since|starting (?:at|from|with)|at least)\s+/gi, '>= '],
];
const AND_LATER = /(\S+)\s+(?:and|or)\s+(?:later|above|newer|higher)\b/gi;
const COMPARATOR = /(>=|<=|==|=|>|<)\s*v?([0-9A-Za-z][0-9A-Za-z.+~-]*)/g;
const BARE_VERSION = /^v?([0-9A-Za-z][0-9A-Za-z.+~-]*)$/;
const SEPARATORS = /^(?:[\s,;&]|\band\b)*$/i;

/**
 * One human range in a canonical form, so that ">=2.0.0, <2.0.3", ">= 2.0.0 < 2.0.3" and
 * "from 2.0.0 before 2.0.3" compare equal: `>=2.0.0 <2.0.3`, `<4.17.21`, `<=4.5.1`, `>=1.2`,
 * `=1.0.0` (one version) or `*` (all versions). Versions are compared as written: 5.2.20 is not
 * 5.2.20.RELEASE. Null when the text does not read as a range.
 */
export function canonicalRange(text: string): string | null {
  let rest = text.trim().replace(/\.$/, '');
  if (/^(?:all|any)(?: affected)?(?: versions?)?$/i.test(rest)) return '*';
  const bare = BARE_VERSION.exec(rest);
  if (bare && /\d/.test(bare[1]!)) return `=${bare[1]}`;
  for (const [pattern, operator] of WORD_BOUNDS) rest = rest.replace(pattern, operator);
  rest = rest.replace(AND_LATER, '>= $1');
  let lower: string | undefined;
  let upper: string | undefined;
  let exact: string | undefined;
  for (const [, operator, rawVersion] of rest.matchAll(COMPARATOR)) {
    const version = rawVersion!.replace(/\.+$/, '');
    const bound = `${operator === '==' ? '=' : operator}${version}`;
    if (operator!.startsWith('>')) {
      if (lower !== undefined) return null;
      lower = bound;
    } else if (operator!.startsWith('<')) {
      if (upper !== undefined) return null;
      upper = bound;
    } else {
      if (exact !== undefined) return null;
      exact = bound;
    }
  }
  if (!SEPARATORS.test(rest.replace(COMPARATOR, ''))) return null;
  if (exact !== undefined) return lower === undefined && upper === undefined ? exact : null;
  const bounds = [lower === '>=0' ? undefined : lower, upper].filter((bound) => bound !== undefined);
  if (!bounds.length) return lower === '>=0' ? '*' : null;
  return bounds.join(' ');
}

/** Whether a text names a version as a whole token (2.12.2 is not found in 2.12.20). */
export function mentionsVersion(text: string, version: string): boolean {
  const escaped = version.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(?<![\\w.+~-])v?${escaped}(?![\\w+~-]|\\.\\w)`).test(text);
}

/** Clauses are split at sentence and clause marks: "Not in CISA KEV; EPSS 0.94" is two clauses. */
function clauses(sentence: string): string[] {
  return sentence.split(/[.;:](?:\s|$)|\n/).filter((clause) => clause.trim());
}

const KEV_WORDS = /\bKEV\b|known exploited vulnerabilit/i;
const NEGATION = /\b(?:not|no|isn't|never|absent)\b/i;

/** What the exploitation sentence says about KEV: listed, not listed, or nothing. */
export function kevClaim(sentence: string): 'listed' | 'not-listed' | 'silent' {
  const about = clauses(sentence).filter((clause) => KEV_WORDS.test(clause));
  if (!about.length) return 'silent';
  return about.some((clause) => NEGATION.test(clause.slice(0, clause.search(KEV_WORDS) + 3))) ? 'not-listed' : 'listed';
}

/** EPSS bands the dataset may expect instead of an exact score (the summarizer's outlook words). */
export const EPSS_BANDS = {
  low: { from: 0, below: 0.1 },
  medium: { from: 0.1, below: 0.5 },
  high: { from: 0.5, below: Number.POSITIVE_INFINITY },
} as const;
export type EpssBand = keyof typeof EPSS_BANDS;

export function epssBand(score: number): EpssBand {
  return (Object.keys(EPSS_BANDS) as EpssBand[]).find((band) => score < EPSS_BANDS[band].below)!;
}

/** Whether the exploitation sentence quotes the advisory's EPSS score or percentile. */
export function quotesEpss(sentence: string, advisory: Advisory): boolean {
  const targets = epssTargets(advisory);
  if (versionTokens(sentence).some((token) => roundsTo(token, targets))) return true;
  if ([...sentence.matchAll(/(?<![\d.])(\d+(?:\.\d+)?)\s*%/g)].some((match) => roundsTo(match[1]!, targets))) {
    return true;
  }
  const percentile = advisory.epss ? advisory.epss.percentile * 100 : Number.NaN;
  return [...sentence.matchAll(/\b(\d{1,3})(?:st|nd|rd|th)\s+percentile/gi)].some(
    (match) => Math.abs(Number(match[1]) - percentile) <= 1,
  );
}

const NO_EPSS = /\bno EPSS\b|\bwithout (?:an? )?EPSS\b|EPSS[^.;]*\b(?:none|unknown|not available|unavailable|n\/a)\b/i;

export function deniesEpss(sentence: string): boolean {
  return NO_EPSS.test(sentence);
}

/** A recommended action that says no fix exists (for a package, or at all). */
export const SAYS_NO_FIX =
  /\bno (?:fixed|fix|patched|patch)\b|\bnot (?:yet )?(?:fixed|patched)\b|\bno (?:fixed |patched )?(?:version|release)\b/i;

/** The failures of one summary, by what they concern; every list empty means the case passed. */
export type SummaryVerdict = {
  ranges: string[];
  fixed: string[];
  exploitation: string[];
  ids: string[];
  phrases: string[];
  invented: string[];
};

const packageKey = (ecosystem: string, name: string) => `${ecosystem.toLowerCase()}/${name}`;

function sameSet(stated: readonly string[], wanted: readonly string[]): { missing: string[]; extra: string[] } {
  return {
    missing: wanted.filter((item) => !stated.includes(item)),
    extra: [...new Set(stated)].filter((item) => !wanted.includes(item)),
  };
}

function judgePackages(summary: AdvisorySummary, expected: SummarizeExpected, verdict: SummaryVerdict): void {
  const stated = new Map(summary.affected.map((entry, i) => [packageKey(entry.ecosystem, entry.package), i]));
  const wanted = new Set(expected.packages.map((pkg) => packageKey(pkg.ecosystem, pkg.package)));
  for (const [name, i] of stated) {
    if (!wanted.has(name)) verdict.ranges.push(`affected[${i}] is ${name}, which the advisory does not list`);
  }
  for (const pkg of expected.packages) {
    const name = packageKey(pkg.ecosystem, pkg.package);
    const i = stated.get(name);
    if (i === undefined) {
      verdict.ranges.push(`affected has no entry for ${name}`);
      verdict.fixed.push(`affected has no entry for ${name}, so none of its fixed versions is stated`);
      continue;
    }
    const entry = summary.affected[i]!;
    const ranges: string[] = [];
    entry.vulnerableRanges.forEach((text, j) => {
      const canonical = canonicalRange(text);
      if (canonical === null) {
        verdict.ranges.push(`affected[${i}].vulnerableRanges[${j}] "${text}" does not read as a version range`);
      } else ranges.push(canonical);
    });
    const rangeDiff = sameSet(
      ranges,
      pkg.ranges.map((text) => canonicalRange(text)!),
    );
    if (rangeDiff.missing.length) {
      verdict.ranges.push(`${name}: the summary does not state the range(s) ${rangeDiff.missing.join(', ')}`);
    }
    if (rangeDiff.extra.length) {
      verdict.ranges.push(`${name}: the summary states range(s) ${rangeDiff.extra.join(', ')} the data does not hold`);
    }
    const fixedDiff = sameSet(entry.fixedVersions, pkg.fixed);
    if (fixedDiff.missing.length) {
      verdict.fixed.push(`${name}: fixedVersions lacks ${fixedDiff.missing.join(', ')}`);
    }
    if (fixedDiff.extra.length) {
      verdict.fixed.push(`${name}: fixedVersions lists ${fixedDiff.extra.join(', ')}, not fixed versions in the data`);
    }
    const unnamed = pkg.fixed.filter((version) => !mentionsVersion(summary.recommendedAction, version));
    if (unnamed.length) verdict.fixed.push(`${name}: recommendedAction does not name ${unnamed.join(', ')}`);
    if (!pkg.fixed.length && !SAYS_NO_FIX.test(summary.recommendedAction)) {
      verdict.fixed.push(`${name} has no fixed version, but recommendedAction does not say so`);
    }
  }
}

function judgeExploitation(
  summary: AdvisorySummary,
  advisory: Advisory,
  expected: SummarizeExpected['exploitation'],
  verdict: SummaryVerdict,
): void {
  const stated = summary.exploitation;
  const problems = verdict.exploitation;
  if (stated.kev !== expected.kev) problems.push(`exploitation.kev is ${stated.kev}, expected ${expected.kev}`);
  if (expected.kevDateAdded !== undefined && stated.kevDateAdded !== expected.kevDateAdded) {
    problems.push(`exploitation.kevDateAdded is ${stated.kevDateAdded}, expected ${expected.kevDateAdded}`);
  }
  if (expected.ransomware !== undefined && stated.ransomware !== expected.ransomware) {
    problems.push(`exploitation.ransomware is ${stated.ransomware}, expected ${expected.ransomware}`);
  }
  const claim = kevClaim(stated.summary);
  const wantedClaim = expected.kev ? 'listed' : 'not-listed';
  if (claim !== wantedClaim) {
    problems.push(`exploitation.summary ${claim === 'silent' ? 'says nothing about KEV' : `reads as KEV ${claim}`}`);
  }
  const { epss } = expected;
  if (epss === null) {
    if (stated.epss !== null) problems.push(`exploitation.epss is ${stated.epss}, but the advisory has no EPSS score`);
    if (!deniesEpss(stated.summary)) problems.push('exploitation.summary does not say there is no EPSS score');
    return;
  }
  if (stated.epss === null) {
    problems.push('exploitation.epss is null, but the advisory has an EPSS score');
    return;
  }
  if ('band' in epss && epssBand(stated.epss) !== epss.band) {
    problems.push(`exploitation.epss ${stated.epss} is in the ${epssBand(stated.epss)} band, expected ${epss.band}`);
  }
  if ('score' in epss) {
    if (Math.abs(stated.epss - epss.score) > 1e-6)
      problems.push(`exploitation.epss is ${stated.epss}, expected ${epss.score}`);
    if (epss.percentile !== undefined && Math.abs((stated.epssPercentile ?? -1) - epss.percentile) > 1e-6) {
      problems.push(`exploitation.epssPercentile is ${stated.epssPercentile}, expected ${epss.percentile}`);
    }
  }
  if (!quotesEpss(stated.summary, advisory)) {
    problems.push('exploitation.summary quotes neither the EPSS score nor its percentile');
  }
}

/**
 * Judges one summary against the advisory it summarizes and the case's expectations: ranges and
 * fixed versions per package, KEV and EPSS (fields and the sentence), CVE ids, required phrases,
 * and anything invented.
 */
export function judgeSummary(
  summary: AdvisorySummary,
  advisory: Advisory,
  expected: SummarizeExpected,
): SummaryVerdict {
  const verdict: SummaryVerdict = { ranges: [], fixed: [], exploitation: [], ids: [], phrases: [], invented: [] };
  judgePackages(summary, expected, verdict);
  judgeExploitation(summary, advisory, expected.exploitation, verdict);
  if (summary.advisoryId !== advisory.id) {
    verdict.ids.push(`advisoryId is "${summary.advisoryId}", the advisory is "${advisory.id}"`);
  }
  const cveDiff = sameSet(
    summary.cveIds.map((id) => id.toUpperCase()),
    expected.cveIds,
  );
  if (cveDiff.missing.length) verdict.ids.push(`cveIds lacks ${cveDiff.missing.join(', ')}`);
  if (cveDiff.extra.length)
    verdict.ids.push(`cveIds lists ${cveDiff.extra.join(', ')}, expected only ${expected.cveIds.join(', ') || 'none'}`);
  const prose = [summary.headline, summary.text, summary.recommendedAction, summary.exploitation.summary]
    .join('\n')
    .toLowerCase();
  for (const phrase of expected.mustMention) {
    if (!prose.includes(phrase.toLowerCase())) verdict.phrases.push(`the summary does not mention "${phrase}"`);
  }
  verdict.invented.push(...inventedFacts(summary, advisory));
  return verdict;
}
