import type { Config } from '../../src/config.ts';
import { ConfigError } from '../../src/domain/errors.ts';
import type { ChatModel } from '../../src/graph/llm/chat-model.ts';
import { createOpenAiChatModel } from '../../src/graph/llm/openai-chat-model.ts';

/**
 * The chat model of the llm back-end, built from the configuration exactly as the orchestrator
 * builds it (src/graph/deps.ts): OPENAI_BASE_URL / OPENAI_API_KEY, MOBILIZE_MODEL, and the HTTP
 * timeout. Fails with the variables to set when no endpoint or model is configured.
 */
export function chatModelFromConfig(config: Pick<Config, 'model' | 'timeouts'>): ChatModel {
  const { baseUrl, apiKey, chatModel } = config.model;
  if (!baseUrl && !apiKey) {
    throw new ConfigError(
      'OPENAI_BASE_URL',
      '--backend llm needs an OpenAI-compatible endpoint: set OPENAI_BASE_URL (and OPENAI_API_KEY if it needs one)',
    );
  }
  if (!chatModel) throw new ConfigError('MOBILIZE_MODEL', '--backend llm needs the chat model id in MOBILIZE_MODEL');
  return createOpenAiChatModel({ baseUrl, apiKey, model: chatModel, timeoutMs: config.timeouts.httpMs });
}
