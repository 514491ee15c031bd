import { describe, expect, it } from 'vitest';
import { AssetSchema } from '../../../src/domain/asset.ts';
import { decideGate, type GateInput } from '../../../src/prioritize/gate.ts';
import { loadPolicy } from '../../../src/prioritize/policy.ts';

const policy = loadPolicy();
const asset = (over: Record<string, unknown> = {}) =>
  AssetSchema.parse({ id: 'repo-a', name: 'a', kind: 'repository', environment: 'production', ...over });
const input = (over: Partial<GateInput> = {}): GateInput => ({
  effects: ['modifies_code'],
  bump: 'patch',
  breaking: false,
  confidence: 0.9,
  assets: [asset()],
  ...over,
});

describe('decideGate', () => {
  it('lets a confident patch bump on a production, non-crown-jewel asset run as routine', () => {
    const decision = decideGate(input(), policy);
    expect(decision.routine).toBe(true);
    expect(decision.policyVersion).toBe(policy.policyVersion);
    expect(decision.reasons.join(' ')).toContain('patch bump within the routine maximum');
  });

  it('never lets a major bump run without approval, even on a test asset', () => {
    const decision = decideGate(input({ bump: 'major', assets: [asset({ environment: 'test' })] }), policy);
    expect(decision.routine).toBe(false);
    expect(decision.reasons).toContain('crosses a major version: always needs approval');
  });

  it.each([['deletes_data'], ['widens_access'], ['touches_identity']])('always holds a plan that %s', (effect) => {
    const decision = decideGate(input({ effects: ['modifies_code', effect] }), policy);
    expect(decision.routine).toBe(false);
    expect(decision.reasons[0]).toContain('always needs approval');
  });

  it('holds changes to crown jewels but not tickets about them', () => {
    const jewel = asset({ criticality: 'crown_jewel' });
    expect(decideGate(input({ assets: [jewel] }), policy).reasons).toContain('changes crown-jewel asset repo-a');
    expect(decideGate(input({ assets: [jewel], effects: ['creates_ticket'], bump: null }), policy).routine).toBe(true);
  });

  it('holds a plan below the confidence threshold', () => {
    const decision = decideGate(input({ confidence: 0.5 }), policy);
    expect(decision.routine).toBe(false);
    expect(decision.reasons[0]).toMatch(/confidence 0.50 is below the policy minimum 0.8/);
  });

  it('applies maxBump on production and relaxes it on non-production', () => {
    const strict = { ...policy, routine: { ...policy.routine, maxBump: 'patch' as const } };
    expect(decideGate(input({ bump: 'minor' }), strict).routine).toBe(false);
    expect(decideGate(input({ bump: 'minor', assets: [asset({ environment: 'staging' })] }), strict).routine).toBe(
      true,
    );
  });

  it('holds effects the policy does not list as routine', () => {
    const decision = decideGate(input({ effects: ['changes_control'], bump: null }), policy);
    expect(decision.routine).toBe(false);
    expect(decision.reasons[0]).toContain('changes_control');
  });
});
