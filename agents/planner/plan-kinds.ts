import type { PlanKind } from '../../src/domain/agent-outputs.ts';

/**
 * The allow-list of each plan kind: the only action tools its steps may call. A temporary
 * mitigation may precede a fix while it ships; every code change ends in a change request and a
 * ticket for its owner.
 */
export const PLAN_KIND_TOOLS: Record<PlanKind, readonly string[]> = {
  dependency_bump: ['apply_virtual_patch', 'bump_dependency', 'open_change_request', 'create_ticket'],
  base_image: ['apply_virtual_patch', 'bump_base_image', 'open_change_request', 'create_ticket'],
  terraform: ['change_terraform', 'narrow_iam_policy', 'open_change_request', 'create_ticket'],
  mitigation: ['apply_virtual_patch', 'quarantine_asset', 'create_ticket'],
  ticket: ['create_ticket', 'notify_owner'],
};

/** The branch a plan's code change lives on. */
export function branchFor(planId: string): string {
  return `mobilize/${planId}`;
}

/** A check that proves one step worked: a read tool and its arguments. */
export type StepCheck = { tool: string; args: Record<string, unknown>; proves: 'fix' | 'mitigation' };

/**
 * The verification of each action step, derived from the step itself (never chosen by a model):
 * re-scan the manifest, re-parse the Dockerfile or Terraform on the branch, re-read the control.
 * `output` is what the step returned (mitigation ids are known only after it ran).
 */
export function checkForStep(
  step: { tool: string; args: Record<string, unknown> },
  output: unknown,
  context: { advisoryIds: string[]; exposureIds: string[]; vulnerableRefs?: string[] },
): StepCheck | null {
  const a = step.args;
  switch (step.tool) {
    case 'bump_dependency':
      return {
        tool: 'check_dependency',
        args: {
          assetId: a.assetId,
          ecosystem: a.ecosystem,
          package: a.package,
          ref: a.branch,
          ...(a.manifestPath ? { manifestPath: a.manifestPath } : {}),
          advisoryIds: context.advisoryIds,
        },
        proves: 'fix',
      };
    case 'bump_base_image':
      return {
        tool: 'check_base_image',
        args: {
          assetId: a.assetId,
          ...(a.dockerfilePath ? { dockerfilePath: a.dockerfilePath } : {}),
          image: a.image,
          ref: a.branch,
          vulnerableRefs: context.vulnerableRefs ?? [],
        },
        proves: 'fix',
      };
    case 'change_terraform':
    case 'narrow_iam_policy':
      return {
        tool: 'check_terraform',
        args: {
          assetId: a.assetId,
          path: a.path,
          ref: a.branch,
          check:
            step.tool === 'narrow_iam_policy'
              ? 'wildcard_iam'
              : a.operation === 'block_public_access'
                ? 'public_bucket'
                : 'open_ingress',
          resource: a.resource,
        },
        proves: 'fix',
      };
    case 'apply_virtual_patch':
    case 'quarantine_asset': {
      const id = (output as { id?: unknown } | null)?.id;
      if (typeof id !== 'string') return null;
      return {
        tool: 'check_mitigation',
        args: { mitigationId: id, exposureId: context.exposureIds[0] },
        proves: 'mitigation',
      };
    }
    default:
      return null;
  }
}
