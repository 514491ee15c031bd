import { z } from 'zod';
import { ExposureDetailSchema } from '../src/domain/exposure-detail.ts';
import { defineTool, toolError } from './define-tool.ts';

export const getExposure = defineTool({
  name: 'get_exposure',
  description:
    'Fetch one exposure (a vulnerability or misconfiguration on one asset) with its asset, advisory, ' +
    'scanner findings and stored control coverage. Call before reasoning about an exposure.',
  kind: 'read',
  input: z.object({ id: z.string().min(1).max(200).describe('exposure id, e.g. exp_1a2b3c...') }),
  output: ExposureDetailSchema,
  async run({ id }, { reader }) {
    return (await reader.getExposure(id)) ?? toolError(`No exposure "${id}". Use search_exposures to find ids.`);
  },
});
