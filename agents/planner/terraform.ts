import type { PlanProposal } from '../../src/domain/agent-outputs.ts';
import { IAM_ACTION } from '../../src/remediate/terraform/narrow-iam.ts';
import type { PlannerInput } from './input.ts';
import { branchFor } from './plan-kinds.ts';
import { changeRequestStep, ticketStep } from './steps.ts';

/** Scanner rules (Prowler checks and similar) mapped to the IaC change that fixes them. */
const OPERATIONS: { pattern: RegExp; operation: 'restrict_ingress' | 'block_public_access' | 'narrow_iam' }[] = [
  {
    pattern: /(ingress|security_?group|securitygroup).*(internet|0\.0\.0\.0|any|open|port)/i,
    operation: 'restrict_ingress',
  },
  { pattern: /s3.*(public|access_block)|public.*bucket/i, operation: 'block_public_access' },
  { pattern: /iam.*(administrative|full_access|admin|wildcard|star|privilege)/i, operation: 'narrow_iam' },
];

/** Who may assume a role is its trust policy, not its actions: narrowing actions does not fix it. */
const TRUST_POLICY = /trust[_ ]?relationship/i;

/**
 * A cloud misconfiguration whose resource the inventory ties to Terraform
 * (`attributes.terraform = { repositoryAssetId, path, resource, allowedCidrs?, actions? }`)
 * becomes an IaC change on a branch. Narrowing IAM touches identity: always a human's call.
 */
export function planInfrastructure(input: PlannerInput, reasons: string[]): PlanProposal | null {
  const { asset, exposures } = input;
  if (!exposures.every((e) => e.kind === 'misconfiguration' || e.kind === 'cloud')) return null;
  const tf = terraformOf(input.asset.attributes);
  if (!tf) {
    reasons.push(`Resource ${asset.id} is not tied to a Terraform file in the inventory.`);
    return null;
  }
  const text = exposures.flatMap((e) => [...e.ruleIds, e.vulnerabilityId, e.title]).join(' ');
  const operation = TRUST_POLICY.test(text) ? undefined : OPERATIONS.find((o) => o.pattern.test(text))?.operation;
  if (!operation) {
    reasons.push(`No Terraform change is known for ${exposures.map((e) => e.vulnerabilityId).join(', ')}.`);
    return null;
  }
  const branch = branchFor(input.planId);
  const message = `Fix ${exposures.map((e) => e.vulnerabilityId).join(', ')} on ${tf.resource}\n\nExposures ${exposures.map((e) => e.id).join(', ')}.`;
  let step: PlanProposal['steps'][number];
  if (operation === 'narrow_iam') {
    const actions = tf.actions;
    if (!actions.length) {
      reasons.push(
        `The inventory does not say which actions ${tf.resource} needs, so the wildcard cannot be narrowed.`,
      );
      return null;
    }
    const wildcards = actions.filter((action) => !IAM_ACTION.test(action));
    if (wildcards.length) {
      reasons.push(
        `The inventory lists ${wildcards.join(', ')} as needed by ${tf.resource}: a wildcard cannot replace a wildcard.`,
      );
      return null;
    }
    step = {
      tool: 'narrow_iam_policy',
      args: { assetId: tf.repositoryAssetId, path: tf.path, resource: tf.resource, actions, branch, message },
      purpose: `replace the wildcard action of ${tf.resource} with ${actions.join(', ')}`,
    };
  } else {
    step = {
      tool: 'change_terraform',
      args: {
        assetId: tf.repositoryAssetId,
        path: tf.path,
        operation,
        resource: tf.resource,
        ...(operation === 'restrict_ingress' && tf.allowedCidrs.length ? { allowedCidrs: tf.allowedCidrs } : {}),
        branch,
        message,
      },
      purpose:
        operation === 'restrict_ingress'
          ? `narrow ${tf.resource} ingress to internal CIDRs`
          : `block public access to ${tf.resource}`,
    };
  }
  const title = `${operation.replaceAll('_', ' ')} on ${tf.resource}`;
  return {
    kind: 'terraform',
    title,
    rationale: `${exposures.map((e) => e.title).join('; ')}: fixed in ${tf.path} (${tf.resource}).`,
    confidence: 0.9,
    target: null,
    steps: [
      step,
      changeRequestStep(input, tf.repositoryAssetId, title),
      ticketStep(input, `Review and apply ${branch}: ${title}`),
    ],
  };
}

export type TerraformLocation = {
  repositoryAssetId: string;
  path: string;
  resource: string;
  allowedCidrs: string[];
  actions: string[];
};

const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];

/**
 * Where the inventory says a cloud resource is declared: `attributes.terraform = { repositoryAssetId,
 * path, address (or resource) }`, with `allowedCidrs` (who may still reach a narrowed port) and
 * `requiredActions` (what a narrowed IAM policy keeps) on the asset or inside `terraform`.
 */
export function terraformOf(attributes: Record<string, unknown>): TerraformLocation | null {
  const tf = attributes.terraform as Record<string, unknown> | undefined;
  const resource = tf?.resource ?? tf?.address;
  if (typeof tf?.repositoryAssetId !== 'string' || typeof tf.path !== 'string' || typeof resource !== 'string')
    return null;
  return {
    repositoryAssetId: tf.repositoryAssetId,
    path: tf.path,
    resource,
    allowedCidrs: strings(tf.allowedCidrs ?? attributes.allowedCidrs),
    actions: strings(tf.actions ?? tf.requiredActions ?? attributes.requiredActions),
  };
}
