import { z } from 'zod';
import { controlAssessor } from '../../agents/control-assessor/agent.ts';
import type { ControlAssessment } from '../../src/domain/agent-outputs.ts';
import { AssetSchema } from '../../src/domain/asset.ts';
import { SlugSchema } from '../../src/domain/common.ts';
import { ControlSchema } from '../../src/domain/control.ts';
import { CoverageSchema } from '../../src/domain/exposure.ts';
import { CaseAdvisorySchema, type CaseEntities, CaseExposureSchema } from '../harness/case-entities.ts';
import { type CaseEstate, type CoverageEngine, openCaseEstate } from '../harness/case-estate.ts';
import { runCaseAgent } from '../harness/run-case-agent.ts';
import { type CaseOutcome, defineSuite } from '../harness/suite.ts';

/** One exposure on one asset, the controls of the estate (in scope or not) and the advisory behind it. */
export const ControlsInputSchema = z
  .strictObject({
    asset: AssetSchema,
    controls: z.array(ControlSchema).default([]),
    advisory: CaseAdvisorySchema.nullish(),
    /** `assetId` defaults to the asset's id. */
    exposure: CaseExposureSchema.extend({ assetId: SlugSchema.optional() }),
  })
  .superRefine((input, ctx) => {
    const seen = new Set<string>();
    input.controls.forEach((control, index) => {
      if (seen.has(control.id)) {
        ctx.addIssue({
          code: 'custom',
          path: ['controls', index, 'id'],
          message: `duplicate control id "${control.id}"`,
        });
      }
      seen.add(control.id);
    });
    if (input.exposure.assetId !== undefined && input.exposure.assetId !== input.asset.id) {
      ctx.addIssue({
        code: 'custom',
        path: ['exposure', 'assetId'],
        message: `must be the case's asset "${input.asset.id}" (or left out)`,
      });
    }
    const advisoryIds = input.advisory ? [input.advisory.id, ...input.advisory.aliases] : [];
    if (input.exposure.advisoryId && !advisoryIds.includes(input.exposure.advisoryId)) {
      ctx.addIssue({
        code: 'custom',
        path: ['exposure', 'advisoryId'],
        message: `no advisory "${input.exposure.advisoryId}" in this case`,
      });
    }
  });
export type ControlsInput = z.infer<typeof ControlsInputSchema>;

/** What the documented rules (docs/controls.md) say the answer is. */
export const ControlsExpectedSchema = z.strictObject({
  coverage: CoverageSchema,
  /** Controls that counter the flaw (coverage full or partial); reachability-only controls are not listed. */
  controls: z.array(SlugSchema).default([]),
  /** Checked when given: `controlled` when a counted firewall or segmentation removes internet reachability. */
  reachable: z.enum(['open', 'controlled']).optional(),
  /** The rule that decides the case, for the reviewer of a failure. */
  why: z.string().min(1).optional(),
});
export type ControlsExpected = z.infer<typeof ControlsExpectedSchema>;

const RANK = { none: 0, partial: 1, full: 2 } as const;

export type ControlsSuiteOptions = {
  /**
   * Replaces the deterministic controls engine behind assess_coverage (both the rules back-end
   * and the validator of model answers read it). Only for proving that a broken engine fails
   * the gate; evaluations use the real one.
   */
  engine?: CoverageEngine;
};

/** The control-assessor suite: coverage label accuracy, control-set F1 and overclaims. */
export function createControlsSuite(options: ControlsSuiteOptions = {}) {
  return defineSuite({
    name: 'controls',
    description: 'control assessor: coverage label (full/partial/none) and the contributing controls',
    input: ControlsInputSchema,
    expected: ControlsExpectedSchema,
    dataset: 'datasets/controls.jsonl',
    setup: () => openCaseEstate({ engine: options.engine }),
    async runCase(testCase, env, shared) {
      const estate = shared as CaseEstate;
      const entities = entitiesOf(testCase.input);
      const exposureId = testCase.input.exposure.id;
      await estate.load(entities, env.now);
      const run = await runCaseAgent(controlAssessor, { exposureId }, env, estate.toolContext(env.now));
      return {
        ...scoreAssessment(run.output, testCase.expected, testCase.input),
        id: testCase.id,
        tags: testCase.tags,
        decidedBy: run.provenance.decidedBy,
        fellBack: run.fellBack,
      };
    },
    teardown: async (shared) => {
      await (shared as CaseEstate | undefined)?.close();
    },
    metrics: controlsMetrics,
  });
}

export const controlsSuite = createControlsSuite();

/** The case as an estate: its one asset, every control, the advisory and the exposure. */
export function entitiesOf(input: ControlsInput): CaseEntities {
  return {
    assets: [input.asset],
    controls: input.controls,
    advisories: input.advisory ? [input.advisory] : [],
    exposures: [{ ...input.exposure, assetId: input.asset.id }],
  };
}

type Scored = Pick<CaseOutcome, 'passed' | 'scores' | 'violations' | 'failures'>;

/** Label, control set (F1) and reachability against the expectation; a too generous label is an overclaim. */
export function scoreAssessment(output: ControlAssessment, expected: ControlsExpected, input: ControlsInput): Scored {
  const failures: string[] = [];
  const known = new Set(input.controls.map((c) => c.id));
  for (const id of expected.controls) {
    if (!known.has(id)) failures.push(`dataset: expected control "${id}" is not among the case's controls`);
  }
  const label = output.coverage === expected.coverage ? 1 : 0;
  const overclaim = RANK[output.coverage] > RANK[expected.coverage] ? 1 : 0;
  if (!label) {
    failures.push(
      `coverage: expected ${expected.coverage}, got ${output.coverage}${overclaim ? ' (overclaim)' : ''}` +
        (expected.why ? ` (${expected.why})` : ''),
    );
  }
  const predicted = new Set(output.controls.filter((c) => c.coverage !== 'none').map((c) => c.controlId));
  const wanted = new Set(expected.controls);
  const f1 = setF1(predicted, wanted);
  const missing = [...wanted].filter((id) => !predicted.has(id));
  const extra = [...predicted].filter((id) => !wanted.has(id));
  if (missing.length) failures.push(`controls: missing ${missing.join(', ')}`);
  if (extra.length) failures.push(`controls: not expected ${extra.join(', ')}`);
  const scores: Record<string, number> = { label, f1, overclaim };
  if (expected.reachable !== undefined) {
    scores.reachable = output.reachable === expected.reachable ? 1 : 0;
    if (!scores.reachable) failures.push(`reachable: expected ${expected.reachable}, got ${output.reachable}`);
  }
  return { passed: failures.length === 0, scores, violations: [], failures };
}

/** F1 of two id sets; two empty sets agree perfectly. */
export function setF1(predicted: ReadonlySet<string>, wanted: ReadonlySet<string>): number {
  if (predicted.size === 0 && wanted.size === 0) return 1;
  const hits = [...predicted].filter((id) => wanted.has(id)).length;
  if (hits === 0) return 0;
  const precision = hits / predicted.size;
  const recall = hits / wanted.size;
  return (2 * precision * recall) / (precision + recall);
}

/** score = exact label accuracy; controlF1 = mean control-set F1; a case that threw counts as wrong. */
export function controlsMetrics(outcomes: CaseOutcome[]): Record<string, number> {
  const mean = (key: string, of: CaseOutcome[] = outcomes) =>
    of.length ? of.reduce((sum, o) => sum + (o.scores[key] ?? 0), 0) / of.length : 0;
  const withReachable = outcomes.filter((o) => o.scores.reachable !== undefined);
  return {
    score: mean('label'),
    controlF1: mean('f1'),
    overclaims: outcomes.reduce((sum, o) => sum + (o.scores.overclaim ?? 0), 0),
    reachableAccuracy: withReachable.length ? mean('reachable', withReachable) : 1,
  };
}
