import { z } from 'zod';
import { AdvisorySchema } from '../src/domain/advisory.ts';
import { defineTool, toolError } from './define-tool.ts';

export const getAdvisory = defineTool({
  name: 'get_advisory',
  description:
    'Fetch one advisory by its id or any alias (CVE, GHSA, OSV id): affected packages and ranges, ' +
    'fixed versions, CVSS, CWEs, CISA KEV and EPSS. Fixed versions in a plan must come from here.',
  kind: 'read',
  input: z.object({
    id: z
      .string()
      .min(3)
      .max(100)
      .regex(/^[A-Za-z][A-Za-z0-9._:-]+$/, 'expected an advisory id such as CVE-2021-44228 or GHSA-jfh8-c2jp-5v3q')
      .describe('e.g. CVE-2021-44228 or GHSA-jfh8-c2jp-5v3q'),
  }),
  output: AdvisorySchema,
  async run({ id }, { reader }) {
    return (await reader.getAdvisory(id)) ?? toolError(`No advisory "${id}". Check the id on the exposure.`);
  },
});
