import { buildRequest, loadPrompt } from '../../prompts/index.ts';
import { PlanProposalSchema } from '../../src/domain/agent-outputs.ts';
import { checkDependency, getAdvisory, getExposure } from '../../tools/index.ts';
import { defineAgent } from '../define-agent.ts';
import { PlannerInputSchema } from './input.ts';
import { PLAN_KIND_TOOLS } from './plan-kinds.ts';
import { planRemediation } from './rules.ts';
import { validatePlan } from './validate.ts';

export const planner = defineAgent({
  name: 'planner',
  prompt: loadPrompt('planner'),
  input: PlannerInputSchema,
  output: PlanProposalSchema,
  // Read tools only: the plan's action tools are proposed as steps and run later, after the gate.
  tools: [getExposure, getAdvisory, checkDependency],
  request: (input) =>
    buildRequest(
      `Plan the remediation of these exposures as typed tool calls. Plan kinds and the action tools each may use: ${JSON.stringify(
        PLAN_KIND_TOOLS,
      )}. A code change goes on branch mobilize/${input.planId}.`,
      {
        asset: input.asset,
        exposures: input.exposures,
        advisories: input.advisories,
        'reviewer-note': input.reviewerNote,
        'previous-failure': input.previousFailure,
      },
    ),
  maxSteps: 6,
  rules: async (input) => planRemediation(input),
  validate: (output, input) => validatePlan(output, input),
  inputIds: (input) => [input.asset.id, ...input.exposures.map((e) => e.id), ...input.advisories.map((a) => a.id)],
});
