import { interrupt } from '@langchain/langgraph';
import type { ApprovalResume, ThreadStateValue, ThreadUpdate } from '../state.ts';

/**
 * Pauses the thread until a human decides (or the approval expires). The approval API records
 * the decision, then resumes the thread with it; the checkpoint makes the pause survive restarts.
 * Nothing before `interrupt` has side effects: LangGraph re-runs this node on resume.
 */
export function awaitApproval() {
  return async (state: ThreadStateValue): Promise<ThreadUpdate> => {
    const decision = interrupt({ planId: state.plan?.id, exposureIds: state.exposureIds }) as ApprovalResume;
    if (decision.decision === 'changes_requested') {
      return {
        approval: decision,
        reviewerNote: decision.note ?? '(no note)',
        previousKind: state.plan?.kind ?? null,
        replans: state.replans + 1,
      };
    }
    return { approval: decision };
  };
}
