import { z } from 'zod';
import { RiskExplanationSchema } from './exposure-context.ts';
import { ExposureSummarySchema } from './exposure-detail.ts';
import { ExposureQuerySchema } from './exposure-query.ts';
import { MetricsSchema } from './metrics.ts';

/** The exposure filters a question may set: the search filters without paging or sorting. */
export const AskFiltersSchema = ExposureQuerySchema.omit({ sort: true, limit: true, offset: true });
export type AskFilters = z.infer<typeof AskFiltersSchema>;

export const GroupBySchema = z.enum([
  'owner',
  'team',
  'asset',
  'advisory',
  'decision',
  'environment',
  'criticality',
  'severity',
  'coverage',
]);
export type GroupBy = z.infer<typeof GroupBySchema>;

/**
 * A question as a typed query: what the `rules` parser produces and what a model must send to
 * the `run_query` tool. It is executed by typed repository functions; nothing here becomes SQL text.
 */
export const QuerySpecSchema = z.object({
  intent: z
    .enum(['list', 'count', 'group', 'advisory', 'trend', 'metrics', 'explain'])
    .describe(
      'list: exposures ranked (top N with limit); count: how many; group: counts per owner/team/asset/...; ' +
        'advisory: what an advisory is and where we are affected; trend: metrics now vs N days ago; metrics: current programme metrics; ' +
        'explain: why the riskiest exposure matching the filters (or exposureId) has its priority',
    ),
  filters: AskFiltersSchema.default({ state: 'active' }),
  /**
   * A concept to find by meaning ("deserialization bugs", "log4shell-like"): the advisories whose
   * summaries are nearest in pgvector narrow the exposures.
   */
  concept: z.string().trim().min(2).max(200).optional(),
  /** "log4shell-like": exposures of advisories whose summaries are nearest to this advisory's own. */
  likeAdvisory: z.string().min(1).max(100).optional(),
  groupBy: GroupBySchema.optional().describe('required for intent group'),
  sort: z.enum(['risk', 'sla', 'opened', 'epss']).default('risk'),
  limit: z.number().int().min(1).max(200).default(50),
  /** Advisory id or alias (CVE, GHSA): required for intent advisory. */
  advisoryId: z.string().min(1).max(100).optional(),
  /** One exposure to explain (intent explain); without it, the riskiest exposure the filters match. */
  exposureId: z
    .string()
    .regex(/^EXP-[0-9a-f]{8,64}$/, 'expected an exposure id such as EXP-1a2b3c4d5e6f7a8b')
    .optional(),
  /** How far back a trend compares: required for intent trend. */
  days: z.number().int().min(1).max(3650).optional(),
});
export type QuerySpec = z.infer<typeof QuerySpecSchema>;

export const ConceptMatchSchema = z.object({
  text: z.string(),
  /** The advisory whose summary was the query, for "like <advisory>" questions. */
  likeAdvisory: z.string().nullable().default(null),
  embedder: z.string(),
  /** The advisories found by meaning, best first, with their similarity (1 = identical). */
  advisories: z.array(z.object({ id: z.string(), title: z.string(), score: z.number() })),
});

const GroupRowSchema = z.object({
  key: z.string(),
  label: z.string().nullable(),
  count: z.number().int(),
  riskSum: z.number(),
  kev: z.number().int(),
  topExposureIds: z.array(z.string()),
});

const AdvisoryFactsSchema = z.object({
  id: z.string(),
  title: z.string().nullable(),
  aliases: z.array(z.string()),
  severity: z.string(),
  cvssScore: z.number().nullable(),
  kev: z.boolean(),
  epss: z.number().nullable(),
  summary: z.string().nullable(),
  fixedVersions: z.array(z.string()),
});

const SnapshotRefSchema = z.object({ takenAt: z.coerce.date(), metrics: MetricsSchema });

/** What a query returned: rows, a count, groups, an advisory with its exposures, or metrics. */
export const QueryResultSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('exposures'),
    total: z.number().int(),
    rows: z.array(ExposureSummarySchema),
    concept: ConceptMatchSchema.nullable(),
  }),
  z.object({
    kind: z.literal('count'),
    total: z.number().int(),
    /** The riskiest of the counted exposures (up to the query's limit), for citations. */
    exposureIds: z.array(z.string()),
    concept: ConceptMatchSchema.nullable(),
  }),
  z.object({
    kind: z.literal('groups'),
    groupBy: GroupBySchema,
    total: z.number().int(),
    groups: z.number().int(),
    rows: z.array(GroupRowSchema),
    concept: ConceptMatchSchema.nullable(),
  }),
  z.object({
    kind: z.literal('advisory'),
    advisory: AdvisoryFactsSchema.nullable(),
    total: z.number().int(),
    rows: z.array(ExposureSummarySchema),
  }),
  z.object({
    kind: z.literal('trend'),
    days: z.number().int(),
    now: SnapshotRefSchema,
    /** The snapshot nearest to `days` ago (none when no snapshot is that old). */
    past: SnapshotRefSchema.nullable(),
    /** The oldest snapshot there is, when none is old enough. */
    oldest: SnapshotRefSchema.nullable(),
  }),
  z.object({ kind: z.literal('metrics'), now: SnapshotRefSchema }),
  z.object({
    kind: z.literal('explanation'),
    /** How many exposures matched (1 for one named exposure, 0 when none did). */
    total: z.number().int(),
    /** The exposure explained, as lists show it (null when named by id, or when none matched). */
    exposure: ExposureSummarySchema.nullable(),
    explanation: RiskExplanationSchema.nullable(),
  }),
]);
export type QueryResult = z.infer<typeof QueryResultSchema>;

export const CitationsSchema = z.object({
  exposures: z.array(z.string()).max(500),
  assets: z.array(z.string()).max(500),
  advisories: z.array(z.string()).max(500),
});
export type Citations = z.infer<typeof CitationsSchema>;

/** What the analyst agent decides (either back-end); the service adds the executed result. */
export const AnalystAnswerSchema = z.object({
  understood: z.boolean(),
  text: z.string().min(1).max(20_000),
  query: QuerySpecSchema.nullable(),
  citations: CitationsSchema,
  ignored: z.array(z.string()).max(100).default([]),
});
export type AnalystAnswer = z.infer<typeof AnalystAnswerSchema>;

/** An answer to a question: words, the structured result, the query that produced it, and its sources. */
export const AskAnswerSchema = z.object({
  question: z.string(),
  /** False when the question could not be mapped to a query: `text` says so and `examples` help. */
  understood: z.boolean(),
  text: z.string(),
  query: QuerySpecSchema.nullable(),
  result: QueryResultSchema.nullable(),
  citations: CitationsSchema,
  /** Words of the question the query does not use (so nothing is silently ignored). */
  ignored: z.array(z.string()),
  examples: z.array(z.string()),
  decidedBy: z.string(),
});
export type AskAnswer = z.infer<typeof AskAnswerSchema>;
