import type { EstateReader } from '../../tools/context.ts';
import { createQueryPorts } from '../ask/database-ports.ts';
import { executeQuery } from '../ask/execute.ts';
import { loadVocabulary, type Vocabulary } from '../ask/vocabulary.ts';
import type { Database } from '../db/database.ts';
import { createEstateReader } from '../db/repositories/estate-reader.ts';
import { getPlan, listPlans } from '../db/repositories/plans-store.ts';
import { searchAdvisoriesByVector, searchExposuresByVector } from '../db/repositories/semantic-search.ts';
import { NotFoundError } from '../domain/errors.ts';
import { type ExposureContext, ExposureHistoryEntrySchema, type RiskExplanation } from '../domain/exposure-context.ts';
import type { PlanRecord } from '../domain/plan.ts';
import { assessCoverage } from '../prioritize/controls/assess-coverage.ts';
import { isInScope } from '../prioritize/controls/eligibility.ts';
import type { Policy } from '../prioritize/policy.ts';
import { type ExposureExplanation, explainExposure, formatExplanation } from '../services/prioritize/explain.ts';
import { loadControls, loadExposurePage } from '../services/prioritize/load-context.ts';
import type { Embedder } from './llm/chat-model.ts';
import { createLexicalEmbedder, queryVector } from './llm/embedders.ts';

/** How many audit entries the exposure context carries: enough to see what happened lately. */
const HISTORY_ENTRIES = 20;

/** How long the estate's names are reused between questions: new teams appear within this. */
const VOCABULARY_TTL_MS = 30_000;

/**
 * The tools' view of the estate: database reads plus the deterministic controls engine. The
 * embedder must be the one that embedded the stored summaries (the graph's), or semantic search
 * finds nothing: summaries are only compared with vectors of their own model.
 */
export function createEstate(
  db: Database,
  policy: Policy,
  now: () => Date = () => new Date(),
  embedder: Embedder = createLexicalEmbedder(),
): EstateReader {
  const base = createEstateReader(db);
  let vocabulary: { at: number; value: Promise<Vocabulary> } | null = null;

  /** The explanation, or null when the exposure does not exist. */
  async function explain(exposureId: string): Promise<ExposureExplanation | null> {
    try {
      return await explainExposure(db, policy, exposureId, now());
    } catch (error) {
      if (error instanceof NotFoundError) return null;
      throw error;
    }
  }

  async function explainRisk(exposureId: string): Promise<RiskExplanation | null> {
    const x = await explain(exposureId);
    if (!x) return null;
    return {
      exposureId,
      decision: x.prioritization.ssvc.decision,
      score: x.prioritization.risk.score,
      slaDueAt: x.prioritization.slaDueAt,
      slaState: x.slaState,
      policyVersion: x.policyVersion,
      text: formatExplanation(x),
    };
  }
  const queryPorts = createQueryPorts(db, { embedder, now, explainRisk });

  return {
    ...base,
    async assessCoverage(exposureId) {
      const [item] = await loadExposurePage(db, { after: '', limit: 1, ids: [exposureId], anyState: true });
      if (!item) return null;
      const controls = (await loadControls(db)).filter((c) => isInScope(c, item.asset));
      return assessCoverage({
        context: item.context,
        asset: item.asset,
        controls,
        now: now(),
        freshnessDays: policy.controls.freshnessDays,
      });
    },

    async semanticSearch(text, { limit, kind }) {
      const vector = await queryVector(embedder, text);
      const empty = { kind, embedder: embedder.id, advisories: [], exposures: [] };
      if (!vector) return empty;
      const options = { embeddingModel: embedder.id, limit };
      return kind === 'advisories'
        ? { ...empty, advisories: await searchAdvisoriesByVector(db, vector, options) }
        : { ...empty, exposures: await searchExposuresByVector(db, vector, options) };
    },

    runQuery(spec) {
      return executeQuery(spec, queryPorts);
    },

    vocabulary() {
      const at = Date.now();
      if (!vocabulary || at - vocabulary.at > VOCABULARY_TTL_MS) {
        const value = loadVocabulary(db);
        value.catch(() => {
          vocabulary = null;
        });
        vocabulary = { at, value };
      }
      return vocabulary.value;
    },

    pendingPlans(limit) {
      return listPlans(db, { status: 'pending', limit });
    },

    explainRisk,

    async exposureContext(exposureId): Promise<ExposureContext | null> {
      const detail = await base.getExposure(exposureId);
      if (!detail) return null;
      const advisoryId = detail.exposure.advisoryId ?? detail.advisory?.id ?? null;
      // Independent reads, side by side (on a server pool they overlap; embedded mode queues them).
      const [x, summary, planIds, history] = await Promise.all([
        explain(exposureId),
        advisoryId
          ? db.query<{ text: string; decidedBy: string; promptVersion: string }>(
              `SELECT text, decided_by AS "decidedBy", prompt_version AS "promptVersion"
                 FROM advisory_summaries WHERE advisory_id = $1 ORDER BY created_at DESC, id DESC LIMIT 1`,
              [advisoryId],
            )
          : Promise.resolve({ rows: [] }),
        db.query<{ plan_id: string }>('SELECT plan_id FROM plan_exposures WHERE exposure_id = $1 ORDER BY plan_id', [
          exposureId,
        ]),
        // The exposure's own entries and those of its plans (decisions are audited on the plan).
        db.query(
          `SELECT seq::int, at, actor, action, data FROM audit_log
            WHERE (subject_type = 'exposure' AND subject_id = $1)
               OR (subject_type = 'plan' AND subject_id IN (SELECT plan_id FROM plan_exposures WHERE exposure_id = $1))
            ORDER BY seq DESC LIMIT $2`,
          [exposureId, HISTORY_ENTRIES],
        ),
      ]);
      const plans = (await Promise.all(planIds.rows.map(({ plan_id }) => getPlan(db, plan_id)))).filter(
        (plan): plan is PlanRecord => plan !== null,
      );
      return {
        ...detail,
        advisorySummary: summary.rows[0] ?? null,
        ssvcPath: x?.prioritization.ssvc.path ?? [],
        plans,
        history: history.rows.map((row) => ExposureHistoryEntrySchema.parse(row)),
      };
    },
  };
}
