import type { ChatModel, ChatRequest, ChatResponse } from '../../src/graph/llm/chat-model.ts';

/** A scripted reply: content and/or tool calls (arguments as objects are JSON-encoded), or an Error to throw. */
export type FakeReply =
  | {
      content?: string | null;
      toolCalls?: { id?: string; name: string; arguments: object | string }[];
    }
  | Error;

/**
 * A scripted ChatModel for unit tests: answers with its replies in order, records every request
 * (a snapshot of the messages at call time) and throws when its script runs out, so a test never
 * passes on a model call it did not expect.
 */
export class FakeModel implements ChatModel {
  readonly id: string;
  readonly requests: ChatRequest[] = [];
  readonly #replies: FakeReply[];

  constructor(replies: FakeReply[] = [], id = 'fake-model') {
    this.#replies = [...replies];
    this.id = id;
  }

  /** Appends replies to the script. */
  script(...replies: FakeReply[]): this {
    this.#replies.push(...replies);
    return this;
  }

  /** Replies not used yet. */
  get remaining(): number {
    return this.#replies.length;
  }

  async complete(request: ChatRequest): Promise<ChatResponse> {
    this.requests.push({ ...request, messages: structuredClone(request.messages) });
    const reply = this.#replies.shift();
    if (!reply) {
      throw new Error(`FakeModel ${this.id}: the script ran out at request ${this.requests.length}`);
    }
    if (reply instanceof Error) throw reply;
    const calls = reply.toolCalls ?? [];
    return {
      content: reply.content ?? null,
      toolCalls: calls.map((call, i) => ({
        id: call.id ?? `call_${this.requests.length}_${i}`,
        name: call.name,
        arguments: typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments),
      })),
    };
  }
}
