import type { z } from 'zod';
import type { Agent } from '../../agents/define-agent.ts';
import type { ControlPlane, EstateReader, Forge, Notifier, TicketDesk, ToolContext } from '../../tools/context.ts';
import { type ActionLedger, runTool } from '../../tools/run-tool.ts';
import type { Config } from '../config.ts';
import { createConnectors } from '../connectors/index.ts';
import type { Database } from '../db/database.ts';
import { createActionLedger } from '../db/repositories/action-ledger.ts';
import { recordAgentDecision } from '../db/repositories/agent-decisions.ts';
import { appendAudit } from '../db/repositories/audit-log.ts';
import { createControlPlane } from '../db/repositories/mitigations-store.ts';
import type { AuditEntry } from '../domain/audit.ts';
import type { Logger } from '../logger.ts';
import type { Policy } from '../prioritize/policy.ts';
import { createEstate } from './estate.ts';
import type { ChatModel, Embedder } from './llm/chat-model.ts';
import { createLexicalEmbedder, createOpenAiEmbedder } from './llm/embedders.ts';
import { createOpenAiChatModel } from './llm/openai-chat-model.ts';
import { type AgentRun, runAgent } from './run-agent.ts';

/** Everything the graph's nodes use: ports to the database, the policy, the reasoning back-end. */
export type GraphDeps = {
  db: Database;
  policy: Policy;
  logger: Logger;
  backend: 'rules' | 'llm';
  model?: ChatModel;
  embedder: Embedder;
  reader: EstateReader;
  ledger: ActionLedger;
  tickets: TicketDesk;
  forge: Forge;
  controlPlane: ControlPlane;
  notifier: Notifier;
  timeoutMs: number;
  logToolData: boolean;
  /** Audit entries waiting to be written with the node's next transaction, or when it ends. */
  pendingAudit: AuditEntry[];
  now(): Date;
};

/** The agent identity that requests plans and calls tools in graph runs. */
export const ORCHESTRATOR = 'agent:orchestrator';

export function createGraphDeps(options: {
  db: Database;
  policy: Policy;
  logger: Logger;
  config: Config;
  /** Tests inject a model (a scripted fake or the local test server). */
  model?: ChatModel;
  embedder?: Embedder;
  now?: () => Date;
}): GraphDeps {
  const { db, config } = options;
  const backend = options.model ? 'llm' : config.model.backend;
  const model =
    options.model ??
    (backend === 'llm'
      ? createOpenAiChatModel({
          baseUrl: config.model.baseUrl,
          apiKey: config.model.apiKey,
          model: config.model.chatModel!,
          timeoutMs: config.timeouts.httpMs,
        })
      : undefined);
  const embedder =
    options.embedder ??
    (config.model.embeddingModel
      ? createOpenAiEmbedder({
          baseUrl: config.model.baseUrl,
          apiKey: config.model.apiKey,
          model: config.model.embeddingModel,
          timeoutMs: config.timeouts.httpMs,
        })
      : createLexicalEmbedder());
  return {
    db,
    policy: options.policy,
    logger: options.logger,
    backend,
    model,
    embedder,
    reader: createEstate(db, options.policy, options.now, embedder),
    ledger: createActionLedger(db),
    ...createConnectors({ timeoutMs: config.timeouts.httpMs, ...config.connectors }, db),
    controlPlane: createControlPlane(db),
    timeoutMs: config.timeouts.httpMs,
    logToolData: config.log.toolData,
    pendingAudit: [],
    now: options.now ?? (() => new Date()),
  };
}

/**
 * Queues an audit entry. Entries are written in order, in one transaction, by the node's own
 * next transaction (`takeAudit`) or when the node ends (`flushAudit`): one round of the hash
 * chain per node instead of one per tool call. A node that crashes before that re-runs from its
 * checkpoint and records them again.
 */
export function audit(deps: GraphDeps, entry: AuditEntry): Promise<void> {
  deps.pendingAudit.push(entry);
  return Promise.resolve();
}

/** The queued entries followed by `entries`, for a node that writes its own transaction. */
export function takeAudit(deps: GraphDeps, entries: AuditEntry[]): AuditEntry[] {
  return [...deps.pendingAudit.splice(0), ...entries];
}

export async function flushAudit(deps: GraphDeps): Promise<void> {
  if (!deps.pendingAudit.length) return;
  const entries = deps.pendingAudit.splice(0);
  await deps.db.transaction((tx) => appendAudit(tx, entries));
}

export function toolContext(deps: GraphDeps, extra: Partial<ToolContext> = {}): ToolContext {
  return {
    reader: deps.reader,
    tickets: deps.tickets,
    forge: deps.forge,
    controlPlane: deps.controlPlane,
    notifier: deps.notifier,
    dryRun: false,
    timeoutMs: deps.timeoutMs,
    now: deps.now,
    ...extra,
  };
}

/**
 * Runs an agent on the configured back-end with its own tools (audited, allow-listed), and
 * stores the decision with its provenance.
 */
export async function runAgentStep<I extends z.ZodType, O extends z.ZodType>(
  deps: GraphDeps,
  agent: Agent<I, O>,
  input: z.infer<I>,
  subject: { type: string; id: string; threadId: string },
): Promise<AgentRun<z.infer<O>>> {
  const context = toolContext(deps);
  const allowed = agent.tools.map((t) => t.name);
  const actor = `agent:${agent.name}`;
  // Within one agent step the estate does not change: a read the validator repeats is served
  // from this step's memo (and audited once, when it really ran).
  const reads = new Map<string, ReturnType<typeof runTool>>();
  const run = await runAgent(agent, input, {
    backend: deps.backend,
    model: deps.model,
    toolContext: context,
    callTool: (tool, args) => {
      const call = () => runTool(tool, args, context, { allowed, actor, audit: (e) => audit(deps, e) });
      if (tool.kind !== 'read') return call();
      const key = `${tool.name}:${JSON.stringify(args)}`;
      if (!reads.has(key)) reads.set(key, call());
      return reads.get(key)!;
    },
    now: deps.now,
  });
  await recordAgentDecision(deps.db, {
    provenance: run.provenance,
    subjectType: subject.type,
    subjectId: subject.id,
    output: run.output,
    threadId: subject.threadId,
  });
  if (deps.logToolData) deps.logger.debug({ agent: agent.name, output: run.output }, 'agent decision');
  return run;
}
