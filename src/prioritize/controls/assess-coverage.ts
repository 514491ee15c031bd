import type { Asset } from '../../domain/asset.ts';
import type { Control } from '../../domain/control.ts';
import type { Coverage } from '../../domain/exposure.ts';
import type { ControlContribution, CoverageAssessment, ExposureContext } from '../../domain/priority.ts';
import { type CitedControl, describeEffect } from './effect.ts';
import { checkEligibility } from './eligibility.ts';
import { profileExposure } from './exposure-profile.ts';
import { defaultKnowledgeBase, type KnowledgeBase } from './knowledge-base.ts';
import { describeWeakness, effectiveMode, type MappingMatch, matchMappings } from './match-mappings.ts';

export type AssessCoverageInput = {
  context: ExposureContext;
  asset: Asset;
  controls: Control[];
  now: Date;
  freshnessDays: number;
  /** Defaults to the shipped knowledge base; tests and evaluations may pass another. */
  knowledgeBase?: KnowledgeBase;
};

const RANK = { none: 0, partial: 1, full: 2 } as const;

/**
 * Decides whether existing controls already cover an exposure on an asset, deterministically
 * and with evidence: each control is counted only when enabled, in scope of the asset and
 * verified within the freshness window, and only through a knowledge-base mapping from the
 * exposure's weakness to a capability the control has. Everything else is listed in `ignored`
 * with the reason, so a reviewer can see what was considered and why it did not count.
 *
 * Combination: coverage is full if any control covers fully, else partial if any covers
 * partly, else none. `reachable` is `controlled` only when a counted control removes internet
 * reachability; it reflects controls alone, not the asset's own `internetExposure`, which the
 * risk score and SSVC read from the asset directly.
 *
 * A control that only removes reachability (segmentation, firewall) does not counter the flaw:
 * it appears in `contributions` with coverage `none` and reachability `controlled`.
 */
export function assessCoverage(input: AssessCoverageInput): CoverageAssessment {
  const { context, asset, controls, now, freshnessDays } = input;
  const kb = input.knowledgeBase ?? defaultKnowledgeBase();
  const profile = profileExposure(context, asset, kb);
  const contributions: ControlContribution[] = [];
  const ignored: CoverageAssessment['ignored'] = [];
  const cited: CitedControl[] = [];
  let coverage: Coverage = 'none';
  let reachable: CoverageAssessment['reachable'] = 'open';

  for (const control of controls) {
    const eligibility = checkEligibility(control, asset, now, freshnessDays);
    if (!eligibility.eligible) {
      ignored.push({ controlId: control.id, reason: eligibility.reason });
      continue;
    }
    const { matches, misses } = matchMappings(control, profile, kb);
    if (matches.length === 0) {
      ignored.push({ controlId: control.id, reason: noMappingReason(control, profile, misses) });
      continue;
    }
    const best = strongest(matches);
    const fence = matches.find((match) => match.mapping.reachability === 'controlled');
    const controlled = fence !== undefined;
    if (controlled) reachable = 'controlled';
    if (best.coverage !== 'none' && RANK[best.coverage] > RANK[coverage]) coverage = best.coverage;
    contributions.push({
      controlId: control.id,
      controlKind: control.kind,
      mode: effectiveMode(control),
      ruleId: best.ruleId,
      coverage: best.coverage,
      reachability: controlled ? 'controlled' : 'unchanged',
      mapping: best.mapping.id,
      reason: contributionReason(best, fence),
      inScopeBecause: eligibility.inScopeBecause,
      verifiedAt: control.lastVerifiedAt ?? null,
    });
    cited.push({
      controlId: control.id,
      controlKind: control.kind,
      ruleId: best.ruleId,
      label: best.mapping.label.replaceAll('{vulnerabilityId}', context.vulnerabilityId),
      coverage: best.coverage,
      controlled,
    });
  }

  return {
    coverage,
    reachable,
    contributions,
    ignored,
    effect: describeEffect(coverage, reachable, cited, context),
  };
}

/** The mapping giving the most coverage; on a tie the first in knowledge-base order. */
function strongest(matches: MappingMatch[]): MappingMatch {
  let best = matches[0]!;
  for (const match of matches) if (RANK[match.coverage] > RANK[best.coverage]) best = match;
  return best;
}

function contributionReason(best: MappingMatch, fence: MappingMatch | undefined): string {
  let reason = `${capitalize(best.evidence)} (mapping ${best.mapping.id}). ${best.mapping.reason}`;
  if (best.capped) {
    reason += ' The control only detects (detect mode or a detection rule), so the credit is capped at partial.';
  }
  if (fence && fence !== best) {
    reason += ` It also removes internet reachability: ${fence.evidence} (mapping ${fence.mapping.id}).`;
  }
  return reason;
}

function noMappingReason(control: Control, profile: ReturnType<typeof profileExposure>, misses: string[]): string {
  const base = `no mapping for this weakness: nothing in the knowledge base lets ${article(control.kind)} in ${effectiveMode(control)} mode counter ${describeWeakness(profile)}`;
  return misses.length > 0 ? `${base} (${misses.join('; ')})` : base;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function article(kind: string): string {
  return /^[aeiou]/.test(kind) ? `an ${kind}` : `a ${kind}`;
}
