import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Database } from '../../db/database.ts';
import { listExposures } from '../../db/repositories/exposures-query.ts';
import { RiskFactorSchema } from '../../domain/exposure.ts';
import { ExposureSummarySchema } from '../../domain/exposure-detail.ts';
import { ExposureQuerySchema } from '../../domain/exposure-query.ts';
import { CoverageAssessmentSchema, OwnerAssignmentSchema, SsvcResultSchema } from '../../domain/priority.ts';
import type { Policy } from '../../prioritize/policy.ts';
import { explainExposure, formatExplanation } from '../../services/prioritize/explain.ts';

/** One exposure as lists show it (the domain's summary shape). */
const ExposureListItemSchema = ExposureSummarySchema;

const ExposureDetailSchema = z.object({
  id: z.string(),
  title: z.string(),
  vulnerabilityId: z.string(),
  advisoryId: z.string().nullable(),
  component: z.string().nullish(),
  asset: z.object({
    id: z.string(),
    name: z.string(),
    kind: z.string(),
    environment: z.string(),
    criticality: z.string(),
  }),
  decision: SsvcResultSchema,
  risk: z.object({ score: z.number(), factors: z.array(RiskFactorSchema) }),
  coverage: CoverageAssessmentSchema,
  owner: OwnerAssignmentSchema,
  sla: z.object({ dueAt: z.date(), state: z.enum(['ok', 'due_soon', 'breached']) }),
  findings: z.array(
    z.object({
      sourceTool: z.string(),
      ruleId: z.string(),
      packageVersion: z.string().nullable(),
      location: z.string().nullable(),
      state: z.string(),
      severity: z.string(),
      lastSeenAt: z.date(),
    }),
  ),
  explanation: z.string().describe('the same explanation `mobilize exposures explain` prints'),
  policyVersion: z.string(),
});

const ErrorSchema = z.object({ code: z.string(), message: z.string() });

/** GET /v1/exposures (typed filters, risk-sorted, paginated) and GET /v1/exposures/:id (explained). */
export function exposureRoutes(deps: { db: Database; policy: Policy }): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/v1/exposures',
      {
        config: { role: 'viewer' },
        schema: {
          summary: 'List exposures',
          tags: ['exposures'],
          querystring: ExposureQuerySchema,
          response: {
            200: z.object({
              total: z.number().int(),
              limit: z.number().int(),
              offset: z.number().int(),
              items: z.array(ExposureListItemSchema),
            }),
            400: ErrorSchema,
          },
        },
      },
      async (request) => {
        const { total, rows } = await listExposures(deps.db, request.query);
        return {
          total,
          limit: request.query.limit,
          offset: request.query.offset,
          items: rows.map((r) => ({ ...r, riskScore: r.riskScore === null ? null : Number(r.riskScore) })),
        };
      },
    );
    app.get(
      '/v1/exposures/:id',
      {
        config: { role: 'viewer' },
        schema: {
          summary: 'One exposure with its full explanation',
          tags: ['exposures'],
          params: z.object({ id: z.string().min(1).max(200) }),
          response: { 200: ExposureDetailSchema, 404: ErrorSchema },
        },
      },
      async (request) => {
        const x = await explainExposure(deps.db, deps.policy, request.params.id);
        const { context, asset } = x.exposure;
        return {
          id: context.exposureId,
          title: x.title,
          vulnerabilityId: context.vulnerabilityId,
          advisoryId: x.advisoryId,
          component: context.component,
          asset: {
            id: asset.id,
            name: asset.name,
            kind: asset.kind,
            environment: asset.environment,
            criticality: asset.criticality,
          },
          decision: x.prioritization.ssvc,
          risk: x.prioritization.risk,
          coverage: x.prioritization.coverage,
          owner: x.prioritization.owner,
          sla: { dueAt: x.prioritization.slaDueAt, state: x.slaState },
          findings: x.findings.map(({ fingerprint: _f, ...f }) => f),
          explanation: formatExplanation(x),
          policyVersion: x.policyVersion,
        };
      },
    );
  };
}
