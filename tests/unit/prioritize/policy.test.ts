import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { ConfigError } from '../../../src/domain/errors.ts';
import { DEFAULT_POLICY_FILE, loadPolicy, type Policy, parsePolicy } from '../../../src/prioritize/policy.ts';

const defaultText = fs.readFileSync(DEFAULT_POLICY_FILE, 'utf8');

/** The default policy as a plain object, changed by `edit`, as YAML text. */
function variant(edit: (policy: Policy) => void): string {
  const policy = parseYaml(defaultText) as Policy;
  edit(policy);
  return stringifyYaml(policy);
}

function errorOf(attempt: () => unknown): ConfigError {
  try {
    attempt();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mobilize-policy-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('loadPolicy', () => {
  it('reads policy/default.yaml with the documented defaults', () => {
    const policy = loadPolicy();
    expect(policy.policyVersion).toBe('2026.2-default');
    expect(policy.sla).toEqual({ days: { Act: 7, Attend: 14, 'Track*': 30, Track: 90 }, dueSoonDays: 3 });
    expect(policy.controls.freshnessDays).toBe(30);
    expect(policy.ssvc.epssPublicPocPercentile).toBe(0.95);
    expect(policy.routine).toEqual({
      maxBump: 'minor',
      minConfidence: 0.8,
      crownJewelsNeverRoutine: true,
      nonProductionRoutine: true,
      routineEffects: ['modifies_code', 'opens_change_request', 'creates_ticket', 'notifies'],
    });
    expect(policy.approvals.expiresAfterHours).toBe(72);
    expect(policy.orchestrator.maxReplans).toBe(2);
    expect(policy.orchestrator.verificationWindowDays).toBe(14);
    expect(policy.ownership.defaultTriageQueue).toBe('security-triage');
    expect(policy.ownership.rules[0]).toEqual({
      match: { tags: ['payments', 'pci'] },
      team: 'payments-platform',
    });
    expect(Object.values(policy.risk.weights).reduce((a, b) => a + b, 0)).toBe(100);
    expect(policy.risk.coverageReduction).toEqual({ full: 0.6, partial: 0.3 });
  });

  it('reads another file when given one', () => {
    const file = path.join(tmp, 'strict.yaml');
    fs.writeFileSync(
      file,
      variant((p) => {
        p.policyVersion = 'strict-1';
        p.sla.days.Act = 2;
      }),
    );
    const policy = loadPolicy(file);
    expect(policy.policyVersion).toBe('strict-1');
    expect(policy.sla.days.Act).toBe(2);
  });

  it('names the file when it cannot be read', () => {
    const file = path.join(tmp, 'missing.yaml');
    const error = errorOf(() => loadPolicy(file));
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toBe(`${file}: cannot read the policy file`);
  });

  it('names the file and the line of a YAML syntax error', () => {
    const error = errorOf(() => parsePolicy('policyVersion: "1"\nsla: [unclosed\n', 'bad.yaml'));
    expect(error.message).toMatch(/^bad\.yaml: not valid YAML at line \d+$/);
  });
});

describe('parsePolicy validation', () => {
  it.each<[string, (p: Policy) => void, string]>([
    [
      'a negative SLA',
      (p) => {
        p.sla.days.Act = -1;
      },
      'sla.days.Act: expected a positive whole number of days',
    ],
    [
      'SLA days that are not whole',
      (p) => {
        p.sla.days['Track*'] = 1.5;
      },
      'sla.days.Track*: expected a positive whole number of days',
    ],
    [
      'a missing SLA decision',
      (p) => {
        Reflect.deleteProperty(p.sla.days, 'Attend');
      },
      'sla.days.Attend: ',
    ],
    [
      'weights that do not sum to 100',
      (p) => {
        p.risk.weights.cvss = 20;
      },
      'risk.weights: expected the weights to sum to 100 (they are points of the 0-100 score), got 95',
    ],
    [
      'a misspelt key',
      (p) => {
        Reflect.set(p.sla, 'dueSoon', 3);
      },
      'sla: Unrecognized key: "dueSoon"',
    ],
    [
      'a missing policyVersion',
      (p) => {
        Reflect.deleteProperty(p, 'policyVersion');
      },
      'policyVersion: ',
    ],
    [
      'an ownership rule without a team',
      (p) => {
        Reflect.deleteProperty(p.ownership.rules[1]!, 'team');
      },
      'ownership.rules[1].team: ',
    ],
    [
      'an ownership rule without selectors',
      (p) => {
        p.ownership.rules[0]!.match = {};
      },
      'ownership.rules[0].match: match needs at least one non-empty selector (tags, assetIds, environments or kinds)',
    ],
    [
      'an unknown environment in a rule',
      (p) => {
        Reflect.set(p.ownership.rules[0]!.match, 'environments', ['prod']);
      },
      'ownership.rules[0].match.environments[0]: ',
    ],
    [
      'a bump larger than minor',
      (p) => {
        Reflect.set(p.routine, 'maxBump', 'major');
      },
      'routine.maxBump: ',
    ],
    [
      'a confidence above 1',
      (p) => {
        p.routine.minConfidence = 80;
      },
      'routine.minConfidence: expected a fraction between 0 and 1',
    ],
    [
      'a coverage reduction above 1',
      (p) => {
        p.risk.coverageReduction.full = 1.5;
      },
      'risk.coverageReduction.full: ',
    ],
  ])('rejects %s, naming the file and the field', (_label, edit, expected) => {
    const error = errorOf(() => parsePolicy(variant(edit), 'custom.yaml'));
    expect(error.message.startsWith(`custom.yaml: ${expected}`)).toBe(true);
  });

  it('rejects a file that is not a mapping', () => {
    expect(() => parsePolicy('- just\n- a list\n', 'list.yaml')).toThrow(/^list\.yaml: \(top level\): /);
  });

  it('lists every problem, not only the first', () => {
    const error = errorOf(() =>
      parsePolicy(
        variant((p) => {
          p.sla.days.Act = 0;
          Reflect.set(p.controls, 'freshnessDays', 'thirty');
        }),
        'two.yaml',
      ),
    );
    expect(error.message).toContain('sla.days.Act: ');
    expect(error.message).toContain('controls.freshnessDays: expected a positive whole number of days');
  });
});
