import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Database } from '../../db/database.ts';
import { computeMetrics, listMetricSnapshots, takeMetricSnapshot } from '../../db/repositories/metrics-store.ts';
import { MetricSnapshotSchema, MetricsSchema } from '../../domain/metrics.ts';

/** Programme metrics now, their daily snapshots (trends), and an on-demand snapshot. */
export function metricRoutes(deps: { db: Database }): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/v1/metrics',
      {
        config: { role: 'viewer' },
        schema: {
          tags: ['metrics'],
          summary:
            'Metrics now (risk-weighted backlog, open by decision, KEV open, SLA compliance, MTTR) and snapshots',
          querystring: z.object({ days: z.coerce.number().int().min(1).max(730).default(90) }),
          response: { 200: z.object({ now: MetricsSchema, snapshots: z.array(MetricSnapshotSchema) }) },
        },
      },
      async (request) => {
        const now = new Date();
        const since = new Date(now.getTime() - request.query.days * 86_400_000);
        return { now: await computeMetrics(deps.db, now), snapshots: await listMetricSnapshots(deps.db, since) };
      },
    );
    app.post(
      '/v1/metrics/snapshots',
      {
        config: { role: 'analyst' },
        schema: { tags: ['metrics'], summary: 'Take a snapshot now', response: { 200: MetricSnapshotSchema } },
      },
      async () => takeMetricSnapshot(deps.db, new Date()),
    );
  };
}
