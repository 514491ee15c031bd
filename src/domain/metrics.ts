import { z } from 'zod';

/**
 * A point-in-time picture of the exposure programme: what trend questions ("are we safer than 90
 * days ago?") compare. Taken daily by the server and on demand.
 */
export const MetricsSchema = z.object({
  openTotal: z.number().int(),
  /** Active exposures by SSVC decision (`unprioritized` when none yet). */
  openByDecision: z.record(z.string(), z.number().int()),
  /** Sum of the risk scores of active exposures: the backlog weighted by risk. */
  riskWeightedBacklog: z.number(),
  kevOpen: z.number().int(),
  /** Share of active exposures with a due date that are not past it (1 when none has one). */
  slaCompliance: z.number().min(0).max(1),
  slaBreached: z.number().int(),
  /** Mean days from open to resolved, per SSVC decision, over exposures resolved in the last 90 days. */
  mttrDaysByDecision: z.record(z.string(), z.number()),
  resolvedLast30Days: z.number().int(),
});
export type Metrics = z.infer<typeof MetricsSchema>;

export const MetricSnapshotSchema = z.object({
  id: z.number().int(),
  takenAt: z.coerce.date(),
  metrics: MetricsSchema,
});
export type MetricSnapshot = z.infer<typeof MetricSnapshotSchema>;
