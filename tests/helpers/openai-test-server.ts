import { createHash } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A scripted chat answer: plain content (the final answer). */
export type ContentReply = { content: string; delayMs?: number };
/** A scripted chat answer: tool calls; object arguments are sent JSON-encoded, strings as they are. */
export type ToolCallsReply = {
  toolCalls: { name: string; arguments: object | string }[];
  content?: string;
  delayMs?: number;
};
/** A raw HTTP answer, for errors and malformed bodies (JSON content type unless told otherwise). */
export type RawReply = {
  status: number;
  body: string;
  contentType?: string;
  headers?: Record<string, string>;
  delayMs?: number;
};
/** An embeddings answer whose vectors have this many dimensions, whatever was asked. */
export type EmbeddingsReply = { embeddingDimensions: number; delayMs?: number };
export type TestReply = ContentReply | ToolCallsReply | RawReply | EmbeddingsReply;

/** The parts of a chat-completions request body a responder looks at. */
export type ChatBody = {
  model: string;
  messages: { role: string; content: string | null; tool_call_id?: string }[];
  tools?: { function: { name: string } }[];
  response_format?: { json_schema?: { name: string } };
};

export type RecordedRequest = {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** The parsed JSON body, or the raw text when it is not JSON. */
  body: unknown;
};

export type OpenAiTestServer = {
  /** `http://127.0.0.1:PORT/v1`, the shape of a real OPENAI_BASE_URL. */
  baseUrl: string;
  /** Appends replies; chat requests take them in order. */
  script(...replies: TestReply[]): void;
  /** Answers chat requests the script does not cover by asking this function (a behaving model). */
  respondWith(responder: ((body: ChatBody) => TestReply) | undefined): void;
  requests: RecordedRequest[];
  /** Forgets unused replies and recorded requests, between tests. */
  reset(): void;
  close(): Promise<void>;
};

/**
 * An OpenAI-compatible test double: a real HTTP server on 127.0.0.1 answering
 * `POST /v1/chat/completions` from a script (in order; an empty script answers 500 saying so) and
 * `POST /v1/embeddings` with deterministic vectors. It speaks the real wire format (response JSON
 * of chat completions, base64 or float embeddings), so the `openai` client runs unchanged against
 * it. An embeddings request consumes the next scripted reply only when that reply is an
 * EmbeddingsReply or a RawReply; otherwise it answers with vectors of the requested dimensions.
 */
export async function startOpenAiTestServer(): Promise<OpenAiTestServer> {
  const replies: TestReply[] = [];
  const requests: RecordedRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let completions = 0;
  let responder: ((body: ChatBody) => TestReply) | undefined;

  const send = (
    res: ServerResponse,
    reply: { status: number; body: string; contentType?: string; headers?: object },
  ) => {
    if (res.destroyed) return;
    res.writeHead(reply.status, { 'content-type': reply.contentType ?? 'application/json', ...reply.headers });
    res.end(reply.body);
  };
  const later = (delayMs: number | undefined, action: () => void) => {
    if (!delayMs) return action();
    const timer = setTimeout(() => {
      timers.delete(timer);
      action();
    }, delayMs);
    timers.add(timer);
  };
  const errorBody = (message: string, type = 'server_error') =>
    JSON.stringify({ error: { message, type, code: null } });

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown = text;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        // Recorded as text: a test may want to see what a broken client sent.
      }
      const path = (req.url ?? '/').split('?')[0]!;
      requests.push({ method: req.method ?? 'GET', path, headers: req.headers, body });

      if (req.method === 'POST' && path === '/v1/chat/completions') {
        const reply = replies.shift() ?? responder?.(body as ChatBody);
        if (!reply) {
          send(res, { status: 500, body: errorBody(`openai test server: the script ran out (no reply for ${path})`) });
          return;
        }
        later(reply.delayMs, () => send(res, chatAnswer(reply, body, ++completions)));
        return;
      }
      if (req.method === 'POST' && path === '/v1/embeddings') {
        const next = replies[0];
        const scripted = next && ('embeddingDimensions' in next || 'status' in next) ? replies.shift() : undefined;
        later(scripted?.delayMs, () => send(res, embeddingsAnswer(scripted, body)));
        return;
      }
      send(res, { status: 404, body: errorBody(`openai test server: no route ${req.method} ${path}`, 'not_found') });
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    script: (...more) => {
      replies.push(...more);
    },
    respondWith: (next) => {
      responder = next;
    },
    requests,
    reset: () => {
      replies.length = 0;
      requests.length = 0;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function chatAnswer(reply: TestReply, request: unknown, n: number): RawReply {
  if ('status' in reply) return reply;
  if ('embeddingDimensions' in reply) {
    return {
      status: 500,
      body: JSON.stringify({ error: { message: 'embeddings reply scripted for a chat request' } }),
    };
  }
  const model = (request as { model?: unknown } | undefined)?.model;
  const toolCalls =
    'toolCalls' in reply
      ? reply.toolCalls.map((call, i) => ({
          id: `call_${n}_${i}`,
          type: 'function',
          function: {
            name: call.name,
            arguments: typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments),
          },
        }))
      : undefined;
  const content = reply.content ?? null;
  const completionTokens = Math.ceil(((content ?? '').length + JSON.stringify(toolCalls ?? '').length) / 4);
  const body = {
    id: `chatcmpl-test-${n}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: typeof model === 'string' ? model : 'test-model',
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content, refusal: null, ...(toolCalls ? { tool_calls: toolCalls } : {}) },
        logprobs: null,
        finish_reason: toolCalls ? 'tool_calls' : 'stop',
      },
    ],
    usage: { prompt_tokens: 10, completion_tokens: completionTokens, total_tokens: 10 + completionTokens },
  };
  return { status: 200, body: JSON.stringify(body) };
}

function embeddingsAnswer(reply: TestReply | undefined, request: unknown): RawReply {
  if (reply && 'status' in reply) return reply;
  const { input, dimensions, encoding_format, model } = (request ?? {}) as {
    input?: unknown;
    dimensions?: unknown;
    encoding_format?: unknown;
    model?: unknown;
  };
  const texts = typeof input === 'string' ? [input] : Array.isArray(input) ? input.map(String) : [];
  const size =
    reply && 'embeddingDimensions' in reply
      ? reply.embeddingDimensions
      : typeof dimensions === 'number'
        ? dimensions
        : 8;
  const data = texts.map((text, index) => {
    const vector = deterministicVector(text, size);
    const embedding =
      encoding_format === 'base64' ? Buffer.from(new Float32Array(vector).buffer).toString('base64') : vector;
    return { object: 'embedding', index, embedding };
  });
  const tokens = texts.reduce((sum, text) => sum + Math.ceil(text.length / 4), 0);
  const body = {
    object: 'list',
    data,
    model: typeof model === 'string' ? model : 'test-embedding',
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  };
  return { status: 200, body: JSON.stringify(body) };
}

/** A unit vector derived from the text's SHA-256: the same text always gets the same vector. */
export function deterministicVector(text: string, dimensions: number): number[] {
  const seed = createHash('sha256').update(text).digest();
  const vector = Array.from(
    { length: dimensions },
    (_, i) => seed[i % seed.length]! / 255 - 0.5 + Math.sin(i + 1) / 10,
  );
  const norm = Math.hypot(...vector) || 1;
  return vector.map((value) => Math.fround(value / norm));
}
