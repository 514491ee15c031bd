import type { Verification, VerificationOutcome } from '../../src/domain/agent-outputs.ts';
import type { AgentContext } from '../define-agent.ts';
import type { VerifierInput } from './agent.ts';

type CheckResult = { status: string; evidence: string; ref?: string; commit?: string };

/** What each check's status proves. */
const FIX: Record<string, VerificationOutcome> = { resolved: 'resolved', pending: 'pending', affected: 'failed' };

/**
 * Runs every check the plan's steps imply and combines them: a failed step or an unfixed change
 * fails; a fix proven on its branch resolves; a fix that only the next scan can prove is pending,
 * unless a mitigation holds meanwhile (mitigated); a plan that changes nothing re-checkable (a
 * ticket) is pending.
 */
export async function verifyOutcome(input: VerifierInput, context: AgentContext): Promise<Verification> {
  const failed = input.steps.filter((s) => !s.ok);
  if (failed.length) {
    return {
      outcome: 'failed',
      evidence: `step(s) failed: ${failed.map((s) => `${s.tool}: ${s.message ?? 'no detail'}`).join('; ')}`,
    };
  }
  const results = await runChecks(input, context);
  return combine(results);
}

export async function runChecks(input: VerifierInput, context: AgentContext) {
  const results: { proves: 'fix' | 'mitigation'; tool: string; result: CheckResult }[] = [];
  for (const check of input.checks) {
    results.push({
      proves: check.proves,
      tool: check.tool,
      result: (await context.call(check.tool, check.args)) as CheckResult,
    });
  }
  return results;
}

export function combine(results: Awaited<ReturnType<typeof runChecks>>): Verification {
  const describe = (r: (typeof results)[number]) =>
    `${r.tool}: ${r.result.evidence}${r.result.commit ? ` (${r.result.ref} at ${r.result.commit.slice(0, 12)})` : ''}`;
  const fixes = results
    .filter((r) => r.proves === 'fix')
    .map((r) => ({ ...r, outcome: FIX[r.result.status] ?? 'failed' }));
  const mitigations = results.filter((r) => r.proves === 'mitigation');
  const mitigated = mitigations.length > 0 && mitigations.every((r) => r.result.status === 'mitigated');
  const evidence = results.map(describe).join(' | ');
  if (fixes.some((f) => f.outcome === 'failed')) return { outcome: 'failed', evidence };
  if (fixes.length && fixes.every((f) => f.outcome === 'resolved')) return { outcome: 'resolved', evidence };
  if (mitigated) return { outcome: 'mitigated', evidence };
  // A plan that only mitigates, whose mitigation no longer holds (rolled back, control drifted), protects nothing.
  if (!fixes.length && mitigations.length) return { outcome: 'failed', evidence };
  if (!results.length) {
    return {
      outcome: 'pending',
      evidence: 'Nothing re-checkable was changed (a ticket): the next full scan of the asset decides.',
    };
  }
  return { outcome: 'pending', evidence };
}
