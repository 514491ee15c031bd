import type { ControlAssessment } from '../../src/domain/agent-outputs.ts';
import type { CoverageAssessment } from '../../src/domain/priority.ts';
import type { AgentContext } from '../define-agent.ts';

/** Rules back-end: the deterministic controls engine's assessment, in the agent's output shape. */
export async function assessWithEngine(exposureId: string, context: AgentContext): Promise<ControlAssessment> {
  const engine = (await context.call('assess_coverage', { exposureId })) as CoverageAssessment;
  return {
    exposureId,
    coverage: engine.coverage,
    reachable: engine.reachable,
    controls: engine.contributions.map((c) => ({
      controlId: c.controlId,
      coverage: c.coverage,
      reason: `${c.reason} (in scope because ${c.inScopeBecause}; mapping ${c.mapping})`,
    })),
    effect: engine.effect,
    confidence: 1,
  };
}
