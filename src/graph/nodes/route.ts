import { setExposureStates } from '../../db/repositories/exposure-state.ts';
import { audit, type GraphDeps, ORCHESTRATOR } from '../deps.ts';
import type { ThreadStateValue, ThreadUpdate } from '../state.ts';

const RANK: Record<string, number> = { none: 0, partial: 1, full: 2 };

/**
 * Routes the group to its owner and decides whether it needs a fix at all. Coverage counts at
 * the lower of the assessor's and the engine's label (an agent can be more cautious, never more
 * generous). A group fully covered by controls and not Act is deprioritized with its evidence.
 */
export function route(deps: GraphDeps) {
  return async (state: ThreadStateValue): Promise<ThreadUpdate> => {
    const rows = await Promise.all(state.exposureIds.map((id) => deps.reader.getExposure(id)));
    const covered = rows.every((row) => {
      if (!row) return false;
      const assessed = state.coverage[row.exposure.id]?.coverage ?? 'none';
      const effective = Math.min(RANK[assessed] ?? 0, RANK[row.exposure.coverage] ?? 0);
      return effective === RANK.full && row.exposure.ssvcDecision !== 'Act';
    });
    const owners = [...new Set(rows.map((r) => r?.exposure.owner ?? r?.exposure.team).filter(Boolean))];
    await audit(deps, {
      actor: ORCHESTRATOR,
      action: 'thread.routed',
      subjectType: 'thread',
      subjectId: state.threadId,
      data: {
        route: covered ? 'covered' : 'plan',
        owners,
        decisions: rows.map((r) => [r?.exposure.id, r?.exposure.ssvcDecision, r?.exposure.coverage]),
      },
    });
    if (covered) {
      const evidence = rows.flatMap((r) => r?.coverageEvidence.map((e) => e.control) ?? []);
      const reason = `covered by ${[...new Set(evidence)].join(', ')}: deprioritized, no fix planned while the controls hold`;
      await setExposureStates(deps.db, state.exposureIds, 'open', reason);
      return { route: 'covered', outcome: 'covered', reason };
    }
    return { route: 'plan' };
  };
}
