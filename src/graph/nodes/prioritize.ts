import { prioritizeExposures } from '../../services/prioritize/prioritize.ts';
import type { GraphDeps } from '../deps.ts';
import type { ThreadStateValue, ThreadUpdate } from '../state.ts';

/** Risk, SSVC decision, SLA and owner from the deterministic core, for this group's exposures only. */
export function prioritize(deps: GraphDeps) {
  return async (state: ThreadStateValue): Promise<ThreadUpdate> => {
    await prioritizeExposures(deps.db, deps.policy, {
      exposureIds: state.exposureIds,
      now: deps.now(),
      actor: 'rules',
    });
    return {};
  };
}
