import type { z } from 'zod';
import type { Agent } from '../../agents/define-agent.ts';
import type { AuditEntry } from '../../src/domain/audit.ts';
import { type AgentRun, runAgent } from '../../src/graph/run-agent.ts';
import type { ToolContext } from '../../tools/context.ts';
import { runTool } from '../../tools/run-tool.ts';
import type { EvalEnv } from './suite.ts';

/** One agent decision in a case, with the tool calls' audit entries (kept in memory, not in a log). */
export type CaseAgentRun<O> = AgentRun<O> & { audit: AuditEntry[] };

/**
 * Runs an agent the way the orchestrator's runAgentStep does (tools/run-tool.ts behind every call,
 * the agent's allow-list, read results reused within the step), on the evaluation's back-end and
 * clock. A failing model falls back to the rules, as in production, and the run says so.
 */
export async function runCaseAgent<I extends z.ZodType, O extends z.ZodType>(
  agent: Agent<I, O>,
  input: z.infer<I>,
  env: Pick<EvalEnv, 'backend' | 'model' | 'now'>,
  toolContext: ToolContext,
): Promise<CaseAgentRun<z.infer<O>>> {
  const allowed = agent.tools.map((tool) => tool.name);
  const actor = `agent:${agent.name}`;
  const audit: AuditEntry[] = [];
  const reads = new Map<string, ReturnType<typeof runTool>>();
  const run = await runAgent(agent, input, {
    backend: env.backend,
    model: env.model,
    toolContext,
    callTool: (tool, args) => {
      const call = () =>
        runTool(tool, args, toolContext, {
          allowed,
          actor,
          audit: async (entry) => {
            audit.push(entry);
          },
        });
      if (tool.kind !== 'read') return call();
      const key = `${tool.name}:${JSON.stringify(args)}`;
      if (!reads.has(key)) reads.set(key, call());
      return reads.get(key)!;
    },
    now: () => env.now,
  });
  return { ...run, audit };
}
