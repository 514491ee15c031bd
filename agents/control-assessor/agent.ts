import { z } from 'zod';
import { buildRequest, loadPrompt } from '../../prompts/index.ts';
import { ControlAssessmentSchema } from '../../src/domain/agent-outputs.ts';
import { assessCoverage, getExposure, listControls } from '../../tools/index.ts';
import { defineAgent } from '../define-agent.ts';
import { assessWithEngine } from './rules.ts';
import { validateAssessment } from './validate.ts';

export const controlAssessor = defineAgent({
  name: 'control-assessor',
  prompt: loadPrompt('control-assessor'),
  input: z.object({ exposureId: z.string().min(1) }),
  output: ControlAssessmentSchema,
  tools: [getExposure, listControls, assessCoverage],
  request: ({ exposureId }) =>
    buildRequest(
      'Decide whether existing controls already cover this exposure. Call get_exposure, list_controls and ' +
        'assess_coverage, then answer with the assessment JSON.',
      { exposure: { id: exposureId } },
    ),
  maxSteps: 6,
  rules: (input, context) => assessWithEngine(input.exposureId, context),
  validate: (output, input, context) => validateAssessment(output, input.exposureId, context),
  inputIds: ({ exposureId }) => [exposureId],
});
