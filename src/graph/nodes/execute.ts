import { PLAN_KIND_TOOLS } from '../../../agents/planner/plan-kinds.ts';
import { TOOLS } from '../../../tools/index.ts';
import { runTool } from '../../../tools/run-tool.ts';
import { setPlanState, setStepState } from '../../db/repositories/plans-store.ts';
import { updateThread } from '../../db/repositories/threads-store.ts';
import { audit, type GraphDeps, ORCHESTRATOR, toolContext } from '../deps.ts';
import type { ThreadStateValue, ThreadUpdate } from '../state.ts';

/**
 * Runs the approved (or routine) plan's steps in order through the tool runner: allow-listed per
 * plan kind, validated, audited, and keyed so a retried worker replays a finished step instead of
 * acting twice. Stops at the first failed step.
 */
export function execute(deps: GraphDeps) {
  return async (state: ThreadStateValue): Promise<ThreadUpdate> => {
    const plan = state.plan!;
    await setPlanState(deps.db, plan.id, 'executing');
    await updateThread(deps.db, state.threadId, { status: 'running' });
    const executed: ThreadStateValue['executed'] = [];
    for (const step of plan.steps) {
      const context = toolContext(deps, { planId: plan.id, idempotencyKey: step.idempotencyKey });
      const result = await runTool(TOOLS.get(step.tool)!, step.args, context, {
        allowed: PLAN_KIND_TOOLS[plan.kind],
        actor: ORCHESTRATOR,
        audit: (e) => audit(deps, e),
        ledger: deps.ledger,
        stepId: step.id,
      });
      await setStepState(deps.db, step.id, result.ok ? 'succeeded' : 'failed');
      executed.push({
        tool: step.tool,
        ok: result.ok,
        message: result.ok ? null : result.message,
        replayed: result.ok && result.replayed,
        output: result.ok ? result.output : null,
      });
      if (!result.ok) break;
    }
    const ok = executed.every((e) => e.ok);
    await setPlanState(deps.db, plan.id, ok ? 'executed' : 'failed');
    return { executed, autoExecuted: plan.routine };
  };
}
