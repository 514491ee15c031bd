import type { z } from 'zod';
import type { Agent } from '../../agents/define-agent.ts';
import { type AgentRun, runAgent } from '../../src/graph/run-agent.ts';
import type { ToolContext } from '../../tools/context.ts';
import { runTool } from '../../tools/run-tool.ts';
import type { EvalEnv } from './suite.ts';

/** Cases keep no audit log: the recorded calls are their evidence. */
export const noAudit = async (): Promise<void> => undefined;

/** One tool call an agent made during a case, allowed or not, with the arguments it sent. */
export type RecordedToolCall = { name: string; kind: string; args: unknown; ok: boolean; code?: string };

/** One agent decision in a case, with every tool call that reached the tool runner. */
export type CaseAgentRun<O> = AgentRun<O> & { calls: RecordedToolCall[] };

/**
 * Runs an agent the way the orchestrator's runAgentStep does (src/graph/deps.ts: tools/run-tool.ts
 * behind every call, the agent's allow-list, read results reused within the step), on the
 * evaluation's back-end and clock. A failing model falls back to the rules, as in production, and
 * the run says so. Every call is recorded with its arguments, a repeated read each time it is asked.
 */
export async function runCaseAgent<I extends z.ZodType, O extends z.ZodType>(
  agent: Agent<I, O>,
  input: z.infer<I>,
  env: Pick<EvalEnv, 'backend' | 'model' | 'now'>,
  toolContext: ToolContext,
): Promise<CaseAgentRun<z.infer<O>>> {
  const allowed = agent.tools.map((tool) => tool.name);
  const actor = `agent:${agent.name}`;
  const calls: RecordedToolCall[] = [];
  const reads = new Map<string, ReturnType<typeof runTool>>();
  const run = await runAgent(agent, input, {
    backend: env.backend,
    model: env.model,
    toolContext,
    callTool: async (tool, args) => {
      const call = () => runTool(tool, args, toolContext, { allowed, actor, audit: noAudit });
      let pending: ReturnType<typeof runTool>;
      if (tool.kind === 'read') {
        const key = `${tool.name}:${JSON.stringify(args)}`;
        if (!reads.has(key)) reads.set(key, call());
        pending = reads.get(key)!;
      } else {
        pending = call();
      }
      const result = await pending;
      calls.push({
        name: tool.name,
        kind: tool.kind,
        args,
        ok: result.ok,
        ...(result.ok ? {} : { code: result.code }),
      });
      return result;
    },
    now: () => env.now,
  });
  return { ...run, calls };
}
