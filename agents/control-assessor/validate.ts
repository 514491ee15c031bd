import type { ControlAssessment } from '../../src/domain/agent-outputs.ts';
import type { Control } from '../../src/domain/control.ts';
import type { CoverageAssessment } from '../../src/domain/priority.ts';
import type { AgentContext } from '../define-agent.ts';

const RANK = { none: 0, partial: 1, full: 2 } as const;

/**
 * A claimed control must exist, be enabled, be in scope of the asset and counter the weakness:
 * the deterministic engine must count it, with at least the claimed coverage. The overall label
 * may be more cautious than the engine's, never more generous.
 */
export async function validateAssessment(
  output: ControlAssessment,
  exposureId: string,
  context: AgentContext,
): Promise<string[]> {
  const problems: string[] = [];
  if (output.exposureId !== exposureId) problems.push(`exposureId must be ${exposureId}, got ${output.exposureId}`);
  const engine = (await context.call('assess_coverage', { exposureId })) as CoverageAssessment;
  const exposure = (await context.call('get_exposure', { id: exposureId })) as { asset: { id: string } };
  const { controls } = (await context.call('list_controls', { assetId: exposure.asset.id })) as {
    controls: Control[];
  };
  const inScope = new Map(controls.map((c) => [c.id, c]));
  for (const claim of output.controls) {
    const control = inScope.get(claim.controlId);
    if (!control) {
      problems.push(`controls: "${claim.controlId}" is not a control in scope of asset ${exposure.asset.id}`);
      continue;
    }
    if (!control.enabled) problems.push(`controls: "${claim.controlId}" is disabled`);
    const counted = engine.contributions.find((c) => c.controlId === claim.controlId);
    if (!counted) {
      const ignored = engine.ignored.find((i) => i.controlId === claim.controlId);
      if (claim.coverage !== 'none') {
        problems.push(
          `controls: "${claim.controlId}" does not counter this weakness (${ignored?.reason ?? 'no mapping applies'})`,
        );
      }
    } else if (RANK[claim.coverage] > RANK[counted.coverage]) {
      problems.push(`controls: "${claim.controlId}" gives ${counted.coverage} coverage at most, not ${claim.coverage}`);
    }
  }
  if (RANK[output.coverage] > RANK[engine.coverage]) {
    problems.push(`coverage: the evidence supports ${engine.coverage} at most, not ${output.coverage}`);
  }
  const best = Math.max(0, ...output.controls.map((c) => RANK[c.coverage]));
  if (RANK[output.coverage] > best) problems.push(`coverage: ${output.coverage} is not backed by any listed control`);
  if (output.reachable === 'controlled' && engine.reachable !== 'controlled') {
    problems.push('reachable: no control in the evidence makes the asset unreachable');
  }
  return problems;
}
