import fs from 'node:fs';
import path from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { z } from 'zod';
import { ConfigError } from '../domain/errors.ts';
import { OwnershipRuleSchema } from './ownership.ts';

/**
 * The prioritization and routing policy: one YAML file, versioned, shown in the API.
 *
 * Every knob is required and every object is strict (unknown keys are errors). The file is
 * THE policy: a value missing from it is a mistake to report at start, not a silent default
 * hidden in code, and a misspelt key (`slaDays`) must not be ignored.
 */

/** The policy shipped with the service; `loadPolicy()` reads it when no file is given. */
export const DEFAULT_POLICY_FILE = path.resolve(import.meta.dirname, '../../policy/default.yaml');

const POINTS = 'expected a number of points between 0 and 100';
const points = z.number({ message: POINTS }).min(0, POINTS).max(100, POINTS);
const FRACTION = 'expected a fraction between 0 and 1';
const fraction = z.number({ message: FRACTION }).min(0, FRACTION).max(1, FRACTION);
const DAYS = 'expected a positive whole number of days';
const days = z.number({ message: DAYS }).int(DAYS).positive(DAYS);

/**
 * Points of the 0-100 risk score per factor. They must add up to 100, so each weight reads as
 * "at most this many points of the score come from this factor".
 */
export const RiskWeightsSchema = z
  .strictObject({
    cvss: points,
    epss: points,
    epssPercentile: points,
    kev: points,
    ransomware: points,
    criticality: points,
    environment: points,
    internetExposure: points,
    dataSensitivity: points,
  })
  .superRefine((weights, ctx) => {
    const total = Object.values(weights).reduce((sum, w) => sum + w, 0);
    if (Math.abs(total - 100) > 1e-9) {
      ctx.addIssue({
        code: 'custom',
        message: `expected the weights to sum to 100 (they are points of the 0-100 score), got ${total}`,
      });
    }
  });
export type RiskWeights = z.infer<typeof RiskWeightsSchema>;

/** Risk score knobs: factor weights and how much compensating controls take off. */
export const RiskPolicySchema = z.strictObject({
  weights: RiskWeightsSchema,
  /** Share of the score removed by coverage: full coverage removes more than partial. */
  coverageReduction: z.strictObject({ full: fraction, partial: fraction }),
  /** Multiplier of the internet-exposure factor when a control makes the asset unreachable. */
  controlledReachability: fraction,
});
export type RiskPolicy = z.infer<typeof RiskPolicySchema>;

/** SSVC derivation thresholds. */
export const SsvcPolicySchema = z.strictObject({
  /** EPSS percentile at or above which Exploitation is `public poc` even without a known exploit. */
  epssPublicPocPercentile: fraction,
});
export type SsvcPolicy = z.infer<typeof SsvcPolicySchema>;

/** Days to remediate per SSVC decision, and when an open exposure counts as due soon. */
export const SlaPolicySchema = z.strictObject({
  days: z.strictObject({ Act: days, Attend: days, 'Track*': days, Track: days }),
  dueSoonDays: z
    .number({ message: 'expected a whole number of days (0 or more)' })
    .int('expected a whole number of days (0 or more)')
    .min(0, 'expected a whole number of days (0 or more)'),
});
export type SlaPolicy = z.infer<typeof SlaPolicySchema>;

// Routing rules are defined with the router that applies them (ownership.ts).

export const OwnershipPolicySchema = z.strictObject({
  rules: z.array(OwnershipRuleSchema),
  /** Queue that receives exposures no rule, asset field or CODEOWNERS entry could assign. */
  defaultTriageQueue: z.string().min(1),
});
export type OwnershipPolicy = z.infer<typeof OwnershipPolicySchema>;

/** Knobs of the routine/non-routine gate (used by the policy gate, not by scoring). */
export const RoutinePolicySchema = z.strictObject({
  /** Largest version bump that may run without approval. */
  maxBump: z.enum(['patch', 'minor']),
  /** Smallest plan confidence that may run without approval. */
  minConfidence: fraction,
  /** Plans touching a crown-jewel asset always wait for a human. */
  crownJewelsNeverRoutine: z.boolean(),
  /** Fixes on non-production assets (development, test, staging) are routine. */
  nonProductionRoutine: z.boolean(),
  /**
   * Effects a plan may have and still run without approval. Deleting data, widening access and
   * touching identity can never be listed: those always wait for a human.
   */
  routineEffects: z.array(
    z.enum(['modifies_code', 'opens_change_request', 'creates_ticket', 'notifies', 'changes_control'], {
      message:
        'expected modifies_code, opens_change_request, creates_ticket, notifies or changes_control ' +
        '(deletes_data, widens_access and touches_identity always need approval)',
    }),
  ),
});
export type RoutinePolicy = z.infer<typeof RoutinePolicySchema>;

export const PolicySchema = z.strictObject({
  policyVersion: z.string().min(1),
  risk: RiskPolicySchema,
  ssvc: SsvcPolicySchema,
  sla: SlaPolicySchema,
  controls: z.strictObject({
    /** A control not verified within this many days is stale and does not count as coverage. */
    freshnessDays: days,
  }),
  ownership: OwnershipPolicySchema,
  routine: RoutinePolicySchema,
  approvals: z.strictObject({
    /** A plan not decided within this many hours expires and its thread escalates. */
    expiresAfterHours: z.number({ message: 'expected a number of hours' }).positive('expected a number of hours'),
  }),
  orchestrator: z.strictObject({
    /** Re-plans after a failed verification or a change request, before the case escalates. */
    maxReplans: z.number().int().min(0).max(10),
    /** A fix whose proof must come from the next scan escalates when no scan proves it within this many days. */
    verificationWindowDays: days,
  }),
});
export type Policy = z.infer<typeof PolicySchema>;

/** Reads and validates a policy file (default: policy/default.yaml). Throws ConfigError. */
export function loadPolicy(file: string = DEFAULT_POLICY_FILE): Policy {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(file, 'cannot read the policy file', error);
  }
  return parsePolicy(text, file);
}

/** Parses and validates policy YAML; `file` names the source in errors. Throws ConfigError. */
export function parsePolicy(text: string, file: string): Policy {
  let value: unknown;
  try {
    value = parseYaml(text, { prettyErrors: true });
  } catch (error) {
    const where = error instanceof YAMLParseError && error.linePos ? ` at line ${error.linePos[0].line}` : '';
    throw new ConfigError(file, `not valid YAML${where}`, error);
  }
  const result = PolicySchema.safeParse(value);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${fieldPath(issue.path)}: ${issue.message}`);
    throw new ConfigError(file, problems.join('; '), result.error);
  }
  return result.data;
}

/** `ownership.rules[2].team`: the path a person editing the YAML file looks for. */
function fieldPath(segments: readonly PropertyKey[]): string {
  if (segments.length === 0) return '(top level)';
  let out = '';
  for (const segment of segments) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? String(segment) : `.${String(segment)}`;
  }
  return out;
}
