import type { Verification } from '../../src/domain/agent-outputs.ts';
import type { AgentContext } from '../define-agent.ts';
import type { VerifierInput } from './agent.ts';
import { combine, runChecks } from './rules.ts';

const RANK = { failed: 0, pending: 1, mitigated: 2, resolved: 3 } as const;

/** The verdict may be more cautious than the evidence, never better: the checks are re-run here. */
export async function validateVerification(
  output: Verification,
  input: VerifierInput,
  context: AgentContext,
): Promise<string[]> {
  if (input.steps.some((s) => !s.ok)) {
    return output.outcome === 'failed' ? [] : ['outcome: a step failed, so the outcome must be failed'];
  }
  const evidence = combine(await runChecks(input, context)).outcome;
  if (RANK[output.outcome] > RANK[evidence]) {
    return [`outcome: the checks support ${evidence} at most, not ${output.outcome}`];
  }
  return [];
}
