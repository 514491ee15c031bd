import type { Verification } from '../../src/domain/agent-outputs.ts';
import type { AgentContext } from '../define-agent.ts';
import type { VerifierInput } from './agent.ts';
import { dependencyCheckArgs, OUTCOME } from './rules.ts';

const RANK = { failed: 0, pending: 1, mitigated: 2, resolved: 3 } as const;

/** The verdict may be more cautious than the evidence, never better: the check is re-run here. */
export async function validateVerification(
  output: Verification,
  input: VerifierInput,
  context: AgentContext,
): Promise<string[]> {
  if (input.steps.some((s) => !s.ok)) {
    return output.outcome === 'failed' ? [] : ['outcome: a step failed, so the outcome must be failed'];
  }
  if (input.kind === 'dependency_bump' && input.target && input.branch) {
    const check = (await context.call('check_dependency', dependencyCheckArgs(input))) as {
      status: keyof typeof OUTCOME;
    };
    const evidence = OUTCOME[check.status];
    if (RANK[output.outcome] > RANK[evidence]) {
      return [
        `outcome: check_dependency says ${check.status}, which supports ${evidence} at most, not ${output.outcome}`,
      ];
    }
    if (output.outcome === 'mitigated') return ['outcome: a dependency change resolves or fails; it does not mitigate'];
    return [];
  }
  if (RANK[output.outcome] > RANK.pending) {
    return [`outcome: nothing re-checkable proves a ${input.kind} plan ${output.outcome}; at most pending`];
  }
  return [];
}
