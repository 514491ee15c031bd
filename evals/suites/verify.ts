import { mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { branchFor, checkForStep } from '../../agents/planner/plan-kinds.ts';
import { type VerifierInput, verifier } from '../../agents/verifier/agent.ts';
import { AdvisorySchema } from '../../src/domain/advisory.ts';
import { PlanKindSchema, VerificationOutcomeSchema } from '../../src/domain/agent-outputs.ts';
import { AssetSchema } from '../../src/domain/asset.ts';
import { ControlSchema } from '../../src/domain/control.ts';
import { loadPolicy } from '../../src/prioritize/policy.ts';
import { TOOLS } from '../../tools/index.ts';
import { runTool } from '../../tools/run-tool.ts';
import { CaseExposureSchema } from '../harness/case-entities.ts';
import { BranchFilesSchema, RepositoryFilesSchema, writeRepository } from '../harness/git-fixture.ts';
import { type InlineEstateDouble, inlineEstate, toolContextOf } from '../harness/inline-estate.ts';
import { noAudit, type RecordedToolCall, runCaseAgent } from '../harness/run-case-agent.ts';
import { type CaseOutcome, defineSuite, type EvalEnv } from '../harness/suite.ts';

/** One executed step of the plan, as the execute node records it. */
const ExecutedStepSchema = z.object({
  tool: z.string().regex(/^[a-z][a-z0-9_]*$/, 'expected a snake_case tool name'),
  args: z.record(z.string(), z.unknown()).default({}),
  ok: z.boolean().default(true),
  message: z.string().nullable().default(null),
});

/**
 * A prepared before/after state of one executed plan. `repository` is the checkout the plan
 * changed: `base` is the default branch, `plan` the files the plan branch (mobilize/<planId>)
 * changed. Mitigation steps (apply_virtual_patch, quarantine_asset) run for real against the
 * case's simulated control plane; `after` is what happened to the controls since (a rollback, a
 * WAF switched to detect-only).
 */
export const VerifyCaseInputSchema = z.object({
  planId: z
    .string()
    .regex(/^[A-Za-z0-9._-]+$/)
    .default('plan-eval'),
  kind: PlanKindSchema,
  /** The asset of the plan's exposures. */
  assetId: z.string().min(1),
  assets: z.array(AssetSchema).min(1),
  controls: z.array(ControlSchema).default([]),
  advisories: z.array(AdvisorySchema).default([]),
  exposures: z.array(CaseExposureSchema).min(1),
  repository: z
    .object({
      /** The repository asset holding the checkout (it gets attributes.checkoutPath). */
      assetId: z.string().min(1),
      base: RepositoryFilesSchema,
      plan: BranchFilesSchema.nullable().default({}),
    })
    .optional(),
  steps: z.array(ExecutedStepSchema).min(1),
  /** The vulnerable base-image refs from the image's advisories (empty: what HEAD uses). */
  vulnerableRefs: z.array(z.string()).default([]),
  after: z
    .object({
      rollBackMitigations: z.boolean().default(false),
      controls: z
        .array(
          z.object({
            id: z.string(),
            enabled: z.boolean().optional(),
            mode: z.enum(['block', 'detect']).optional(),
            lastVerifiedAt: z.coerce.date().nullable().optional(),
          }),
        )
        .default([]),
    })
    .default({ rollBackMitigations: false, controls: [] }),
});
export type VerifyCaseInput = z.infer<typeof VerifyCaseInputSchema>;

export const VerifyExpectedSchema = z.object({
  /** The honest outcome of the prepared state: what the checks prove, no better. */
  outcome: VerificationOutcomeSchema,
});

const RANK = { failed: 0, pending: 1, mitigated: 2, resolved: 3 } as const;
const MITIGATION_TOOLS = new Set(['apply_virtual_patch', 'quarantine_asset']);
const CODE_TOOLS = new Set(['bump_dependency', 'bump_base_image', 'change_terraform', 'narrow_iam_policy']);

/** A prepared case: the estate double, the tool context and the verifier input derived as the graph does. */
export type PreparedVerification = {
  double: InlineEstateDouble;
  input: VerifierInput;
  cleanup(): Promise<void>;
};

/**
 * Writes the case's repository under the work directory, builds the estate double, runs the
 * mitigation steps, applies `after`, and derives the verifier's checks from the executed steps
 * with checkForStep, exactly as src/graph/nodes/verify.ts does. `where` names the case in errors.
 */
export async function prepareVerification(
  raw: VerifyCaseInput,
  env: EvalEnv,
  where: string,
): Promise<PreparedVerification> {
  const input = VerifyCaseInputSchema.parse(raw);
  const dir = await mkdtemp(path.join(env.workDir, 'verify-'));
  const cleanup = () => rm(dir, { recursive: true, force: true });
  try {
    const branch = branchFor(input.planId);
    const assets = input.assets.map((a) => ({ ...a, attributes: { ...a.attributes } }));
    if (input.repository) {
      const { assetId, base, plan } = input.repository;
      const checkout = path.join(dir, 'checkout');
      await writeRepository(
        checkout,
        { base, branches: plan === null ? {} : { [branch]: plan } },
        `${where}: input.repository`,
      );
      const asset = assets.find((a) => a.id === assetId);
      if (!asset) throw new Error(`${where}: input.repository.assetId "${assetId}" is not one of input.assets`);
      asset.attributes.checkoutPath = checkout;
    }
    const policy = loadPolicy();
    const double = inlineEstate(
      { assets, controls: input.controls, advisories: input.advisories, exposures: input.exposures },
      { now: env.now, freshnessDays: policy.controls.freshnessDays },
    );
    const exposureIds = input.exposures.map((e) => e.id);
    const advisoryIds = input.advisories.map((a) => a.id);
    const outputs: unknown[] = [];
    for (const [i, step] of input.steps.entries()) {
      if (CODE_TOOLS.has(step.tool) && step.args.branch === undefined) step.args.branch = branch;
      outputs.push(
        step.ok && MITIGATION_TOOLS.has(step.tool) ? await runMitigation(step, i, input, double, env, where) : null,
      );
    }
    const mitigations = outputs.flatMap((o) =>
      o && typeof (o as { id?: unknown }).id === 'string' ? [(o as { id: string }).id] : [],
    );
    await applyAfter(input, mitigations, double, where);
    const checks = input.steps.flatMap((step, i) => {
      const check = checkForStep(step, outputs[i] ?? null, {
        advisoryIds,
        exposureIds,
        vulnerableRefs: input.vulnerableRefs,
      });
      return check ? [check] : [];
    });
    return {
      double,
      input: {
        planId: input.planId,
        kind: input.kind,
        assetId: input.assetId,
        exposureIds,
        advisoryIds,
        steps: input.steps.map(({ tool, ok, message }) => ({ tool, ok, message })),
        checks,
      },
      cleanup,
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

/** Runs a mitigation step through the tool runner, as the execute node does, and returns the mitigation. */
async function runMitigation(
  step: z.infer<typeof ExecutedStepSchema>,
  index: number,
  input: VerifyCaseInput,
  double: InlineEstateDouble,
  env: EvalEnv,
  where: string,
): Promise<unknown> {
  const tool = TOOLS.get(step.tool)!;
  const key = `${input.planId}:${index}:${step.tool}`;
  const result = await runTool(
    tool,
    step.args,
    toolContextOf(double, { now: env.now, planId: input.planId, idempotencyKey: key }),
    { allowed: [step.tool], actor: 'agent:orchestrator', audit: noAudit, ledger: double.ledger },
  );
  if (!result.ok) {
    throw new Error(
      `${where}: input.steps[${index}] (${step.tool}) is declared ok but running it failed: ${result.message}`,
    );
  }
  return result.output;
}

/** What changed after the plan ran: its mitigations rolled back, controls switched off or to detect-only. */
async function applyAfter(
  input: VerifyCaseInput,
  mitigations: string[],
  double: InlineEstateDouble,
  where: string,
): Promise<void> {
  if (input.after.rollBackMitigations) {
    if (!mitigations.length) throw new Error(`${where}: input.after.rollBackMitigations but no mitigation step ran`);
    for (const id of mitigations) await double.controlPlane.rollback(id);
  }
  for (const [i, change] of input.after.controls.entries()) {
    const control = double.control(change.id);
    if (!control)
      throw new Error(`${where}: input.after.controls[${i}].id "${change.id}" is not a control of the case`);
    if (change.enabled !== undefined) control.enabled = change.enabled;
    if (change.mode !== undefined) control.mode = change.mode;
    if (change.lastVerifiedAt !== undefined) control.lastVerifiedAt = change.lastVerifiedAt;
  }
}

/** Describes the verifier's tool calls for a failure message. */
function describeCalls(calls: RecordedToolCall[]): string {
  return calls.length ? calls.map((c) => `${c.name}${c.ok ? '' : ` (${c.code})`}`).join(', ') : 'none';
}

export const verifySuite = defineSuite({
  name: 'verify',
  description:
    'resolved / failed / pending / mitigated on prepared before/after states: a real git repository with the ' +
    "plan branch, the verifier's checks derived from the executed steps, mitigations on the simulated control plane",
  input: VerifyCaseInputSchema,
  expected: VerifyExpectedSchema,
  dataset: 'datasets/verify.jsonl',
  async runCase(testCase, env): Promise<CaseOutcome> {
    const prepared = await prepareVerification(testCase.input, env, `verify case ${testCase.id}`);
    try {
      const run = await runCaseAgent(verifier, prepared.input, env, toolContextOf(prepared.double, { now: env.now }));
      const { outcome, evidence } = run.output;
      const expected = testCase.expected.outcome;
      const passed = outcome === expected;
      const overclaim = RANK[outcome] > RANK[expected];
      return {
        id: testCase.id,
        tags: testCase.tags,
        passed,
        scores: { accuracy: passed ? 1 : 0, overclaim: overclaim ? 1 : 0 },
        violations: [],
        failures: passed
          ? []
          : [
              `outcome ${outcome}, expected ${expected}${overclaim ? ' (claims more than the checks prove)' : ''}: ` +
                `${evidence} [checks: ${prepared.input.checks.map((c) => c.tool).join(', ') || 'none'}; ` +
                `tool calls: ${describeCalls(run.calls)}]`,
            ],
        decidedBy: run.provenance.decidedBy,
        fellBack: run.fellBack,
      };
    } finally {
      await prepared.cleanup();
    }
  },
  metrics(outcomes) {
    const n = outcomes.length || 1;
    const accuracy = outcomes.reduce((sum, o) => sum + (o.scores.accuracy ?? 0), 0) / n;
    return {
      score: accuracy,
      accuracy,
      overclaims: outcomes.reduce((sum, o) => sum + (o.scores.overclaim ?? 0), 0),
      fellBack: outcomes.filter((o) => o.fellBack).length,
    };
  },
});
