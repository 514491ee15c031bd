import type { AskFilters, GroupBy, QuerySpec } from '../domain/ask.ts';
import type { ControlKind } from '../domain/control.ts';
import type { Vocabulary } from './vocabulary.ts';

/** What the rules parser made of a question. */
export type ParsedQuestion =
  | { understood: true; spec: QuerySpec; ignored: string[] }
  | { understood: false; reason: string; ignored: string[] };

/** Questions the parser answers, shown when it cannot map one. */
export const EXAMPLE_QUESTIONS = [
  'which internet-facing prod assets have KEV vulns that no WAF covers',
  'how many Act exposures does team payments own',
  'top 10 risks on crown jewels',
  'what is CVE-2021-44228 and where are we affected',
  'which exposures are past their SLA',
  'are we safer than 90 days ago',
  'open exposures by team',
  'deserialization bugs in production',
];

/**
 * A question being read: matched phrases are blanked out so that no phrase counts twice and
 * whatever is left over can be reported as not understood.
 */
class Reader {
  text: string;
  constructor(question: string) {
    this.text = ` ${normalize(question)} `;
  }
  /** Finds `pattern` (global matches), blanks every match and returns them. */
  takeAll(pattern: RegExp): RegExpExecArray[] {
    const flags = pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`;
    const matches = [...this.text.matchAll(new RegExp(pattern.source, flags))] as RegExpExecArray[];
    for (const m of matches) this.blank(m.index, m[0].length);
    return matches;
  }
  take(pattern: RegExp): RegExpExecArray | null {
    const match = new RegExp(pattern.source, pattern.flags.replace('g', '')).exec(this.text);
    if (match) this.blank(match.index, match[0].length);
    return match;
  }
  /** Like `take`, but blanks only the captured groups: the words between stay to be read. */
  takeParts(pattern: RegExp, groups: number[]): RegExpExecArray | null {
    const match = new RegExp(pattern.source, `${pattern.flags.replace('g', '')}d`).exec(this.text);
    if (!match?.indices) return null;
    for (const group of groups) {
      const span = match.indices[group];
      if (span) this.blank(span[0], span[1] - span[0]);
    }
    return match;
  }
  has(pattern: RegExp): boolean {
    return pattern.test(this.text);
  }
  private blank(index: number, length: number): void {
    this.text = `${this.text.slice(0, index)}${' '.repeat(length)}${this.text.slice(index + length)}`;
  }
}

function normalize(question: string): string {
  return question
    .toLowerCase()
    .replace(/[\u2018\u2019\u201b]/g, "'")
    .replace(/[\u201c\u201d"`]/g, ' ')
    .replace(/[?!;,()[\]{}]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Words that carry no filter: what is left after these and the matched phrases is "ignored". */
const FILLER = new Set(
  (
    'a an the of in on at to for from with and or by is are was were be been do does did have has had ' +
    'what which who whom whose where when how why me my our we us you your i it its this that these those there ' +
    'show list give find get tell display see let know please can could would should will shall may might must ' +
    'all any some every each many much more most less least than then now currently today still yet already ' +
    'exposure exposures vuln vulns vulnerability vulnerabilities finding findings issue issues risk risks ' +
    'problem problems cve cves item items thing things case cases ticket tickets asset assets system systems ' +
    'service services host hosts app apps application applications machine machines server servers ' +
    'affected affecting affect affects impacted have got having being ' +
    'about just only also right exist exists existing currently across over under up down out into ' +
    'need needs needed require requires requiring due matter matters found detected reported seen discovered ' +
    'team teams owner owners people repo repos repository repositories image images ones anything something' +
    " there's what's who's where's how's it's that's we're"
  ).split(/\s+/),
);

/** Nouns that make a question about the estate even without a filter ("how many exposures"). */
const DOMAIN_NOUN =
  /\b(exposures?|vulns?|vulnerabilit(?:y|ies)|findings?|risks?|cves?|advisor(?:y|ies)|assets?|issues?|backlog)\b/;

const NUMBER_WORDS: Record<string, number> = {
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  twenty: 20,
  fifty: 50,
};
const NUMBER = String.raw`(\d{1,4}|one|two|three|four|five|six|seven|eight|nine|ten|twenty|fifty)`;
function toNumber(text: string): number {
  return NUMBER_WORDS[text] ?? Number.parseInt(text, 10);
}

const UNIT_DAYS: Record<string, number> = { day: 1, week: 7, month: 30, quarter: 91, year: 365 };
function days(count: number, unit: string): number {
  return count * (UNIT_DAYS[unit.replace(/s$/, '')] ?? 1);
}

const CONTROL_WORDS: [RegExp, ControlKind][] = [
  [/wafs?|web application firewalls?|virtual patch(?:es|ing)?/, 'waf'],
  [/edrs?|endpoint detection(?: and response)?/, 'edr'],
  [/firewalls?|security groups?/, 'firewall'],
  [/segmentation|network segments?|microsegmentation/, 'segmentation'],
  [/iam boundar(?:y|ies)|permission boundar(?:y|ies)/, 'iam_boundary'],
  [/runtime protection|rasp/, 'runtime_protection'],
  [/detection rules?|siem rules?/, 'detection_rule'],
];
const CONTROL = String.raw`(?:an? |any |the )?(${CONTROL_WORDS.map(([p]) => p.source).join('|')})`;
function controlKind(text: string): ControlKind {
  for (const [pattern, kind] of CONTROL_WORDS) if (new RegExp(`^(?:${pattern.source})$`).test(text)) return kind;
  return 'waf';
}

/** Weakness classes an analyst names; matched by meaning against advisory summaries. */
const CONCEPTS = [
  'remote code execution',
  'code execution',
  'command injection',
  'sql injection',
  'code injection',
  'template injection',
  'jndi injection',
  'injection',
  'deserialization',
  'prototype pollution',
  'path traversal',
  'directory traversal',
  'cross-site scripting',
  'xss',
  'server-side request forgery',
  'ssrf',
  'xml external entit(?:y|ies)',
  'xxe',
  'denial of service',
  'dos',
  'redos',
  'regular expression denial of service',
  'privilege escalation',
  'authentication bypass',
  'auth bypass',
  'memory corruption',
  'buffer overflow',
  'use after free',
  'open redirect',
  'request smuggling',
  'information disclosure',
  'rce',
];
const CONCEPT_SUFFIX = String.raw`(?:bugs?|flaws?|vulns?|vulnerabilit(?:y|ies)|issues?|weakness(?:es)?|problems?|exposures?|cves?|attacks?|risks?)`;

const GROUP_WORDS: [RegExp, GroupBy][] = [
  [/owners?|people|persons?|engineers?/, 'owner'],
  [/teams?|squads?/, 'team'],
  [/assets?|systems?|services?|hosts?|apps?|applications?|repos?|repositor(?:y|ies)|images?|resources?/, 'asset'],
  [/advisor(?:y|ies)|cves?|vulnerabilit(?:y|ies)|vulns?/, 'advisory'],
  [/decisions?|ssvc(?: decisions?)?|priorit(?:y|ies)/, 'decision'],
  [/environments?|envs?/, 'environment'],
  [/criticality|tiers?/, 'criticality'],
  [/severit(?:y|ies)/, 'severity'],
  [/coverage/, 'coverage'],
];
const GROUP = GROUP_WORDS.map(([p]) => p.source).join('|');
function groupKey(text: string): GroupBy {
  for (const [pattern, key] of GROUP_WORDS) if (new RegExp(`^(?:${pattern.source})$`).test(text)) return key;
  return 'asset';
}

type Draft = {
  intent?: QuerySpec['intent'];
  filters: Partial<AskFilters>;
  concept?: string;
  likeAdvisory?: string;
  groupBy?: GroupBy;
  sort?: QuerySpec['sort'];
  limit?: number;
  advisoryId?: string;
  exposureId?: string;
  days?: number;
  /** Something recognizable was found (a filter, an entity, an aggregation). */
  recognized: boolean;
};

/**
 * The rules back-end's reading of a question: phrases become typed filters, an intent and an
 * aggregation. It never guesses: words it cannot use are returned as `ignored`, and a question
 * with nothing it recognizes is not understood.
 */
export function parseQuestion(question: string, vocabulary: Vocabulary): ParsedQuestion {
  const r = new Reader(question);
  const d: Draft = { filters: {}, recognized: false };
  const set = <K extends keyof AskFilters>(key: K, value: AskFilters[K]) => {
    d.filters[key] = value;
    d.recognized = true;
  };

  readAdvisoryIds(r, d);
  readTrendAndMetrics(r, d);
  readExplain(r, d);
  readAggregation(r, d);
  readTimeWindow(r, d, set);
  readStates(r, set);
  readExposureFacts(r, set);
  readAssetFacts(r, set);
  readCoverage(r, set);
  readConcept(r, d);
  readNames(r, vocabulary, set);
  readIntent(r, d);

  const ignored = leftover(r.text);
  const aboutEstate = DOMAIN_NOUN.test(normalize(question));
  if (!d.recognized && !(aboutEstate && d.intent && ignored.length === 0)) {
    return {
      understood: false,
      reason: ignored.length
        ? `I could not map "${ignored.join(' ')}" to exposure filters, an advisory or a metric`
        : 'the question names no filter, advisory, aggregation or metric',
      ignored,
    };
  }
  return { understood: true, spec: toSpec(d), ignored };
}

function toSpec(d: Draft): QuerySpec {
  const intent = d.intent ?? (d.groupBy ? 'group' : 'list');
  const filters: AskFilters = { state: 'active', ...d.filters } as AskFilters;
  return {
    intent,
    filters,
    ...(d.concept ? { concept: d.concept } : {}),
    ...(d.likeAdvisory ? { likeAdvisory: d.likeAdvisory } : {}),
    ...(intent === 'group' ? { groupBy: d.groupBy ?? 'asset' } : {}),
    sort: d.sort ?? 'risk',
    limit: d.limit ?? (intent === 'group' ? 20 : 50),
    ...(d.advisoryId ? { advisoryId: d.advisoryId } : {}),
    ...(d.exposureId ? { exposureId: d.exposureId } : {}),
    ...(intent === 'trend' ? { days: d.days ?? 90 } : {}),
  };
}

function readAdvisoryIds(r: Reader, d: Draft): void {
  // "similar to CVE-…" and "CVE-…-like" ask for neighbours by meaning: readConcept takes them.
  if (r.has(/\b(?:similar to|resembling|like|related to|in the style of) cve-\d{4}-\d+|\bcve-\d{4}-\d+[- ]like\b/))
    return;
  const ids = r.takeAll(
    /\b(cve-\d{4}-\d{4,}|ghsa(?:-[23456789cfghjmpqrvwx]{4}){3}|osv-\d{4}-\d+|pysec-\d{4}-\d+|go-\d{4}-\d+)\b/,
  );
  if (!ids.length) return;
  // CVE ids are upper case; GHSA ids keep their lower-case body (GHSA-jfh8-c2jp-5v3q).
  const id = ids[0]![1]!.toUpperCase().replace(/^(GHSA-)(.*)$/, (_, p, rest) => p + rest.toLowerCase());
  d.recognized = true;
  const describe =
    /\b(what(?:'s| is| are| was)|tell me about|explain|describe|details (?:of|on|about)|info(?:rmation)? (?:on|about)|summar(?:y|ize)|where are we affected|are we affected|are we vulnerable|where (?:are|is) (?:we|it)|do we have|impact of)\b/;
  if (r.has(describe) || ids.length === 1) {
    r.take(describe);
    r.take(/\b(and )?(where|which (?:assets?|systems?|services?)) (are|is) (we |it )?(affected|vulnerable|exposed)\b/);
    r.take(/\b(affected|vulnerable|exposed) (by|to)\b/);
    d.advisoryId = id;
    d.intent = 'advisory';
  }
}

function readTrendAndMetrics(r: Reader, d: Draft): void {
  const unit = String.raw`(days?|weeks?|months?|quarters?|years?)`;
  const compare = r.take(
    new RegExp(
      String.raw`\b(?:than|vs\.?|versus|compared (?:to|with)) (?:${NUMBER} ${unit}|(?:a|one|last) (week|month|quarter|year))(?: ago)?\b`,
    ),
  );
  // "how did the backlog change over the last 30 days": a change asked about is a trend.
  const changed = r.takeParts(/\b(how (?:did|has|have|does|do))\b.*?\b(chang(?:e|ed|es))\b/, [1, 2]);
  const trendWords =
    /\b(safer|less safe|more secure|less secure|better|worse|improv(?:e|ed|ing)|getting (?:better|worse)|trend(?:ed|ing|s)?|progress|(?:gone|go|went|going) (?:up|down))\b/;
  if (compare || changed || r.has(trendWords)) {
    let window = compare ? (compare[1] ? days(toNumber(compare[1]), compare[2]!) : days(1, compare[3]!)) : undefined;
    if (!window) {
      const since = r.take(
        new RegExp(
          String.raw`\b(?:since|in|over|during|across)? ?(?:the )?(?:last|past) ${NUMBER} ${unit}|\bsince ${NUMBER} ${unit} ago\b`,
        ),
      );
      if (since) window = since[1] ? days(toNumber(since[1]), since[2]!) : days(toNumber(since[3]!), since[4]!);
      else {
        const one = r.take(/\b(?:since|in|over|during)? ?(?:the )?(?:last|past|this) (week|month|quarter|year)\b/);
        if (one) window = days(1, one[1]!);
      }
    }
    r.takeAll(trendWords);
    r.takeAll(/\b(are we|is our|has our|have we|is the|has the|how has|how have|over time)\b/);
    r.takeAll(/\b(?:risk[- ]weighted )?backlog|security posture|posture|mttr|sla compliance|\brisk\b/);
    d.intent = 'trend';
    d.days = window ?? 90;
    d.recognized = true;
    return;
  }
  const metric = r.take(
    /\b(sla compliance|mttr|mean time to (?:remediat(?:e|ion)|resolv(?:e|ution)|fix)|time to remediate|risk[- ]weighted backlog|(?:security )?metrics|kpis?|how (?:are|is) (?:we|the programme|the program) doing)\b/,
  );
  if (metric) {
    r.takeAll(/\b(what(?:'s| is| are)|our|current|the|by (?:tier|decision))\b/);
    d.intent = 'metrics';
    d.recognized = true;
  }
}

/**
 * "explain the risk of the highest scored exposure", "why is EXP-… ranked so high", "what makes
 * the riskiest exposure on payments-api urgent": one exposure's priority, explained.
 */
function readExplain(r: Reader, d: Draft): void {
  if (d.intent) return;
  const asks = /\b(explain(?: to me)?|why (?:is|does|was|has|did)|what makes|justify|break down)\b/;
  if (!r.has(asks)) return;
  const id = r.take(/\b(exp-[0-9a-f]{8,64})\b/);
  const first = id
    ? null
    : r.take(
        /\b(?:highest[- ](?:scored|scoring|risk|ranked|priority)|riskiest|top(?:[- ]ranked)?|most (?:risky|critical|urgent|dangerous)|worst|number one)(?: (?:exposure|vuln(?:erability)?|risk|finding|issue|item|one))?\b/,
      );
  if (!id && !first) return;
  r.take(asks);
  r.takeAll(
    /\b(?:the )?(?:risk(?: score)?|priority|score|ranking|rank|decision|ssvc decision)(?: of| for)?\b|\b(?:so |this |that )?(?:high(?:ly)?|urgent|risky|critical|important)(?: ranked| scored| prioriti[sz]ed)?\b|\b(?:ranked|scored|prioriti[sz]ed|rated|at the top|on top|first)\b/,
  );
  d.intent = 'explain';
  d.sort = 'risk';
  d.limit = 1;
  if (id) d.exposureId = `EXP-${id[1]!.slice(4)}`;
  d.recognized = true;
}

function readAggregation(r: Reader, d: Draft): void {
  if (d.intent === 'explain') return;
  const by = r.take(
    new RegExp(
      String.raw`\b(?:grouped by|group(?:ed)? by|broken down by|breakdown by|split by|by|per|for each|each) (${GROUP})\b`,
    ),
  );
  if (by) {
    d.groupBy = groupKey(by[1]!);
    d.intent = 'group';
    d.recognized = true;
  }
  // "which teams own the most", "who owns the most", "which assets have the most ...".
  const most = r.take(
    new RegExp(
      String.raw`\b(?:which|what|who(?:se)?)(?: ${NUMBER})? (${GROUP}|owns?|has)\b(?: (?:own|owns|have|has|carry|carries|hold|holds|is|are))?(?: the)? (?:most|highest|biggest|largest|greatest|worst)\b`,
    ),
  );
  if (most) {
    const word = most[2]!;
    d.groupBy = /^(owns?|has)$/.test(word) ? 'owner' : groupKey(word);
    if (most[1]) d.limit = toNumber(most[1]);
    d.intent = 'group';
    d.recognized = true;
  } else {
    // "which prod assets have ...", "which teams have KEV vulns": the answer is a set of assets or teams.
    // Only the question word is consumed: the words between ("internal", "prod") are filters.
    const which = r.takeParts(
      /\b(which|what|list(?: the)?|show(?: me)?(?: the)?|name the) (?:(?!exposures?\b|vulns?\b|vulnerabilit|findings?\b|issues?\b|risks?\b|secrets?\b|credentials?\b|misconfig)[\w*-]+ ){0,5}?(assets?|systems?|services?|hosts?|apps?|applications?|repos?|repositories|images?|teams?|owners?|people|advisories|cves)(?![\w-])/,
      [1],
    );
    if (which) {
      d.groupBy = groupKey(which[2]!);
      d.intent = 'group';
      d.recognized = true;
    } else if (r.take(/\bwho (?:owns?|is responsible for|has to fix|should fix|must fix)\b/)) {
      d.groupBy = 'owner';
      d.intent = 'group';
      d.recognized = true;
    }
  }
  const topN = r.take(
    new RegExp(String.raw`\b(?:the )?${NUMBER} (?:riskiest|worst|highest[- ]risk|most critical|biggest)\b`),
  );
  if (topN) {
    d.limit = toNumber(topN[1]!);
    d.sort = 'risk';
    d.recognized = true;
  }
  const top = r.take(
    new RegExp(
      String.raw`\b(?:top|first|worst|riskiest|highest[- ]risk|biggest|most critical|most dangerous|most urgent)(?: ${NUMBER})?\b`,
    ),
  );
  if (top) {
    if (top[1]) d.limit = toNumber(top[1]);
    else if (!d.limit) d.limit = 10;
    d.sort = 'risk';
    d.recognized = true;
  }
  if (r.take(/\b(most overdue|closest to (?:their |the )?sla|due (?:soonest|first)|by due date)\b/)) {
    d.sort = 'sla';
    d.recognized = true;
  }
  if (r.take(/\b(oldest|longest open|open the longest|been open longest)\b/)) {
    d.sort = 'opened';
    d.recognized = true;
  }
  if (r.take(/\b(highest epss|most likely (?:to be )?exploited)\b/)) {
    d.sort = 'epss';
    d.recognized = true;
  }
}

function readTimeWindow(r: Reader, d: Draft, set: <K extends keyof AskFilters>(k: K, v: AskFilters[K]) => void): void {
  const fixed = r.has(/\b(resolved|fixed|closed|remediated|patched)\b|\b(?:did|have|has) (?:we|they|the team) fix/);
  if (fixed) r.take(/\b(?:did|have|has) (?:we|they|the team) fix(?:ed)?\b/);
  let window: number | undefined;
  const last = r.take(
    new RegExp(
      String.raw`\b(?:in|within|during|over|from)? ?(?:the )?(?:last|past|previous) ${NUMBER} (days?|weeks?|months?|quarters?|years?)\b`,
    ),
  );
  if (last) window = days(toNumber(last[1]!), last[2]!);
  const single = window
    ? null
    : r.take(/\b(?:in |during |over )?(?:the )?(?:last|past|previous|this) (day|week|month|quarter|year)\b/);
  if (single) window = days(1, single[1]!);
  if (!window && r.take(/\btoday\b/)) window = 1;
  if (!window && d.intent === 'trend') return;
  if (!window) return;
  if (fixed) {
    set('resolvedWithinDays', window);
    if (d.filters.state === undefined) set('state', 'resolved');
  } else {
    set('openedWithinDays', window);
    r.take(/\b(new|newly (?:opened|found|discovered)|opened|found|discovered|appeared|introduced)\b/);
  }
}

function readStates(r: Reader, set: <K extends keyof AskFilters>(k: K, v: AskFilters[K]) => void): void {
  if (r.take(/\b(resolved|fixed|closed|remediated|patched)\b/)) set('state', 'resolved');
  else if (
    r.take(/\b(awaiting|pending|waiting for|need(?:s|ing)?) (?:an? |human )?approvals?\b|\bawaiting_approval\b/)
  ) {
    set('state', 'awaiting_approval');
  } else if (r.take(/\b(risk[- ]accepted|accepted(?: risks?)?)\b/)) set('state', 'accepted');
  else if (r.take(/\b(mitigated)\b/)) set('state', 'mitigated');
  else if (r.take(/\bin progress\b/)) set('state', 'in_progress');
  else if (r.take(/\bsuppressed\b/)) set('state', 'suppressed');
  else if (r.take(/\b(including closed|all states|ever|of all time)\b/)) set('state', 'all');
  r.take(/\b(open|active|outstanding|unresolved|unfixed|unpatched|remaining|current|left)\b/);
  if (
    r.take(/\b(in (?:the )?triage(?: queue)?|need(?:s|ing)? triage|untriaged|without (?:an )?owner|unowned|no owner)\b/)
  ) {
    set('triage', true);
  }
}

function readExposureFacts(r: Reader, set: <K extends keyof AskFilters>(k: K, v: AskFilters[K]) => void): void {
  if (r.take(/\b(not (?:in (?:the )?)?kev|non[- ]kev|not known[- ]exploited|not (?:actively )?exploited)\b/))
    set('kev', false);
  else if (
    r.take(
      /\b((?:cisa )?kev(?:[- ]listed)?|known[- ]exploited(?: vulnerabilit(?:y|ies))?|actively[- ]exploited|exploited in the wild|under active exploitation|on the kev list|in (?:the )?kev(?: catalog(?:ue)?)?)\b/,
    )
  ) {
    set('kev', true);
  }
  const decision = r.take(
    /\b(?:ssvc (?:decision )?(?:of |is |=)?|decision (?:is |of |=)?)?(act|attend|track\*|track)(?:[- ]level|[- ]priority)?(?= (?:exposures?|vulns?|vulnerabilit|findings?|items?|decisions?|cases?|risks?|issues?|priority|ones|does|do|that|which|on|in|for|owned|are|is)\b| *$)/,
  );
  if (decision) {
    const word = decision[1]!;
    set('decision', word === 'act' ? 'Act' : word === 'attend' ? 'Attend' : word === 'track*' ? 'Track*' : 'Track');
  } else if (r.take(/\b(?:must|should|have to|need to) act on\b|\bact[- ]now\b/)) set('decision', 'Act');

  // Cloud first: "cloud misconfigurations" are cloud findings, not IaC misconfigurations.
  for (const [pattern, kind] of KIND_WORDS) {
    if (r.take(pattern)) {
      set('kind', kind);
      break;
    }
  }

  const severity = r.take(
    /\b(critical|high|medium|moderate|low)(?:[- ]severity)?(?= (?:severity|sev|vulns?|vulnerabilit|findings?|cves?|exposures?|issues?|bugs?|advisor|ones))|\b(?:severity|sev) (?:is |of |=)?(critical|high|medium|moderate|low)\b/,
  );
  if (severity) {
    const word = (severity[1] ?? severity[2])!;
    set('severity', word === 'moderate' ? 'medium' : (word as AskFilters['severity'] & string));
  }
  const epss = r.take(
    /\bepss (?:score )?(?:of |is )?(?:above|over|greater than|more than|at least|>=?|≥) ?(\d*\.?\d+)( ?%| percent)?/,
  );
  if (epss) {
    const value = Number.parseFloat(epss[1]!);
    set('minEpss', Math.min(1, epss[2] || value > 1 ? value / 100 : value));
  } else if (r.take(/\b(high epss|likely to be exploited|high (?:exploit )?probability)\b/)) set('minEpss', 0.1);

  if (
    r.take(
      /\b(past (?:their |the |its )?(?:sla|due date|deadline)s?|(?:sla|deadline)s? (?:is |are |has been |have been )?(?:breached|missed|blown|exceeded|passed)|breach(?:ed|ing)? (?:their |the |its )?slas?|out of sla|overdue|missed (?:their |the |its )?(?:slas?|due dates?|deadlines?)|late)\b/,
    )
  ) {
    set('slaBreached', true);
  } else if (r.take(/\b(within (?:their |the )?sla|not (?:yet )?(?:overdue|breached)|on time)\b/))
    set('slaBreached', false);
}

/** What kind of finding an exposure is, in an analyst's words ("code execution" is a concept, not code). */
const KIND_WORDS: [RegExp, NonNullable<AskFilters['kind']>][] = [
  [/\bcloud (?:findings?|misconfigurations?|misconfigs?|issues?|posture(?: findings?)?)\b/, 'cloud'],
  [
    /\b(?:(?:leaked|exposed|hard[- ]?coded|committed) )?(?:secrets?|credentials?|api keys?|passwords?|tokens?)\b/,
    'secret',
  ],
  [/\b(?:iac |infrastructure[- ]as[- ]code )?(?:misconfigurations?|misconfigs?|misconfigured)\b/, 'misconfiguration'],
  [/\b(?:code (?:scanning )?(?:findings?|issues?|weakness(?:es)?|alerts?)|sast(?: findings?)?)\b/, 'code'],
  [
    /\b(?:vulnerable |outdated )?(?:dependenc(?:y|ies)|third[- ]party (?:packages?|libraries)|open[- ]source (?:packages?|libraries))\b/,
    'package',
  ],
];

function readAssetFacts(r: Reader, set: <K extends keyof AskFilters>(k: K, v: AskFilters[K]) => void): void {
  if (
    r.take(
      /\b(not internet[- ]facing|internal[- ]only|not (?:exposed|reachable) (?:to|from) the internet|internal(?= (?:assets?|systems?|services?|hosts?)))\b/,
    )
  ) {
    set('internetFacing', false);
  } else if (
    r.take(
      /\b(internet[- ]facing|internet[- ]exposed|public[- ]facing|publicly (?:exposed|reachable|accessible)|exposed to the internet|reachable from the internet|on the internet|externally (?:exposed|facing|reachable)|external[- ]facing|internet)\b/,
    )
  ) {
    set('internetFacing', true);
  }
  const env = r.take(/\b(prod|production|staging|stage|dev|development|test|testing|qa)\b(?: environments?| env)?/);
  if (env) {
    const word = env[1]!;
    set(
      'environment',
      word.startsWith('prod')
        ? 'production'
        : word.startsWith('stag')
          ? 'staging'
          : word.startsWith('dev')
            ? 'development'
            : 'test',
    );
  }
  if (r.take(/\b(crown[- ]jewels?|crown[- ]jewel assets?|most critical assets|tier[- ]0)\b/))
    set('criticality', 'crown_jewel');
  else {
    const tier = r.take(/\b(high|medium|low)[- ]criticality\b|\bcriticality (high|medium|low)\b/);
    if (tier) set('criticality', (tier[1] ?? tier[2]) as AskFilters['criticality'] & string);
  }
}

function readCoverage(r: Reader, set: <K extends keyof AskFilters>(k: K, v: AskFilters[K]) => void): void {
  const not = r.take(
    new RegExp(
      String.raw`\b(?:(?:that |which )?(?:no|not|none of our|nothing of our) ${CONTROL} (?:covers?|protects?|blocks?|mitigates?)|not (?:covered|protected|shielded|blocked|mitigated) by ${CONTROL}|(?:without|lacking|missing|with no|outside) ${CONTROL}(?: (?:coverage|protection|rules?))?|un(?:covered|protected) by ${CONTROL}|not behind ${CONTROL})`,
    ),
  );
  if (not) {
    set('notCoveredBy', controlKind((not[1] ?? not[2] ?? not[3] ?? not[4] ?? not[5])!));
    return;
  }
  const by = r.take(
    new RegExp(
      String.raw`\b(?:(?:covered|protected|shielded|blocked|mitigated) by ${CONTROL}|behind ${CONTROL}|${CONTROL}[- ](?:covered|protected))`,
    ),
  );
  if (by) {
    set('coveredBy', controlKind((by[1] ?? by[2] ?? by[3])!));
    return;
  }
  if (
    r.take(
      /\b(uncovered|unprotected|not covered(?: by any (?:compensating )?controls?)?|no (?:compensating )?controls?|without (?:any )?(?:compensating )?controls?|nothing (?:covers|protects))\b/,
    )
  ) {
    set('coverage', 'none');
  } else if (r.take(/\b(fully covered|full coverage|fully protected)\b/)) set('coverage', 'full');
  else if (r.take(/\b(partly|partially) (?:covered|protected)|partial coverage\b/)) set('coverage', 'partial');
}

/** Vulnerabilities known by a name: "log4shell-like" means like this advisory. */
const NICKNAMES: Record<string, string> = {
  log4shell: 'CVE-2021-44228',
  log4j: 'CVE-2021-44228',
  spring4shell: 'CVE-2022-22965',
  text4shell: 'CVE-2022-42889',
  heartbleed: 'CVE-2014-0160',
  shellshock: 'CVE-2014-6271',
  regresshion: 'CVE-2024-6387',
};

function readConcept(r: Reader, d: Draft): void {
  const like = r.take(
    /\b([a-z0-9][\w.-]{2,40})[- ]like\b|\b(?:similar to|resembling|like|related to|in the style of) ([a-z0-9][\w.-]{2,40}(?: [a-z0-9][\w.-]{2,40})?)/,
  );
  if (like) {
    const name = (like[1] ?? like[2])!.trim();
    const advisory = NICKNAMES[name] ?? (/^cve-\d{4}-\d+$/.test(name) ? name.toUpperCase() : undefined);
    if (advisory) d.likeAdvisory = advisory;
    else d.concept = name;
    d.recognized = true;
    return;
  }
  for (const concept of CONCEPTS) {
    const match = r.take(new RegExp(String.raw`\b(${concept})(?: ${CONCEPT_SUFFIX})?\b`));
    if (match) {
      d.concept = match[1]!;
      d.recognized = true;
      return;
    }
  }
}

/** Estate names: assets first (longest names first), then teams, owners and packages. */
function readNames(
  r: Reader,
  vocabulary: Vocabulary,
  set: <K extends keyof AskFilters>(k: K, v: AskFilters[K]) => void,
): void {
  const tokens = (): string[] =>
    r.text
      .split(/\s+/)
      .map((t) => t.replace(/^['.:]+|['.:]+$/g, ''))
      .filter(Boolean);
  const find = (has: (name: string) => boolean): string | null => {
    const words = tokens();
    for (let size = 3; size >= 1; size--) {
      for (let i = 0; i + size <= words.length; i++) {
        const name = words.slice(i, i + size).join(' ');
        const bare = name.replace(/'s$/, '');
        if (has(name)) return name;
        if (has(bare)) return bare;
      }
    }
    return null;
  };
  const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  const takeName = (name: string, around: string) =>
    r.take(new RegExp(String.raw`(?:${around})?(?<![\w-])${escapeRegExp(name)}(?:'s)?(?![\w-])(?: team)?`));

  const asset = find((n) => vocabulary.assets.has(n));
  if (asset) {
    set('assetId', vocabulary.assets.get(asset)!);
    takeName(asset, String.raw`\b(?:asset|system|service|host|repo|repository|image) |\bon |\bin `);
  }
  const team = find((n) => vocabulary.teams.has(n) && !FILLER.has(n));
  if (team) {
    set('owner', vocabulary.teams.get(team)!);
    takeName(team, String.raw`\bteam |\bthe |\bowned by |\bbelonging to |\bfor `);
    r.take(/\b(?:does|do) +(?:own|have|hold)\b|\bown(?:s|ed)?\b/);
  } else {
    const owner = find((n) => vocabulary.owners.has(n) && !FILLER.has(n));
    if (owner) {
      set('owner', vocabulary.owners.get(owner)!);
      takeName(owner, String.raw`\bowned by |\bassigned to |\bfor `);
      r.take(/\b(?:does|do) +(?:own|have|hold)\b|\bown(?:s|ed)?\b/);
    }
  }
  const explicit = r.take(/\b(?:package|library|dependency|component|module|crate|gem) ([@a-z0-9][\w.@/:-]{1,200})/);
  if (explicit) {
    set('component', vocabulary.components.get(explicit[1]!) ?? explicit[1]!);
    return;
  }
  const component = find((n) => vocabulary.components.has(n) && !FILLER.has(n) && n.length >= 3);
  if (component) {
    set('component', vocabulary.components.get(component)!);
    takeName(component, String.raw`\bin |\bof |\bon |\bfor `);
  }
}

function readIntent(r: Reader, d: Draft): void {
  if (d.intent === 'advisory' || d.intent === 'trend' || d.intent === 'metrics' || d.intent === 'explain') return;
  if (r.take(/\b(how many|number of|count(?: of)?|total(?: number of)?|how much)\b/)) {
    // "how many exposures per team" is a breakdown, not one number.
    d.intent = d.intent === 'group' ? 'group' : 'count';
  }
  if (d.intent === 'group' && d.groupBy === undefined) d.groupBy = 'asset';
}

function leftover(text: string): string[] {
  return text
    .split(/\s+/)
    .map((w) => w.replace(/^['.:*-]+|['.:*-]+$/g, ''))
    .filter((w) => w.length > 1 && !FILLER.has(w) && !/^\d+$/.test(w));
}
