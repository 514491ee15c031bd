import type { AskFilters, Citations, QueryResult, QuerySpec } from '../domain/ask.ts';
import type { ExposureSummary } from '../domain/exposure-detail.ts';
import type { Metrics } from '../domain/metrics.ts';

/** How many rows the text lists; the structured result carries them all. */
const ROWS_IN_TEXT = 10;
/**
 * How much of an explanation the text quotes: an asset with many controls in scope lists every one
 * it ignored (tens of thousands of characters); the result carries the whole explanation.
 */
const EXPLANATION_IN_TEXT = 6000;

/** The ids a result rests on: every exposure, asset and advisory it shows. */
export function citationsOf(result: QueryResult): Citations {
  const exposures = new Set<string>();
  const assets = new Set<string>();
  const advisories = new Set<string>();
  const addRows = (rows: ExposureSummary[]) => {
    for (const row of rows) {
      exposures.add(row.id);
      assets.add(row.assetId);
      if (row.advisoryId) advisories.add(row.advisoryId);
    }
  };
  switch (result.kind) {
    case 'exposures':
      addRows(result.rows);
      break;
    case 'count':
      for (const id of result.exposureIds) exposures.add(id);
      break;
    case 'groups':
      for (const row of result.rows) {
        for (const id of row.topExposureIds) exposures.add(id);
        if (result.groupBy === 'asset') assets.add(row.key);
        if (result.groupBy === 'advisory') advisories.add(row.key);
      }
      break;
    case 'advisory':
      if (result.advisory) advisories.add(result.advisory.id);
      addRows(result.rows);
      break;
    case 'explanation':
      if (result.exposure) addRows([result.exposure]);
      else if (result.explanation) exposures.add(result.explanation.exposureId);
      break;
    default:
      break;
  }
  if ('concept' in result && result.concept) for (const a of result.concept.advisories) advisories.add(a.id);
  return { exposures: [...exposures], assets: [...assets], advisories: [...advisories] };
}

/** What "first" means for each order of a list. */
const SORT_WORDS: Record<QuerySpec['sort'], string> = {
  risk: 'risk',
  sla: 'SLA due date',
  opened: 'age',
  epss: 'EPSS',
};

/** How an exposure kind reads in an answer. */
const KIND_WORDS: Record<NonNullable<AskFilters['kind']>, string> = {
  package: 'in packages',
  misconfiguration: 'misconfigurations',
  secret: 'secrets',
  code: 'code findings',
  cloud: 'cloud findings',
};

/** The filters in words: "active, internet-facing, production, KEV, not covered by a waf". */
export function describeFilters(filters: AskFilters, concept?: string, likeAdvisory?: string): string {
  const parts: string[] = [];
  parts.push(
    filters.state === 'active' ? 'open' : filters.state === 'all' ? 'in any state' : filters.state.replace('_', ' '),
  );
  if (filters.decision) parts.push(`SSVC ${filters.decision}`);
  if (filters.severity) parts.push(`${filters.severity} severity`);
  if (filters.kind) parts.push(KIND_WORDS[filters.kind]);
  if (filters.kev !== undefined) parts.push(filters.kev ? 'known exploited (KEV)' : 'not in KEV');
  if (filters.minEpss !== undefined) parts.push(`EPSS ≥ ${filters.minEpss}`);
  if (filters.internetFacing !== undefined)
    parts.push(filters.internetFacing ? 'internet-facing' : 'not internet-facing');
  if (filters.environment) parts.push(`in ${filters.environment}`);
  if (filters.criticality)
    parts.push(filters.criticality === 'crown_jewel' ? 'on crown jewels' : `${filters.criticality} criticality`);
  if (filters.coverage) parts.push(`${filters.coverage} control coverage`);
  if (filters.coveredBy) parts.push(`covered by a ${filters.coveredBy}`);
  if (filters.notCoveredBy) parts.push(`not covered by any ${filters.notCoveredBy}`);
  if (filters.owner) parts.push(`owned by ${filters.owner}`);
  if (filters.assetId) parts.push(`on ${filters.assetId}`);
  if (filters.vulnerabilityId) parts.push(`for ${filters.vulnerabilityId}`);
  if (filters.component) parts.push(`in ${filters.component}`);
  if (filters.slaBreached !== undefined) parts.push(filters.slaBreached ? 'past their SLA' : 'within their SLA');
  if (filters.triage) parts.push('waiting in triage');
  if (filters.openedWithinDays) parts.push(`opened in the last ${filters.openedWithinDays} days`);
  if (filters.resolvedWithinDays) parts.push(`resolved in the last ${filters.resolvedWithinDays} days`);
  if (concept) parts.push(`about "${concept}"`);
  if (likeAdvisory) parts.push(`of advisories like ${likeAdvisory}`);
  return parts.join(', ');
}

function rowLine(row: ExposureSummary): string {
  const risk = row.riskScore === null ? '-' : row.riskScore.toFixed(1);
  return `- ${row.id}  ${row.ssvcDecision ?? '-'}  risk ${risk}  ${row.vulnerabilityId}  ${row.component ?? ''} on ${row.assetName} (${row.assetId})`;
}

function conceptLine(result: QueryResult): string[] {
  if (!('concept' in result) || !result.concept) return [];
  const { concept } = result;
  const what = concept.likeAdvisory ? `the summary of ${concept.likeAdvisory}` : `"${concept.text}"`;
  const lexical = concept.embedder.startsWith('lexical')
    ? ' The configured embedder is lexical (shared words, not meaning): set MOBILIZE_EMBEDDING_MODEL for semantic matches.'
    : '';
  if (!concept.advisories.length)
    return [`No advisory summary is close to ${what} (embedder ${concept.embedder}).${lexical}`];
  const names = concept.advisories.map((a) => `${a.id} (${a.score.toFixed(2)})`).join(', ');
  return [`Advisories nearest to ${what} (${concept.embedder}): ${names}.${lexical}`];
}

function percent(value: number): string {
  return `${(value * 100).toFixed(1)}%`;
}

function metricsLines(m: Metrics): string[] {
  const mttr = Object.entries(m.mttrDaysByDecision)
    .map(([k, v]) => `${k} ${v} d`)
    .join(', ');
  const open = Object.entries(m.openByDecision)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  return [
    `Open exposures: ${m.openTotal} (${open || 'none'}); KEV open: ${m.kevOpen}.`,
    `Risk-weighted backlog: ${m.riskWeightedBacklog}.`,
    `SLA compliance: ${percent(m.slaCompliance)} (${m.slaBreached} breached).`,
    `MTTR over 90 days: ${mttr || 'nothing resolved yet'}; resolved in the last 30 days: ${m.resolvedLast30Days}.`,
  ];
}

function change(now: number, then: number): string {
  if (then === 0) return now === 0 ? 'unchanged' : `up from 0`;
  const delta = ((now - then) / then) * 100;
  return `${delta <= 0 ? 'down' : 'up'} ${Math.abs(delta).toFixed(1)}%`;
}

function trendLines(result: Extract<QueryResult, { kind: 'trend' }>): string[] {
  const base = result.past ?? result.oldest;
  const nowM = result.now.metrics;
  if (!base) {
    return [
      `There is no metric snapshot to compare with: snapshots are taken daily by mobilize serve, or with mobilize metrics --snapshot.`,
      ...metricsLines(nowM),
    ];
  }
  const date = base.takenAt.toISOString().slice(0, 10);
  const lines = result.past
    ? []
    : [`No snapshot is ${result.days} days old; the oldest is from ${date}, so this compares with it.`];
  const then = base.metrics;
  const safer = nowM.riskWeightedBacklog < then.riskWeightedBacklog && nowM.kevOpen <= then.kevOpen;
  const worse = nowM.riskWeightedBacklog > then.riskWeightedBacklog || nowM.kevOpen > then.kevOpen;
  lines.push(
    safer
      ? `Safer than on ${date}: the risk-weighted backlog is ${change(nowM.riskWeightedBacklog, then.riskWeightedBacklog)} and KEV exposures did not grow.`
      : worse
        ? `Not safer than on ${date}: the risk-weighted backlog is ${change(nowM.riskWeightedBacklog, then.riskWeightedBacklog)} and KEV open went from ${then.kevOpen} to ${nowM.kevOpen}.`
        : `About as safe as on ${date}: the risk-weighted backlog and KEV exposures are unchanged.`,
    `Risk-weighted backlog: ${nowM.riskWeightedBacklog} now vs ${then.riskWeightedBacklog}.`,
    `Open exposures: ${nowM.openTotal} vs ${then.openTotal}; KEV open: ${nowM.kevOpen} vs ${then.kevOpen}.`,
    `SLA compliance: ${percent(nowM.slaCompliance)} vs ${percent(then.slaCompliance)}.`,
  );
  const tiers = [...new Set([...Object.keys(nowM.mttrDaysByDecision), ...Object.keys(then.mttrDaysByDecision)])];
  if (tiers.length) {
    const mttr = tiers.map(
      (t) => `${t} ${nowM.mttrDaysByDecision[t] ?? '-'} vs ${then.mttrDaysByDecision[t] ?? '-'} d`,
    );
    lines.push(`MTTR by decision: ${mttr.join(', ')}.`);
  }
  return lines;
}

/** The first whole lines of `text` that fit in `limit` characters, and `more` when some are left out. */
function quoteLines(text: string, limit: number, more: string): string {
  if (text.length <= limit) return text;
  const cut = text.lastIndexOf('\n', limit - more.length - 1);
  return `${text.slice(0, cut > 0 ? cut : limit - more.length - 1)}\n${more}`;
}

/** The answer in words, from the result alone (so it can never claim more than the rows show). */
export function composeText(spec: QuerySpec, result: QueryResult): string {
  const what = describeFilters(spec.filters, spec.concept, spec.likeAdvisory);
  switch (result.kind) {
    case 'count':
      return [`${result.total} exposure${result.total === 1 ? '' : 's'}: ${what}.`, ...conceptLine(result)].join('\n');
    case 'exposures': {
      if (result.total === 0) return [`0 exposures: ${what}.`, ...conceptLine(result)].join('\n');
      const shown = result.rows.slice(0, ROWS_IN_TEXT);
      const head =
        result.total > shown.length
          ? `${result.total} exposures (${what}); the ${shown.length} riskiest:`
          : `${result.total} exposure${result.total === 1 ? '' : 's'} (${what}):`;
      return [head, ...shown.map(rowLine), ...conceptLine(result)].join('\n');
    }
    case 'groups': {
      if (result.total === 0) return [`0 exposures: ${what}.`, ...conceptLine(result)].join('\n');
      const lines = result.rows.slice(0, 20).map((g) => {
        const label = g.label && g.label !== g.key ? ` (${g.label})` : '';
        return `- ${g.key}${label}: ${g.count} exposure${g.count === 1 ? '' : 's'}, risk ${g.riskSum}${g.kev ? `, ${g.kev} KEV` : ''}`;
      });
      return [
        `${result.total} exposures (${what}) in ${result.groups} ${result.groupBy} group${result.groups === 1 ? '' : 's'}, by risk:`,
        ...lines,
        ...conceptLine(result),
      ].join('\n');
    }
    case 'advisory': {
      const a = result.advisory;
      const lines: string[] = [];
      if (!a) lines.push(`Mobilize has no advisory ${spec.advisoryId}.`);
      else {
        const aka = a.aliases.filter((x) => x !== a.id);
        lines.push(`${a.id}${aka.length ? ` (${aka.join(', ')})` : ''}: ${a.title ?? 'no title'}.`);
        if (a.summary) lines.push(a.summary);
        const facts = [`severity ${a.severity}${a.cvssScore !== null ? ` (CVSS ${a.cvssScore})` : ''}`];
        facts.push(a.kev ? 'in CISA KEV (known exploited)' : 'not in CISA KEV');
        if (a.epss !== null) facts.push(`EPSS ${a.epss}`);
        facts.push(a.fixedVersions.length ? `fixed in ${a.fixedVersions.join(', ')}` : 'no fixed version known');
        lines.push(`${facts.join('; ')}.`);
      }
      const assets = new Set(result.rows.map((r) => r.assetId));
      if (result.total === 0) lines.push(`We are not affected: 0 exposures (${what}).`);
      else {
        lines.push(
          `We are affected: ${result.total} open exposure${result.total === 1 ? '' : 's'} on ${assets.size} asset${assets.size === 1 ? '' : 's'}:`,
        );
        lines.push(...result.rows.slice(0, ROWS_IN_TEXT).map(rowLine));
      }
      return lines.join('\n');
    }
    case 'trend':
      return trendLines(result).join('\n');
    case 'metrics':
      return [`Programme metrics at ${result.now.takenAt.toISOString()}:`, ...metricsLines(result.now.metrics)].join(
        '\n',
      );
    case 'explanation': {
      const x = result.explanation;
      if (!x) {
        return spec.exposureId
          ? `0 exposures: Mobilize has no exposure ${spec.exposureId}.`
          : `0 exposures (${what}): nothing to explain.`;
      }
      const head = result.exposure
        ? `Of ${result.total} exposure${result.total === 1 ? '' : 's'} (${what}), the first by ${SORT_WORDS[spec.sort]}:\n${rowLine(result.exposure)}`
        : `1 exposure, ${x.exposureId}:`;
      return [
        head,
        `Why: SSVC ${x.decision}, risk ${x.score}, SLA ${x.slaState.replace('_', ' ')}.`,
        quoteLines(x.text, EXPLANATION_IN_TEXT, '… (the whole explanation is in result.explanation.text)'),
      ].join('\n');
    }
  }
}
