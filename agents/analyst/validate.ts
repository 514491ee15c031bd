import { citationsOf } from '../../src/ask/answer.ts';
import type { AnalystAnswer, Citations } from '../../src/domain/ask.ts';
import { QueryResultSchema } from '../../src/domain/ask.ts';
import type { AgentContext } from '../define-agent.ts';

const EXPOSURE_ID = /\bEXP-[0-9a-f]{8,}\b/gi;
const ADVISORY_ID = /\b(?:CVE-\d{4}-\d{4,}|GHSA(?:-[0-9a-z]{4}){3})\b/gi;

/**
 * An answer is checked against the rows it cites: its query is run again, every citation must be
 * an id of that result, every exposure or advisory id in the text must be cited, and the text must
 * state the result's total. A model cannot cite what the query did not return.
 */
export async function validateAnswer(answer: AnalystAnswer, context: AgentContext): Promise<string[]> {
  if (!answer.understood) {
    const cited = Object.values(answer.citations).some((ids) => ids.length > 0);
    return answer.query !== null || cited ? ['an answer that is not understood has no query and no citations'] : [];
  }
  if (!answer.query) return ['an understood answer needs the query it ran'];
  const result = QueryResultSchema.parse(await context.call('run_query', answer.query));
  const allowed = citationsOf(result);
  const problems: string[] = [];
  for (const kind of ['exposures', 'assets', 'advisories'] as const) {
    const known = new Set(allowed[kind]);
    for (const id of answer.citations[kind]) {
      if (!known.has(id)) problems.push(`citations.${kind}: ${id} is not in the result of the query`);
    }
  }
  const cited = (kind: keyof Citations) => new Set([...answer.citations[kind], ...allowed[kind]]);
  // The exposure the query names may be echoed ("no exposure EXP-…"), found or not.
  const named = answer.query.exposureId?.toUpperCase();
  for (const id of answer.text.match(EXPOSURE_ID) ?? []) {
    if (!cited('exposures').has(id) && id.toUpperCase() !== named)
      problems.push(`text: exposure ${id} is not in the result`);
  }
  const advisoryIds = new Set([...cited('advisories')].map((id) => id.toUpperCase()));
  const aliases =
    result.kind === 'advisory' && result.advisory ? result.advisory.aliases.map((a) => a.toUpperCase()) : [];
  const queried = answer.query.advisoryId?.toUpperCase() ?? answer.query.filters.vulnerabilityId?.toUpperCase();
  // Ids the result itself shows: its rows' vulnerability ids, or what the explanation names.
  const rowsIds =
    result.kind === 'explanation'
      ? [result.exposure?.vulnerabilityId ?? '', ...(result.explanation?.text.match(ADVISORY_ID) ?? [])].map((id) =>
          id.toUpperCase(),
        )
      : 'rows' in result && result.kind !== 'groups'
        ? result.rows.map((r) => r.vulnerabilityId.toUpperCase())
        : [];
  for (const id of answer.text.match(ADVISORY_ID) ?? []) {
    const upper = id.toUpperCase();
    if (!advisoryIds.has(upper) && !aliases.includes(upper) && upper !== queried && !rowsIds.includes(upper)) {
      problems.push(`text: ${id} is not in the result`);
    }
  }
  // Digits inside ids (EXP-1a2b..., GHSA-...-r3h4-..., CVE-2021-...) state no number: only the words around them count.
  const words = answer.text.replace(EXPOSURE_ID, ' ').replace(ADVISORY_ID, ' ');
  if ('total' in result && !new RegExp(`(^|[^\\d.])${result.total}([^\\d.]|$)`).test(words)) {
    problems.push(`text: state the total the query returned (${result.total})`);
  }
  return problems;
}
