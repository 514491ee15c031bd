import { z } from 'zod';
import { CriticalitySchema, EnvironmentSchema, SeveritySchema } from './common.ts';
import { ControlKindSchema } from './control.ts';
import { CoverageSchema, ExposureStateSchema, SsvcDecisionSchema } from './exposure.ts';
import { FindingKindSchema } from './finding.ts';

/** Query-string booleans ("true"/"false") as well as real booleans. */
const flag = z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]);

/**
 * Typed filters over exposures, shared by the CLI, the HTTP API and (later) MCP tools and
 * natural-language questions: no caller ever writes SQL.
 */
export const ExposureQuerySchema = z.object({
  state: z
    .union([ExposureStateSchema, z.literal('active'), z.literal('all')])
    .default('active')
    .describe('active = open, in progress, awaiting approval or mitigated'),
  decision: SsvcDecisionSchema.optional(),
  owner: z.string().min(1).optional().describe('owner or team'),
  kev: flag.optional().describe('only known-exploited (CISA KEV) vulnerabilities'),
  internetFacing: flag.optional(),
  coverage: CoverageSchema.optional(),
  environment: EnvironmentSchema.optional(),
  criticality: CriticalitySchema.optional(),
  assetId: z.string().min(1).optional(),
  vulnerabilityId: z.string().min(1).optional().describe('CVE, GHSA or rule id (aliases match too)'),
  component: z.string().min(1).optional().describe('package or resource, substring match'),
  severity: SeveritySchema.optional(),
  kind: FindingKindSchema.optional().describe('package, misconfiguration, secret, code or cloud'),
  coveredBy: ControlKindSchema.optional().describe('only exposures a control of this kind covers (fully or partly)'),
  notCoveredBy: ControlKindSchema.optional().describe('only exposures no control of this kind covers'),
  advisoryIds: z
    .preprocess((v) => (typeof v === 'string' ? v.split(',') : v), z.array(z.string().min(1)).max(200))
    .optional()
    .describe('only exposures of these advisories'),
  openedWithinDays: z.coerce.number().int().min(1).max(3650).optional().describe('opened in the last N days'),
  resolvedWithinDays: z.coerce.number().int().min(1).max(3650).optional().describe('resolved in the last N days'),
  minEpss: z.coerce.number().min(0).max(1).optional(),
  slaBreached: flag.optional(),
  triage: flag.optional().describe('only exposures waiting in the triage queue'),
  sort: z.enum(['risk', 'sla', 'opened', 'epss']).default('risk'),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});
export type ExposureQuery = z.infer<typeof ExposureQuerySchema>;
