import type { Database } from '../db/database.ts';
import { getAdvisory } from '../db/repositories/estate-reader.ts';
import { groupExposures, listExposures } from '../db/repositories/exposures-query.ts';
import { computeMetrics } from '../db/repositories/metrics-store.ts';
import { searchAdvisoriesByVector } from '../db/repositories/semantic-search.ts';
import type { RiskExplanation } from '../domain/exposure-context.ts';
import { MetricsSchema } from '../domain/metrics.ts';
import type { Embedder } from '../graph/llm/chat-model.ts';
import { queryVector, usableVector } from '../graph/llm/embedders.ts';
import type { QueryPorts } from './execute.ts';

/**
 * The query ports over the database; `embedder` must be the one that embedded the stored
 * summaries, and `explainRisk` is the estate's (it needs the policy).
 */
export function createQueryPorts(
  db: Database,
  options: { embedder: Embedder; now: () => Date; explainRisk(exposureId: string): Promise<RiskExplanation | null> },
): QueryPorts {
  const { embedder, now, explainRisk } = options;

  /** The stored summary embedding of an advisory (by id or alias), under this embedder. */
  async function storedEmbedding(idOrAlias: string): Promise<number[] | undefined> {
    const result = await db.query<{ embedding: string }>(
      `SELECT s.embedding::text AS embedding FROM advisory_summaries s
        WHERE s.embedding IS NOT NULL AND s.embedding_model = $2
          AND (s.advisory_id = $1 OR s.advisory_id IN (SELECT advisory_id FROM advisory_aliases WHERE alias = $1))
        ORDER BY s.created_at DESC LIMIT 1`,
      [idOrAlias, embedder.id],
    );
    const text = result.rows[0]?.embedding;
    return text ? (JSON.parse(text) as number[]) : undefined;
  }
  return {
    now,
    explainRisk,
    listExposures: (query) => listExposures(db, query, now()),
    groupExposures: (query, groupBy, limit) => groupExposures(db, query, groupBy, { now: now(), limit }),

    async advisoriesLike(query, limit) {
      const lexical = embedder.id.startsWith('lexical');
      const none = { embedder: embedder.id, lexical, advisories: [] };
      const vector =
        'text' in query
          ? await queryVector(embedder, query.text)
          : usableVector(await storedEmbedding(query.advisoryId));
      if (!vector) return none;
      const hits = await searchAdvisoriesByVector(db, vector, { embeddingModel: embedder.id, limit });
      return {
        ...none,
        advisories: hits.map(({ id, title, score, summary }) => ({ id, title, score, text: summary })),
      };
    },

    async advisoryFacts(idOrAlias) {
      const advisory = await getAdvisory(db, idOrAlias);
      if (!advisory) return null;
      const summary = await db.query<{ text: string }>(
        'SELECT text FROM advisory_summaries WHERE advisory_id = $1 ORDER BY created_at DESC, id DESC LIMIT 1',
        [advisory.id],
      );
      return {
        id: advisory.id,
        title: advisory.title ?? null,
        aliases: advisory.aliases,
        severity: advisory.severity,
        cvssScore: advisory.cvssScore ?? null,
        kev: Boolean(advisory.kev),
        epss: advisory.epss?.score ?? null,
        summary: summary.rows[0]?.text ?? null,
        fixedVersions: [...new Set(advisory.affected.flatMap((a) => a.fixed))],
      };
    },

    async metricsNow() {
      const at = now();
      return { takenAt: at, metrics: await computeMetrics(db, at) };
    },

    async snapshotsAround(at) {
      // The latest snapshot taken no later than a day after `at`: "90 days ago" tolerates a daily cadence.
      const near = await db.query<{ taken_at: Date; metrics: unknown }>(
        `SELECT taken_at, metrics FROM metric_snapshots
          WHERE taken_at <= $1::timestamptz + interval '1 day'
          ORDER BY taken_at DESC, id DESC LIMIT 1`,
        [at],
      );
      const oldest = await db.query<{ taken_at: Date; metrics: unknown }>(
        'SELECT taken_at, metrics FROM metric_snapshots ORDER BY taken_at, id LIMIT 1',
      );
      const toSnapshot = (row: { taken_at: Date; metrics: unknown } | undefined) =>
        row ? { takenAt: new Date(row.taken_at), metrics: MetricsSchema.parse(row.metrics) } : null;
      return { near: toSnapshot(near.rows[0]), oldest: toSnapshot(oldest.rows[0]) };
    },
  };
}
