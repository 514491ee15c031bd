import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Orchestrator } from '../../graph/orchestrator.ts';
import type { Policy } from '../../prioritize/policy.ts';

const RunSummarySchema = z.object({
  threads: z.number().int(),
  summarized: z.number().int(),
  covered: z.number().int(),
  planned: z.number().int(),
  autoExecuted: z.number().int(),
  awaitingApproval: z.number().int(),
  verified: z.number().int(),
  pendingVerification: z.number().int(),
  rejected: z.number().int(),
  escalated: z.number().int(),
  failed: z.number().int(),
  resumed: z.number().int(),
  seconds: z.number(),
});

/** Orchestrator runs over open exposures, and the policy that gates them. */
export function runRoutes(deps: { orchestrator: Orchestrator; policy: Policy }): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/v1/runs',
      {
        config: { role: 'analyst' },
        schema: {
          tags: ['runs'],
          summary: 'Run the orchestrator over open exposures (one durable thread per fix group)',
          body: z
            .object({
              exposureIds: z.array(z.string().min(1)).max(1000).optional(),
              limit: z.number().int().min(1).max(100_000).optional().describe('at most this many new threads'),
            })
            .default({}),
          response: { 200: RunSummarySchema },
        },
      },
      async (request) =>
        deps.orchestrator.run({
          exposureIds: request.body.exposureIds,
          limit: request.body.limit,
          startedBy: `user:${request.token!.name}`,
        }),
    );

    app.get(
      '/v1/policy',
      {
        config: { role: 'viewer' },
        schema: {
          tags: ['policy'],
          summary: 'The policy in force: scoring, SLA, ownership, the routine gate, approvals',
          response: { 200: z.record(z.string(), z.unknown()) },
        },
      },
      async () => deps.policy,
    );
  };
}
