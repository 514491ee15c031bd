import { z } from 'zod';
import { defineTool, toolError } from '../../tools/define-tool.ts';
import { ExposureContextSchema } from '../domain/exposure-context.ts';

/**
 * MCP's `get_exposure`: the agents' `get_exposure` plus what a person triaging needs around it
 * (advisory summary, SSVC path, plans and approvals, history). Same name, richer answer: an MCP
 * client has no other way to gather that context, while agents get it from their graph state.
 */
export const getExposureContext = defineTool({
  name: 'get_exposure',
  description:
    'Fetch one exposure with its full context: asset, advisory and its summary, scanner findings, control ' +
    'coverage evidence, risk factors, SSVC decision path, owner, remediation plans with approvals, and ' +
    'recent history. Call before reasoning about an exposure.',
  kind: 'read',
  input: z.object({ id: z.string().min(1).max(200).describe('exposure id, e.g. exp_1a2b3c...') }),
  output: ExposureContextSchema,
  async run({ id }, { reader }) {
    return (await reader.exposureContext(id)) ?? toolError(`No exposure "${id}". Use search_exposures to find ids.`);
  },
});
