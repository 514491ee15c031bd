import pgvector from 'pgvector';
import type { Queryable } from '../database.ts';

export type StoredSummary = { id: number; advisoryId: string; decidedBy: string; summary: unknown; text: string };

/** The cache key of a summary: the same advisory revision under the same prompt is summarized once. */
export type SummaryKey = { advisoryId: string; advisoryModifiedAt: Date | null; promptVersion: string };

export async function findSummary(db: Queryable, key: SummaryKey): Promise<StoredSummary | null> {
  const result = await db.query<StoredSummary>(
    `SELECT id::int, advisory_id AS "advisoryId", decided_by AS "decidedBy", summary, text
       FROM advisory_summaries
      WHERE advisory_id = $1 AND coalesce(advisory_modified_at, 'epoch'::timestamptz) = coalesce($2, 'epoch'::timestamptz)
        AND prompt_version = $3`,
    [key.advisoryId, key.advisoryModifiedAt, key.promptVersion],
  );
  return result.rows[0] ?? null;
}

/** Stores a summary and its embedding; a concurrent writer of the same key wins, and its row is returned. */
export async function saveSummary(
  db: Queryable,
  key: SummaryKey,
  value: { decidedBy: string; summary: unknown; text: string; embedding: number[]; embeddingModel: string },
): Promise<StoredSummary> {
  await db.query(
    `INSERT INTO advisory_summaries (advisory_id, advisory_modified_at, prompt_version, decided_by, summary, text,
                                     embedding, embedding_model)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT (advisory_id, coalesce(advisory_modified_at, 'epoch'::timestamptz), prompt_version) DO NOTHING`,
    [
      key.advisoryId,
      key.advisoryModifiedAt,
      key.promptVersion,
      value.decidedBy,
      JSON.stringify(value.summary),
      value.text,
      pgvector.toSql(value.embedding),
      value.embeddingModel,
    ],
  );
  return (await findSummary(db, key))!;
}
