import type { Verification } from '../../src/domain/agent-outputs.ts';
import type { AgentContext } from '../define-agent.ts';
import type { VerifierInput } from './agent.ts';

type DependencyCheck = { status: 'resolved' | 'affected' | 'pending'; evidence: string; ref: string; commit: string };

/** Re-checks a dependency plan on its branch; other plans can only be proven by the next scan. */
export async function verifyOutcome(input: VerifierInput, context: AgentContext): Promise<Verification> {
  const failed = input.steps.filter((s) => !s.ok);
  if (failed.length) {
    return {
      outcome: 'failed',
      evidence: `step(s) failed: ${failed.map((s) => `${s.tool}: ${s.message ?? 'no detail'}`).join('; ')}`,
    };
  }
  if (input.kind === 'dependency_bump' && input.target && input.branch) {
    const check = (await context.call('check_dependency', dependencyCheckArgs(input))) as DependencyCheck;
    return {
      outcome: OUTCOME[check.status],
      evidence: `${check.evidence} (${check.ref} at ${check.commit.slice(0, 12)})`,
    };
  }
  return {
    outcome: 'pending',
    evidence:
      'A ticket proves nothing by itself: the next full scan of the asset decides whether the exposure is gone.',
  };
}

export const OUTCOME = { resolved: 'resolved', pending: 'pending', affected: 'failed' } as const;

export function dependencyCheckArgs(input: VerifierInput) {
  return {
    assetId: input.assetId,
    ecosystem: input.target!.ecosystem,
    package: input.target!.package,
    ref: input.branch!,
    advisoryIds: input.advisoryIds,
  };
}
