import { z } from 'zod';
import { ExposureDetailSchema } from './exposure-detail.ts';
import { PlanRecordSchema } from './plan.ts';

/** One step of the stored SSVC decision path: the decision point, its value and why. */
export const SsvcPathStepSchema = z.object({
  point: z.string(),
  value: z.string(),
  reason: z.string().nullish(),
});

/** One audit-log entry about an exposure, newest first: who did what, when. */
export const ExposureHistoryEntrySchema = z.object({
  seq: z.number().int(),
  at: z.coerce.date(),
  actor: z.string(),
  action: z.string(),
  data: z.record(z.string(), z.unknown()),
});
export type ExposureHistoryEntry = z.infer<typeof ExposureHistoryEntrySchema>;

/**
 * An exposure with everything a person or an assistant needs to triage it in one read: the detail
 * the agents use, plus the advisory summary, the SSVC path, its plans with their approvals and the
 * audit history. Read-only context for MCP clients; nothing here is acted on.
 */
export const ExposureContextSchema = ExposureDetailSchema.extend({
  advisorySummary: z
    .object({ text: z.string(), decidedBy: z.string(), promptVersion: z.string() })
    .nullable()
    .describe('the latest stored summary of the advisory, when one was made'),
  ssvcPath: z.array(SsvcPathStepSchema).describe('the CISA SSVC decision path of the last prioritization'),
  plans: z.array(PlanRecordSchema).describe('remediation plans that include this exposure, with their approvals'),
  history: z.array(ExposureHistoryEntrySchema).describe('the last audit-log entries about this exposure, newest first'),
});
export type ExposureContext = z.infer<typeof ExposureContextSchema>;

/** One advisory found by meaning: its stored summary and how close it is to the question (1 = same). */
export const AdvisoryHitSchema = z.object({
  id: z.string(),
  title: z.string(),
  score: z.number(),
  summary: z.string(),
});
export type AdvisoryHit = z.infer<typeof AdvisoryHitSchema>;

/** One active exposure whose advisory matched by meaning. */
export const ExposureHitSchema = z.object({
  id: z.string(),
  title: z.string(),
  advisoryId: z.string(),
  score: z.number(),
});
export type ExposureHit = z.infer<typeof ExposureHitSchema>;

export const SemanticSearchKindSchema = z.enum(['advisories', 'exposures']);
export type SemanticSearchKind = z.infer<typeof SemanticSearchKindSchema>;

/** Ranked hits, best first: advisories or exposures, as asked. */
export const SemanticSearchResultSchema = z.object({
  kind: SemanticSearchKindSchema,
  embedder: z.string().describe('the embedding model used; only summaries embedded by it are searched'),
  advisories: z.array(AdvisoryHitSchema),
  exposures: z.array(ExposureHitSchema),
});
export type SemanticSearchResult = z.infer<typeof SemanticSearchResultSchema>;

/** Why an exposure has its priority, in words and in numbers. */
export const RiskExplanationSchema = z.object({
  exposureId: z.string(),
  decision: z.string().describe('SSVC decision: Track, Track*, Attend or Act'),
  score: z.number().describe('contextual risk score, 0..100'),
  slaDueAt: z.coerce.date(),
  slaState: z.enum(['ok', 'due_soon', 'breached']),
  policyVersion: z.string(),
  text: z.string().describe('the explanation a security engineer reads top to bottom'),
});
export type RiskExplanation = z.infer<typeof RiskExplanationSchema>;
