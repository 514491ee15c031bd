import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { UpstreamError } from '../../../../src/domain/errors.ts';
import type { ChatMessage } from '../../../../src/graph/llm/chat-model.ts';
import { createOpenAiChatModel } from '../../../../src/graph/llm/openai-chat-model.ts';
import { type OpenAiTestServer, startOpenAiTestServer } from '../../../helpers/openai-test-server.ts';

const API_KEY = 'sk-test-secret-123456';

type SentBody = {
  model: string;
  messages: Record<string, unknown>[];
  tools?: unknown[];
  response_format?: { type: string; json_schema: { name: string; schema: unknown; strict: boolean } };
};

async function upstreamErrorOf(attempt: Promise<unknown>): Promise<UpstreamError> {
  const error = await attempt.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(UpstreamError);
  return error as UpstreamError;
}

describe('createOpenAiChatModel', () => {
  let server: OpenAiTestServer;
  let host: string;

  beforeAll(async () => {
    server = await startOpenAiTestServer();
    host = new URL(server.baseUrl).host;
  });
  afterAll(() => server.close());
  afterEach(() => server.reset());

  const model = (timeoutMs = 5_000) =>
    createOpenAiChatModel({ baseUrl: server.baseUrl, apiKey: API_KEY, model: 'test-chat', timeoutMs });

  it('round-trips a tool call: tools and the bearer key go out, the tool result goes back with its id', async () => {
    server.script({ toolCalls: [{ name: 'get_asset', arguments: { id: 'web-1' } }] }, { content: 'done' });
    const chat = model();
    const tools = [
      {
        name: 'get_asset',
        description: 'Fetch one asset.',
        parameters: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] },
      },
    ];
    const messages: ChatMessage[] = [
      { role: 'system', content: 'You are a test.' },
      { role: 'user', content: 'Look up web-1.' },
    ];

    const first = await chat.complete({ messages, tools });

    expect(chat.id).toBe('test-chat');
    expect(first.content).toBeNull();
    expect(first.toolCalls).toHaveLength(1);
    expect(first.toolCalls[0]!.name).toBe('get_asset');
    expect(JSON.parse(first.toolCalls[0]!.arguments)).toEqual({ id: 'web-1' });
    const sent = server.requests[0]!;
    expect(sent.method).toBe('POST');
    expect(sent.path).toBe('/v1/chat/completions');
    expect(sent.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect((sent.body as SentBody).model).toBe('test-chat');
    expect((sent.body as SentBody).tools).toEqual([{ type: 'function', function: tools[0] }]);

    const callId = first.toolCalls[0]!.id;
    messages.push({ role: 'assistant', content: null, toolCalls: first.toolCalls });
    messages.push({ role: 'tool', toolCallId: callId, content: '{"id":"web-1"}' });
    const second = await chat.complete({ messages, tools });

    expect(second).toEqual({ content: 'done', toolCalls: [] });
    const resent = (server.requests[1]!.body as SentBody).messages;
    expect(resent[2]).toMatchObject({
      role: 'assistant',
      tool_calls: [{ id: callId, type: 'function', function: { name: 'get_asset', arguments: '{"id":"web-1"}' } }],
    });
    expect(resent[3]).toEqual({ role: 'tool', tool_call_id: callId, content: '{"id":"web-1"}' });
  });

  it('asks for structured output with a json_schema response format', async () => {
    server.script({ content: '{"verdict":"fixed"}' });
    const schema = { type: 'object', properties: { verdict: { type: 'string' } }, required: ['verdict'] };

    const answer = await model().complete({
      messages: [{ role: 'user', content: 'Verdict?' }],
      responseSchema: { name: 'verifier', schema },
    });

    expect(answer).toEqual({ content: '{"verdict":"fixed"}', toolCalls: [] });
    const body = server.requests[0]!.body as SentBody;
    expect(body.response_format?.type).toBe('json_schema');
    expect(body.response_format?.json_schema).toEqual({ name: 'verifier', schema, strict: false });
    expect(body.tools).toBeUndefined();
  });

  it('sends "not-needed" as the key when none is configured (local servers)', async () => {
    server.script({ content: 'ok' });
    const chat = createOpenAiChatModel({ baseUrl: server.baseUrl, model: 'local', timeoutMs: 5_000 });
    await chat.complete({ messages: [{ role: 'user', content: 'hi' }] });
    expect(server.requests[0]!.headers.authorization).toBe('Bearer not-needed');
  });

  it('turns a 500 into an UpstreamError naming host and status, without the API key', async () => {
    // The client retries a 5xx once: both attempts fail. The body echoes the key, as a careless proxy might.
    const body = JSON.stringify({ error: { message: `bad key ${API_KEY} or overload`, type: 'server_error' } });
    server.script({ status: 500, body }, { status: 500, body });

    const error = await upstreamErrorOf(model().complete({ messages: [{ role: 'user', content: 'hi' }] }));

    expect(error.code).toBe('UPSTREAM_FAILED');
    expect(error.message).toContain(host);
    expect(error.message).toContain('500');
    expect(error.message).not.toContain(API_KEY);
    expect(error.cause).toBeDefined();
    expect(server.requests).toHaveLength(2);
  });

  it('turns a 401 into an UpstreamError at once (no retry)', async () => {
    server.script({ status: 401, body: JSON.stringify({ error: { message: 'Incorrect API key provided' } }) });
    const error = await upstreamErrorOf(model().complete({ messages: [{ role: 'user', content: 'hi' }] }));
    expect(error.message).toContain('401');
    expect(server.requests).toHaveLength(1);
  });

  it.each([
    ['a JSON content type over a body that is not JSON', { status: 200, body: '{"choices": [' }],
    ['an HTML page', { status: 200, body: '<html>proxy login</html>', contentType: 'text/html' }],
    ['no choices', { status: 200, body: JSON.stringify({ id: 'x', object: 'chat.completion', choices: [] }) }],
  ])('turns a malformed body (%s) into an UpstreamError', async (_case, reply) => {
    server.script(reply);
    const error = await upstreamErrorOf(model().complete({ messages: [{ role: 'user', content: 'hi' }] }));
    expect(error.message).toContain(host);
    expect(error.cause).toBeDefined();
  });

  it('gives up with an UpstreamError at about timeoutMs when the server is too slow', async () => {
    server.script({ content: 'late', delayMs: 3_000 });
    const started = Date.now();

    const error = await upstreamErrorOf(model(300).complete({ messages: [{ role: 'user', content: 'hi' }] }));

    const elapsed = Date.now() - started;
    expect(error.message).toContain('timed out after 300 ms');
    expect(error.message).toContain(host);
    expect(elapsed).toBeGreaterThanOrEqual(250);
    expect(elapsed).toBeLessThan(1_500);
  });

  it('reports an endpoint that refuses connections as an UpstreamError', async () => {
    const gone = await startOpenAiTestServer();
    const baseUrl = gone.baseUrl;
    await gone.close();
    const chat = createOpenAiChatModel({ baseUrl, apiKey: API_KEY, model: 'x', timeoutMs: 5_000 });

    const error = await upstreamErrorOf(chat.complete({ messages: [{ role: 'user', content: 'hi' }] }));

    expect(error.message).toContain(new URL(baseUrl).host);
    expect(error.message).not.toContain(API_KEY);
  });
});
