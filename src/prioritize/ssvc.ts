import fs from 'node:fs';
import path from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import type { Asset } from '../domain/asset.ts';
import { ConfigError } from '../domain/errors.ts';
import type { SsvcDecision } from '../domain/exposure.ts';
import type { CoverageAssessment, ExposureContext, SsvcResult } from '../domain/priority.ts';
import type { Policy, SsvcPolicy } from './policy.ts';

/**
 * The SSVC decision for one exposure: CISA's published decision table, fed with decision
 * points derived from the exposure's own evidence, then one documented adjustment for the
 * deployer's System Exposure (which CISA's table does not have). Every step carries a reason a
 * security engineer can check against the evidence.
 */

/** Our copy of CISA's table (see data/README.md for its source). */
export const SSVC_TABLE_FILE = path.resolve(import.meta.dirname, 'data/cisa-ssvc-coordinator-2.0.3.csv');

export const EXPLOITATION_VALUES = ['none', 'public poc', 'active'] as const;
export const AUTOMATABLE_VALUES = ['no', 'yes'] as const;
export const TECHNICAL_IMPACT_VALUES = ['partial', 'total'] as const;
export const MISSION_WELL_BEING_VALUES = ['low', 'medium', 'high'] as const;
export const SYSTEM_EXPOSURE_VALUES = ['small', 'controlled', 'open'] as const;
/** Decisions from least to most urgent: the exposure adjustment moves down this list. */
export const SSVC_DECISION_ORDER: readonly SsvcDecision[] = ['Track', 'Track*', 'Attend', 'Act'];

export type Exploitation = (typeof EXPLOITATION_VALUES)[number];
export type Automatable = (typeof AUTOMATABLE_VALUES)[number];
export type TechnicalImpact = (typeof TECHNICAL_IMPACT_VALUES)[number];
export type MissionWellBeing = (typeof MISSION_WELL_BEING_VALUES)[number];
export type SystemExposure = (typeof SYSTEM_EXPOSURE_VALUES)[number];

/** A decision point's value and why it has that value. */
export type Derived<T extends string> = { value: T; reason: string };

/** The four points CISA's table is keyed by. */
export type SsvcPoints = {
  exploitation: Exploitation;
  automatable: Automatable;
  technicalImpact: TechnicalImpact;
  missionWellBeing: MissionWellBeing;
};

export type SsvcTableRow = SsvcPoints & { row: number; decision: SsvcDecision };

export type SsvcInput = {
  context: ExposureContext;
  asset: Asset;
  coverage: CoverageAssessment;
  /** The whole policy fits; only `ssvc` is read. */
  policy: Pick<Policy, 'ssvc'>;
};

const TABLE_HEADER = [
  'row',
  'Exploitation v1.1.0',
  'Automatable v2.0.0',
  'Technical Impact v1.0.0',
  'Mission and Well-Being Impact v1.0.0',
  'CISA Levels v1.1.0 (cisa)',
];
const TABLE_SIZE =
  EXPLOITATION_VALUES.length *
  AUTOMATABLE_VALUES.length *
  TECHNICAL_IMPACT_VALUES.length *
  MISSION_WELL_BEING_VALUES.length;
const CISA_LEVELS: Record<string, SsvcDecision> = {
  track: 'Track',
  'track*': 'Track*',
  attend: 'Attend',
  act: 'Act',
};

function pointsKey(points: SsvcPoints): string {
  return `${points.exploitation}|${points.automatable}|${points.technicalImpact}|${points.missionWellBeing}`;
}

function oneOf<T extends string>(values: readonly T[], value: string | undefined): value is T {
  return value !== undefined && (values as readonly string[]).includes(value);
}

/**
 * Reads and validates a CISA SSVC table CSV: the upstream header, exactly 36 rows, every
 * combination of the four points exactly once, known decisions. Throws ConfigError naming the
 * file and line, because a wrong table would silently mis-prioritize everything.
 */
export function loadSsvcTable(file: string = SSVC_TABLE_FILE): SsvcTableRow[] {
  let records: string[][];
  try {
    records = parseCsv(fs.readFileSync(file, 'utf8'), {
      comment: '#',
      comment_no_infix: true,
      skip_empty_lines: true,
      trim: true,
    }) as string[][];
  } catch (error) {
    throw new ConfigError(file, 'cannot read the SSVC table as CSV', error);
  }
  const [header, ...body] = records;
  if (!header || header.join(',') !== TABLE_HEADER.join(',')) {
    throw new ConfigError(file, `expected the header ${TABLE_HEADER.join(',')}`);
  }
  if (body.length !== TABLE_SIZE) {
    throw new ConfigError(file, `expected exactly ${TABLE_SIZE} rows, found ${body.length}`);
  }
  const seen = new Map<string, number>();
  const rows: SsvcTableRow[] = [];
  for (const [index, record] of body.entries()) {
    const [rowText, exploitation, automatable, technicalImpact, missionWellBeing, level] = record;
    const where = `data row ${index + 1}`;
    const row = Number(rowText);
    if (!Number.isInteger(row) || row < 0) throw new ConfigError(file, `${where}: expected a row number`);
    if (!oneOf(EXPLOITATION_VALUES, exploitation)) throw invalid(file, where, 'Exploitation', EXPLOITATION_VALUES);
    if (!oneOf(AUTOMATABLE_VALUES, automatable)) throw invalid(file, where, 'Automatable', AUTOMATABLE_VALUES);
    if (!oneOf(TECHNICAL_IMPACT_VALUES, technicalImpact)) {
      throw invalid(file, where, 'Technical Impact', TECHNICAL_IMPACT_VALUES);
    }
    if (!oneOf(MISSION_WELL_BEING_VALUES, missionWellBeing)) {
      throw invalid(file, where, 'Mission and Well-Being Impact', MISSION_WELL_BEING_VALUES);
    }
    const decision = level === undefined ? undefined : CISA_LEVELS[level];
    if (!decision) throw invalid(file, where, 'CISA Levels', Object.keys(CISA_LEVELS));
    const entry: SsvcTableRow = { row, exploitation, automatable, technicalImpact, missionWellBeing, decision };
    const key = pointsKey(entry);
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      throw new ConfigError(file, `${where}: combination ${key} already given by row ${earlier}`);
    }
    seen.set(key, row);
    rows.push(entry);
  }
  return rows;
}

function invalid(file: string, where: string, point: string, values: readonly string[]): ConfigError {
  return new ConfigError(file, `${where}: expected ${point} to be one of ${values.join(' | ')}`);
}

let defaultTable: Map<string, SsvcTableRow> | undefined;

/** Looks a combination up in CISA's table (loaded and validated on first use, then cached). */
export function lookupSsvcTable(points: SsvcPoints): SsvcTableRow {
  if (!defaultTable) {
    defaultTable = new Map(loadSsvcTable().map((row) => [pointsKey(row), row]));
  }
  // The table was validated complete, so every valid combination is present.
  return defaultTable.get(pointsKey(points))!;
}

/** A CVSS vector split into its metrics, with the CVSS major version it was written in. */
export type CvssMetrics = { version: '2' | '3' | '4'; metrics: Record<string, string> };

/** Parses CVSS v2, v3.x and v4.0 vectors; null when the text is not one. */
export function parseCvssVector(vector: string | null | undefined): CvssMetrics | null {
  if (!vector) return null;
  let text = vector.trim().replace(/^\((.*)\)$/, '$1');
  let version: CvssMetrics['version'];
  const prefix = /^CVSS:(\d)(?:\.\d)?\//.exec(text);
  if (prefix) {
    const major = prefix[1];
    if (major !== '2' && major !== '3' && major !== '4') return null;
    version = major;
    text = text.slice(prefix[0].length);
  } else if (/(^|\/)Au:/.test(text)) {
    version = '2';
  } else {
    return null;
  }
  const metrics: Record<string, string> = {};
  for (const part of text.split('/')) {
    const colon = part.indexOf(':');
    if (colon <= 0) return null;
    metrics[part.slice(0, colon)] = part.slice(colon + 1);
  }
  return { version, metrics };
}

/**
 * Exploitation: `active` when CISA KEV lists it (exploited in the wild); `public poc` when a
 * public exploit is known or the EPSS percentile reaches the policy threshold; else `none`.
 */
export function deriveExploitation(context: ExposureContext, policy: SsvcPolicy): Derived<Exploitation> {
  if (context.kev) {
    const ransomware = context.kev.ransomware ? ', known to be used in ransomware campaigns' : '';
    return {
      value: 'active',
      reason: `listed in CISA KEV (added ${context.kev.dateAdded})${ransomware}: exploited in the wild`,
    };
  }
  if (context.publicExploit) {
    return { value: 'public poc', reason: 'a public proof-of-concept exploit is known (advisory exploit reference)' };
  }
  const threshold = policy.epssPublicPocPercentile;
  if (context.epss && context.epss.percentile >= threshold) {
    return {
      value: 'public poc',
      reason: `EPSS percentile ${context.epss.percentile} is at or above the policy threshold ${threshold}: exploitation is likely enough to treat as having a public exploit`,
    };
  }
  const epss = context.epss
    ? `EPSS percentile ${context.epss.percentile} is below the policy threshold ${threshold}`
    : 'no EPSS score';
  return { value: 'none', reason: `not in CISA KEV, no public exploit known, ${epss}` };
}

const AUTOMATABLE_REQUIREMENTS: Record<CvssMetrics['version'], Record<string, [string, string]>> = {
  '2': { AV: ['N', 'network attack vector'], AC: ['L', 'low complexity'], Au: ['N', 'no authentication'] },
  '3': {
    AV: ['N', 'network attack vector'],
    AC: ['L', 'low complexity'],
    PR: ['N', 'no privileges'],
    UI: ['N', 'no user interaction'],
  },
  '4': {
    AV: ['N', 'network attack vector'],
    AC: ['L', 'low complexity'],
    AT: ['N', 'no attack requirements'],
    PR: ['N', 'no privileges'],
    UI: ['N', 'no user interaction'],
  },
};

/**
 * Automatable: `yes` when the CVSS vector says the attack is over the network, low complexity,
 * needs no privileges and no user interaction (v4 also no attack requirements; v2 no
 * authentication): an attacker can then script reconnaissance to exploitation. Otherwise `no`.
 */
export function deriveAutomatable(context: ExposureContext): Derived<Automatable> {
  const cvss = parseCvssVector(context.cvssVector);
  if (!cvss) {
    const why = context.cvssVector ? `CVSS vector "${context.cvssVector}" is not recognized` : 'no CVSS vector';
    return { value: 'no', reason: `${why}, so nothing shows the attack can be automated` };
  }
  const met: string[] = [];
  const unmet: string[] = [];
  for (const [metric, [wanted, meaning]] of Object.entries(AUTOMATABLE_REQUIREMENTS[cvss.version])) {
    const actual = cvss.metrics[metric];
    if (actual === wanted) met.push(`${metric}:${wanted}`);
    else unmet.push(`${metric}:${actual ?? '(missing)'} (not ${meaning})`);
  }
  if (unmet.length === 0) {
    return {
      value: 'yes',
      reason: `CVSS ${met.join('/')}: reachable over the network with low complexity and no privileges or user interaction, so an attacker can script it end to end`,
    };
  }
  return { value: 'no', reason: `CVSS ${unmet.join(', ')}: an attacker cannot reliably script it end to end` };
}

/**
 * Technical Impact: `total` when the attacker gains total control or total disclosure. From
 * CVSS: v3 C:H and I:H, or a changed scope (S:C) with C:H or I:H (the impact lands beyond the
 * vulnerable component: host, hypervisor, other tenants); v4 VC:H and VI:H, or SC:H or SI:H on
 * subsequent systems; v2 C:C and I:C. Anything else, or no vector, is `partial`.
 */
export function deriveTechnicalImpact(context: ExposureContext): Derived<TechnicalImpact> {
  const cvss = parseCvssVector(context.cvssVector);
  if (!cvss) {
    const why = context.cvssVector ? `CVSS vector "${context.cvssVector}" is not recognized` : 'no CVSS vector';
    return { value: 'partial', reason: `${why}, so nothing shows total control or total disclosure` };
  }
  const m = cvss.metrics;
  if (cvss.version === '2') {
    if (m.C === 'C' && m.I === 'C') {
      return { value: 'total', reason: 'CVSS v2 C:C and I:C: complete loss of confidentiality and integrity' };
    }
    return { value: 'partial', reason: `CVSS v2 C:${m.C} I:${m.I}: not a complete loss of both` };
  }
  const [c, i] = cvss.version === '4' ? ['VC', 'VI'] : ['C', 'I'];
  if (m[c] === 'H' && m[i] === 'H') {
    return {
      value: 'total',
      reason: `CVSS ${c}:H and ${i}:H: the attacker can read everything and change the behaviour of the vulnerable software`,
    };
  }
  if (cvss.version === '3' && m.S === 'C' && (m.C === 'H' || m.I === 'H')) {
    const high = m.C === 'H' ? 'C:H' : 'I:H';
    return {
      value: 'total',
      reason: `CVSS S:C with ${high}: the high impact reaches beyond the vulnerable component (scope changed)`,
    };
  }
  if (cvss.version === '4' && (m.SC === 'H' || m.SI === 'H')) {
    const high = m.SC === 'H' ? 'SC:H' : 'SI:H';
    return { value: 'total', reason: `CVSS ${high}: high impact on subsequent systems beyond the vulnerable one` };
  }
  return {
    value: 'partial',
    reason: `CVSS ${c}:${m[c] ?? '?'} ${i}:${m[i] ?? '?'}: limited control or disclosure, not both high`,
  };
}

/**
 * Mission and Well-Being Impact from the asset: `high` for a crown jewel or restricted data,
 * `medium` for high criticality or confidential data, else `low`.
 */
export function deriveMissionWellBeing(asset: Asset): Derived<MissionWellBeing> {
  const about = `criticality ${asset.criticality}, data sensitivity ${asset.dataSensitivity}`;
  if (asset.criticality === 'crown_jewel' || asset.dataSensitivity === 'restricted') {
    return { value: 'high', reason: `asset ${asset.id}: ${about}: a crown jewel or restricted data` };
  }
  if (asset.criticality === 'high' || asset.dataSensitivity === 'confidential') {
    return { value: 'medium', reason: `asset ${asset.id}: ${about}: high criticality or confidential data` };
  }
  return { value: 'low', reason: `asset ${asset.id}: ${about}: neither critical nor holding sensitive data` };
}

/**
 * The deployer's System Exposure after compensating controls: `small` when the asset is
 * isolated or controls cover the exposure fully; `controlled` when it is internal or a control
 * made it unreachable; `open` when internet-facing (or unknown) and reachable.
 */
export function deriveSystemExposure(asset: Asset, coverage: CoverageAssessment): Derived<SystemExposure> {
  if (asset.internetExposure === 'isolated') {
    return { value: 'small', reason: `asset ${asset.id} is isolated: no network path to it` };
  }
  if (coverage.coverage === 'full') {
    return { value: 'small', reason: `compensating controls cover it fully: ${controlsOf(coverage, 'full')}` };
  }
  if (coverage.reachable === 'controlled') {
    return {
      value: 'controlled',
      reason: `a control makes it unreachable from the internet: ${reachabilityControls(coverage)}`,
    };
  }
  if (asset.internetExposure === 'internal') {
    return { value: 'controlled', reason: `asset ${asset.id} is internal: not reachable from the internet` };
  }
  if (asset.internetExposure === 'internet') {
    return { value: 'open', reason: `asset ${asset.id} is internet-facing and no control removes reachability` };
  }
  return {
    value: 'open',
    reason: `asset ${asset.id} has unknown internet exposure: assumed open until the inventory says otherwise`,
  };
}

function controlsOf(coverage: CoverageAssessment, level: 'full' | 'partial'): string {
  const ids = coverage.contributions.filter((c) => c.coverage === level).map((c) => c.controlId);
  return ids.length > 0 ? ids.join(', ') : coverage.effect;
}

function reachabilityControls(coverage: CoverageAssessment): string {
  const ids = coverage.contributions.filter((c) => c.reachability === 'controlled').map((c) => c.controlId);
  return ids.length > 0 ? ids.join(', ') : coverage.effect;
}

/**
 * CISA's table has no System Exposure, so it is applied after the table, one level at most:
 * `small` lowers the decision one level (Act > Attend > Track* > Track), `controlled` lowers
 * only Act to Attend (reachable from inside, still needs attention, not a drop-everything), and
 * `open` keeps it.
 */
export function adjustForExposure(decision: SsvcDecision, exposure: SystemExposure): Derived<SsvcDecision> {
  const level = SSVC_DECISION_ORDER.indexOf(decision);
  if (exposure === 'small' && level > 0) {
    const lowered = SSVC_DECISION_ORDER[level - 1]!;
    return { value: lowered, reason: `System Exposure small lowers ${decision} one level to ${lowered}` };
  }
  if (exposure === 'controlled' && decision === 'Act') {
    return { value: 'Attend', reason: 'System Exposure controlled lowers Act to Attend' };
  }
  const why =
    exposure === 'open'
      ? 'System Exposure open keeps'
      : exposure === 'small'
        ? 'Track is the lowest level; System Exposure small keeps'
        : 'System Exposure controlled lowers only Act; it keeps';
  return { value: decision, reason: `${why} ${decision}` };
}

/** Decides the SSVC priority of one exposure and records the whole path with reasons. */
export function decideSsvc(input: SsvcInput): SsvcResult {
  const { context, asset, coverage, policy } = input;
  const exploitation = deriveExploitation(context, policy.ssvc);
  const automatable = deriveAutomatable(context);
  const technicalImpact = deriveTechnicalImpact(context);
  const missionWellBeing = deriveMissionWellBeing(asset);
  const row = lookupSsvcTable({
    exploitation: exploitation.value,
    automatable: automatable.value,
    technicalImpact: technicalImpact.value,
    missionWellBeing: missionWellBeing.value,
  });
  const exposure = deriveSystemExposure(asset, coverage);
  const final = adjustForExposure(row.decision, exposure.value);
  return {
    decision: final.value,
    tableDecision: row.decision,
    tableRow: row.row,
    path: [
      { point: 'Exploitation', value: exploitation.value, reason: exploitation.reason },
      { point: 'Automatable', value: automatable.value, reason: automatable.reason },
      { point: 'Technical Impact', value: technicalImpact.value, reason: technicalImpact.reason },
      { point: 'Mission and Well-Being Impact', value: missionWellBeing.value, reason: missionWellBeing.reason },
      {
        point: 'CISA table',
        value: row.decision,
        reason: `CISA SSVC coordinator 2.0.3 row ${row.row}: ${exploitation.value}, ${automatable.value}, ${technicalImpact.value}, ${missionWellBeing.value} gives ${row.decision}`,
      },
      { point: 'System Exposure', value: exposure.value, reason: exposure.reason },
      { point: 'Decision', value: final.value, reason: final.reason },
    ],
  };
}
