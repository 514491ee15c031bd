import type { PlanKind } from '../../src/domain/agent-outputs.ts';

/**
 * The allow-list of each plan kind: the only action tools its steps may call. The remediation
 * executors (images, Terraform, mitigations, forges) add kinds here as they arrive.
 */
export const PLAN_KIND_TOOLS: Record<PlanKind, readonly string[]> = {
  dependency_bump: ['bump_dependency', 'create_ticket'],
  ticket: ['create_ticket'],
};

/** The branch a plan's code change lives on. */
export function branchFor(planId: string): string {
  return `mobilize/${planId}`;
}
