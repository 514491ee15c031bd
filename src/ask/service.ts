import { analyst, MAX_QUESTION_CHARS } from '../../agents/analyst/agent.ts';
import type { EstateReader, ToolContext } from '../../tools/context.ts';
import type { AnyTool } from '../../tools/define-tool.ts';
import { runQuery } from '../../tools/run-query.ts';
import { runTool } from '../../tools/run-tool.ts';
import type { Database } from '../db/database.ts';
import { appendAudit } from '../db/repositories/audit-log.ts';
import { type AskAnswer, AskAnswerSchema, QueryResultSchema } from '../domain/ask.ts';
import type { AuditEntry } from '../domain/audit.ts';
import { ServiceError, ValidationError } from '../domain/errors.ts';
import type { GraphDeps } from '../graph/deps.ts';
import { createEstate } from '../graph/estate.ts';
import type { ChatModel, Embedder } from '../graph/llm/chat-model.ts';
import { runAgent } from '../graph/run-agent.ts';
import type { Policy } from '../prioritize/policy.ts';
import { EXAMPLE_QUESTIONS } from './parse.ts';

export type AskService = {
  /** Answers one question; `actor` (e.g. `user:alice`, `mcp:ide`) is recorded in the audit log. */
  ask(question: string, options?: { actor?: string }): Promise<AskAnswer>;
};

export type AskServiceOptions = {
  db: Database;
  policy: Policy;
  backend?: 'rules' | 'llm';
  /** Required for the llm back-end. */
  model?: ChatModel;
  /** Must be the embedder that embedded the stored summaries (the lexical one by default). */
  embedder?: Embedder;
  /** An existing estate reader (the orchestrator's), instead of a new one. */
  reader?: EstateReader;
  now?: () => Date;
  timeoutMs?: number;
};

/** Questions only read: every port that could change something refuses. */
function readOnly(name: string): never {
  throw new ServiceError('READ_ONLY', `${name} is not available when answering questions`, { status: 403 });
}

function readOnlyContext(reader: EstateReader, now: () => Date, timeoutMs: number): ToolContext {
  return {
    reader,
    tickets: { create: () => readOnly('tickets') },
    forge: {
      openChangeRequest: () => readOnly('change requests'),
      closeChangeRequest: () => readOnly('change requests'),
    },
    controlPlane: {
      applyVirtualPatch: () => readOnly('the control plane'),
      quarantine: () => readOnly('the control plane'),
      rollback: () => readOnly('the control plane'),
      getMitigation: () => readOnly('the control plane'),
    },
    notifier: { notify: () => readOnly('notifications') },
    dryRun: true,
    timeoutMs,
    now,
  };
}

/**
 * Natural-language risk questions: the analyst agent (rules parser or a model calling the same
 * typed tools) produces a typed query and an answer checked against the rows it cites. Each
 * question and its tool calls are written to the audit log in one transaction.
 */
export function createAskService(options: AskServiceOptions): AskService {
  const now = options.now ?? (() => new Date());
  const backend = options.backend ?? (options.model ? 'llm' : 'rules');
  const reader = options.reader ?? createEstate(options.db, options.policy, now, options.embedder);
  const allowed = analyst.tools.map((t) => t.name);

  return {
    async ask(question, { actor = 'user:anonymous' } = {}) {
      const text = typeof question === 'string' ? question.trim() : '';
      if (!text) throw new ValidationError('question: expected a non-empty question');
      if (text.length > MAX_QUESTION_CHARS) {
        throw new ValidationError(`question: at most ${MAX_QUESTION_CHARS} characters (got ${text.length})`);
      }
      const context = readOnlyContext(reader, now, options.timeoutMs ?? 30_000);
      const entries: AuditEntry[] = [];
      // One question sees one state of the estate: a read repeated by the validator is served once.
      const reads = new Map<string, ReturnType<typeof runTool>>();
      const call = (tool: AnyTool, args: unknown) => {
        const key = `${tool.name}:${JSON.stringify(args)}`;
        if (!reads.has(key)) {
          reads.set(
            key,
            runTool(tool, args, context, {
              allowed,
              actor: 'agent:analyst',
              audit: async (entry) => {
                entries.push(entry);
              },
            }),
          );
        }
        return reads.get(key)!;
      };
      const run = await runAgent(
        analyst,
        { question: text },
        { backend, model: options.model, toolContext: context, callTool: call, now },
      );
      const answer = run.output;
      let result = null;
      if (answer.query) {
        const executed = await call(runQuery, answer.query);
        if (executed.ok) result = QueryResultSchema.parse(executed.output);
      }
      entries.push({
        actor,
        action: 'question.asked',
        subjectType: 'question',
        subjectId: answer.query?.intent ?? 'not_understood',
        data: {
          question: text.slice(0, 300),
          understood: answer.understood,
          decidedBy: run.provenance.decidedBy,
          fellBack: run.fellBack,
          total: result && 'total' in result ? result.total : null,
        },
      });
      await options.db.transaction((tx) => appendAudit(tx, entries));
      return AskAnswerSchema.parse({
        question: text,
        understood: answer.understood,
        text: answer.text,
        query: answer.query,
        result,
        citations: answer.citations,
        ignored: answer.ignored,
        examples: answer.understood ? [] : EXAMPLE_QUESTIONS,
        decidedBy: run.provenance.decidedBy,
      });
    },
  };
}

/** The ask service over the orchestrator's estate, back-end and model (what serve and mcp use). */
export function askServiceFor(deps: GraphDeps): AskService {
  return createAskService({
    db: deps.db,
    policy: deps.policy,
    backend: deps.backend,
    model: deps.model,
    reader: deps.reader,
    now: deps.now,
    timeoutMs: deps.timeoutMs,
  });
}
