import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Database } from '../../db/database.ts';
import { getPlan, listPlans } from '../../db/repositories/plans-store.ts';
import { NotFoundError } from '../../domain/errors.ts';
import { PlanRecordSchema, PlanStateSchema } from '../../domain/plan.ts';
import type { Orchestrator } from '../../graph/orchestrator.ts';

const ErrorSchema = z.object({ code: z.string(), message: z.string() });

export const DecisionBodySchema = z.object({
  decision: z.enum(['approve', 'reject', 'request_changes']),
  note: z.string().max(10_000).nullish().describe('why; required for request_changes (the planner reads it)'),
  acceptRiskUntil: z.coerce
    .date()
    .nullish()
    .describe('reject only: accept the risk until this date instead of leaving the exposures open'),
});

const DecisionResultSchema = z.object({
  plan: PlanRecordSchema,
  replayed: z.boolean().describe('true when this decision had already been recorded'),
  thread: z.object({ threadId: z.string(), status: z.string(), outcome: z.string().nullable() }).nullable(),
});

/**
 * The approval API: the inbox of plans waiting for a human, each with its evidence, risk and
 * diff, and the decision that resumes (or ends) the paused thread. Only approvers decide, and
 * never on a plan they requested.
 */
export function approvalRoutes(deps: { db: Database; orchestrator: Orchestrator }): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/v1/approvals',
      {
        config: { role: 'viewer' },
        schema: {
          tags: ['approvals'],
          summary: 'Plans by approval status (default: pending, oldest first)',
          querystring: z.object({
            status: z.union([z.literal('pending'), z.literal('all'), PlanStateSchema]).default('pending'),
            limit: z.coerce.number().int().min(1).max(500).default(100),
          }),
          response: { 200: z.object({ plans: z.array(PlanRecordSchema) }) },
        },
      },
      async (request) => ({ plans: await listPlans(deps.db, request.query) }),
    );

    app.get(
      '/v1/approvals/:id',
      {
        config: { role: 'viewer' },
        schema: {
          tags: ['approvals'],
          summary: 'One plan with its steps, gate decision, evidence, risk, diff and decision',
          params: z.object({ id: z.string().min(1).max(200) }),
          response: { 200: PlanRecordSchema, 404: ErrorSchema },
        },
      },
      async (request) => {
        const plan = await getPlan(deps.db, request.params.id);
        if (!plan) throw new NotFoundError('plan', request.params.id);
        return plan;
      },
    );

    app.post(
      '/v1/approvals/:id/rollback',
      {
        config: { role: 'approver' },
        schema: {
          tags: ['approvals'],
          summary: 'Roll back an executed plan where possible (unmerged branches, mitigations, change requests)',
          params: z.object({ id: z.string().min(1).max(200) }),
          body: z.object({ note: z.string().max(10_000).nullish() }).default({}),
          response: {
            200: z.object({
              plan: PlanRecordSchema,
              undone: z.array(
                z.object({ step: z.string(), tool: z.string(), ok: z.boolean(), message: z.string().nullable() }),
              ),
            }),
            404: ErrorSchema,
            409: ErrorSchema,
          },
        },
      },
      async (request) =>
        deps.orchestrator.rollback(request.params.id, `user:${request.token!.name}`, request.body.note ?? null),
    );

    app.post(
      '/v1/approvals/:id/decision',
      {
        config: { role: 'approver' },
        schema: {
          tags: ['approvals'],
          summary: 'Approve, reject or request changes; resumes the paused thread',
          params: z.object({ id: z.string().min(1).max(200) }),
          body: DecisionBodySchema,
          response: { 200: DecisionResultSchema, 403: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema },
        },
      },
      async (request) =>
        deps.orchestrator.decide({
          planId: request.params.id,
          decision: request.body.decision,
          by: `user:${request.token!.name}`,
          note: request.body.note ?? null,
          acceptRiskUntil: request.body.acceptRiskUntil ?? null,
        }),
    );
  };
}
