import type { PlanProposal } from '../../src/domain/agent-outputs.ts';
import type { PlannerInput } from './input.ts';
import { branchFor } from './plan-kinds.ts';

type Step = PlanProposal['steps'][number];

/** A ticket for the owner: due at the earliest SLA of the group, linked to the plan. */
export function ticketStep(input: PlannerInput, title: string): Step {
  const owner = input.exposures.find((e) => e.owner)?.owner ?? input.exposures.find((e) => e.team)?.team ?? null;
  const due = input.exposures
    .map((e) => e.slaDueAt)
    .filter((d): d is Date => d instanceof Date)
    .sort((a, b) => a.getTime() - b.getTime())[0];
  return {
    tool: 'create_ticket',
    args: {
      title: title.slice(0, 300),
      body: [
        `Exposures: ${input.exposures.map((e) => `${e.id} (${e.vulnerabilityId}, ${e.ssvcDecision ?? 'unprioritized'})`).join(', ')}.`,
        input.reviewerNote ? `Reviewer note: ${input.reviewerNote}` : '',
        input.previousFailure ? `Previous attempt: ${input.previousFailure}` : '',
      ]
        .filter(Boolean)
        .join('\n'),
      owner,
      dueAt: due ? due.toISOString() : null,
      exposureIds: input.exposures.map((e) => e.id),
      planId: input.planId,
    },
    purpose: 'give the owner a due date and the plan',
  };
}

/** The change request for a plan's branch in a repository asset. */
export function changeRequestStep(input: PlannerInput, repositoryAssetId: string, title: string): Step {
  return {
    tool: 'open_change_request',
    args: {
      assetId: repositoryAssetId,
      branch: branchFor(input.planId),
      base: 'main',
      title: title.slice(0, 300),
      body: [
        `Plan ${input.planId} by Mobilize.`,
        `Fixes ${input.exposures.map((e) => `${e.vulnerabilityId} (exposure ${e.id})`).join(', ')}.`,
        input.advisories.length ? `Advisories: ${input.advisories.map((a) => a.id).join(', ')}.` : '',
      ]
        .filter(Boolean)
        .join('\n'),
      planId: input.planId,
    },
    purpose: 'open the change for review',
  };
}

/** CVE ids of the group, from the exposures and their advisories' aliases. */
export function cvesOf(input: PlannerInput): string[] {
  const ids = [
    ...input.exposures.map((e) => e.vulnerabilityId),
    ...input.advisories.flatMap((a) => [a.id, ...a.aliases]),
  ];
  return [...new Set(ids.filter((id) => /^CVE-\d{4}-\d{4,}$/.test(id)))].sort();
}

/**
 * A WAF virtual patch while the fix ships, for Act exposures on internet-facing assets when a
 * blocking WAF is in scope. It changes a control, so the plan waits for a human.
 */
export function virtualPatchStep(input: PlannerInput): Step | null {
  const urgent = input.exposures.some((e) => e.ssvcDecision === 'Act');
  if (!urgent || input.asset.internetExposure !== 'internet') return null;
  const waf = input.controls.find((c) => c.kind === 'waf' && c.enabled && c.mode === 'block');
  const cves = cvesOf(input);
  if (!waf || !cves.length) return null;
  return {
    tool: 'apply_virtual_patch',
    args: { controlId: waf.id, cves, exposureIds: input.exposures.map((e) => e.id), planId: input.planId },
    purpose: `block exploitation of ${cves.join(', ')} at ${waf.id} until the fix is deployed`,
  };
}
