import { type BaseCheckpointSaver, END, START, StateGraph } from '@langchain/langgraph';
import type { GraphDeps } from './deps.ts';
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
  const replanOrEscalate = (state: ThreadStateValue) =>
    state.replans > deps.policy.orchestrator.maxReplans ? 'escalate' : 'plan_fix';
  return new StateGraph(ThreadState)
    .addNode('intake', intake(deps))
    .addNode('summarize', summarize(deps))
    .addNode('assess_controls', assessControls(deps))
    .addNode('prioritize', prioritize(deps))
    .addNode('route_owner', route(deps))
    .addNode('plan_fix', plan(deps))
    .addNode('await_approval', awaitApproval())
    .addNode('execute', execute(deps))
    .addNode('verify', verify(deps))
    .addNode('reject', reject(deps))
    .addNode('escalate', escalate(deps))
    .addNode('close', close(deps))
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
