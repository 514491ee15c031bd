import { z } from 'zod';
import { buildRequest, loadPrompt } from '../../prompts/index.ts';
import { PlanKindSchema, VerificationSchema } from '../../src/domain/agent-outputs.ts';
import { checkDependency, getExposure } from '../../tools/index.ts';
import { defineAgent } from '../define-agent.ts';
import { verifyOutcome } from './rules.ts';
import { validateVerification } from './validate.ts';

export const VerifierInputSchema = z.object({
  planId: z.string(),
  kind: PlanKindSchema,
  assetId: z.string(),
  exposureIds: z.array(z.string()).min(1),
  advisoryIds: z.array(z.string()),
  target: z.object({ ecosystem: z.string(), package: z.string(), to: z.string() }).nullable(),
  branch: z.string().nullable(),
  steps: z.array(z.object({ tool: z.string(), ok: z.boolean(), message: z.string().nullable() })),
});
export type VerifierInput = z.infer<typeof VerifierInputSchema>;

export const verifier = defineAgent({
  name: 'verifier',
  prompt: loadPrompt('verifier'),
  input: VerifierInputSchema,
  output: VerificationSchema,
  tools: [checkDependency, getExposure],
  request: (input) =>
    buildRequest(
      'Decide whether the executed plan resolved its exposures. Base the outcome only on tool results ' +
        '(check_dependency re-scans the changed manifest on the plan branch against the advisory ranges).',
      { plan: input },
    ),
  maxSteps: 4,
  rules: (input, context) => verifyOutcome(input, context),
  validate: (output, input, context) => validateVerification(output, input, context),
  inputIds: (input) => [input.planId, ...input.exposureIds, ...input.advisoryIds],
});
