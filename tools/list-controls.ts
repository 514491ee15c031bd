import { z } from 'zod';
import { ControlSchema } from '../src/domain/control.ts';
import { defineTool, toolError } from './define-tool.ts';

export const listControls = defineTool({
  name: 'list_controls',
  description:
    'List the security controls (WAF, EDR, firewall, segmentation, ...) whose scope includes an asset, ' +
    'with mode (block/detect), rules, enabled flag and last verification. Only these can cover its exposures.',
  kind: 'read',
  input: z.object({ assetId: z.string().min(1).max(200).describe('asset id') }),
  output: z.object({ assetId: z.string(), controls: z.array(ControlSchema) }),
  async run({ assetId }, { reader }) {
    if (!(await reader.getAsset(assetId))) return toolError(`No asset "${assetId}".`);
    return { assetId, controls: await reader.controlsForAsset(assetId) };
  },
});
