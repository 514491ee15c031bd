/**
 * The one interface between agents and a chat model. The OpenAI-compatible implementation
 * (openai-chat-model.ts) serves real endpoints; unit tests use a scripted FakeModel.
 */

export type ChatToolCall = { id: string; name: string; arguments: string };

export type ChatMessage =
  | { role: 'system'; content: string }
  | { role: 'user'; content: string }
  | { role: 'assistant'; content: string | null; toolCalls?: ChatToolCall[] }
  | { role: 'tool'; toolCallId: string; content: string };

/** A tool as the model sees it: name, description and JSON Schema of the arguments. */
export type ChatToolSpec = { name: string; description: string; parameters: Record<string, unknown> };

export type ChatRequest = {
  messages: ChatMessage[];
  tools?: ChatToolSpec[];
  /** Ask for a final answer as JSON matching this schema (structured output). */
  responseSchema?: { name: string; schema: Record<string, unknown> };
  signal?: AbortSignal;
};

export type ChatResponse = { content: string | null; toolCalls: ChatToolCall[] };

export type ChatModel = {
  /** The model id, recorded as `llm:<id>` on every decision. */
  readonly id: string;
  complete(request: ChatRequest): Promise<ChatResponse>;
};

/** Text embeddings for semantic search; `id` is stored with every vector. */
export type Embedder = {
  readonly id: string;
  readonly dimensions: number;
  embed(texts: string[]): Promise<number[][]>;
};
