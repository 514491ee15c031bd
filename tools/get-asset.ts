import { z } from 'zod';
import { AssetSchema } from '../src/domain/asset.ts';
import { defineTool, toolError } from './define-tool.ts';

export const getAsset = defineTool({
  name: 'get_asset',
  description:
    'Fetch one asset of the estate: kind, environment, criticality, internet exposure, data sensitivity, ' +
    'owner, team, network, tags.',
  kind: 'read',
  input: z.object({ id: z.string().min(1).max(200).describe('asset id from the inventory') }),
  output: AssetSchema,
  async run({ id }, { reader }) {
    return (await reader.getAsset(id)) ?? toolError(`No asset "${id}". Asset ids come from get_exposure.`);
  },
});
