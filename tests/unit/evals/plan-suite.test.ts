import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { planRemediation } from '../../../agents/planner/rules.ts';
import { loadDataset } from '../../../evals/harness/dataset.ts';
import type { CaseOutcome, EvalCase, EvalEnv } from '../../../evals/harness/suite.ts';
import {
  type PlanCaseInput,
  type PlanExpected,
  planMetrics,
  planSuite,
  runPlanCase,
  toPlannerInput,
} from '../../../evals/suites/plan.ts';
import { loadPolicy, type Policy } from '../../../src/prioritize/policy.ts';
import { FakeModel } from '../../helpers/fake-model.ts';

/** The plan suite's minimum score in evals/thresholds.yaml: the rules back-end must clear it. */
const MIN_SCORE = 0.9;
const DATASET = path.resolve(import.meta.dirname, '../../../evals', planSuite.dataset);
const ENV: EvalEnv = { backend: 'rules', now: new Date('2026-11-20T12:00:00Z'), workDir: '/nonexistent' };

type PlanCase = EvalCase<PlanCaseInput, PlanExpected>;

/** The dataset parsed with the suite's own schemas; a bad line fails naming its line and field. */
const loadCases = (): PlanCase[] => loadDataset(planSuite, DATASET);

/** A case that throws is a failed case (as the harness counts it), not a crashed test. */
async function run(testCase: PlanCase, env: EvalEnv, policy: Policy): Promise<CaseOutcome> {
  try {
    return await runPlanCase(testCase, env, policy);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return {
      id: testCase.id,
      tags: testCase.tags,
      passed: false,
      scores: { target: 0, steps: 0, routine: 0 },
      violations: [],
      failures: [`threw: ${message}`],
      decidedBy: 'rules',
    };
  }
}

let cases: PlanCase[];
let policy: Policy;
beforeAll(() => {
  cases = loadCases();
  policy = loadPolicy();
});

const byId = (id: string) => {
  const found = cases.find((c) => c.id === id);
  if (!found) throw new Error(`no case ${id} in plan.jsonl`);
  return found;
};

describe('plan dataset', () => {
  it('has at least 30 self-contained cases with unique ids', () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
    expect(new Set(cases.map((c) => c.id)).size).toBe(cases.length);
    for (const c of cases) expect(() => toPlannerInput(c.id, c.input), c.id).not.toThrow();
  });

  it('rejects a misspelt field instead of falling back to its default', () => {
    const line = structuredClone(byId('npm-semver-crown-jewel'));
    const { criticality, ...asset } = line.input.asset;
    const misspelt = planSuite.input.safeParse({ ...line.input, asset: { ...asset, criticalty: criticality } });
    expect(misspelt.success).toBe(false);
    expect(misspelt.error?.issues[0]).toMatchObject({
      code: 'unrecognized_keys',
      path: ['asset'],
      keys: ['criticalty'],
    });
    const noReason = planSuite.expected.safeParse({ ...line.expected, why: undefined });
    expect(noReason.error?.issues[0]?.path).toEqual(['why']);
  });

  it('tags the hard cases the suite is about', () => {
    const tags = new Set(cases.flatMap((c) => c.tags));
    for (const tag of [
      'multiple-advisories',
      'no-fix-in-major',
      'crown-jewel',
      'iam',
      'maven-qualifier',
      'pep440',
      'go-pseudo-version',
      'base-image',
      'security-group',
      's3-public-access',
      'mitigation',
      'ticket-fallback',
    ]) {
      expect(tags, tag).toContain(tag);
    }
  });

  it('expects both routine and non-routine plans of every kind', () => {
    const kinds = new Set(cases.map((c) => c.expected.plan.kind));
    expect([...kinds].sort()).toEqual(['base_image', 'dependency_bump', 'mitigation', 'terraform', 'ticket']);
    expect(cases.filter((c) => !c.expected.routine).length).toBeGreaterThanOrEqual(10);
    expect(cases.filter((c) => c.expected.routine).length).toBeGreaterThanOrEqual(10);
  });
});

describe('plan suite on the rules back-end', () => {
  it('clears the score threshold with no safety violation', async () => {
    const outcomes: CaseOutcome[] = [];
    for (const c of cases) outcomes.push(await run(c, ENV, policy));
    const metrics = planMetrics(outcomes);
    const failed = outcomes.filter((o) => !o.passed).map((o) => `${o.id}: ${o.failures.join(' | ')}`);
    expect(metrics.score, failed.join('\n')).toBeGreaterThanOrEqual(MIN_SCORE);
    expect(metrics.violations).toBe(0);
    expect(outcomes.every((o) => o.decidedBy === 'rules')).toBe(true);
    // The rules back-end is the reference: every expectation was derived from the documented rules,
    // so any case it fails is a planner regression or a dataset mistake, either way worth a look.
    expect(failed).toEqual([]);
  });

  it('counts a crown-jewel bump the gate lets through as a safety violation', async () => {
    const lax: Policy = { ...policy, routine: { ...policy.routine, crownJewelsNeverRoutine: false } };
    const crownJewel = byId('npm-semver-crown-jewel');
    const outcome = await run(crownJewel, ENV, lax);
    expect(outcome.passed).toBe(false);
    expect(outcome.scores).toEqual({ target: 1, steps: 1, routine: 0 });
    expect(outcome.violations).toEqual([
      expect.stringMatching(/^npm-semver-crown-jewel: a dependency_bump plan .* classified routine/),
    ]);
    expect(planMetrics([outcome]).violations).toBe(1);
    // The same lax policy changes nothing where no crown jewel is involved.
    expect((await run(byId('npm-body-parser-minor'), ENV, lax)).violations).toEqual([]);
  });

  it('counts virtual patches made routine by a policy that lists changes_control as violations', async () => {
    // changes_control is a legal routineEffects entry: a policy file can make WAF changes routine.
    const lax: Policy = {
      ...policy,
      routine: { ...policy.routine, routineEffects: [...policy.routine.routineEffects, 'changes_control'] },
    };
    const patched = cases.filter(
      (c) => c.expected.steps.includes('apply_virtual_patch') && !c.tags.includes('crown-jewel'),
    );
    expect(patched.length).toBeGreaterThanOrEqual(3);
    const outcomes = await Promise.all(patched.map((c) => run(c, ENV, lax)));
    expect(outcomes.map((o) => o.violations.length)).toEqual(patched.map(() => 1));
    expect(planMetrics(outcomes).violations).toBe(patched.length);
  });

  it('fails a case whose expected target differs from the plan', async () => {
    const lodash = byId('npm-lodash-four-advisories');
    const wrong: PlanCase = {
      ...lodash,
      expected: {
        ...lodash.expected,
        plan: { kind: 'dependency_bump', ecosystem: 'npm', package: 'lodash', to: '4.17.20' },
      },
    };
    const outcome = await run(wrong, ENV, policy);
    expect(outcome.passed).toBe(false);
    expect(outcome.scores.target).toBe(0);
    expect(outcome.failures[0]).toBe('target: expected lodash 4.17.20, got 4.17.21');
    expect(outcome.failures.at(-1)).toMatch(/^expected because: /);
  });

  it('compares versions by the ecosystem ordering, not by spelling', async () => {
    const certifi = byId('pypi-certifi-calver-major');
    expect(certifi.expected.plan).toMatchObject({ to: '2023.07.22' });
    const respelled: PlanCase = {
      ...certifi,
      expected: {
        ...certifi.expected,
        plan: { kind: 'dependency_bump', ecosystem: 'PyPI', package: 'Certifi', to: '2023.7.22' },
      },
    };
    expect((await run(respelled, ENV, policy)).passed).toBe(true);
  });

  it('fails wrong steps, wrong step order and a wrong routine verdict separately', async () => {
    const patched = byId('maven-spring-boot-virtual-patch-first');
    const reordered: PlanCase = {
      ...patched,
      expected: {
        ...patched.expected,
        steps: ['bump_dependency', 'apply_virtual_patch', 'open_change_request', 'create_ticket'],
      },
    };
    const outcome = await run(reordered, ENV, policy);
    expect(outcome.scores).toEqual({ target: 1, steps: 0, routine: 1 });
    const asSet: PlanCase = { ...reordered, expected: { ...reordered.expected, stepsInOrder: false } };
    expect((await run(asSet, ENV, policy)).passed).toBe(true);
    const overCautious: PlanCase = { ...byId('npm-body-parser-minor') };
    overCautious.expected = { ...overCautious.expected, routine: false };
    const flipped = await run(overCautious, ENV, policy);
    expect(flipped.scores).toEqual({ target: 1, steps: 1, routine: 0 });
    // Expected non-routine but routine: a bump runs without approval, so this is a violation too.
    expect(flipped.violations).toHaveLength(1);
  });
});

describe('plan suite on the llm back-end (scripted model)', () => {
  const llmEnv = (model: FakeModel): EvalEnv => ({ ...ENV, backend: 'llm', model });

  it('records the model as the decider when its plan passes validation, after reading the case through tools', async () => {
    const c = byId('pypi-django-pep440-ordering');
    const answer = planRemediation(toPlannerInput(c.id, c.input));
    const model = new FakeModel([
      { toolCalls: [{ name: 'get_advisory', arguments: { id: 'CVE-2021-44420' } }] },
      { toolCalls: [{ name: 'get_exposure', arguments: { id: 'exp-1' } }] },
      { content: JSON.stringify(answer) },
    ]);
    const outcome = await run(c, llmEnv(model), policy);
    expect(outcome.decidedBy).toBe('llm:fake-model');
    expect(outcome.passed).toBe(true);
    const toolMessages = model.requests[2]!.messages.filter((m) => m.role === 'tool').map((m) => String(m.content));
    expect(toolMessages[0]).toContain('"GHSA-v6rh-hp5x-86rv"');
    expect(toolMessages[0]).toContain('3.2.10');
    expect(toolMessages[1]).toContain('"exp-1"');
    expect(toolMessages[1]).toContain('"Django"');
  });

  it('falls back to the rules when the model twice proposes a version the advisories do not publish', async () => {
    const c = byId('npm-semver-crown-jewel');
    const good = planRemediation(toPlannerInput(c.id, c.input));
    const invented = JSON.stringify({
      ...good,
      target: { ...good.target!, to: '7.9.9' },
      steps: good.steps.map((s) =>
        s.tool === 'bump_dependency' ? { ...s, args: { ...s.args, targetVersion: '7.9.9' } } : s,
      ),
    });
    const outcome = await run(c, llmEnv(new FakeModel([{ content: invented }, { content: invented }])), policy);
    expect(outcome.fellBack).toBe(true);
    expect(outcome.decidedBy).toBe('rules');
    expect(outcome.passed).toBe(true);
    expect(outcome.violations).toEqual([]);
  });

  it('fails the target, not the safety gate, when the model only files a ticket for a crown-jewel fix', async () => {
    const c = byId('npm-semver-crown-jewel');
    const input = toPlannerInput(c.id, c.input);
    const ticketOnly = planRemediation({ ...input, reviewerNote: 'n/a', previousKind: 'dependency_bump' });
    const outcome = await run(c, llmEnv(new FakeModel([{ content: JSON.stringify(ticketOnly) }])), policy);
    expect(outcome.decidedBy).toBe('llm:fake-model');
    expect(outcome.scores.target).toBe(0);
    // A ticket changes nothing, so the gate's routine verdict on it is no safety violation.
    expect(outcome.violations).toEqual([]);
  });
});
