import type { GroupBy, QueryResult, QuerySpec } from '../domain/ask.ts';
import { ValidationError } from '../domain/errors.ts';
import type { RiskExplanation } from '../domain/exposure-context.ts';
import type { ExposureSummary } from '../domain/exposure-detail.ts';
import type { ExposureQuery } from '../domain/exposure-query.ts';
import type { Metrics } from '../domain/metrics.ts';

type AdvisoryFacts = Extract<QueryResult, { kind: 'advisory' }>['advisory'];
type GroupRows = Extract<QueryResult, { kind: 'groups' }>['rows'];
type Snapshot = { takenAt: Date; metrics: Metrics };
export type ConceptHit = { id: string; title: string; score: number; text: string };

/** The reads a query needs, each typed: implemented over the database in src/ask/database-ports.ts. */
export type QueryPorts = {
  listExposures(query: ExposureQuery): Promise<{ total: number; rows: ExposureSummary[] }>;
  groupExposures(
    query: ExposureQuery,
    groupBy: GroupBy,
    limit: number,
  ): Promise<{ total: number; groups: number; rows: GroupRows }>;
  /** Advisories nearest in meaning to `text`, best first. */
  advisoriesLike(
    query: { text: string } | { advisoryId: string },
    limit: number,
  ): Promise<{ embedder: string; lexical: boolean; advisories: ConceptHit[] }>;
  advisoryFacts(idOrAlias: string): Promise<AdvisoryFacts>;
  metricsNow(): Promise<Snapshot>;
  /** The snapshot taken nearest to `at` (within a day of it or older), and the oldest one there is. */
  snapshotsAround(at: Date): Promise<{ near: Snapshot | null; oldest: Snapshot | null }>;
  /** Why one exposure has its priority, recomputed with the current policy (null when unknown). */
  explainRisk(exposureId: string): Promise<RiskExplanation | null>;
  now(): Date;
};

/**
 * How many advisories a concept may pull in, and how similar they must be: above a floor and
 * within reach of the best hit (scores are relative to the embedder, so a fixed cut-off alone fails).
 */
const CONCEPT_ADVISORIES = 10;
const CONCEPT_MIN_SCORE = 0.05;
const CONCEPT_RELATIVE = 0.6;
const DAY_MS = 86_400_000;

/** Runs a typed query. Every read goes through typed ports; the spec never becomes SQL text. */
export async function executeQuery(spec: QuerySpec, ports: QueryPorts): Promise<QueryResult> {
  switch (spec.intent) {
    case 'advisory':
      return advisoryResult(spec, ports);
    case 'trend': {
      const days = spec.days ?? 90;
      const now = await ports.metricsNow();
      const { near, oldest } = await ports.snapshotsAround(new Date(ports.now().getTime() - days * DAY_MS));
      return { kind: 'trend', days, now, past: near, oldest: near ? null : oldest };
    }
    case 'metrics':
      return { kind: 'metrics', now: await ports.metricsNow() };
    case 'explain':
      return explanationResult(spec, ports);
    default:
      return exposureResult(spec, ports);
  }
}

async function exposureResult(spec: QuerySpec, ports: QueryPorts): Promise<QueryResult> {
  let filters: ExposureQuery = { ...spec.filters, sort: spec.sort, limit: spec.limit, offset: 0 };
  let concept: Extract<QueryResult, { kind: 'count' }>['concept'] = null;
  if (spec.concept || spec.likeAdvisory) {
    const text = spec.concept ?? spec.likeAdvisory!;
    const found = await ports.advisoriesLike(
      spec.likeAdvisory ? { advisoryId: spec.likeAdvisory } : { text },
      CONCEPT_ADVISORIES,
    );
    const advisories = selectConceptHits(found, spec.likeAdvisory ? null : text);
    concept = { text, likeAdvisory: spec.likeAdvisory ?? null, embedder: found.embedder, advisories };
    const ids = advisories.map((a) => a.id);
    const narrowed = filters.advisoryIds ? filters.advisoryIds.filter((id) => ids.includes(id)) : ids;
    // No advisory near the concept: nothing can match, and an empty id list must not mean "no filter".
    if (!narrowed.length) return emptyResult(spec, concept);
    filters = { ...filters, advisoryIds: narrowed };
  }
  if (spec.intent === 'group') {
    if (!spec.groupBy) throw new ValidationError('groupBy: required when intent is group');
    const grouped = await ports.groupExposures(filters, spec.groupBy, spec.limit);
    return { kind: 'groups', groupBy: spec.groupBy, ...grouped, concept };
  }
  if (spec.intent === 'count') {
    const { total, rows } = await ports.listExposures(filters);
    return { kind: 'count', total, exposureIds: rows.map((r) => r.id), concept };
  }
  const { total, rows } = await ports.listExposures(filters);
  return { kind: 'exposures', total, rows, concept };
}

async function advisoryResult(spec: QuerySpec, ports: QueryPorts): Promise<QueryResult> {
  if (!spec.advisoryId) throw new ValidationError('advisoryId: required when intent is advisory');
  const advisory = await ports.advisoryFacts(spec.advisoryId);
  const { total, rows } = await ports.listExposures({
    ...spec.filters,
    vulnerabilityId: spec.advisoryId,
    sort: spec.sort,
    limit: spec.limit,
    offset: 0,
  });
  return { kind: 'advisory', advisory, total, rows };
}

/** The named exposure, or the first the filters rank (by risk unless asked otherwise), explained. */
async function explanationResult(spec: QuerySpec, ports: QueryPorts): Promise<QueryResult> {
  if (spec.exposureId) {
    const explanation = await ports.explainRisk(spec.exposureId);
    return { kind: 'explanation', total: explanation ? 1 : 0, exposure: null, explanation };
  }
  const { total, rows } = await ports.listExposures({ ...spec.filters, sort: spec.sort, limit: 1, offset: 0 });
  const exposure = rows[0] ?? null;
  const explanation = exposure ? await ports.explainRisk(exposure.id) : null;
  return { kind: 'explanation', total, exposure, explanation };
}

function emptyResult(spec: QuerySpec, concept: Extract<QueryResult, { kind: 'count' }>['concept']): QueryResult {
  if (spec.intent === 'group') {
    return { kind: 'groups', groupBy: spec.groupBy ?? 'asset', total: 0, groups: 0, rows: [], concept };
  }
  if (spec.intent === 'count') return { kind: 'count', total: 0, exposureIds: [], concept };
  return { kind: 'exposures', total: 0, rows: [], concept };
}

/**
 * The hits that count for a concept. A lexical embedder compares words, not meaning: its hits
 * must also name a word of the concept (by stem), or unrelated advisories that merely share
 * letter triples would be cited.
 */
function selectConceptHits(
  found: { lexical: boolean; advisories: ConceptHit[] },
  text: string | null,
): { id: string; title: string; score: number }[] {
  const best = found.advisories[0]?.score ?? 0;
  const stems = (text ?? '')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length >= 3)
    .map((w) => w.slice(0, 7));
  return found.advisories
    .filter((a) => a.score >= CONCEPT_MIN_SCORE && a.score >= best * CONCEPT_RELATIVE)
    .filter((a) => !found.lexical || !text || stems.some((stem) => `${a.title} ${a.text}`.toLowerCase().includes(stem)))
    .map(({ id, title, score }) => ({ id, title, score }));
}
