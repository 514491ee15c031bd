import { z } from 'zod';
import { ExposureSummarySchema } from '../src/domain/exposure-detail.ts';
import { ExposureQuerySchema } from '../src/domain/exposure-query.ts';
import { defineTool } from './define-tool.ts';

export const searchExposures = defineTool({
  name: 'search_exposures',
  description:
    'Search exposures with typed filters (state, SSVC decision, owner or team, KEV, internet-facing, coverage, ' +
    'environment, criticality, severity, kind (package, secret, misconfiguration, code, cloud), asset, vulnerability ' +
    'id, package, EPSS, SLA breached, opened or resolved within N days), sorted by risk by default.',
  kind: 'read',
  input: ExposureQuerySchema,
  output: z.object({ total: z.number().int(), rows: z.array(ExposureSummarySchema) }),
  async run(query, { reader }) {
    return reader.searchExposures(query);
  },
});
