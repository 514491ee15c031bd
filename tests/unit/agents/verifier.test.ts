import { describe, expect, it } from 'vitest';
import type { AgentContext } from '../../../agents/define-agent.ts';
import { type VerifierInput, VerifierInputSchema } from '../../../agents/verifier/agent.ts';
import { verifyOutcome } from '../../../agents/verifier/rules.ts';
import { validateVerification } from '../../../agents/verifier/validate.ts';
import { type Verification, VerificationSchema } from '../../../src/domain/agent-outputs.ts';
import type { ToolContext } from '../../../tools/context.ts';

type Status = 'resolved' | 'pending' | 'affected';

const COMMIT = '0123456789abcdef0123456789abcdef01234567';

/** An AgentContext whose check_dependency answers `status`; every call is recorded. */
function agentContext(status: Status = 'resolved') {
  const calls: [string, unknown][] = [];
  const context: AgentContext = {
    tools: {} as ToolContext,
    async call(name, args) {
      calls.push([name, args]);
      if (name === 'check_dependency') {
        return { status, evidence: `lodash is ${status} on the branch`, ref: 'mobilize/plan-1', commit: COMMIT };
      }
      if (name === 'get_exposure') return { asset: { id: 'shop-repo' } };
      throw new Error(`unexpected tool ${name}`);
    },
    now: () => new Date('2025-01-01T00:00:00Z'),
  };
  return { context, calls };
}

const STEPS_OK = [
  { tool: 'bump_dependency', ok: true, message: null },
  { tool: 'create_ticket', ok: true, message: null },
];

function dependencyPlan(over: Partial<VerifierInput> = {}): VerifierInput {
  return VerifierInputSchema.parse({
    planId: 'plan-1',
    kind: 'dependency_bump',
    assetId: 'shop-repo',
    exposureIds: ['exp-1'],
    advisoryIds: ['GHSA-35jh-r3h4-6jhm'],
    steps: STEPS_OK,
    checks: [
      {
        tool: 'check_dependency',
        args: {
          assetId: 'shop-repo',
          ecosystem: 'npm',
          package: 'lodash',
          ref: 'mobilize/plan-1',
          advisoryIds: ['GHSA-35jh-r3h4-6jhm'],
        },
        proves: 'fix',
      },
    ],
    ...over,
  });
}

const ticketPlan = (over: Partial<VerifierInput> = {}) =>
  dependencyPlan({
    kind: 'ticket',
    checks: [],
    steps: [{ tool: 'create_ticket', ok: true, message: null }],
    ...over,
  });

const failedSteps = [
  { tool: 'bump_dependency', ok: false, message: 'branch mobilize/plan-1 already exists' },
  { tool: 'create_ticket', ok: true, message: null },
];

describe('verifyOutcome', () => {
  it('fails a plan with a failed step, naming it, without re-checking', async () => {
    const { context, calls } = agentContext('resolved');
    const verdict = VerificationSchema.parse(await verifyOutcome(dependencyPlan({ steps: failedSteps }), context));
    expect(verdict.outcome).toBe('failed');
    expect(verdict.evidence).toContain('bump_dependency: branch mobilize/plan-1 already exists');
    expect(calls).toEqual([]);
  });

  it.each([
    ['resolved', 'resolved'],
    ['pending', 'pending'],
    ['affected', 'failed'],
  ] as const)('turns check_dependency %s on the plan branch into %s', async (status, outcome) => {
    const { context, calls } = agentContext(status);
    const verdict = await verifyOutcome(dependencyPlan(), context);
    expect(verdict.outcome).toBe(outcome);
    expect(verdict.evidence).toBe(
      `check_dependency: lodash is ${status} on the branch (mobilize/plan-1 at 0123456789ab)`,
    );
    expect(calls).toEqual([
      [
        'check_dependency',
        {
          assetId: 'shop-repo',
          ecosystem: 'npm',
          package: 'lodash',
          ref: 'mobilize/plan-1',
          advisoryIds: ['GHSA-35jh-r3h4-6jhm'],
        },
      ],
    ]);
  });

  it('leaves a ticket plan pending until the next scan', async () => {
    const { context, calls } = agentContext('resolved');
    const verdict = await verifyOutcome(ticketPlan(), context);
    expect(verdict.outcome).toBe('pending');
    expect(verdict.evidence).toMatch(/next full scan/);
    expect(calls).toEqual([]);
  });
});

describe('validateVerification', () => {
  const verdict = (outcome: Verification['outcome']): Verification => ({ outcome, evidence: 'e' });
  const validate = (outcome: Verification['outcome'], input: VerifierInput, status: Status = 'resolved') =>
    validateVerification(verdict(outcome), input, agentContext(status).context);

  it("accepts the rules back-end's own verdicts", async () => {
    for (const status of ['resolved', 'pending', 'affected'] as const) {
      const { context } = agentContext(status);
      const own = await verifyOutcome(dependencyPlan(), context);
      expect(await validateVerification(own, dependencyPlan(), context), status).toEqual([]);
    }
    const { context } = agentContext();
    expect(await validateVerification(await verifyOutcome(ticketPlan(), context), ticketPlan(), context)).toEqual([]);
  });

  it('rejects resolved when the check says pending', async () => {
    expect(await validate('resolved', dependencyPlan(), 'pending')).toEqual([
      'outcome: the checks support pending at most, not resolved',
    ]);
  });

  it('rejects pending when the check says affected', async () => {
    expect(await validate('pending', dependencyPlan(), 'affected')).toHaveLength(1);
  });

  it('accepts failed when the check says resolved (more cautious)', async () => {
    expect(await validate('failed', dependencyPlan(), 'resolved')).toEqual([]);
    expect(await validate('pending', dependencyPlan(), 'resolved')).toEqual([]);
  });

  it('rejects mitigated for a dependency plan whose fix is only pending and that has no mitigation', async () => {
    expect(await validate('mitigated', dependencyPlan(), 'pending')).toEqual([
      'outcome: the checks support pending at most, not mitigated',
    ]);
  });

  it('rejects resolved (or mitigated) for a ticket plan', async () => {
    expect(await validate('resolved', ticketPlan())).toEqual([
      'outcome: the checks support pending at most, not resolved',
    ]);
    expect(await validate('mitigated', ticketPlan())).toHaveLength(1);
    expect(await validate('pending', ticketPlan())).toEqual([]);
  });

  it('rejects any outcome but failed when a step failed', async () => {
    const input = dependencyPlan({ steps: failedSteps });
    expect(await validate('resolved', input)).toEqual(['outcome: a step failed, so the outcome must be failed']);
    expect(
      await validate('pending', ticketPlan({ steps: [{ tool: 'create_ticket', ok: false, message: null }] })),
    ).toHaveLength(1);
    expect(await validate('failed', input)).toEqual([]);
  });
});
