import { summarizerAgent as summarizer } from '../../../agents/summarizer/agent.ts';
import { findSummary, saveSummary } from '../../db/repositories/summaries-store.ts';
import { audit, type GraphDeps, runAgentStep } from '../deps.ts';
import type { ThreadStateValue, ThreadUpdate } from '../state.ts';

/**
 * Summarizes each advisory once per (advisory, modified time, prompt version): the model cost
 * grows with distinct advisories, never with findings. Summaries are embedded for semantic search.
 */
export function summarize(deps: GraphDeps) {
  return async (state: ThreadStateValue): Promise<ThreadUpdate> => {
    let made = 0;
    for (const advisoryId of state.advisoryIds) {
      const advisory = await deps.reader.getAdvisory(advisoryId);
      if (!advisory) continue;
      const key = {
        advisoryId: advisory.id,
        advisoryModifiedAt: advisory.modifiedAt ?? null,
        promptVersion: summarizer.prompt.version,
      };
      if (await findSummary(deps.db, key)) continue;
      const run = await runAgentStep(
        deps,
        summarizer,
        { advisory },
        {
          type: 'advisory',
          id: advisory.id,
          threadId: state.threadId,
        },
      );
      const [embedding] = await deps.embedder.embed([run.output.text]);
      await saveSummary(deps.db, key, {
        decidedBy: run.provenance.decidedBy,
        summary: run.output,
        text: run.output.text,
        embedding: embedding!,
        embeddingModel: deps.embedder.id,
      });
      await audit(deps, {
        actor: `agent:${summarizer.name}`,
        action: 'advisory.summarized',
        subjectType: 'advisory',
        subjectId: advisory.id,
        data: { decidedBy: run.provenance.decidedBy, promptVersion: key.promptVersion, embedding: deps.embedder.id },
      });
      made += 1;
    }
    return { summarized: state.summarized + made };
  };
}
