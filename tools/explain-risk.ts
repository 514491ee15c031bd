import { z } from 'zod';
import { RiskExplanationSchema } from '../src/domain/exposure-context.ts';
import { defineTool, toolError } from './define-tool.ts';

export const explainRisk = defineTool({
  name: 'explain_risk',
  description:
    'Explain why one exposure has its priority: the SSVC decision path with reasons, the itemized risk ' +
    'score, control coverage, owner and SLA, recomputed with the current policy. Quote it; do not guess.',
  kind: 'read',
  input: z.object({ exposureId: z.string().min(1).max(200).describe('exposure id, e.g. exp_1a2b3c...') }),
  output: RiskExplanationSchema,
  async run({ exposureId }, { reader }) {
    return (
      (await reader.explainRisk(exposureId)) ??
      toolError(`No exposure "${exposureId}". Use search_exposures to find ids.`)
    );
  },
});
