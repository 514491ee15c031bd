import type { Asset } from '../domain/asset.ts';
import type { GateDecision } from '../domain/plan.ts';
import type { Policy } from './policy.ts';

/** Effects that always need a human, whatever the policy file says. */
export const ALWAYS_APPROVE = ['deletes_data', 'widens_access', 'touches_identity'] as const;

/** Effects that change the asset itself (a ticket or a notification does not). */
const CHANGES_ASSET = new Set(['modifies_code', 'opens_change_request', 'changes_control', 'deletes_data']);

export type GateInput = {
  /** Union of the effects of every step's tool. */
  effects: readonly string[];
  /** Largest version change the plan makes, or null when it changes no version. */
  bump: 'patch' | 'minor' | 'major' | null;
  /** A breaking change the planner knows of (e.g. a major bump, an API removal). */
  breaking: boolean;
  confidence: number;
  /** The assets the plan changes. */
  assets: readonly Asset[];
};

const BUMP_ORDER = { patch: 0, minor: 1, major: 2 } as const;

/**
 * The policy gate: routine (runs without approval) only when every rule allows it. Each reason
 * is a sentence an approver reads; a routine decision lists why every rule passed.
 */
export function decideGate(input: GateInput, policy: Pick<Policy, 'routine' | 'policyVersion'>): GateDecision {
  const rules = policy.routine;
  const blockers: string[] = [];
  const passes: string[] = [];
  const always = input.effects.filter((e) => (ALWAYS_APPROVE as readonly string[]).includes(e));
  if (always.length) blockers.push(`the plan ${always.join(', ').replaceAll('_', ' ')}: always needs approval`);
  const unlisted = input.effects.filter(
    (e) => !always.includes(e) && !(rules.routineEffects as readonly string[]).includes(e),
  );
  if (unlisted.length) blockers.push(`effects not routine under the policy: ${unlisted.join(', ')}`);
  else if (!always.length) passes.push(`every effect is routine (${input.effects.join(', ') || 'none'})`);

  if (input.bump === 'major' || input.breaking) {
    blockers.push(input.bump === 'major' ? 'crosses a major version: always needs approval' : 'a breaking change');
  }
  if (input.confidence < rules.minConfidence) {
    blockers.push(`confidence ${input.confidence.toFixed(2)} is below the policy minimum ${rules.minConfidence}`);
  } else {
    passes.push(`confidence ${input.confidence.toFixed(2)} >= ${rules.minConfidence}`);
  }
  const changesAsset = input.effects.some((e) => CHANGES_ASSET.has(e));
  const crownJewels = input.assets.filter((a) => a.criticality === 'crown_jewel');
  if (changesAsset && rules.crownJewelsNeverRoutine && crownJewels.length) {
    blockers.push(`changes crown-jewel asset ${crownJewels.map((a) => a.id).join(', ')}`);
  }
  const nonProduction =
    input.assets.length > 0 && input.assets.every((a) => ['development', 'test', 'staging'].includes(a.environment));
  if (input.bump && input.bump !== 'major') {
    if (nonProduction && rules.nonProductionRoutine) {
      passes.push(`${input.bump} bump on non-production assets only`);
    } else if (BUMP_ORDER[input.bump] > BUMP_ORDER[rules.maxBump]) {
      blockers.push(`a ${input.bump} bump exceeds the routine maximum (${rules.maxBump})`);
    } else {
      passes.push(`${input.bump} bump within the routine maximum (${rules.maxBump})`);
    }
  }
  const routine = blockers.length === 0;
  return {
    routine,
    reasons: routine ? passes : blockers,
    policyVersion: policy.policyVersion,
  };
}
