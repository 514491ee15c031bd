import type { ExposureDetail } from '../../domain/exposure-detail.ts';
import { audit, type GraphDeps, ORCHESTRATOR } from '../deps.ts';
import type { ThreadStateValue, ThreadUpdate } from '../state.ts';

const ACTIVE = new Set(['open', 'in_progress', 'awaiting_approval', 'mitigated']);

/** Loads the group's exposures; a group whose exposures a scan already closed ends here. */
export function intake(deps: GraphDeps) {
  return async (state: ThreadStateValue): Promise<ThreadUpdate> => {
    const details = (await Promise.all(state.exposureIds.map((id) => deps.reader.getExposure(id)))).filter(
      (d): d is ExposureDetail => d !== null && ACTIVE.has(d.exposure.state),
    );
    await audit(deps, {
      actor: ORCHESTRATOR,
      action: 'thread.started',
      subjectType: 'thread',
      subjectId: state.threadId,
      data: { groupKey: state.groupKey, exposureIds: state.exposureIds, startedBy: state.startedBy },
    });
    if (!details.length) return { outcome: 'closed', reason: 'no active exposure left in this group' };
    const advisoryIds = [...new Set(details.map((d) => d.exposure.advisoryId).filter((id): id is string => !!id))];
    return {
      exposureIds: details.map((d) => d.exposure.id),
      assetId: details[0]!.asset.id,
      advisoryIds: advisoryIds.sort(),
    };
  };
}
