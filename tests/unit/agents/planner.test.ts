import { beforeAll, describe, expect, it } from 'vitest';
import type { PlannedExposure, PlannerInput } from '../../../agents/planner/input.ts';
import { PlannerInputSchema } from '../../../agents/planner/input.ts';
import { branchFor, PLAN_KIND_TOOLS } from '../../../agents/planner/plan-kinds.ts';
import { planRemediation } from '../../../agents/planner/rules.ts';
import { validatePlan } from '../../../agents/planner/validate.ts';
import { type Advisory, AdvisorySchema } from '../../../src/domain/advisory.ts';
import { type PlanProposal, PlanProposalSchema } from '../../../src/domain/agent-outputs.ts';
import { AssetSchema } from '../../../src/domain/asset.ts';
import { format as osv } from '../../../src/ingest/osv/parser.ts';
import { LODASH_ADVISORY } from '../../helpers/estate.ts';
import { parseAll, textSource } from '../../helpers/fixtures.ts';

const PLAN_ID = 'plan-42';
const BRANCH = 'mobilize/plan-42';

/** The lodash OSV advisory of the test estate, parsed as the project ingests it. */
async function lodashAdvisory(): Promise<Advisory> {
  const records = await parseAll(osv, textSource(`${LODASH_ADVISORY.id}.json`, JSON.stringify(LODASH_ADVISORY)));
  const record = records.find((r) => r.type === 'advisory');
  if (record?.type !== 'advisory') throw new Error('no advisory parsed');
  return AdvisorySchema.parse(record.value);
}

/** A one-range npm advisory fixed at `fixed` (none: no fix published). */
function npmAdvisory(id: string, pkg: string, fixed: string | null): Advisory {
  return AdvisorySchema.parse({
    id,
    source: 'osv',
    affected: [
      {
        ecosystem: 'npm',
        package: pkg,
        ranges: [{ type: 'SEMVER', events: fixed ? [{ introduced: '0' }, { fixed }] : [{ introduced: '0' }] }],
        fixed: fixed ? [fixed] : [],
      },
    ],
  });
}

function exposure(over: Partial<PlannedExposure> = {}): PlannedExposure {
  return {
    id: 'exp-1',
    title: 'lodash: command injection',
    kind: 'package',
    vulnerabilityId: 'CVE-2021-23337',
    advisoryId: LODASH_ADVISORY.id,
    component: 'lodash',
    package: 'lodash',
    ecosystem: 'npm',
    installedVersions: ['4.17.15'],
    ssvcDecision: 'Attend',
    owner: 'alice@example.com',
    team: 'storefront',
    slaDueAt: new Date('2025-03-01T00:00:00Z'),
    ruleIds: ['CVE-2021-23337'],
    ...over,
  };
}

function plannerInput(advisories: Advisory[], over: Partial<PlannerInput> = {}): PlannerInput {
  return PlannerInputSchema.parse({
    planId: PLAN_ID,
    asset: AssetSchema.parse({
      id: 'shop-repo',
      name: 'Shop repository',
      kind: 'repository',
      attributes: { checkoutPath: '/srv/checkouts/shop' },
    }),
    exposures: [exposure()],
    advisories,
    reviewerNote: null,
    previousFailure: null,
    previousKind: null,
    ...over,
  });
}

let lodash: Advisory;
beforeAll(async () => {
  lodash = await lodashAdvisory();
});

describe('planRemediation', () => {
  it('bumps lodash to the fixed 4.17.21 on the plan branch, with a review ticket', async () => {
    const input = plannerInput([lodash]);
    const plan = PlanProposalSchema.parse(planRemediation(input));
    expect(plan.kind).toBe('dependency_bump');
    expect(plan.target).toEqual({
      ecosystem: 'npm',
      package: 'lodash',
      from: '4.17.15',
      to: '4.17.21',
      bump: 'patch',
      crossesMajor: false,
    });
    expect(plan.steps.map((s) => s.tool)).toEqual(['bump_dependency', 'open_change_request', 'create_ticket']);
    expect(plan.steps[0]!.args).toMatchObject({
      assetId: 'shop-repo',
      ecosystem: 'npm',
      package: 'lodash',
      targetVersion: '4.17.21',
      branch: BRANCH,
    });
    expect(String(plan.steps[0]!.args.message)).toContain(LODASH_ADVISORY.id);
    expect(plan.steps.find((s) => s.tool === 'create_ticket')!.args).toMatchObject({
      exposureIds: ['exp-1'],
      planId: PLAN_ID,
      owner: 'alice@example.com',
      dueAt: '2025-03-01T00:00:00.000Z',
    });
    expect(branchFor(PLAN_ID)).toBe(BRANCH);
    expect(await validatePlan(plan, input)).toEqual([]);
  });

  it('lifts the lowest installed version of the group', async () => {
    const input = plannerInput([lodash], {
      exposures: [
        exposure({ installedVersions: ['4.17.20'] }),
        exposure({ id: 'exp-2', installedVersions: ['4.17.4'] }),
      ],
    });
    const plan = planRemediation(input);
    expect(plan.target?.from).toBe('4.17.4');
    expect(plan.steps.find((s) => s.tool === 'create_ticket')!.args.exposureIds).toEqual(['exp-1', 'exp-2']);
    expect(await validatePlan(plan, input)).toEqual([]);
  });

  it('plans a ticket, with the reason, when the asset has no checkout', async () => {
    const input = plannerInput([lodash]);
    input.asset = AssetSchema.parse({ ...input.asset, attributes: {} });
    const plan = planRemediation(input);
    expect(plan.kind).toBe('ticket');
    expect(plan.target).toBeNull();
    expect(plan.steps.map((s) => s.tool)).toEqual(['create_ticket']);
    expect(plan.rationale).toContain('has no local checkout');
    expect(await validatePlan(plan, input)).toEqual([]);
  });

  it('plans a ticket carrying the reviewer note after a dependency_bump was sent back', async () => {
    const note = 'Our tests pin lodash; please coordinate with QA first.';
    const input = plannerInput([lodash], { reviewerNote: note, previousKind: 'dependency_bump' });
    const plan = planRemediation(input);
    expect(plan.kind).toBe('ticket');
    expect(plan.rationale).toContain(note);
    expect(String(plan.steps[0]!.args.body)).toContain(`Reviewer note: ${note}`);
    expect(await validatePlan(plan, input)).toEqual([]);
  });

  it('plans a ticket carrying the failure when a dependency_bump did not verify', () => {
    const input = plannerInput([lodash], {
      previousFailure: 'lockfile still pins 4.17.15',
      previousKind: 'dependency_bump',
    });
    const plan = planRemediation(input);
    expect(plan.kind).toBe('ticket');
    expect(String(plan.steps[0]!.args.body)).toContain('lockfile still pins 4.17.15');
  });

  it('plans a ticket when the advisory data has no fix for the package', async () => {
    const input = plannerInput([npmAdvisory('GHSA-nofx-nofx-nofx', 'lodash', null)], {
      exposures: [exposure({ advisoryId: 'GHSA-nofx-nofx-nofx' })],
    });
    const plan = planRemediation(input);
    expect(plan.kind).toBe('ticket');
    expect(plan.rationale).toMatch(/no fixed version/);
    expect(await validatePlan(plan, input)).toEqual([]);
  });

  it('plans a ticket for exposures of different packages', () => {
    const input = plannerInput([lodash], {
      exposures: [exposure(), exposure({ id: 'exp-2', package: 'express', component: 'express' })],
    });
    const plan = planRemediation(input);
    expect(plan.kind).toBe('ticket');
    expect(plan.rationale).toContain('not one package upgrade');
  });

  it('takes the version that fixes every advisory of the package, not the smallest fix', async () => {
    const input = plannerInput([
      npmAdvisory('ADV-OLD', 'lodash', '4.17.19'),
      npmAdvisory('ADV-NEW', 'lodash', '4.17.21'),
    ]);
    const plan = planRemediation(input);
    expect(plan.kind).toBe('dependency_bump');
    expect(plan.target?.to).toBe('4.17.21');
    expect(plan.steps[0]!.args.targetVersion).toBe('4.17.21');
    expect(await validatePlan(plan, input)).toEqual([]);
  });
});

describe('validatePlan', () => {
  let input: PlannerInput;
  let good: PlanProposal;
  beforeAll(() => {
    input = plannerInput([npmAdvisory('ADV-OLD', 'lodash', '4.17.19'), lodash]);
    good = planRemediation(input);
  });

  /** The good plan with the bump step's args, the target or the steps changed. */
  function variant(change: {
    bump?: Record<string, unknown>;
    target?: Partial<NonNullable<PlanProposal['target']>>;
    steps?: PlanProposal['steps'];
    kind?: PlanProposal['kind'];
  }): PlanProposal {
    const [bump, ticket] = good.steps;
    return {
      ...good,
      kind: change.kind ?? good.kind,
      target: { ...good.target!, ...change.target },
      steps: change.steps ?? [{ ...bump!, args: { ...bump!.args, ...change.bump } }, ticket!],
    };
  }

  it('accepts the rules plan', async () => {
    expect(good.target?.to).toBe('4.17.21');
    expect(await validatePlan(good, input)).toEqual([]);
  });

  it('rejects a target version that is not a fixed version in the advisory data', async () => {
    const plan = variant({
      bump: { targetVersion: '9.9.9' },
      target: { to: '9.9.9', bump: 'major', crossesMajor: true },
    });
    const problems = await validatePlan(plan, input);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/targetVersion 9\.9\.9 is not a fixed version/);
  });

  it('rejects a fixed version that another advisory of the group still affects', async () => {
    const plan = variant({ bump: { targetVersion: '4.17.19' }, target: { to: '4.17.19' } });
    const problems = await validatePlan(plan, input);
    expect(problems).toEqual([expect.stringMatching(/4\.17\.19 is still affected by GHSA-35jh-r3h4-6jhm/)]);
  });

  it('rejects a step whose targetVersion differs from target.to', async () => {
    const problems = await validatePlan(variant({ target: { to: '4.17.19' } }), input);
    expect(problems.join('\n')).toMatch(/differs from target\.to/);
  });

  it('rejects a tool that is not allowed for the plan kind', async () => {
    const deleting = variant({
      steps: [...good.steps, { tool: 'delete_repository', args: { assetId: 'shop-repo' }, purpose: 'clean up' }],
    });
    expect(await validatePlan(deleting, input)).toEqual([
      expect.stringMatching(/steps\[3\] \(delete_repository\): tool not allowed in a dependency_bump plan/),
    ]);
    const bumpInTicket: PlanProposal = { ...good, kind: 'ticket', target: null };
    const problems = await validatePlan(bumpInTicket, input);
    expect(problems).toEqual([
      expect.stringMatching(/steps\[0\] \(bump_dependency\): tool not allowed in a ticket/),
      expect.stringMatching(/steps\[1\] \(open_change_request\): tool not allowed in a ticket/),
    ]);
    expect(PLAN_KIND_TOOLS.ticket).not.toContain('bump_dependency');
  });

  it.each([
    ['a range instead of an exact version', { targetVersion: '^4.17.21' }],
    ['a branch outside mobilize/', { branch: 'main' }],
    ['another ecosystem', { ecosystem: 'pypi' }],
    ['no commit message', { message: '' }],
  ])('rejects invalid arguments: %s', async (_, args) => {
    const problems = await validatePlan(variant({ bump: args }), input);
    expect(problems.join('\n')).toMatch(/steps\[0\] \(bump_dependency\): invalid arguments/);
  });

  it('rejects invalid create_ticket arguments', async () => {
    const [bump, change, ticket] = good.steps;
    const plan = variant({ steps: [bump!, change!, { ...ticket!, args: { ...ticket!.args, exposureIds: [] } }] });
    expect((await validatePlan(plan, input)).join('\n')).toMatch(/steps\[2\] \(create_ticket\): invalid arguments/);
  });

  it('rejects another branch than the plan branch', async () => {
    const problems = await validatePlan(variant({ bump: { branch: 'mobilize/plan-41' } }), input);
    expect(problems).toEqual([`steps[0] (bump_dependency): branch must be ${BRANCH}`]);
  });

  it('rejects a change to another asset', async () => {
    const problems = await validatePlan(variant({ bump: { assetId: 'payments-repo' } }), input);
    expect(problems).toEqual(['steps[0] (bump_dependency): assetId must be shop-repo']);
  });

  it('rejects a package outside the group', async () => {
    const problems = await validatePlan(variant({ bump: { package: 'express' } }), input);
    expect(problems).toContain('steps[0] (bump_dependency): package express is not the package of these exposures');
  });

  it('rejects a ticket for exposures outside the group', async () => {
    const [bump, change, ticket] = good.steps;
    const plan = variant({
      steps: [bump!, change!, { ...ticket!, args: { ...ticket!.args, exposureIds: ['exp-1', 'exp-other'] } }],
    });
    expect(await validatePlan(plan, input)).toEqual([
      "steps[2] (create_ticket): exposures outside this plan's group: exp-other",
    ]);
  });

  it('rejects a bump label that lies about a major change', async () => {
    const plan = variant({ target: { from: '3.10.1', bump: 'patch', crossesMajor: false } });
    const problems = await validatePlan(plan, input);
    expect(problems).toContain('target.bump: 3.10.1 → 4.17.21 is a major bump, not patch');
    expect(problems).toContain('target.crossesMajor must be true');
  });

  it('rejects a wrong crossesMajor on its own', async () => {
    expect(await validatePlan(variant({ target: { crossesMajor: true } }), input)).toEqual([
      'target.crossesMajor must be false',
    ]);
  });

  // The gate reads `bump`: a plan may not understate it by claiming another starting version.
  it('rejects a target.from that is not the installed version of the group', async () => {
    const old = plannerInput(input.advisories, { exposures: [exposure({ installedVersions: ['3.10.1'] })] });
    const plan = variant({ target: { from: '4.17.20', bump: 'patch', crossesMajor: false } });
    expect(await validatePlan(plan, old)).toContain(
      'target.from must be the lowest installed version 3.10.1, not 4.17.20',
    );
    const unstated = variant({ target: { from: null } });
    expect((await validatePlan(unstated, old)).join(' ')).toContain('not null');
  });

  it('rejects a target that is not newer than the installed version', async () => {
    const problems = await validatePlan(variant({ target: { from: '4.17.21', bump: 'patch' } }), input);
    expect(problems).toContain('target.to 4.17.21 is not newer than 4.17.21');
  });

  it('rejects a dependency_bump plan without a target or without a bump step', async () => {
    expect(await validatePlan({ ...good, target: null }, input)).toContain(
      'target: a dependency_bump plan must state its target version',
    );
    expect(await validatePlan({ ...good, steps: [good.steps[1]!] }, input)).toContain('steps: no bump_dependency step');
  });
});
