import type { PlanProposal } from '../../src/domain/agent-outputs.ts';
import { affectedPackagesFor, isAffected, supportsEcosystem } from '../../src/remediate/affected.ts';
import { bumpLevel, compareVersions, isValidVersion, sortVersions } from '../../src/remediate/versioning.ts';
import { TOOLS } from '../../tools/index.ts';
import { executorEcosystem } from './ecosystem.ts';
import type { PlannerInput } from './input.ts';
import { branchFor, PLAN_KIND_TOOLS } from './plan-kinds.ts';
import { splitImage } from './rules.ts';
import { cvesOf } from './steps.ts';
import { terraformOf } from './terraform.ts';

type Args = Record<string, unknown>;

/**
 * A plan is acted on only if: every step uses a tool on its kind's allow-list with valid
 * arguments; a target version is a fixed version from the advisory data that no advisory of
 * the group still affects; the bump and major-crossing claims are true (from the installed
 * version); and every step stays inside what the inventory ties to the group (its asset, its
 * package, its exposures, its repositories, its branch, its WAF, its Terraform resource).
 */
export async function validatePlan(plan: PlanProposal, input: PlannerInput): Promise<string[]> {
  const problems: string[] = [];
  const allowed = PLAN_KIND_TOOLS[plan.kind];
  const groupIds = new Set(input.exposures.map((e) => e.id));
  const branch = branchFor(input.planId);
  const repositories = repositoriesOf(input);
  plan.steps.forEach((step, i) => {
    const where = `steps[${i}] (${step.tool})`;
    if (!allowed.includes(step.tool)) {
      problems.push(`${where}: tool not allowed in a ${plan.kind} plan (allowed: ${allowed.join(', ')})`);
      return;
    }
    const tool = TOOLS.get(step.tool);
    if (!tool) {
      problems.push(`${where}: no such tool`);
      return;
    }
    const parsed = tool.input.safeParse(step.args);
    if (!parsed.success) {
      const issues = parsed.error.issues.map(
        (x: { path: PropertyKey[]; message: string }) => `${x.path.join('.')}: ${x.message}`,
      );
      problems.push(`${where}: invalid arguments: ${issues.join('; ')}`);
      return;
    }
    const args = parsed.data as Args;
    const inGroup = (ids: unknown) => ((ids as string[]) ?? []).filter((id) => !groupIds.has(id));
    if ('branch' in args && args.branch !== branch) problems.push(`${where}: branch must be ${branch}`);
    switch (step.tool) {
      case 'bump_dependency':
        problems.push(...checkDependencyStep(where, args, plan, input));
        break;
      case 'bump_base_image':
        problems.push(...checkBaseImageStep(where, args, input));
        break;
      case 'change_terraform':
      case 'narrow_iam_policy':
        problems.push(...checkTerraformStep(where, step.tool, args, input));
        break;
      case 'open_change_request':
        if (!repositories.has(String(args.assetId))) {
          problems.push(
            `${where}: assetId must be a repository of this group (${[...repositories].join(', ') || 'none'})`,
          );
        }
        break;
      case 'apply_virtual_patch': {
        const waf = input.controls.find((c) => c.id === args.controlId);
        if (waf?.kind !== 'waf' || !waf.enabled || waf.mode !== 'block') {
          problems.push(
            `${where}: ${String(args.controlId)} is not an enabled, blocking WAF in scope of ${input.asset.id}`,
          );
        }
        const known = new Set(cvesOf(input));
        const foreign = ((args.cves as string[]) ?? []).filter((c) => !known.has(c));
        if (foreign.length) problems.push(`${where}: CVEs not of this group: ${foreign.join(', ')}`);
        if (inGroup(args.exposureIds).length)
          problems.push(`${where}: exposures outside this plan's group: ${inGroup(args.exposureIds).join(', ')}`);
        break;
      }
      case 'quarantine_asset':
        if (args.assetId !== input.asset.id) problems.push(`${where}: assetId must be ${input.asset.id}`);
        if (inGroup(args.exposureIds).length)
          problems.push(`${where}: exposures outside this plan's group: ${inGroup(args.exposureIds).join(', ')}`);
        break;
      case 'create_ticket':
        if (inGroup(args.exposureIds).length)
          problems.push(`${where}: exposures outside this plan's group: ${inGroup(args.exposureIds).join(', ')}`);
        break;
    }
  });
  const fixTool = { dependency_bump: 'bump_dependency', base_image: 'bump_base_image' } as const;
  if (plan.kind === 'dependency_bump' && !plan.target)
    problems.push('target: a dependency_bump plan must state its target version');
  if (plan.kind in fixTool && !plan.steps.some((s) => s.tool === fixTool[plan.kind as keyof typeof fixTool])) {
    problems.push(`steps: no ${fixTool[plan.kind as keyof typeof fixTool]} step`);
  }
  if (
    plan.kind === 'terraform' &&
    !plan.steps.some((s) => s.tool === 'change_terraform' || s.tool === 'narrow_iam_policy')
  ) {
    problems.push('steps: no Terraform change');
  }
  if (plan.target) problems.push(...checkTarget(plan, input));
  return problems;
}

/** The group's asset, and the repositories the inventory names for its Dockerfile or Terraform. */
function repositoriesOf(input: PlannerInput): Set<string> {
  const attributes = input.asset.attributes as { dockerfile?: { repositoryAssetId?: unknown } };
  const ids = [
    input.asset.kind === 'repository' ? input.asset.id : null,
    attributes.dockerfile?.repositoryAssetId,
    terraformOf(input.asset.attributes)?.repositoryAssetId,
  ];
  return new Set(ids.filter((id): id is string => typeof id === 'string'));
}

function checkDependencyStep(where: string, args: Args, plan: PlanProposal, input: PlannerInput): string[] {
  const problems: string[] = [];
  if (args.assetId !== input.asset.id) problems.push(`${where}: assetId must be ${input.asset.id}`);
  if (!input.exposures.some((e) => e.package === args.package)) {
    problems.push(`${where}: package ${String(args.package)} is not the package of these exposures`);
  }
  if (plan.target && args.targetVersion !== plan.target.to) {
    problems.push(`${where}: targetVersion ${String(args.targetVersion)} differs from target.to ${plan.target.to}`);
  }
  const ecosystem = executorEcosystem(String(args.ecosystem));
  if (!ecosystem || !supportsEcosystem(ecosystem))
    return [...problems, `ecosystem ${String(args.ecosystem)} is not supported for upgrades`];
  const version = String(args.targetVersion);
  const matches = affectedPackagesFor(input.advisories, ecosystem, String(args.package));
  const fixed = new Set(matches.flatMap((m) => m.affected.fixed));
  if (!fixed.has(version)) {
    problems.push(
      `targetVersion ${version} is not a fixed version in the advisory data for ${String(args.package)} (fixed: ${[...fixed].join(', ') || 'none'})`,
    );
  } else {
    const still = matches.filter((m) => isAffected(ecosystem, version, m.affected)).map((m) => m.advisoryId);
    if (still.length) problems.push(`targetVersion ${version} is still affected by ${[...new Set(still)].join(', ')}`);
  }
  return problems;
}

function checkBaseImageStep(where: string, args: Args, input: PlannerInput): string[] {
  const attributes = input.asset.attributes as {
    dockerfile?: { repositoryAssetId?: unknown };
    patchedBaseImage?: unknown;
  };
  const problems: string[] = [];
  if (args.assetId !== attributes.dockerfile?.repositoryAssetId)
    problems.push(`${where}: assetId must be the image's Dockerfile repository`);
  if (typeof attributes.patchedBaseImage !== 'string')
    return [...problems, `${where}: the inventory names no patched base image`];
  const expected = splitImage(attributes.patchedBaseImage);
  if (args.image !== expected.image || args.target !== expected.target) {
    problems.push(
      `${where}: the base image must be the patched one from image metadata (${attributes.patchedBaseImage})`,
    );
  }
  return problems;
}

function checkTerraformStep(where: string, tool: string, args: Args, input: PlannerInput): string[] {
  const tf = terraformOf(input.asset.attributes);
  const problems: string[] = [];
  if (!tf) return [`${where}: the inventory ties ${input.asset.id} to no Terraform resource`];
  if (args.assetId !== tf.repositoryAssetId || args.path !== tf.path || args.resource !== tf.resource) {
    problems.push(`${where}: must change ${tf.resource} in ${tf.path} of ${tf.repositoryAssetId}`);
  }
  if (tool === 'narrow_iam_policy') {
    const needed = new Set(tf.actions);
    const extra = ((args.actions as string[]) ?? []).filter((a) => !needed.has(a));
    if (extra.length) problems.push(`${where}: actions not declared as needed in the inventory: ${extra.join(', ')}`);
  }
  return problems;
}

/** `from` decides the bump level the gate reads: it must be what is installed, not a claim. */
function checkTarget(plan: PlanProposal, input: PlannerInput): string[] {
  const problems: string[] = [];
  const { from, to, bump, crossesMajor, package: pkg } = plan.target!;
  const ecosystem = executorEcosystem(plan.target!.ecosystem);
  if (!ecosystem) return [`target.ecosystem ${plan.target!.ecosystem} is not supported`];
  const installed = sortVersions(
    ecosystem,
    input.exposures.filter((e) => e.package === pkg).flatMap((e) => e.installedVersions),
  )[0];
  if (installed && from !== installed) {
    problems.push(`target.from must be the lowest installed version ${installed}, not ${from ?? 'null'}`);
  }
  const bumpStep = plan.steps.find((s) => s.tool === 'bump_dependency');
  if (bumpStep && (bumpStep.args.package !== pkg || executorEcosystem(String(bumpStep.args.ecosystem)) !== ecosystem)) {
    problems.push('target: package and ecosystem must be those of the bump_dependency step');
  }
  if (from && isValidVersion(ecosystem, from) && isValidVersion(ecosystem, to)) {
    const level = bumpLevel(ecosystem, from, to);
    if (bump !== level) problems.push(`target.bump: ${from} → ${to} is a ${level} bump, not ${bump}`);
    if (crossesMajor !== (level === 'major')) problems.push(`target.crossesMajor must be ${level === 'major'}`);
    if (compareVersions(ecosystem, to, from) <= 0) problems.push(`target.to ${to} is not newer than ${from}`);
  }
  return problems;
}
