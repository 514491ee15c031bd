import type { Advisory, AffectedPackage, AffectedRange } from '../../src/domain/advisory.ts';
import type { AdvisorySummary } from '../../src/domain/advisory-summary.ts';
import {
  compareVersions,
  cveIdsOf,
  cveTokens,
  isKnownNumber,
  knownIds,
  knownVersionTokens,
  versionTokens,
} from './facts.ts';

const TEXT_LIMIT = 4000;
const HEADLINE_LIMIT = 200;
const QUOTE_LIMIT = 160;
/** How much of the affected list the paragraph spells out; the structured fields carry all of it. */
const PACKAGES_IN_TEXT = 4;
const RANGES_IN_TEXT = 4;

type Interval = { from: string; to?: { version: string; inclusive: boolean } };

/**
 * The intervals of one OSV range, walking its events in order: `introduced` opens an interval,
 * `fixed`/`limit` close it exclusively, `last_affected` inclusively; an interval left open runs
 * to the latest version.
 */
function intervals(range: AffectedRange): Interval[] {
  const found: Interval[] = [];
  let open: string | undefined;
  for (const event of range.events) {
    if (event.introduced !== undefined) {
      if (open !== undefined) found.push({ from: open });
      open = event.introduced;
      continue;
    }
    const close = event.fixed ?? event.limit ?? event.last_affected;
    if (close === undefined || open === undefined) continue;
    found.push({ from: open, to: { version: close, inclusive: event.last_affected !== undefined } });
    open = undefined;
  }
  if (open !== undefined) found.push({ from: open });
  return found;
}

function renderInterval({ from, to }: Interval): string {
  const lower = from === '0' ? '' : `>= ${from}`;
  const upper = to ? `${to.inclusive ? '<=' : '<'} ${to.version}` : '';
  return [lower, upper].filter(Boolean).join(' ') || 'all versions';
}

/**
 * Human ranges of one package. Version ranges win over GIT commit ranges (commits mean little to
 * a reader when versions exist); the explicit versions list is used when there are no ranges.
 */
export function vulnerableRanges(pkg: AffectedPackage): string[] {
  const versionRanges = pkg.ranges.filter((range) => range.type !== 'GIT');
  const chosen = versionRanges.length ? versionRanges : pkg.ranges;
  const found = chosen.flatMap(intervals);
  if (versionRanges.length) found.sort((a, b) => compareVersions(a.from, b.from));
  const rendered = [...new Set(found.map(renderInterval))];
  return rendered.length ? rendered : [...pkg.versions];
}

function fixedVersionsOf(pkg: AffectedPackage): string[] {
  const fixed = [...new Set(pkg.fixed)];
  return pkg.ecosystem === 'GIT' ? fixed : fixed.sort(compareVersions);
}

function joinAnd(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

function joinOr(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`;
}

function ordinal(n: number): string {
  const lastTwo = n % 100;
  if (lastTwo >= 11 && lastTwo <= 13) return `${n}th`;
  return `${n}${{ 1: 'st', 2: 'nd', 3: 'rd' }[n % 10] ?? 'th'}`;
}

function formatEpss(score: number): string {
  return score >= 0.01 ? score.toFixed(2) : String(Number(score.toPrecision(2)));
}

/** One sentence from KEV and EPSS, e.g. "Listed in CISA KEV since 2021-12-10; EPSS 0.94 (99th percentile): ...". */
export function exploitationSummary(advisory: Advisory): string {
  const { kev, epss } = advisory;
  const kevPart = kev
    ? `Listed in CISA KEV since ${kev.dateAdded}${kev.ransomware ? ' (known ransomware use)' : ''}`
    : 'Not in CISA KEV';
  if (!epss) return `${kevPart}; no EPSS score.`;
  const outlook = epss.score >= 0.5 ? 'likely' : epss.score >= 0.1 ? 'possible' : 'unlikely';
  const percentile = ordinal(Math.min(100, Math.floor(epss.percentile * 100)));
  return `${kevPart}; EPSS ${formatEpss(epss.score)} (${percentile} percentile): exploitation ${outlook} in the next 30 days.`;
}

/**
 * What to do, per group of packages sharing the same fixes: the smallest fixed version when
 * there is one line, the fixed release of each line when several; mitigate or accept when none.
 */
export function recommendedAction(advisory: Advisory): string {
  const withFix = new Map<string, string[]>();
  const withoutFix: string[] = [];
  for (const pkg of advisory.affected) {
    const fixed = fixedVersionsOf(pkg);
    if (!fixed.length) {
      withoutFix.push(pkg.package);
      continue;
    }
    const key = JSON.stringify([pkg.ecosystem === 'GIT', fixed]);
    withFix.set(key, [...(withFix.get(key) ?? []), pkg.package]);
  }
  const parts: string[] = [];
  for (const [key, packages] of withFix) {
    const [git, fixed] = JSON.parse(key) as [boolean, string[]];
    const distinct = [...new Set(packages)];
    const names = joinAnd(distinct);
    // Parts are joined with "; ": only the first starts with a capital.
    const verb = (word: string) => (parts.length ? word : capitalize(word));
    if (git) parts.push(`${verb('update')} ${names} to a revision that includes commit ${joinOr(fixed)}`);
    else if (fixed.length === 1) parts.push(`${verb('upgrade')} ${names} to ${fixed[0]} or later`);
    else {
      const whose = distinct.length > 1 ? 'their' : 'its';
      parts.push(
        `${verb('upgrade')} ${names} to the fixed release of ${whose} version line (${joinOr(fixed)}) or later`,
      );
    }
  }
  if (!withFix.size) parts.push('No fixed version is published: mitigate or accept the risk');
  else if (withoutFix.length) {
    parts.push(`no fixed version is published for ${joinAnd([...new Set(withoutFix)])}: mitigate or accept the risk`);
  }
  if (advisory.kev?.dueDate) parts.push(`KEV: remediate by ${advisory.kev.dueDate} (federal deadline)`);
  return `${parts.join('; ')}.`;
}

function firstSentence(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return /^(.+?[.!?])(?:\s|$)/.exec(flat)?.[1] ?? flat;
}

function truncate(text: string, limit: number): string {
  if (text.length <= limit) return text;
  const cut = text.slice(0, limit - 1);
  const atWord = cut.lastIndexOf(' ');
  return `${(atWord > limit / 2 ? cut.slice(0, atWord) : cut).replace(/[\s,;:.]+$/, '')}…`;
}

/**
 * A string is safe to quote when it names no version and no vulnerability id the advisory data
 * does not state: the free text is data, and may be wrong or hostile ("set fixed version 9.9.9").
 */
function safeToQuote(text: string, advisory: Advisory): boolean {
  const versions = knownVersionTokens(advisory);
  const ids = knownIds(advisory);
  return (
    versionTokens(text).every((token) => versions.has(token) || isKnownNumber(token, advisory)) &&
    cveTokens(text).every((id) => ids.has(id))
  );
}

/** The first sentence of the title (else of the details), truncated, when safe to quote; else null. */
function quoteOf(advisory: Advisory, limit: number): string | null {
  for (const source of [advisory.title, advisory.details]) {
    if (!source?.trim()) continue;
    const sentence = firstSentence(source).replaceAll('"', "'").replace(/\.$/, '');
    const quote = truncate(sentence, limit);
    return safeToQuote(quote, advisory) ? quote : null;
  }
  return null;
}

function headlineOf(advisory: Advisory): string {
  const quote = quoteOf(advisory, HEADLINE_LIMIT);
  if (quote) return quote;
  const severity = advisory.severity === 'unknown' ? 'Unrated' : capitalize(advisory.severity);
  const packages = advisory.affected.map((pkg) => pkg.package);
  const target = packages.length
    ? ` in ${packages[0]}${packages.length > 1 ? ` and ${packages.length - 1} more` : ''}`
    : '';
  const built = `${advisory.id}: ${severity} vulnerability${target}`;
  return built.length <= HEADLINE_LIMIT ? built : `${advisory.id}: ${severity} vulnerability`;
}

function capitalize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

function identitySentence(advisory: Advisory, cveIds: readonly string[]): string {
  const others = cveIds.filter((id) => id !== advisory.id.toUpperCase());
  const name = others.length ? `${advisory.id} (${others.join(', ')})` : advisory.id;
  const cvss =
    advisory.cvssScore !== null && advisory.cvssScore !== undefined ? `, CVSS ${advisory.cvssScore.toFixed(1)}` : '';
  const rating =
    advisory.severity === 'unknown' ? `an unrated advisory${cvss}` : `a ${advisory.severity}-severity advisory${cvss}`;
  const quote = quoteOf(advisory, QUOTE_LIMIT);
  return quote ? `${name} is ${rating}: "${quote}".` : `${name} is ${rating}.`;
}

function affectedSentence(affected: AdvisorySummary['affected']): string {
  if (!affected.length) return 'No affected packages or versions are listed.';
  const names = affected.map((pkg) => pkg.package);
  const ambiguous = new Set(names.filter((name, i) => names.indexOf(name) !== i));
  const shown = affected.slice(0, PACKAGES_IN_TEXT).map((pkg) => {
    const ranges = pkg.vulnerableRanges.slice(0, RANGES_IN_TEXT);
    const more = pkg.vulnerableRanges.length - ranges.length;
    const list = ranges.join(', ') + (more > 0 ? ` and ${more} more` : '');
    const name = ambiguous.has(pkg.package) ? `${pkg.package} on ${pkg.ecosystem}` : pkg.package;
    return `${name} (${list || 'versions not stated'})`;
  });
  const rest = affected.length - shown.length;
  const more = rest === 1 ? '1 more package' : `${rest} more packages`;
  return `It affects ${joinAnd(rest > 0 ? [...shown, more] : shown)}.`;
}

/**
 * A withdrawn advisory (a duplicate, or not a vulnerability after all) says so first: fixing what
 * it describes may be wasted work, and the exposures it created may be false positives.
 */
function withdrawalNotice(advisory: Advisory): string | null {
  if (!advisory.withdrawnAt) return null;
  return `This advisory was withdrawn on ${advisory.withdrawnAt.toISOString().slice(0, 10)}: confirm with its publisher that the vulnerability is real before acting on it.`;
}

/**
 * The deterministic summarizer: every field from the structured advisory data. The free text
 * (title, details) is never interpreted; at most its first sentence is quoted in `text`, and only
 * when it names no version or id the data does not state.
 */
export function summarizeAdvisory(advisory: Advisory): AdvisorySummary {
  const cveIds = cveIdsOf(advisory);
  const affected = advisory.affected.map((pkg) => ({
    ecosystem: pkg.ecosystem,
    package: pkg.package,
    vulnerableRanges: vulnerableRanges(pkg),
    fixedVersions: fixedVersionsOf(pkg),
  }));
  const summary = exploitationSummary(advisory);
  const withdrawn = withdrawalNotice(advisory);
  const action = withdrawn ? `${withdrawn} ${recommendedAction(advisory)}` : recommendedAction(advisory);
  const lead = [
    ...(withdrawn ? [withdrawn] : []),
    identitySentence(advisory, cveIds),
    affectedSentence(affected),
    summary,
  ];
  let text = [...lead, action].join(' ');
  if (text.length > TEXT_LIMIT) {
    text = [...lead, `Upgrade each of the ${affected.length} affected packages to a fixed version listed for it.`].join(
      ' ',
    );
  }
  const headline = headlineOf(advisory);
  return {
    advisoryId: advisory.id,
    headline: withdrawn ? truncate(`Withdrawn: ${headline}`, HEADLINE_LIMIT) : headline,
    affected,
    exploitation: {
      kev: Boolean(advisory.kev),
      kevDateAdded: advisory.kev?.dateAdded ?? null,
      ransomware: advisory.kev ? advisory.kev.ransomware : null,
      epss: advisory.epss?.score ?? null,
      epssPercentile: advisory.epss?.percentile ?? null,
      summary,
    },
    cveIds,
    recommendedAction: action,
    text: truncate(text, TEXT_LIMIT),
  };
}
