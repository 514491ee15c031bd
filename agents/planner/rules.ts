import semver from 'semver';
import type { PlanProposal } from '../../src/domain/agent-outputs.ts';
import { supportsEcosystem } from '../../src/remediate/affected.ts';
import { chooseTargetVersion } from '../../src/remediate/target-version.ts';
import type { PlannerInput } from './input.ts';
import { branchFor } from './plan-kinds.ts';

/**
 * Rules back-end of the planner. A group of npm exposures of one package in a repository with
 * a checkout gets the smallest fixed version from the advisory data (in the current major when
 * one exists) on a branch, plus a ticket to review and merge it. Everything else, and every
 * re-plan the rules cannot improve on (a failed verification, a reviewer's free-text note),
 * becomes a ticket for the owner carrying the evidence.
 */
export function planRemediation(input: PlannerInput): PlanProposal {
  const { asset, exposures } = input;
  const first = exposures[0]!;
  const component = first.package;
  const ecosystem = first.ecosystem?.toLowerCase() ?? null;
  const sameComponent = exposures.every(
    (e) => e.kind === 'package' && e.package === component && e.ecosystem?.toLowerCase() === ecosystem,
  );
  const checkout = typeof asset.attributes.checkoutPath === 'string';
  const reasons: string[] = [];
  if (input.reviewerNote) reasons.push(`A reviewer asked for changes: "${input.reviewerNote}".`);
  if (input.previousFailure) reasons.push(`The previous plan did not verify: ${input.previousFailure}`);
  const retry = Boolean(input.reviewerNote || input.previousFailure) && input.previousKind === 'dependency_bump';

  if (!retry && sameComponent && component && ecosystem && supportsEcosystem(ecosystem) && checkout) {
    const installed = exposures.flatMap((e) => e.installedVersions);
    const current = lowest(installed);
    if (current) {
      const choice = chooseTargetVersion({ ecosystem, package: component, current, advisories: input.advisories });
      if (choice.target && choice.bump) {
        const advisoryIds = input.advisories.map((a) => a.id);
        return {
          kind: 'dependency_bump',
          title: `Upgrade ${component} ${current} → ${choice.target} in ${asset.name}`,
          rationale: [choice.reason, `Fixes ${exposures.map((e) => e.vulnerabilityId).join(', ')}.`, ...reasons].join(
            ' ',
          ),
          confidence: choice.unresolved.length ? 0.5 : 0.95,
          target: {
            ecosystem,
            package: component,
            from: current,
            to: choice.target,
            bump: choice.bump,
            crossesMajor: choice.crossesMajor,
          },
          steps: [
            {
              tool: 'bump_dependency',
              args: {
                assetId: asset.id,
                ecosystem,
                package: component,
                targetVersion: choice.target,
                branch: branchFor(input.planId),
                message: `Upgrade ${component} to ${choice.target}\n\nFixes ${advisoryIds.join(', ')} (exposures ${exposures
                  .map((e) => e.id)
                  .join(', ')}).`,
              },
              purpose: `raise ${component} to the smallest fixed version ${choice.target}`,
            },
            ticketStep(input, `Review and merge ${branchFor(input.planId)}: ${component} ${choice.target}`),
          ],
        };
      }
      reasons.push(choice.reason);
    } else {
      reasons.push(`No installed version of ${component} is known from the findings.`);
    }
  } else if (!retry) {
    if (!checkout) reasons.push(`Asset ${asset.id} has no local checkout to change.`);
    else if (!sameComponent || !component) reasons.push('The exposures are not one package upgrade.');
    else reasons.push(`Automated upgrades of ${ecosystem ?? 'this'} ecosystem are not supported yet.`);
  }
  return {
    kind: 'ticket',
    title: `Remediate ${exposures.map((e) => e.vulnerabilityId).join(', ')} on ${asset.name}`,
    rationale: ['The owner must fix this by hand.', ...reasons].join(' '),
    confidence: 0.9,
    target: null,
    steps: [ticketStep(input, `Remediate ${first.title} on ${asset.name}`)],
  };
}

function ticketStep(input: PlannerInput, title: string): PlanProposal['steps'][number] {
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

/** The lowest installed version: the one the upgrade must lift. */
function lowest(versions: string[]): string | null {
  const valid = [...new Set(versions)].filter((v) => semver.valid(v));
  return semver.sort(valid)[0] ?? null;
}
