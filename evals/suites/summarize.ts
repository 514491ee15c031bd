import { z } from 'zod';
import { summarizerAgent } from '../../agents/summarizer/agent.ts';
import { AdvisorySchema } from '../../src/domain/advisory.ts';
import { CveIdSchema } from '../../src/domain/common.ts';
import type { ToolContext } from '../../tools/context.ts';
import { runCaseAgent } from '../harness/run-case-agent.ts';
import { defineSuite } from '../harness/suite.ts';
import { canonicalRange, EPSS_BANDS, type EpssBand, judgeSummary, type SummaryVerdict } from './summarize-check.ts';

/** A case's input: one advisory as the store holds it (src/domain/advisory.ts), KEV and EPSS attached. */
export const SummarizeInputSchema = z.strictObject({ advisory: AdvisorySchema });

const RangeTextSchema = z
  .string()
  .min(1)
  .refine((text) => canonicalRange(text) !== null, {
    message:
      'not a version range: write e.g. ">= 2.0.0 < 2.0.3", "< 1.4.1", "<= 4.5.1", ">= 1.2", "all versions" or one version',
  });

const EpssExpectationSchema = z.union([
  z.null().describe('the advisory has no EPSS score: the summary must say so and quote none'),
  z.strictObject({ score: z.number().min(0).max(1), percentile: z.number().min(0).max(1).optional() }),
  z.strictObject({ band: z.enum(Object.keys(EPSS_BANDS) as [EpssBand, ...EpssBand[]]) }),
]);

/** What the summary must state: written by hand from the advisory data, never from a run. */
export const SummarizeExpectedSchema = z.strictObject({
  packages: z
    .array(
      z.strictObject({
        ecosystem: z.string().min(1),
        package: z.string().min(1),
        ranges: z.array(RangeTextSchema).describe('the vulnerable ranges, in any order'),
        fixed: z.array(z.string().min(1)).describe('every fixed version; [] when none is published'),
      }),
    )
    .describe('every affected package of the advisory, once'),
  exploitation: z.strictObject({
    kev: z.boolean(),
    kevDateAdded: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/)
      .nullish(),
    ransomware: z.boolean().nullish(),
    epss: EpssExpectationSchema,
  }),
  cveIds: z.array(CveIdSchema).describe('the CVE ids among the advisory id and aliases'),
  mustMention: z.array(z.string().min(1)).default([]).describe('phrases the prose must contain (any case)'),
});
export type SummarizeExpected = z.infer<typeof SummarizeExpectedSchema>;

/** The summarizer has no tools: any port it touched would be a bug, so every port refuses. */
function portlessContext(now: Date): ToolContext {
  const refuse = (port: string) =>
    new Proxy(
      {},
      {
        get: (_target, method) =>
          // `then` stays undefined so that the port is never mistaken for a promise.
          method === 'then'
            ? undefined
            : () => Promise.reject(new Error(`the summarizer has no tools; ${port}.${String(method)} was called`)),
      },
    ) as never;
  return {
    reader: refuse('reader'),
    tickets: refuse('tickets'),
    forge: refuse('forge'),
    controlPlane: refuse('controlPlane'),
    notifier: refuse('notifier'),
    dryRun: true,
    timeoutMs: 10_000,
    now: () => now,
  };
}

/** Expected packages must be the advisory's: a mismatch is a dataset error, not a summarizer failure. */
function checkDatasetCase(id: string, expected: SummarizeExpected, advisory: z.infer<typeof AdvisorySchema>): void {
  const key = (ecosystem: string, name: string) => `${ecosystem.toLowerCase()}/${name}`;
  const listed = new Set(advisory.affected.map((pkg) => key(pkg.ecosystem, pkg.package)));
  const wanted = expected.packages.map((pkg) => key(pkg.ecosystem, pkg.package));
  const unknown = wanted.filter((name) => !listed.has(name));
  const missing = [...listed].filter((name) => !wanted.includes(name));
  if (unknown.length || missing.length || new Set(wanted).size !== wanted.length) {
    throw new Error(
      `case ${id}: expected.packages must list each affected package of the advisory once` +
        (unknown.length ? `; not in the advisory: ${unknown.join(', ')}` : '') +
        (missing.length ? `; missing: ${missing.join(', ')}` : ''),
    );
  }
}

const SCORED: (keyof SummaryVerdict)[] = ['ranges', 'fixed', 'exploitation', 'ids', 'phrases'];

export const summarizeSuite = defineSuite({
  name: 'summarize',
  description:
    'The advisory summary states the affected ranges, fixed versions and exploitation status (KEV, EPSS) ' +
    'of the advisory data, and names no version or vulnerability id the data does not hold.',
  input: SummarizeInputSchema,
  expected: SummarizeExpectedSchema,
  dataset: 'datasets/summarize.jsonl',
  async runCase(testCase, env) {
    const { advisory } = testCase.input;
    checkDatasetCase(testCase.id, testCase.expected, advisory);
    const run = await runCaseAgent(summarizerAgent, { advisory }, env, portlessContext(env.now));
    const verdict = judgeSummary(run.output, advisory, testCase.expected);
    const failures = Object.values(verdict).flat();
    const scores: Record<string, number> = Object.fromEntries(
      SCORED.map((part) => [part, verdict[part].length ? 0 : 1]),
    );
    scores.invented = verdict.invented.length ? 1 : 0;
    return {
      id: testCase.id,
      tags: testCase.tags,
      passed: failures.length === 0,
      scores,
      violations: [],
      failures,
      decidedBy: run.provenance.decidedBy,
      fellBack: run.fellBack,
    };
  },
  metrics(outcomes) {
    const count = Math.max(outcomes.length, 1);
    const mean = (part: string) => outcomes.reduce((sum, outcome) => sum + (outcome.scores[part] ?? 0), 0) / count;
    return {
      score: outcomes.filter((outcome) => outcome.passed).length / count,
      inventedFacts: outcomes.filter((outcome) => outcome.scores.invented === 1).length,
      rangeAccuracy: mean('ranges'),
      fixedAccuracy: mean('fixed'),
      exploitationAccuracy: mean('exploitation'),
      fallbacks: outcomes.filter((outcome) => outcome.fellBack).length,
    };
  },
});
