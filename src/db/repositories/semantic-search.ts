import pgvector from 'pgvector';
import type { AdvisoryHit, ExposureHit } from '../../domain/exposure-context.ts';
import type { Database, Queryable } from '../database.ts';

/**
 * HNSW search breadth. Recall depends on the graph a build makes: on 50k clustered embeddings (npm
 * run bench:ask), with the default ef_construction (64) recall@10 at ef_search 100 ranged from 0.931
 * to 0.988 across builds; with 128 (migration 0008) it was 1.000 from ef_search 40 up. Higher is
 * not free: pgvector's cost estimate grows with ef_search, and from about 150 the planner scans an
 * 8k-summary table instead of using the index (38 ms instead of 2 ms).
 */
export const EF_SEARCH = 100;

/**
 * How many nearest summaries the index hands over before they are grouped per advisory. At 200 the
 * planner joined the exposures by scanning the table (58 ms a search instead of 5 ms, bench:ask).
 */
function candidates(limit: number): number {
  return Math.min(Math.max(limit * 4, 100), 1000);
}

/** Runs `work` with the HNSW search breadth set for this transaction only. */
function withSearchBreadth<T>(db: Database, work: (tx: Queryable) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    await tx.query(`SET LOCAL hnsw.ef_search = ${EF_SEARCH}`);
    return work(tx);
  });
}

/** Exposure states that still need work: the same set `state: active` selects in search. */
const ACTIVE_STATES = ['open', 'in_progress', 'awaiting_approval', 'mitigated'];

/**
 * Advisories nearest to `vector` by cosine distance over their stored summaries, best first, one
 * row per advisory. The nearest summaries come from the HNSW index (ORDER BY distance LIMIT, the
 * shape the index serves) and are then grouped per advisory. Only summaries embedded by
 * `embeddingModel` are compared: vectors of different models live in different spaces.
 */
export async function searchAdvisoriesByVector(
  db: Database,
  vector: number[],
  options: { embeddingModel: string; limit: number },
): Promise<AdvisoryHit[]> {
  const result = await withSearchBreadth(db, (tx) =>
    tx.query<{ id: string; title: string | null; summary: string; distance: number }>(
      `WITH nearest AS (
         SELECT s.advisory_id, s.text, (s.embedding <=> $1::vector)::float8 AS distance
           FROM advisory_summaries s
          WHERE s.embedding IS NOT NULL AND s.embedding_model = $2
          ORDER BY s.embedding <=> $1::vector
          LIMIT $4
       )
       SELECT id, title, summary, distance FROM (
         SELECT DISTINCT ON (n.advisory_id) n.advisory_id AS id, a.title, n.text AS summary, n.distance
           FROM nearest n JOIN advisories a ON a.id = n.advisory_id
          ORDER BY n.advisory_id, n.distance
       ) ranked
       ORDER BY distance, id
       LIMIT $3`,
      [pgvector.toSql(vector), options.embeddingModel, options.limit, candidates(options.limit)],
    ),
  );
  return result.rows.map((row) => ({
    id: row.id,
    title: row.title ?? row.id,
    score: round(1 - Number(row.distance)),
    summary: row.summary,
  }));
}

/**
 * Active exposures whose advisory is nearest to `vector`, best first (ties by exposure id): the
 * nearest summaries from the HNSW index, then the active exposures of their advisories.
 */
export async function searchExposuresByVector(
  db: Database,
  vector: number[],
  options: { embeddingModel: string; limit: number },
): Promise<ExposureHit[]> {
  const result = await withSearchBreadth(db, (tx) =>
    tx.query<{ id: string; title: string; advisoryId: string; distance: number }>(
      `WITH nearest AS (
         SELECT s.advisory_id, (s.embedding <=> $1::vector)::float8 AS distance
           FROM advisory_summaries s
          WHERE s.embedding IS NOT NULL AND s.embedding_model = $2
          ORDER BY s.embedding <=> $1::vector
          LIMIT $5
       ), ranked AS (
         SELECT advisory_id, min(distance) AS distance FROM nearest GROUP BY advisory_id
       )
       SELECT e.id, e.title, e.advisory_id AS "advisoryId", r.distance
         FROM ranked r JOIN exposures e ON e.advisory_id = r.advisory_id
        WHERE e.state = ANY($3::text[])
        ORDER BY r.distance, e.id
        LIMIT $4`,
      [pgvector.toSql(vector), options.embeddingModel, ACTIVE_STATES, options.limit, candidates(options.limit)],
    ),
  );
  return result.rows.map((row) => ({
    id: row.id,
    title: row.title,
    advisoryId: row.advisoryId,
    score: round(1 - Number(row.distance)),
  }));
}

function round(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}
