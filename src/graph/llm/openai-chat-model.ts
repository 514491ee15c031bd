import OpenAI from 'openai';
import type { ChatCompletionCreateParamsNonStreaming, ChatCompletionMessageParam } from 'openai/resources/chat';
import { z } from 'zod';
import { UpstreamError } from '../../domain/errors.ts';
import type { ChatMessage, ChatModel, ChatRequest, ChatResponse, ChatToolCall } from './chat-model.ts';

/** How to reach an OpenAI-compatible endpoint (OpenAI itself, vLLM, Ollama, llama.cpp, LiteLLM ...). */
export type OpenAiEndpointOptions = {
  /** e.g. `http://host:8000/v1`; absent means the OpenAI API. */
  baseUrl?: string;
  /** Local servers usually need none; the client insists on some string. */
  apiKey?: string;
  /** Budget for one whole call, retries included. */
  timeoutMs: number;
};

/**
 * One client per endpoint. A single retry covers a dropped connection or a transient 5xx; the
 * agent loop, not the transport, decides what a persistent failure means (fall back or escalate).
 */
export function createOpenAiClient(options: OpenAiEndpointOptions): OpenAI {
  return new OpenAI({
    baseURL: options.baseUrl,
    apiKey: options.apiKey ?? 'not-needed',
    timeout: options.timeoutMs,
    maxRetries: 1,
  });
}

/**
 * Runs one request against the endpoint under an overall deadline of `timeoutMs` (the client's own
 * timeout applies per attempt, so with a retry it could take twice as long), and turns every way it
 * can fail into an UpstreamError naming the host and the status. The API key never appears in it.
 */
export async function callOpenAi<T>(
  client: OpenAI,
  what: string,
  options: { timeoutMs: number; apiKey?: string; signal?: AbortSignal },
  send: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const deadline = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([deadline, options.signal]) : deadline;
  try {
    return await send(signal);
  } catch (error) {
    const where = `${what} at ${endpointHost(client.baseURL)}`;
    if (deadline.aborted || error instanceof OpenAI.APIConnectionTimeoutError) {
      throw new UpstreamError(`${where} timed out after ${options.timeoutMs} ms`, error);
    }
    if (options.signal?.aborted) throw new UpstreamError(`${where} was aborted by the caller`, error);
    if (error instanceof OpenAI.APIConnectionError) {
      throw new UpstreamError(`${where} failed: cannot connect (${redact(error.message, options.apiKey)})`, error);
    }
    if (error instanceof OpenAI.APIError) {
      const detail = redact(upstreamMessage(error), options.apiKey);
      throw new UpstreamError(`${where} failed: HTTP ${error.status ?? 'error'}${detail ? ` (${detail})` : ''}`, error);
    }
    if (error instanceof SyntaxError) {
      throw new UpstreamError(`${where} returned a body that is not JSON`, error);
    }
    const message = error instanceof Error ? error.message : String(error);
    throw new UpstreamError(`${where} failed: ${redact(message, options.apiKey)}`, error);
  }
}

/** The host (and port) of an endpoint, for error messages: never its path, query or credentials. */
export function endpointHost(baseUrl: string): string {
  try {
    return new URL(baseUrl).host;
  } catch {
    return 'an invalid endpoint URL';
  }
}

function upstreamMessage(error: InstanceType<typeof OpenAI.APIError>): string {
  const body = error.error as { message?: unknown } | undefined;
  const text = typeof body?.message === 'string' ? body.message : '';
  return text.length > 200 ? `${text.slice(0, 200)}...` : text;
}

function redact(text: string, apiKey: string | undefined): string {
  return apiKey && apiKey.length >= 4 ? text.split(apiKey).join('[redacted]') : text;
}

/**
 * What we need of a chat-completions body. Checked rather than trusted: OpenAI-compatible
 * servers differ, and a proxy may answer 200 with an HTML page.
 */
const CompletionBodySchema = z.object({
  choices: z
    .array(
      z.object({
        message: z.object({
          content: z.string().nullish(),
          tool_calls: z
            .array(
              z.object({
                id: z.string().nullish(),
                type: z.string().nullish(),
                function: z.object({ name: z.string(), arguments: z.string().nullish() }).nullish(),
              }),
            )
            .nullish(),
        }),
      }),
    )
    .min(1, 'no choices'),
});

/**
 * A ChatModel over any OpenAI-compatible `/chat/completions` endpoint: tool calling via `tools`,
 * structured output via `response_format: json_schema` (non-strict: our schemas have optional
 * fields that strict mode rejects; the agent loop validates every answer anyway).
 */
export function createOpenAiChatModel(options: {
  baseUrl?: string;
  apiKey?: string;
  model: string;
  timeoutMs: number;
}): ChatModel {
  const client = createOpenAiClient(options);
  return {
    id: options.model,
    async complete(request: ChatRequest): Promise<ChatResponse> {
      const body: ChatCompletionCreateParamsNonStreaming = {
        model: options.model,
        messages: request.messages.map(toOpenAiMessage),
      };
      if (request.tools?.length) {
        body.tools = request.tools.map((tool) => ({
          type: 'function',
          function: { name: tool.name, description: tool.description, parameters: tool.parameters },
        }));
      }
      if (request.responseSchema) {
        body.response_format = {
          type: 'json_schema',
          json_schema: { name: request.responseSchema.name, schema: request.responseSchema.schema, strict: false },
        };
      }
      const raw: unknown = await callOpenAi(
        client,
        'chat completion',
        { timeoutMs: options.timeoutMs, apiKey: options.apiKey, signal: request.signal },
        (signal) => client.chat.completions.create(body, { signal }),
      );
      const parsed = CompletionBodySchema.safeParse(raw);
      if (!parsed.success) {
        const problem = typeof raw === 'string' ? 'a body that is not JSON' : 'no usable choice';
        throw new UpstreamError(`chat completion at ${endpointHost(client.baseURL)} returned ${problem}`, parsed.error);
      }
      const message = parsed.data.choices[0]!.message;
      const toolCalls: ChatToolCall[] = (message.tool_calls ?? []).flatMap((call, index) =>
        call.function
          ? [{ id: call.id || `call_${index}`, name: call.function.name, arguments: call.function.arguments ?? '' }]
          : [],
      );
      return { content: message.content ?? null, toolCalls };
    },
  };
}

function toOpenAiMessage(message: ChatMessage): ChatCompletionMessageParam {
  switch (message.role) {
    case 'system':
    case 'user':
      return { role: message.role, content: message.content };
    case 'assistant':
      return message.toolCalls?.length
        ? {
            role: 'assistant',
            content: message.content,
            tool_calls: message.toolCalls.map((call) => ({
              id: call.id,
              type: 'function',
              function: { name: call.name, arguments: call.arguments },
            })),
          }
        : { role: 'assistant', content: message.content ?? '' };
    case 'tool':
      return { role: 'tool', tool_call_id: message.toolCallId, content: message.content };
  }
}
