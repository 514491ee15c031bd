import { UpstreamError } from '../../domain/errors.ts';
import type { Embedder } from './chat-model.ts';
import { callOpenAi, createOpenAiClient, endpointHost } from './openai-chat-model.ts';

const LEXICAL_DIMENSIONS = 384;
const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
const encoder = new TextEncoder();

/** FNV-1a, 32-bit, over the UTF-8 bytes: stable across runs, platforms and Node versions. */
function fnv1a(text: string): number {
  let hash = FNV_OFFSET;
  for (const byte of encoder.encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, FNV_PRIME);
  }
  return hash >>> 0;
}

/** Word unigrams, word bigrams and character 3-grams of each word (with `<` `>` boundary markers). */
function lexicalFeatures(text: string): Map<string, number> {
  const words = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  const counts = new Map<string, number>();
  const add = (feature: string) => counts.set(feature, (counts.get(feature) ?? 0) + 1);
  words.forEach((word, i) => {
    add(`w:${word}`);
    if (i > 0) add(`b:${words[i - 1]} ${word}`);
    const marked = `<${word}>`;
    for (let j = 0; j + 3 <= marked.length; j++) add(`c:${marked.slice(j, j + 3)}`);
  });
  return counts;
}

/**
 * The vector to search with for `text`, or null when it has no direction (the zero vector: a text
 * with nothing to embed), because cosine distance to it is undefined and nothing is near it.
 */
export async function queryVector(embedder: Embedder, text: string): Promise<number[] | null> {
  const [vector] = await embedder.embed([text]);
  return usableVector(vector);
}

/** The vector itself, or null when it is missing or zero. */
export function usableVector(vector: number[] | undefined): number[] | null {
  return vector?.some((value) => value !== 0) ? vector : null;
}

function lexicalVector(text: string): number[] {
  const vector = new Array<number>(LEXICAL_DIMENSIONS).fill(0);
  for (const [feature, tf] of lexicalFeatures(text)) {
    const hash = fnv1a(feature);
    // The sign comes from other bits of the hash than the index, so collisions tend to cancel out.
    const sign = Math.imul(hash, 0x9e3779b1) >>> 31 ? -1 : 1;
    vector[hash % LEXICAL_DIMENSIONS]! += sign * (1 + Math.log(tf));
  }
  const norm = Math.hypot(...vector);
  return norm === 0 ? vector : vector.map((value) => value / norm);
}

/**
 * The embedder used when no embedding model is configured: feature hashing of word unigrams,
 * word bigrams and character 3-grams (FNV-1a 32-bit to one of 384 dimensions with a hashed sign,
 * weighted 1 + log tf, L2-normalized).
 *
 * It is honestly lexical: it captures shared words and word pieces, not meaning. "SQL injection
 * in the login form" lands near "SQL injection vulnerability" because they share words, but
 * "credential stuffing" and "password spraying" look unrelated to it. Deterministic and free, so
 * similarity search works offline and in tests; configure a real embedding model for semantics.
 * A text without any letter or digit embeds as the zero vector.
 */
export function createLexicalEmbedder(): Embedder {
  return {
    id: 'lexical-ngram-384-v1',
    dimensions: LEXICAL_DIMENSIONS,
    async embed(texts: string[]): Promise<number[][]> {
      return texts.map(lexicalVector);
    },
  };
}

/** OpenAI's limit is 2048 inputs a request; smaller batches keep each request well inside the timeout. */
const EMBEDDING_BATCH = 256;

/**
 * Embeddings from an OpenAI-compatible `/embeddings` endpoint. Every vector is checked against the
 * expected dimensions, because the vector column has a fixed width and a model that ignores the
 * `dimensions` parameter would otherwise fail later, far from the cause.
 */
export function createOpenAiEmbedder(options: {
  baseUrl?: string;
  apiKey?: string;
  model: string;
  timeoutMs: number;
  dimensions?: number;
}): Embedder {
  const client = createOpenAiClient(options);
  const dimensions = options.dimensions ?? LEXICAL_DIMENSIONS;
  const where = () => `embeddings at ${endpointHost(client.baseURL)}`;
  return {
    id: `openai:${options.model}`,
    dimensions,
    async embed(texts: string[]): Promise<number[][]> {
      const vectors: number[][] = [];
      for (let start = 0; start < texts.length; start += EMBEDDING_BATCH) {
        const input = texts.slice(start, start + EMBEDDING_BATCH);
        const response = await callOpenAi(
          client,
          'embeddings',
          { timeoutMs: options.timeoutMs, apiKey: options.apiKey },
          (signal) => client.embeddings.create({ model: options.model, input, dimensions }, { signal }),
        );
        const data: unknown = (response as { data?: unknown } | null)?.data;
        if (!Array.isArray(data) || data.length !== input.length) {
          const got = Array.isArray(data) ? data.length : 'no';
          throw new UpstreamError(`${where()} returned ${got} vectors for ${input.length} texts`);
        }
        const ordered = [...data].sort((a, b) => (a?.index ?? 0) - (b?.index ?? 0));
        for (const item of ordered) {
          const embedding: unknown = item?.embedding;
          if (!Array.isArray(embedding) || !embedding.every((value) => typeof value === 'number')) {
            throw new UpstreamError(`${where()} returned an embedding that is not a list of numbers`);
          }
          if (embedding.length !== dimensions) {
            throw new UpstreamError(
              `${where()}: model ${options.model} returned ${embedding.length} dimensions, expected ${dimensions}`,
            );
          }
          vectors.push(embedding);
        }
      }
      return vectors;
    },
  };
}
