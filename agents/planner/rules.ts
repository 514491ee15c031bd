import type { PlanProposal } from '../../src/domain/agent-outputs.ts';
import { isOsEcosystem } from '../../src/domain/ecosystem.ts';
import { supportsEcosystem } from '../../src/remediate/affected.ts';
import { chooseTargetVersion } from '../../src/remediate/target-version.ts';
import { sortVersions } from '../../src/remediate/versioning.ts';
import { DEFAULT_MANIFEST, executorEcosystem } from './ecosystem.ts';
import type { PlannerInput } from './input.ts';
import { branchFor } from './plan-kinds.ts';
import { changeRequestStep, cvesOf, ticketStep, virtualPatchStep } from './steps.ts';
import { planInfrastructure } from './terraform.ts';

/**
 * Rules back-end of the planner, in order:
 * - a re-plan after a failed verification or a reviewer's note becomes an owner ticket (the rules
 *   cannot interpret free text or do better with the same data);
 * - one package in a repository with a checkout: the smallest fixed version from the advisory
 *   data (in the current major when one exists) on a branch, a change request and a ticket;
 * - OS packages of a container image whose Dockerfile and patched base image are known: the
 *   base image bump;
 * - a cloud misconfiguration with its Terraform location: the IaC change;
 * - no fix but urgent and behind a WAF: a virtual patch;
 * - anything else: a ticket for the owner with the reasons.
 * Act exposures on internet-facing assets get a WAF virtual patch first when a WAF is in scope.
 */
export function planRemediation(input: PlannerInput): PlanProposal {
  const reasons: string[] = [];
  if (input.reviewerNote) reasons.push(`A reviewer asked for changes: "${input.reviewerNote}".`);
  if (input.previousFailure) reasons.push(`The previous plan did not verify: ${input.previousFailure}`);
  const retry = Boolean(input.reviewerNote || input.previousFailure) && input.previousKind !== 'ticket';
  if (!retry) {
    const plan = planDependency(input, reasons) ?? planBaseImage(input, reasons) ?? planInfrastructure(input, reasons);
    if (plan) return plan;
    const patch = virtualPatchStep(input);
    if (patch) {
      return {
        kind: 'mitigation',
        title: `Virtual patch for ${cvesOf(input).join(', ')} on ${input.asset.name}`,
        rationale: [
          'No automated fix applies; block exploitation at the WAF while the owner fixes it.',
          ...reasons,
        ].join(' '),
        confidence: 0.9,
        target: null,
        steps: [patch, ticketStep(input, `Remediate ${input.exposures[0]!.title} on ${input.asset.name}`)],
      };
    }
  }
  return {
    kind: 'ticket',
    title: `Remediate ${input.exposures.map((e) => e.vulnerabilityId).join(', ')} on ${input.asset.name}`,
    rationale: ['The owner must fix this by hand.', ...reasons].join(' '),
    confidence: 0.9,
    target: null,
    steps: [ticketStep(input, `Remediate ${input.exposures[0]!.title} on ${input.asset.name}`)],
  };
}

function planDependency(input: PlannerInput, reasons: string[]): PlanProposal | null {
  const { asset, exposures } = input;
  const first = exposures[0]!;
  const pkg = first.package;
  const ecosystem = executorEcosystem(first.ecosystem);
  if (first.kind !== 'package' || !pkg) return null;
  if (
    !exposures.every((e) => e.kind === 'package' && e.package === pkg && executorEcosystem(e.ecosystem) === ecosystem)
  ) {
    reasons.push('The exposures are not one package upgrade.');
    return null;
  }
  if (!ecosystem || !supportsEcosystem(ecosystem)) {
    if (asset.kind === 'repository')
      reasons.push(`Automated upgrades of ${first.ecosystem ?? 'this'} ecosystem are not supported.`);
    return null;
  }
  if (typeof asset.attributes.checkoutPath !== 'string') {
    if (asset.kind === 'repository') reasons.push(`Asset ${asset.id} has no local checkout to change.`);
    return null;
  }
  const current = sortVersions(
    ecosystem,
    exposures.flatMap((e) => e.installedVersions),
  )[0];
  if (!current) {
    reasons.push(`No installed version of ${pkg} is known from the findings.`);
    return null;
  }
  const choice = chooseTargetVersion({ ecosystem, package: pkg, current, advisories: input.advisories });
  if (!choice.target || !choice.bump) {
    reasons.push(choice.reason);
    return null;
  }
  const patch = virtualPatchStep(input);
  const title = `Upgrade ${pkg} ${current} → ${choice.target} in ${asset.name}`;
  return {
    kind: 'dependency_bump',
    title,
    rationale: [choice.reason, `Fixes ${exposures.map((e) => e.vulnerabilityId).join(', ')}.`, ...reasons].join(' '),
    confidence: choice.unresolved.length ? 0.5 : 0.95,
    target: {
      ecosystem,
      package: pkg,
      from: current,
      to: choice.target,
      bump: choice.bump,
      crossesMajor: choice.crossesMajor,
    },
    steps: [
      ...(patch ? [patch] : []),
      {
        tool: 'bump_dependency',
        args: {
          assetId: asset.id,
          ecosystem,
          package: pkg,
          targetVersion: choice.target,
          manifestPath: manifestOf(asset.attributes.manifests, ecosystem),
          branch: branchFor(input.planId),
          message: `Upgrade ${pkg} to ${choice.target}\n\nFixes ${input.advisories.map((a) => a.id).join(', ')} (exposures ${exposures
            .map((e) => e.id)
            .join(', ')}).`,
        },
        purpose: `raise ${pkg} to the smallest fixed version ${choice.target}`,
      },
      changeRequestStep(input, asset.id, title),
      ticketStep(input, `Review and merge ${branchFor(input.planId)}: ${pkg} ${choice.target}`),
    ],
  };
}

/** Which manifest holds the ecosystem's dependencies: the inventory may say (`attributes.manifests`). */
function manifestOf(manifests: unknown, ecosystem: keyof typeof DEFAULT_MANIFEST): string {
  const declared = (manifests as Record<string, unknown> | undefined)?.[ecosystem];
  return typeof declared === 'string' ? declared : DEFAULT_MANIFEST[ecosystem];
}

/**
 * OS packages of an image are fixed by rebuilding on a patched base image. The inventory says
 * where the image's Dockerfile lives (`attributes.dockerfile`) and which base image is patched
 * (`attributes.patchedBaseImage`, from the registry's image metadata).
 */
function planBaseImage(input: PlannerInput, reasons: string[]): PlanProposal | null {
  const { asset, exposures } = input;
  if (asset.kind !== 'container_image') return null;
  if (!exposures.every((e) => e.kind === 'package' && isOsEcosystem(e.ecosystem))) return null;
  const dockerfile = asset.attributes.dockerfile as { repositoryAssetId?: unknown; path?: unknown } | undefined;
  const patched = asset.attributes.patchedBaseImage;
  if (typeof dockerfile?.repositoryAssetId !== 'string' || typeof patched !== 'string') {
    reasons.push(`Image ${asset.id} does not name its Dockerfile and a patched base image in the inventory.`);
    return null;
  }
  const { image, target } = splitImage(patched);
  const title = `Rebuild ${asset.name} on ${patched}`;
  const patch = virtualPatchStep(input);
  return {
    kind: 'base_image',
    title,
    rationale: `${exposures.length} OS package exposure(s) in ${asset.name} are fixed in the patched base image ${patched}.`,
    confidence: 0.9,
    target: null,
    steps: [
      ...(patch ? [patch] : []),
      {
        tool: 'bump_base_image',
        args: {
          assetId: dockerfile.repositoryAssetId,
          dockerfilePath: typeof dockerfile.path === 'string' ? dockerfile.path : 'Dockerfile',
          image,
          target,
          branch: branchFor(input.planId),
          message: `Rebuild on ${patched}\n\nFixes ${exposures.map((e) => e.vulnerabilityId).join(', ')} in ${asset.id}.`,
        },
        purpose: `move FROM ${image} to ${target}`,
      },
      changeRequestStep(input, dockerfile.repositoryAssetId, title),
      ticketStep(input, `Review, merge and redeploy ${asset.name} on ${patched}`),
    ],
  };
}

/** `registry:5000/team/node:20.1-alpine@sha256:…` → repository and the tag/digest part. */
export function splitImage(reference: string): { image: string; target: string } {
  const at = reference.indexOf('@');
  const beforeDigest = at >= 0 ? reference.slice(0, at) : reference;
  const digest = at >= 0 ? reference.slice(at) : '';
  const slash = beforeDigest.lastIndexOf('/');
  const colon = beforeDigest.lastIndexOf(':');
  if (colon > slash)
    return { image: beforeDigest.slice(0, colon), target: `${beforeDigest.slice(colon + 1)}${digest}` };
  return { image: beforeDigest, target: digest || 'latest' };
}
