import { z } from 'zod';
import { buildRequest, loadPrompt } from '../../prompts/index.ts';
import { PlanKindSchema, VerificationSchema } from '../../src/domain/agent-outputs.ts';
import { checkBaseImage, checkDependency, checkMitigation, checkTerraform, getExposure } from '../../tools/index.ts';
import { defineAgent } from '../define-agent.ts';
import { verifyOutcome } from './rules.ts';
import { validateVerification } from './validate.ts';

export const VerifierInputSchema = z.object({
  planId: z.string(),
  kind: PlanKindSchema,
  assetId: z.string(),
  exposureIds: z.array(z.string()).min(1),
  advisoryIds: z.array(z.string()),
  steps: z.array(z.object({ tool: z.string(), ok: z.boolean(), message: z.string().nullable() })),
  /** The checks that prove the steps worked, derived from the steps (never chosen by a model). */
  checks: z.array(
    z.object({ tool: z.string(), args: z.record(z.string(), z.unknown()), proves: z.enum(['fix', 'mitigation']) }),
  ),
});
export type VerifierInput = z.infer<typeof VerifierInputSchema>;

export const verifier = defineAgent({
  name: 'verifier',
  prompt: loadPrompt('verifier'),
  input: VerifierInputSchema,
  output: VerificationSchema,
  tools: [checkDependency, checkBaseImage, checkTerraform, checkMitigation, getExposure],
  request: (input) =>
    buildRequest(
      'Decide whether the executed plan resolved its exposures. Run the listed checks (they re-scan the changed ' +
        'manifest, Dockerfile or Terraform on the plan branch, or re-read a mitigation) and base the outcome only on ' +
        'their results.',
      { plan: input },
    ),
  maxSteps: 4,
  rules: (input, context) => verifyOutcome(input, context),
  validate: (output, input, context) => validateVerification(output, input, context),
  inputIds: (input) => [input.planId, ...input.exposureIds, ...input.advisoryIds],
});
