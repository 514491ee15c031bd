import { z } from 'zod';
import type { Agent, AgentContext } from '../../agents/define-agent.ts';
import type { ToolContext } from '../../tools/context.ts';
import type { AnyTool } from '../../tools/define-tool.ts';
import { ConfigError, ModelBehaviorError, ServiceError, UpstreamError, ValidationError } from '../domain/errors.ts';
import { type Provenance, ProvenanceSchema } from '../domain/provenance.ts';
import type { ChatMessage, ChatModel, ChatResponse, ChatToolSpec } from './llm/chat-model.ts';

/**
 * The audited tool runner as the agent loop sees it (tools/run-tool.ts behind it, with the
 * agent's allow-list, actor and audit log bound by the caller). Failures come back as data.
 */
export type ToolCaller = (
  tool: AnyTool,
  args: unknown,
) => Promise<{ ok: true; output: unknown } | { ok: false; message: string }>;

export type RunAgentOptions = {
  backend: 'rules' | 'llm';
  /** Required when backend is 'llm'. */
  model?: ChatModel;
  /** Passed to the agent as AgentContext.tools. */
  toolContext: ToolContext;
  /** Only ever called for tools on the agent's allow-list. */
  callTool: ToolCaller;
  /** What a model that fails (errors, invalid answers, too many steps) leads to. Default 'rules'. */
  onFailure?: 'rules' | 'escalate';
  now?: () => Date;
};

/**
 * One agent decision. `attempts` counts the chat-model calls made (0 on the rules back-end);
 * `toolCalls` lists every tool actually run, on either back-end; `fellBack` says the model failed
 * and the rules back-end decided instead.
 */
export type AgentRun<O> = {
  output: O;
  provenance: Provenance;
  attempts: number;
  toolCalls: { name: string; ok: boolean }[];
  fellBack: boolean;
};

/** A tool the agent called failed (no such record, invalid arguments ...): the message is the tool's hint. */
export class ToolCallFailedError extends ServiceError {
  readonly tool: string;
  constructor(tool: string, message: string) {
    super('TOOL_CALL_FAILED', `${tool}: ${message}`, { status: 422 });
    this.tool = tool;
  }
}

/** A model answer that failed the schema or validate() twice gives up; the second rejection is final. */
const MAX_REJECTIONS = 2;

/**
 * Runs an agent on either back-end. The rules back-end is the reference: its output must pass
 * the agent's own validate(), or that is a bug. The llm back-end loops model calls and tool calls
 * up to `maxSteps`, gives one rejected answer a second chance with the problems spelled out, and
 * when the model fails falls back to the rules (or escalates). Whatever is returned has passed
 * the output schema and validate(); nothing else ever leaves this function.
 */
export async function runAgent<I extends z.ZodType, O extends z.ZodType>(
  agent: Agent<I, O>,
  input: z.infer<I>,
  options: RunAgentOptions,
): Promise<AgentRun<z.infer<O>>> {
  const parsedInput = agent.input.safeParse(input);
  if (!parsedInput.success) {
    throw new ValidationError(
      `agent ${agent.name}: invalid input: ${describeIssues(parsedInput.error)}`,
      parsedInput.error,
    );
  }
  const data = parsedInput.data as z.infer<I>;
  const now = options.now ?? (() => new Date());
  const allowed = new Map(agent.tools.map((tool) => [tool.name, tool]));
  const evidence: string[] = [];
  const toolCalls: AgentRun<unknown>['toolCalls'] = [];

  const invoke = async (tool: AnyTool, args: unknown) => {
    const result = await options.callTool(tool, args);
    toolCalls.push({ name: tool.name, ok: result.ok });
    evidence.push(result.ok ? `called ${tool.name}` : `called ${tool.name} (failed)`);
    return result;
  };

  const context: AgentContext = {
    tools: options.toolContext,
    now,
    async call(toolName, args) {
      const tool = allowed.get(toolName);
      if (!tool) {
        const list = [...allowed.keys()].join(', ') || 'none';
        throw new ValidationError(`agent ${agent.name} may not call tool "${toolName}" (its tools: ${list})`);
      }
      const result = await invoke(tool, args);
      if (!result.ok) throw new ToolCallFailedError(tool.name, result.message);
      return result.output;
    },
  };

  const provenance = (decidedBy: string): Provenance =>
    ProvenanceSchema.parse({
      agent: agent.name,
      decidedBy,
      promptVersion: agent.prompt.version,
      inputIds: agent.inputIds(data),
      evidence,
      at: now(),
    });

  const runRules = async (): Promise<z.infer<O>> => {
    const output = agent.output.parse(await agent.rules(data, context)) as z.infer<O>;
    const problems = await agent.validate(output, data, context);
    if (problems.length > 0) {
      throw new Error(`agent ${agent.name}: the rules back-end produced an invalid output: ${problems.join('; ')}`);
    }
    return output;
  };

  if (options.backend === 'rules') {
    const output = await runRules();
    return { output, provenance: provenance('rules'), attempts: 0, toolCalls, fellBack: false };
  }

  const model = options.model;
  if (!model) throw new ConfigError('model', `agent ${agent.name}: the llm back-end needs a chat model`);
  const outcome = await runModel(agent, data, model, context, allowed, invoke, evidence);
  if (outcome.ok) {
    return {
      output: outcome.output,
      provenance: provenance(`llm:${model.id}`),
      attempts: outcome.attempts,
      toolCalls,
      fellBack: false,
    };
  }
  if ((options.onFailure ?? 'rules') === 'escalate') {
    throw new ModelBehaviorError(`agent ${agent.name}: llm:${model.id} ${outcome.reason}`, outcome.cause);
  }
  evidence.push(`llm:${model.id} ${outcome.reason}; decided by rules`);
  const output = await runRules();
  return { output, provenance: provenance('rules'), attempts: outcome.attempts, toolCalls, fellBack: true };
}

type ModelOutcome<O> =
  | { ok: true; output: O; attempts: number }
  | { ok: false; reason: string; cause?: unknown; attempts: number };

async function runModel<I extends z.ZodType, O extends z.ZodType>(
  agent: Agent<I, O>,
  input: z.infer<I>,
  model: ChatModel,
  context: AgentContext,
  allowed: ReadonlyMap<string, AnyTool>,
  invoke: ToolCaller,
  evidence: string[],
): Promise<ModelOutcome<z.infer<O>>> {
  const messages: ChatMessage[] = [
    { role: 'system', content: agent.prompt.system },
    { role: 'user', content: agent.request(input) },
  ];
  const tools: ChatToolSpec[] = agent.tools.map((tool) => ({
    name: tool.name,
    description: tool.description,
    parameters: tool.inputJsonSchema(),
  }));
  const responseSchema = { name: schemaName(agent.name), schema: outputJsonSchema(agent.output) };
  let rejections = 0;

  for (let step = 1; step <= agent.maxSteps; step++) {
    let response: ChatResponse;
    try {
      response = await model.complete({ messages, tools: tools.length ? tools : undefined, responseSchema });
    } catch (error) {
      // Only the model's own failures fall back; a bug in our code must surface.
      if (error instanceof UpstreamError || error instanceof ModelBehaviorError) {
        return { ok: false, reason: `failed: ${error.message}`, cause: error, attempts: step };
      }
      throw error;
    }

    if (response.toolCalls.length > 0) {
      messages.push({ role: 'assistant', content: response.content, toolCalls: response.toolCalls });
      for (const call of response.toolCalls) {
        messages.push({
          role: 'tool',
          toolCallId: call.id,
          content: await runToolCall(call, allowed, invoke, evidence),
        });
      }
      continue;
    }

    const answer = response.content ?? '';
    const checked = await checkAnswer(agent, input, answer, context);
    if (checked.ok) return { ok: true, output: checked.output, attempts: step };
    rejections++;
    for (const problem of checked.problems) evidence.push(`rejected: ${problem}`);
    if (rejections >= MAX_REJECTIONS) {
      return { ok: false, reason: `gave up after ${rejections} rejected answers`, attempts: step };
    }
    messages.push({ role: 'assistant', content: answer });
    messages.push({
      role: 'user',
      content: `Your answer was rejected:\n${checked.problems.join('\n')}\nAnswer again with JSON that fixes these problems.`,
    });
  }
  return { ok: false, reason: `used all ${agent.maxSteps} steps without a valid answer`, attempts: agent.maxSteps };
}

/** Runs one model tool call and returns the tool message text; refusals and failures go back as data. */
async function runToolCall(
  call: { name: string; arguments: string },
  allowed: ReadonlyMap<string, AnyTool>,
  invoke: ToolCaller,
  evidence: string[],
): Promise<string> {
  const tool = allowed.get(call.name);
  if (!tool) {
    evidence.push(`refused tool "${call.name}" (not on the allow-list)`);
    return `error: tool "${call.name}" is not available to this agent`;
  }
  let args: unknown;
  try {
    // Some servers send an empty string for a call without arguments.
    args = call.arguments.trim() === '' ? {} : JSON.parse(call.arguments);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return `error: the arguments of ${call.name} are not valid JSON (${message}); send a JSON object`;
  }
  const result = await invoke(tool, args);
  return result.ok ? JSON.stringify(result.output ?? null) : `error: ${result.message}`;
}

async function checkAnswer<I extends z.ZodType, O extends z.ZodType>(
  agent: Agent<I, O>,
  input: z.infer<I>,
  answer: string,
  context: AgentContext,
): Promise<{ ok: true; output: z.infer<O> } | { ok: false; problems: string[] }> {
  const text = stripFences(answer);
  if (text === '') return { ok: false, problems: ['the answer was empty: give the final answer as JSON'] };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, problems: [`the answer is not valid JSON (${message})`] };
  }
  const parsed = agent.output.safeParse(json);
  if (!parsed.success) {
    return { ok: false, problems: parsed.error.issues.map((issue) => `${issuePath(issue)}: ${issue.message}`) };
  }
  const output = parsed.data as z.infer<O>;
  const problems = await agent.validate(output, input, context);
  return problems.length > 0 ? { ok: false, problems } : { ok: true, output };
}

/** Models often wrap JSON in a Markdown fence even when asked not to. */
function stripFences(text: string): string {
  const trimmed = text.trim();
  const fenced = /^```[a-zA-Z]*\s*\n?([\s\S]*?)\n?\s*```$/.exec(trimmed);
  return fenced ? fenced[1]!.trim() : trimmed;
}

function issuePath(issue: z.core.$ZodIssue): string {
  return issue.path.length ? issue.path.map(String).join('.') : '(answer)';
}

function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.map(String).join('.') || '(input)'}: ${issue.message}`).join('; ');
}

/** response_format names allow only [a-zA-Z0-9_-], at most 64 characters. */
function schemaName(agentName: string): string {
  return agentName.replace(/[^a-zA-Z0-9_-]/g, '_').slice(0, 64) || 'answer';
}

const jsonSchemas = new WeakMap<z.ZodType, Record<string, unknown>>();

/** The output's JSON Schema, computed once per schema. Dates and the like become unconstrained. */
function outputJsonSchema(schema: z.ZodType): Record<string, unknown> {
  let json = jsonSchemas.get(schema);
  if (!json) {
    json = z.toJSONSchema(schema, { target: 'draft-7', io: 'input', unrepresentable: 'any' }) as Record<
      string,
      unknown
    >;
    jsonSchemas.set(schema, json);
  }
  return json;
}
