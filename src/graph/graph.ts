import { type BaseCheckpointSaver, END, START, StateGraph } from '@langchain/langgraph';
import { flushAudit, type GraphDeps } from './deps.ts';
import { assessControls } from './nodes/assess-controls.ts';
import { awaitApproval } from './nodes/await-approval.ts';
import { execute } from './nodes/execute.ts';
import { close, escalate, reject } from './nodes/finish.ts';
import { intake } from './nodes/intake.ts';
import { plan } from './nodes/plan.ts';
import { prioritize } from './nodes/prioritize.ts';
import { route } from './nodes/route.ts';
import { summarize } from './nodes/summarize.ts';
import { verify } from './nodes/verify.ts';
import { ThreadState, type ThreadStateValue } from './state.ts';

/**
 * The loop of DESIGN.md as a LangGraph StateGraph: wiring only, the work is in nodes/.
 * intake → summarize → assess_controls → prioritize → route_owner → plan_fix → gate → execute → verify → close,
 * with await_approval (interrupt) for non-routine plans and bounded re-planning before escalation.
 */
export function buildGraph(deps: GraphDeps, checkpointer: BaseCheckpointSaver) {
  // Every node writes the audit entries it queued before its checkpoint is taken.
  const audited =
    <S, U>(node: (state: S) => Promise<U>) =>
    async (state: S): Promise<U> => {
      try {
        return await node(state);
      } finally {
        await flushAudit(deps);
      }
    };
  const replanOrEscalate = (state: ThreadStateValue) =>
    state.replans > deps.policy.orchestrator.maxReplans ? 'escalate' : 'plan_fix';
  return new StateGraph(ThreadState)
    .addNode('intake', audited(intake(deps)))
    .addNode('summarize', audited(summarize(deps)))
    .addNode('assess_controls', audited(assessControls(deps)))
    .addNode('prioritize', audited(prioritize(deps)))
    .addNode('route_owner', audited(route(deps)))
    .addNode('plan_fix', audited(plan(deps)))
    .addNode('await_approval', audited(awaitApproval()))
    .addNode('execute', audited(execute(deps)))
    .addNode('verify', audited(verify(deps)))
    .addNode('reject', audited(reject(deps)))
    .addNode('escalate', audited(escalate(deps)))
    .addNode('close', audited(close(deps)))
    .addEdge(START, 'intake')
    .addConditionalEdges('intake', (s) => (s.outcome ? 'close' : 'summarize'), ['close', 'summarize'])
    .addEdge('summarize', 'assess_controls')
    .addEdge('assess_controls', 'prioritize')
    .addEdge('prioritize', 'route_owner')
    .addConditionalEdges('route_owner', (s) => (s.route === 'covered' ? 'close' : 'plan_fix'), ['close', 'plan_fix'])
    .addConditionalEdges(
      'plan_fix',
      (s) => (s.plan ? (s.plan.routine ? 'execute' : 'await_approval') : replanOrEscalate(s)),
      ['execute', 'await_approval', 'plan_fix', 'escalate'],
    )
    .addConditionalEdges(
      'await_approval',
      (s) => {
        switch (s.approval?.decision) {
          case 'approved':
            return 'execute';
          case 'changes_requested':
            return replanOrEscalate(s);
          case 'rejected':
            return 'reject';
          default:
            return 'escalate';
        }
      },
      ['execute', 'plan_fix', 'reject', 'escalate'],
    )
    .addEdge('execute', 'verify')
    .addConditionalEdges('verify', (s) => (s.outcome ? 'close' : replanOrEscalate(s)), [
      'close',
      'plan_fix',
      'escalate',
    ])
    .addEdge('reject', 'close')
    .addEdge('escalate', 'close')
    .addEdge('close', END)
    .compile({ checkpointer });
}

export type OrchestratorGraph = ReturnType<typeof buildGraph>;
