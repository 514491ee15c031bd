import { z } from 'zod';
import { CoverageAssessmentSchema } from '../src/domain/priority.ts';
import { defineTool, toolError } from './define-tool.ts';

export const assessCoverage = defineTool({
  name: 'assess_coverage',
  description:
    "Run Mobilize's deterministic controls engine on one exposure: which in-scope, enabled, freshly verified " +
    'controls counter its weakness (CWE, attack technique, CVE virtual patches), with coverage full/partial/none, ' +
    'reachability, and the controls it ignored and why. Claims of coverage must be backed by this evidence.',
  kind: 'read',
  input: z.object({ exposureId: z.string().min(1).max(200).describe('exposure id') }),
  output: CoverageAssessmentSchema,
  async run({ exposureId }, { reader }) {
    return (await reader.assessCoverage(exposureId)) ?? toolError(`No exposure "${exposureId}".`);
  },
});
