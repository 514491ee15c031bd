import { z } from 'zod';
import { buildRequest, loadPrompt } from '../../prompts/index.ts';
import { AdvisorySchema } from '../../src/domain/advisory.ts';
import { AdvisorySummarySchema } from '../../src/domain/advisory-summary.ts';
import { defineAgent } from '../define-agent.ts';
import { summarizeAdvisory } from './rules.ts';
import { validateSummary } from './validate.ts';

const TASK =
  'Summarize the advisory below for the engineer who owns an affected service. Fill every field of the ' +
  'output schema from the advisory data only: packages, ranges and fixed versions from `affected`, ' +
  'exploitation from `kev` and `epss`, CVE ids from `id` and `aliases`.';

/**
 * The advisory summarizer: one plain-English summary per advisory (cached per advisory, modified
 * date and prompt version by the caller). No tools: everything it may say is in the advisory.
 */
export const summarizerAgent = defineAgent({
  name: 'summarizer',
  prompt: loadPrompt('summarizer'),
  input: z.object({ advisory: AdvisorySchema }),
  output: AdvisorySummarySchema,
  tools: [],
  request: ({ advisory }) =>
    buildRequest(TASK, {
      advisory: {
        id: advisory.id,
        aliases: advisory.aliases,
        title: advisory.title ?? null,
        details: advisory.details ?? null,
        severity: advisory.severity,
        cvssScore: advisory.cvssScore ?? null,
        cvssVector: advisory.cvssVector ?? null,
        cwes: advisory.cwes,
        affected: advisory.affected,
        kev: advisory.kev ?? null,
        epss: advisory.epss ?? null,
        publishedAt: advisory.publishedAt ?? null,
        modifiedAt: advisory.modifiedAt ?? null,
      },
    }),
  maxSteps: 2,
  rules: async ({ advisory }) => summarizeAdvisory(advisory),
  validate: async (summary, { advisory }) => validateSummary(summary, advisory),
  inputIds: ({ advisory }) => [advisory.id, ...advisory.aliases],
});
