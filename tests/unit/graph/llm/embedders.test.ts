import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { UpstreamError } from '../../../../src/domain/errors.ts';
import { createLexicalEmbedder, createOpenAiEmbedder } from '../../../../src/graph/llm/embedders.ts';
import {
  deterministicVector,
  type OpenAiTestServer,
  startOpenAiTestServer,
} from '../../../helpers/openai-test-server.ts';

const norm = (v: number[]) => Math.hypot(...v);
const cosine = (a: number[], b: number[]) => a.reduce((sum, x, i) => sum + x * b[i]!, 0) / (norm(a) * norm(b));

describe('createLexicalEmbedder', () => {
  const embedder = createLexicalEmbedder();

  it('names itself and has 384 dimensions', () => {
    expect(embedder.id).toBe('lexical-ngram-384-v1');
    expect(embedder.dimensions).toBe(384);
  });

  it('returns one unit-length vector of 384 numbers per text', async () => {
    const vectors = await embedder.embed(['SQL injection in login form', 'x', 'Ünïcode wörds ✓ 42']);
    expect(vectors).toHaveLength(3);
    for (const vector of vectors) {
      expect(vector).toHaveLength(384);
      expect(norm(vector)).toBeCloseTo(1, 10);
    }
  });

  it('is deterministic across calls, instances and batch positions', async () => {
    const texts = ['Outdated OpenSSL on web-1', 'SQL injection in login form'];
    const batch = await embedder.embed(texts);
    const again = await createLexicalEmbedder().embed([texts[1]!, texts[0]!]);
    expect(again[0]).toEqual(batch[1]);
    expect(again[1]).toEqual(batch[0]);
  });

  it('puts texts that share words closer than texts that do not', async () => {
    const [login, sqli, overflow] = await embedder.embed([
      'SQL injection in login form',
      'SQL injection vulnerability',
      'buffer overflow in image parser',
    ]);
    expect(cosine(login!, sqli!)).toBeGreaterThan(cosine(login!, overflow!) + 0.2);
  });

  it('ignores case and punctuation, but not word order entirely (bigrams)', async () => {
    const [a, b, c] = await embedder.embed(['SQL Injection!', 'sql injection', 'injection sql']);
    expect(a).toEqual(b);
    expect(cosine(b!, c!)).toBeLessThan(0.999);
    expect(cosine(b!, c!)).toBeGreaterThan(0.5);
  });

  it('embeds a text without letters or digits as the zero vector', async () => {
    const [empty] = await embedder.embed(['  ...  ']);
    expect(empty).toEqual(new Array(384).fill(0));
  });
});

describe('createOpenAiEmbedder', () => {
  let server: OpenAiTestServer;

  beforeAll(async () => {
    server = await startOpenAiTestServer();
  });
  afterAll(() => server.close());
  afterEach(() => server.reset());

  const embedder = (dimensions?: number) =>
    createOpenAiEmbedder({
      baseUrl: server.baseUrl,
      apiKey: 'sk-embed',
      model: 'embed-small',
      timeoutMs: 5_000,
      dimensions,
    });

  it('asks the endpoint for the model and dimensions and returns its vectors in order', async () => {
    const texts = ['SQL injection in login form', 'buffer overflow'];

    const vectors = await embedder().embed(texts);

    expect(embedder().id).toBe('openai:embed-small');
    expect(embedder().dimensions).toBe(384);
    expect(vectors).toEqual(texts.map((text) => deterministicVector(text, 384)));
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]!.path).toBe('/v1/embeddings');
    expect(server.requests[0]!.headers.authorization).toBe('Bearer sk-embed');
    expect(server.requests[0]!.body).toMatchObject({ model: 'embed-small', input: texts, dimensions: 384 });
  });

  it('honours other dimensions', async () => {
    const [vector] = await embedder(1536).embed(['x']);
    expect(vector).toHaveLength(1536);
    expect(server.requests[0]!.body).toMatchObject({ dimensions: 1536 });
  });

  it('sends at most 256 texts a request and keeps the order across batches', async () => {
    const texts = Array.from({ length: 600 }, (_, i) => `finding number ${i}`);

    const vectors = await embedder(16).embed(texts);

    expect(server.requests.map((r) => (r.body as { input: string[] }).input.length)).toEqual([256, 256, 88]);
    expect(vectors).toHaveLength(600);
    expect(vectors[599]).toEqual(deterministicVector('finding number 599', 16));
    expect(vectors[256]).toEqual(deterministicVector('finding number 256', 16));
  });

  it('makes no request for no texts', async () => {
    expect(await embedder().embed([])).toEqual([]);
    expect(server.requests).toHaveLength(0);
  });

  it('rejects vectors of the wrong length with an UpstreamError', async () => {
    server.script({ embeddingDimensions: 100 });
    const error = await embedder()
      .embed(['a', 'b'])
      .then(
        () => undefined,
        (thrown: unknown) => thrown,
      );
    expect(error).toBeInstanceOf(UpstreamError);
    expect((error as UpstreamError).message).toContain('returned 100 dimensions, expected 384');
  });

  it('turns an HTTP error into an UpstreamError naming the host and status', async () => {
    server.script({ status: 400, body: JSON.stringify({ error: { message: 'dimensions not supported' } }) });
    const error = await embedder()
      .embed(['a'])
      .then(
        () => undefined,
        (thrown: unknown) => thrown,
      );
    expect(error).toBeInstanceOf(UpstreamError);
    expect((error as UpstreamError).message).toContain(new URL(server.baseUrl).host);
    expect((error as UpstreamError).message).toContain('400');
    expect((error as UpstreamError).message).not.toContain('sk-embed');
  });
});
