import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { defineAgent } from '../../../agents/define-agent.ts';
import { ConfigError, ModelBehaviorError, UpstreamError, ValidationError } from '../../../src/domain/errors.ts';
import { createOpenAiChatModel } from '../../../src/graph/llm/openai-chat-model.ts';
import { runAgent, type ToolCaller, ToolCallFailedError } from '../../../src/graph/run-agent.ts';
import type { EstateReader, TicketDesk, ToolContext } from '../../../tools/context.ts';
import { type AnyTool, defineTool, isToolFailure, toolError } from '../../../tools/define-tool.ts';
import { FakeModel } from '../../helpers/fake-model.ts';
import { type OpenAiTestServer, startOpenAiTestServer } from '../../helpers/openai-test-server.ts';
import { unusedPorts } from '../../helpers/unused-ports.ts';

const NOW = new Date('2025-01-02T03:04:05Z');
const ASSETS: Record<string, { id: string; critical: boolean }> = {
  'web-1': { id: 'web-1', critical: true },
  'lab-9': { id: 'lab-9', critical: false },
};

const lookupAsset = defineTool({
  name: 'lookup_asset',
  description: 'Fetch an asset by id: is it business-critical?',
  kind: 'read',
  input: z.object({ id: z.string().min(1) }),
  output: z.object({ id: z.string(), critical: z.boolean() }),
  async run({ id }) {
    return ASSETS[id] ?? toolError(`No asset "${id}".`);
  },
});

// Not a plain literal, so it fits Prompt whatever optional metadata prompts/index.ts adds.
const prompt = { name: 'test', version: '3', description: 'a test prompt', system: 'You triage exposures.' };

const InputSchema = z.object({ exposureId: z.string(), assetId: z.string(), severity: z.number().min(0).max(10) });
const OutputSchema = z.object({ priority: z.enum(['high', 'low']), reason: z.string().min(1) });
type Output = z.infer<typeof OutputSchema>;

const triageSpec = {
  name: 'risk-triage',
  prompt,
  input: InputSchema,
  output: OutputSchema,
  tools: [lookupAsset],
  request: (input: z.infer<typeof InputSchema>) => `Triage this exposure:\n<data>${JSON.stringify(input)}</data>`,
  maxSteps: 4,
  async rules(input: z.infer<typeof InputSchema>, context: { call(name: string, args: unknown): Promise<unknown> }) {
    const asset = (await context.call('lookup_asset', { id: input.assetId })) as { critical: boolean };
    const high = input.severity >= 7 || asset.critical;
    return { priority: high ? 'high' : 'low', reason: `rules: severity ${input.severity}` } satisfies Output;
  },
  async validate(output: Output, input: z.infer<typeof InputSchema>) {
    return input.severity >= 9 && output.priority !== 'high' ? ['severity 9 or more must be high priority'] : [];
  },
  inputIds: (input: z.infer<typeof InputSchema>) => [input.exposureId, input.assetId],
};
const triage = defineAgent(triageSpec);

const CRITICAL = { exposureId: 'exp-1', assetId: 'web-1', severity: 9.5 };
const RULES_OUTPUT: Output = { priority: 'high', reason: 'rules: severity 9.5' };
const HIGH = JSON.stringify({ priority: 'high', reason: 'critical asset, severe flaw' });
const LOW = JSON.stringify({ priority: 'low', reason: 'looks harmless' });

const toolContext: ToolContext = {
  reader: {} as EstateReader,
  ...unusedPorts(),
  tickets: {} as TicketDesk,
  dryRun: true,
  timeoutMs: 1_000,
  now: () => NOW,
};

/** Stands in for the audited tool runner: validates and runs the tool, failures as data. */
function makeCallTool() {
  return vi.fn<ToolCaller>(async (tool: AnyTool, args: unknown) => {
    const parsed = tool.input.safeParse(args);
    if (!parsed.success) return { ok: false, message: `invalid arguments for ${tool.name}` };
    const result = await tool.run(parsed.data, toolContext);
    return isToolFailure(result) ? { ok: false, message: result.message } : { ok: true, output: result };
  });
}

async function rejectionOf(attempt: Promise<unknown>): Promise<unknown> {
  return attempt.then(
    () => {
      throw new Error('expected a rejection');
    },
    (thrown: unknown) => thrown,
  );
}

describe('runAgent', () => {
  let callTool: ReturnType<typeof makeCallTool>;
  beforeEach(() => {
    callTool = makeCallTool();
  });
  const options = (extra: Partial<Parameters<typeof runAgent>[2]> = {}) => ({
    backend: 'llm' as const,
    toolContext,
    callTool,
    now: () => NOW,
    ...extra,
  });

  describe('rules back-end', () => {
    it('decides by rules through the allow-listed tool door and records provenance', async () => {
      const model = new FakeModel();

      const run = await runAgent(triage, CRITICAL, options({ backend: 'rules', model }));

      expect(run.output).toEqual(RULES_OUTPUT);
      expect(run.provenance).toEqual({
        agent: 'risk-triage',
        decidedBy: 'rules',
        promptVersion: '3',
        inputIds: ['exp-1', 'web-1'],
        evidence: ['called lookup_asset'],
        at: NOW,
      });
      expect(run).toMatchObject({ attempts: 0, fellBack: false, toolCalls: [{ name: 'lookup_asset', ok: true }] });
      expect(callTool).toHaveBeenCalledWith(lookupAsset, { id: 'web-1' });
      expect(model.requests).toHaveLength(0);
    });

    it('rejects input that fails the input schema before doing anything', async () => {
      const error = await rejectionOf(runAgent(triage, { ...CRITICAL, severity: 11 }, options({ backend: 'rules' })));
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).message).toContain('risk-triage');
      expect((error as ValidationError).message).toContain('severity');
      expect(callTool).not.toHaveBeenCalled();
    });

    it('refuses a tool that is not on the allow-list, even to the rules', async () => {
      const sneaky = defineAgent({
        ...triageSpec,
        async rules(_input, context) {
          await context.call('delete_everything', {});
          return RULES_OUTPUT;
        },
      });
      const error = await rejectionOf(runAgent(sneaky, CRITICAL, options({ backend: 'rules' })));
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).message).toContain('delete_everything');
      expect(callTool).not.toHaveBeenCalled();
    });

    it('throws a ToolCallFailedError carrying the hint when a tool fails', async () => {
      const error = await rejectionOf(
        runAgent(triage, { ...CRITICAL, assetId: 'nope' }, options({ backend: 'rules' })),
      );
      expect(error).toBeInstanceOf(ToolCallFailedError);
      expect((error as ToolCallFailedError).code).toBe('TOOL_CALL_FAILED');
      expect((error as ToolCallFailedError).message).toContain('No asset "nope"');
    });

    it('treats rules output that fails validate() as a bug', async () => {
      const broken = defineAgent({ ...triageSpec, rules: async () => ({ priority: 'low', reason: 'oops' }) as Output });
      const error = await rejectionOf(runAgent(broken, CRITICAL, options({ backend: 'rules' })));
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).toContain('risk-triage');
      expect((error as Error).message).toContain('severity 9 or more must be high priority');
    });
  });

  describe('llm back-end', () => {
    it('accepts a valid answer and sends prompt, request, tools and the output schema', async () => {
      const model = new FakeModel([{ content: HIGH }]);

      const run = await runAgent(triage, CRITICAL, options({ model }));

      expect(run.output).toEqual(JSON.parse(HIGH));
      expect(run.provenance.decidedBy).toBe('llm:fake-model');
      expect(run.provenance.evidence).toEqual([]);
      expect(run).toMatchObject({ attempts: 1, fellBack: false, toolCalls: [] });
      const request = model.requests[0]!;
      expect(request.messages).toEqual([
        { role: 'system', content: 'You triage exposures.' },
        { role: 'user', content: triage.request(CRITICAL) },
      ]);
      expect(request.tools).toEqual([
        { name: 'lookup_asset', description: lookupAsset.description, parameters: lookupAsset.inputJsonSchema() },
      ]);
      expect(request.responseSchema?.name).toBe('risk-triage');
      expect(request.responseSchema?.schema).toMatchObject({
        type: 'object',
        properties: { priority: { enum: ['high', 'low'] } },
      });
      expect(callTool).not.toHaveBeenCalled();
    });

    it('sanitizes the response schema name and strips a Markdown fence around the answer', async () => {
      const agent = defineAgent({ ...triageSpec, name: 'risk triage/v2' });
      const model = new FakeModel([{ content: `\`\`\`json\n${HIGH}\n\`\`\`` }]);

      const run = await runAgent(agent, CRITICAL, options({ model }));

      expect(model.requests[0]!.responseSchema?.name).toBe('risk_triage_v2');
      expect(run.output.priority).toBe('high');
      expect(run.fellBack).toBe(false);
    });

    it('runs a tool call with the parsed arguments, returns the result to the model, then accepts', async () => {
      const model = new FakeModel([
        { toolCalls: [{ id: 'c1', name: 'lookup_asset', arguments: { id: 'web-1' } }] },
        { content: HIGH },
      ]);

      const run = await runAgent(triage, CRITICAL, options({ model }));

      expect(callTool).toHaveBeenCalledTimes(1);
      expect(callTool).toHaveBeenCalledWith(lookupAsset, { id: 'web-1' });
      const second = model.requests[1]!.messages;
      expect(second.at(-2)).toEqual({
        role: 'assistant',
        content: null,
        toolCalls: [{ id: 'c1', name: 'lookup_asset', arguments: '{"id":"web-1"}' }],
      });
      expect(second.at(-1)).toEqual({ role: 'tool', toolCallId: 'c1', content: JSON.stringify(ASSETS['web-1']) });
      expect(run.provenance.decidedBy).toBe('llm:fake-model');
      expect(run.provenance.evidence).toEqual(['called lookup_asset']);
      expect(run).toMatchObject({ attempts: 2, toolCalls: [{ name: 'lookup_asset', ok: true }] });
    });

    it('returns a tool failure to the model as an error message and goes on', async () => {
      const model = new FakeModel([
        { toolCalls: [{ id: 'c1', name: 'lookup_asset', arguments: { id: 'nope' } }] },
        { content: HIGH },
      ]);

      const run = await runAgent(triage, CRITICAL, options({ model }));

      expect(model.requests[1]!.messages.at(-1)).toEqual({
        role: 'tool',
        toolCallId: 'c1',
        content: 'error: No asset "nope".',
      });
      expect(run.toolCalls).toEqual([{ name: 'lookup_asset', ok: false }]);
      expect(run.fellBack).toBe(false);
    });

    it('refuses a tool that is not on the allow-list without running it', async () => {
      const model = new FakeModel([
        { toolCalls: [{ id: 'x1', name: 'delete_everything', arguments: {} }] },
        { content: HIGH },
      ]);

      const run = await runAgent(triage, CRITICAL, options({ model }));

      expect(callTool).not.toHaveBeenCalled();
      expect(model.requests[1]!.messages.at(-1)).toEqual({
        role: 'tool',
        toolCallId: 'x1',
        content: 'error: tool "delete_everything" is not available to this agent',
      });
      expect(run.toolCalls).toEqual([]);
      expect(run.provenance.evidence.join('\n')).toContain('delete_everything');
    });

    it('answers arguments that are not JSON with the parse error, without running the tool', async () => {
      const model = new FakeModel([
        { toolCalls: [{ id: 'j1', name: 'lookup_asset', arguments: '{"id": web-1' }] },
        { content: HIGH },
      ]);

      await runAgent(triage, CRITICAL, options({ model }));

      expect(callTool).not.toHaveBeenCalled();
      const reply = model.requests[1]!.messages.at(-1)!;
      expect(reply).toMatchObject({ role: 'tool', toolCallId: 'j1' });
      expect(reply.content).toMatch(/^error: the arguments of lookup_asset are not valid JSON/);
    });

    it('retries an answer that fails validate() once, with the problem in the next request', async () => {
      const model = new FakeModel([{ content: LOW }, { content: HIGH }]);

      const run = await runAgent(triage, CRITICAL, options({ model }));

      const retry = model.requests[1]!.messages;
      expect(retry.at(-2)).toEqual({ role: 'assistant', content: LOW });
      expect(retry.at(-1)).toEqual({
        role: 'user',
        content:
          'Your answer was rejected:\nseverity 9 or more must be high priority\n' +
          'Answer again with JSON that fixes these problems.',
      });
      expect(run.output).toEqual(JSON.parse(HIGH));
      expect(run.provenance.decidedBy).toBe('llm:fake-model');
      expect(run.provenance.evidence).toEqual(['rejected: severity 9 or more must be high priority']);
      expect(run).toMatchObject({ attempts: 2, fellBack: false });
    });

    it('retries an answer that fails the output schema, naming the field', async () => {
      const model = new FakeModel([{ content: '{"priority":"urgent","reason":"x"}' }, { content: HIGH }]);

      const run = await runAgent(triage, CRITICAL, options({ model }));

      expect(model.requests[1]!.messages.at(-1)!.content).toMatch(/^Your answer was rejected:\npriority: /);
      expect(run.output.priority).toBe('high');
    });

    it('falls back to the rules after a second invalid answer, and says why', async () => {
      const model = new FakeModel([{ content: LOW }, { content: 'not json at all' }]);

      const run = await runAgent(triage, CRITICAL, options({ model }));

      expect(run.output).toEqual(RULES_OUTPUT);
      expect(run.fellBack).toBe(true);
      expect(run.attempts).toBe(2);
      expect(model.requests).toHaveLength(2);
      expect(run.provenance.decidedBy).toBe('rules');
      expect(run.provenance.evidence[0]).toBe('rejected: severity 9 or more must be high priority');
      expect(run.provenance.evidence[1]).toMatch(/^rejected: the answer is not valid JSON/);
      expect(run.provenance.evidence).toContain('llm:fake-model gave up after 2 rejected answers; decided by rules');
      expect(run.provenance.evidence.at(-1)).toBe('called lookup_asset');
    });

    it('falls back to the rules when the model fails with an UpstreamError', async () => {
      const model = new FakeModel([new UpstreamError('chat completion at llm.local:8000 timed out after 100 ms')]);

      const run = await runAgent(triage, CRITICAL, options({ model }));

      expect(run.output).toEqual(RULES_OUTPUT);
      expect(run.fellBack).toBe(true);
      expect(run.provenance.decidedBy).toBe('rules');
      expect(run.provenance.evidence.join('\n')).toContain(
        'llm:fake-model failed: chat completion at llm.local:8000 timed out after 100 ms',
      );
    });

    it('lets an error that is not the model failing (a bug) surface', async () => {
      const model = new FakeModel([new TypeError('bug')]);
      const error = await rejectionOf(runAgent(triage, CRITICAL, options({ model })));
      expect(error).toBeInstanceOf(TypeError);
      expect(callTool).not.toHaveBeenCalled();
    });

    it('escalates with a ModelBehaviorError instead of falling back when asked to', async () => {
      const model = new FakeModel([{ content: LOW }, { content: LOW }]);

      const error = await rejectionOf(runAgent(triage, CRITICAL, options({ model, onFailure: 'escalate' })));

      expect(error).toBeInstanceOf(ModelBehaviorError);
      expect((error as ModelBehaviorError).code).toBe('MODEL_BEHAVIOR');
      expect((error as ModelBehaviorError).message).toContain('risk-triage');
      expect((error as ModelBehaviorError).message).toContain('gave up after 2 rejected answers');
      expect(callTool).not.toHaveBeenCalled();
    });

    it('escalates a model error too, keeping it as the cause', async () => {
      const upstream = new UpstreamError('chat completion at llm.local failed: HTTP 503');
      const error = await rejectionOf(
        runAgent(triage, CRITICAL, options({ model: new FakeModel([upstream]), onFailure: 'escalate' })),
      );
      expect(error).toBeInstanceOf(ModelBehaviorError);
      expect((error as ModelBehaviorError).cause).toBe(upstream);
    });

    it('falls back when endless tool calls use up maxSteps', async () => {
      const agent = defineAgent({ ...triageSpec, maxSteps: 3 });
      const call = { name: 'lookup_asset', arguments: { id: 'lab-9' } };
      const model = new FakeModel([
        { toolCalls: [call] },
        { toolCalls: [call] },
        { toolCalls: [call] },
        { content: LOW },
      ]);

      const run = await runAgent(agent, CRITICAL, options({ model }));

      expect(model.requests).toHaveLength(3);
      expect(model.remaining).toBe(1);
      expect(run.fellBack).toBe(true);
      expect(run.attempts).toBe(3);
      expect(run.output).toEqual(RULES_OUTPUT);
      expect(run.provenance.evidence).toContain(
        'llm:fake-model used all 3 steps without a valid answer; decided by rules',
      );
      // Three calls by the model, then the rules' own call.
      expect(run.toolCalls.map((c) => c.name)).toEqual([
        'lookup_asset',
        'lookup_asset',
        'lookup_asset',
        'lookup_asset',
      ]);
    });

    it('needs a model', async () => {
      const error = await rejectionOf(runAgent(triage, CRITICAL, options()));
      expect(error).toBeInstanceOf(ConfigError);
    });
  });

  describe('over the OpenAI-compatible client and test server', () => {
    let server: OpenAiTestServer;
    beforeAll(async () => {
      server = await startOpenAiTestServer();
    });
    afterAll(() => server.close());

    it('runs a tool call and a structured answer end to end', async () => {
      server.script({ toolCalls: [{ name: 'lookup_asset', arguments: { id: 'web-1' } }] }, { content: HIGH });
      const model = createOpenAiChatModel({ baseUrl: server.baseUrl, model: 'test-chat', timeoutMs: 5_000 });

      const run = await runAgent(triage, CRITICAL, options({ model }));

      expect(run.output).toEqual(JSON.parse(HIGH));
      expect(run.provenance.decidedBy).toBe('llm:test-chat');
      expect(callTool).toHaveBeenCalledWith(lookupAsset, { id: 'web-1' });
      const [first, second] = server.requests.map((r) => r.body as Record<string, unknown>);
      expect(first).toMatchObject({
        model: 'test-chat',
        tools: [{ type: 'function', function: { name: 'lookup_asset' } }],
        response_format: { type: 'json_schema', json_schema: { name: 'risk-triage', strict: false } },
      });
      const messages = second!.messages as Record<string, unknown>[];
      const callId = (messages.at(-2)!.tool_calls as { id: string }[])[0]!.id;
      expect(messages.at(-1)).toEqual({
        role: 'tool',
        tool_call_id: callId,
        content: JSON.stringify(ASSETS['web-1']),
      });
    });
  });
});
