import { controlAssessor } from '../../../agents/control-assessor/agent.ts';
import { type GraphDeps, runAgentStep } from '../deps.ts';
import type { ThreadStateValue, ThreadUpdate } from '../state.ts';

/** Asks the control assessor, per exposure, whether an existing control already covers it. */
export function assessControls(deps: GraphDeps) {
  return async (state: ThreadStateValue): Promise<ThreadUpdate> => {
    const coverage: ThreadStateValue['coverage'] = {};
    for (const exposureId of state.exposureIds) {
      const run = await runAgentStep(
        deps,
        controlAssessor,
        { exposureId },
        {
          type: 'exposure',
          id: exposureId,
          threadId: state.threadId,
        },
      );
      coverage[exposureId] = { coverage: run.output.coverage, decidedBy: run.provenance.decidedBy };
    }
    return { coverage };
  };
}
