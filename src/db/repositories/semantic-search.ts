import pgvector from 'pgvector';
import type { AdvisoryHit, ExposureHit } from '../../domain/exposure-context.ts';
import type { Queryable } from '../database.ts';

/** Exposure states that still need work: the same set `state: active` selects in search. */
const ACTIVE_STATES = ['open', 'in_progress', 'awaiting_approval', 'mitigated'];

/**
 * Advisories nearest to `vector` by cosine distance over their stored summaries (the HNSW index),
 * best first, one row per advisory. Only summaries embedded by `embeddingModel` are compared:
 * vectors of different models live in different spaces, and mixing them ranks noise.
 */
export async function searchAdvisoriesByVector(
  db: Queryable,
  vector: number[],
  options: { embeddingModel: string; limit: number },
): Promise<AdvisoryHit[]> {
  const result = await db.query<{ id: string; title: string | null; summary: string; distance: number }>(
    `SELECT id, title, summary, distance FROM (
       SELECT DISTINCT ON (s.advisory_id) s.advisory_id AS id, a.title, s.text AS summary,
              (s.embedding <=> $1::vector)::float8 AS distance
         FROM advisory_summaries s JOIN advisories a ON a.id = s.advisory_id
        WHERE s.embedding IS NOT NULL AND s.embedding_model = $2
        ORDER BY s.advisory_id, s.embedding <=> $1::vector
     ) ranked
     ORDER BY distance, id
     LIMIT $3`,
    [pgvector.toSql(vector), options.embeddingModel, options.limit],
  );
  return result.rows.map((row) => ({
    id: row.id,
    title: row.title ?? row.id,
    score: round(1 - Number(row.distance)),
    summary: row.summary,
  }));
}

/** Active exposures whose advisory is nearest to `vector`, best first (ties by exposure id). */
export async function searchExposuresByVector(
  db: Queryable,
  vector: number[],
  options: { embeddingModel: string; limit: number },
): Promise<ExposureHit[]> {
  const result = await db.query<{ id: string; title: string; advisoryId: string; distance: number }>(
    `WITH ranked AS (
       SELECT s.advisory_id, min((s.embedding <=> $1::vector)::float8) AS distance
         FROM advisory_summaries s
        WHERE s.embedding IS NOT NULL AND s.embedding_model = $2
        GROUP BY s.advisory_id
     )
     SELECT e.id, e.title, e.advisory_id AS "advisoryId", r.distance
       FROM ranked r JOIN exposures e ON e.advisory_id = r.advisory_id
      WHERE e.state = ANY($3::text[])
      ORDER BY r.distance, e.id
      LIMIT $4`,
    [pgvector.toSql(vector), options.embeddingModel, ACTIVE_STATES, options.limit],
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
