import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Database } from '../../db/database.ts';

export const HealthSchema = z.object({
  status: z.enum(['ok', 'degraded']),
  database: z.object({ kind: z.enum(['embedded', 'server']), reachable: z.boolean() }),
  version: z.string(),
});

/** Liveness and database reachability, for load balancers and `doctor`. */
export function healthRoutes(deps: { db: Database; version: string }): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/healthz',
      {
        schema: {
          summary: 'Service health',
          tags: ['meta'],
          security: [],
          response: { 200: HealthSchema, 503: HealthSchema },
        },
      },
      async (_request, reply) => {
        const reachable = await deps.db
          .query('SELECT 1')
          .then(() => true)
          .catch(() => false);
        return reply.status(reachable ? 200 : 503).send({
          status: reachable ? 'ok' : 'degraded',
          database: { kind: deps.db.kind, reachable },
          version: deps.version,
        });
      },
    );
  };
}
