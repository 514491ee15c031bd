import semver from 'semver';
import type { PlanProposal } from '../../src/domain/agent-outputs.ts';
import { affectedPackagesFor, isAffected, supportsEcosystem } from '../../src/remediate/affected.ts';
import { TOOLS } from '../../tools/index.ts';
import type { PlannerInput } from './input.ts';
import { branchFor, PLAN_KIND_TOOLS } from './plan-kinds.ts';

/**
 * A plan is acted on only if: every step uses a tool on its kind's allow-list with valid
 * arguments; a target version is a fixed version from the advisory data that no advisory of
 * the group still affects; the bump and major-crossing claims are true; and every step stays
 * inside the fix group (its asset, its package, its exposures, its branch).
 */
export async function validatePlan(plan: PlanProposal, input: PlannerInput): Promise<string[]> {
  const problems: string[] = [];
  const allowed = PLAN_KIND_TOOLS[plan.kind];
  const groupIds = new Set(input.exposures.map((e) => e.id));
  plan.steps.forEach((step, i) => {
    const where = `steps[${i}] (${step.tool})`;
    if (!allowed.includes(step.tool)) {
      problems.push(`${where}: tool not allowed in a ${plan.kind} plan (allowed: ${allowed.join(', ')})`);
      return;
    }
    const tool = TOOLS.get(step.tool)!;
    const parsed = tool.input.safeParse(step.args);
    if (!parsed.success) {
      problems.push(
        `${where}: invalid arguments: ${parsed.error.issues.map((x: { path: PropertyKey[]; message: string }) => `${x.path.join('.')}: ${x.message}`).join('; ')}`,
      );
      return;
    }
    const args = parsed.data as Record<string, unknown>;
    if (step.tool === 'bump_dependency') {
      if (args.assetId !== input.asset.id) problems.push(`${where}: assetId must be ${input.asset.id}`);
      if (args.branch !== branchFor(input.planId)) problems.push(`${where}: branch must be ${branchFor(input.planId)}`);
      if (!input.exposures.some((e) => e.package === args.package)) {
        problems.push(`${where}: package ${String(args.package)} is not the package of these exposures`);
      }
      if (plan.target && args.targetVersion !== plan.target.to) {
        problems.push(`${where}: targetVersion ${String(args.targetVersion)} differs from target.to ${plan.target.to}`);
      }
      problems.push(
        ...checkTargetVersion(String(args.package), String(args.ecosystem), String(args.targetVersion), input),
      );
    }
    if (step.tool === 'create_ticket') {
      const ids = (args.exposureIds as string[]) ?? [];
      const outside = ids.filter((id) => !groupIds.has(id));
      if (outside.length) problems.push(`${where}: exposures outside this plan's group: ${outside.join(', ')}`);
    }
  });
  if (plan.kind === 'dependency_bump') {
    if (!plan.target) problems.push('target: a dependency_bump plan must state its target version');
    if (!plan.steps.some((s) => s.tool === 'bump_dependency')) problems.push('steps: no bump_dependency step');
  }
  if (plan.target) {
    const { from, to, bump, crossesMajor } = plan.target;
    // `from` decides the bump level the gate reads: it must be what is installed, not a claim.
    const installed = semver.sort(
      input.exposures
        .filter((e) => e.package === plan.target!.package)
        .flatMap((e) => e.installedVersions)
        .filter((v) => semver.valid(v)),
    )[0];
    if (installed && from !== installed) {
      problems.push(`target.from must be the lowest installed version ${installed}, not ${from ?? 'null'}`);
    }
    const bumpStep = plan.steps.find((s) => s.tool === 'bump_dependency');
    if (
      bumpStep &&
      (bumpStep.args.package !== plan.target.package || bumpStep.args.ecosystem !== plan.target.ecosystem)
    ) {
      problems.push('target: package and ecosystem must be those of the bump_dependency step');
    }
    if (from && semver.valid(from) && semver.valid(to)) {
      const actual = semver.diff(from, to);
      const level =
        actual === 'major' || actual === 'premajor'
          ? 'major'
          : actual === 'minor' || actual === 'preminor'
            ? 'minor'
            : 'patch';
      if (bump !== level) problems.push(`target.bump: ${from} → ${to} is a ${level} bump, not ${bump}`);
      if (crossesMajor !== (level === 'major')) problems.push(`target.crossesMajor must be ${level === 'major'}`);
      if (!semver.gt(to, from)) problems.push(`target.to ${to} is not newer than ${from}`);
    }
  }
  return problems;
}

/** The version must come from the advisory data and leave no advisory of the group affecting it. */
function checkTargetVersion(pkg: string, ecosystem: string, version: string, input: PlannerInput): string[] {
  if (!supportsEcosystem(ecosystem)) return [`ecosystem ${ecosystem} is not supported for upgrades`];
  const matches = affectedPackagesFor(input.advisories, ecosystem, pkg);
  const fixed = new Set(matches.flatMap((m) => m.affected.fixed));
  const problems: string[] = [];
  if (!fixed.has(version)) {
    problems.push(
      `targetVersion ${version} is not a fixed version in the advisory data for ${pkg} (fixed: ${[...fixed].join(', ') || 'none'})`,
    );
  }
  const still = matches.filter((m) => isAffected(ecosystem, version, m.affected)).map((m) => m.advisoryId);
  if (still.length) problems.push(`targetVersion ${version} is still affected by ${[...new Set(still)].join(', ')}`);
  return problems;
}
