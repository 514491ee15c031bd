import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { requestJson, requestText, UpstreamHttpError } from '../../../src/connectors/http.ts';
import { UpstreamError } from '../../../src/domain/errors.ts';
import { type ForgeTestServer, startForgeTestServer } from '../../helpers/forge-test-server.ts';

describe('requestJson', () => {
  let server: ForgeTestServer;
  beforeAll(async () => {
    server = await startForgeTestServer();
  });
  afterAll(() => server.close());
  beforeEach(() => server.reset());

  const auth = () => ({ authorization: `Bearer ${server.credentials.githubToken}` });
  const call = (over: Partial<Parameters<typeof requestJson>[0]> = {}) =>
    requestJson({
      method: 'GET',
      url: `${server.githubApiUrl}/repos/o/r/pulls?state=open`,
      headers: auth(),
      timeoutMs: 2000,
      what: 'GitHub find pull request',
      ...over,
    });

  it('sends JSON with its content type and parses the JSON answer', async () => {
    const answer = await call({ method: 'POST', url: `${server.githubApiUrl}/repos/o/r/issues`, body: { title: 'T' } });
    expect(answer).toMatchObject({ number: 1, title: 'T' });
    expect(server.requests[0]!.headers['content-type']).toBe('application/json');
    expect(server.requests[0]!.headers.accept).toBe('application/json');
    expect(server.requests[0]!.body).toEqual({ title: 'T' });
  });

  it('returns null for 204', async () => {
    server.fail({ path: '/pulls', status: 204 });
    expect(await call()).toBeNull();
  });

  it('turns a non-2xx answer into an UpstreamHttpError naming the call, host, status and upstream message', async () => {
    const error = await call({ headers: { authorization: 'Bearer wrong-token-123456' } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UpstreamHttpError);
    expect(error).toBeInstanceOf(UpstreamError);
    const upstream = error as UpstreamHttpError;
    expect(upstream.code).toBe('UPSTREAM_FAILED');
    expect(upstream.upstreamStatus).toBe(401);
    expect(upstream.message).toBe(
      `GitHub find pull request: ${new URL(server.githubApiUrl).host} answered 401: Bad credentials`,
    );
    expect(upstream.message).not.toContain('wrong-token-123456');
    expect(upstream.message).not.toContain('/repos/');
  });

  it('scrubs credentials an upstream echoes back, and shortens long messages', async () => {
    const token = server.credentials.githubToken;
    server.fail({ status: 403, body: { message: `token ${token} lacks scope; ${'x'.repeat(400)}` } });
    const error = (await call().catch((e: unknown) => e)) as UpstreamError;
    expect(error.message).not.toContain(token);
    expect(error.message).toContain('token [redacted] lacks scope');
    expect(error.message.length).toBeLessThan(300);
  });

  it('scrubs basic-auth credentials and reduces HTML error pages to text', async () => {
    const basic = `Basic ${Buffer.from('bot@example.com:sekret-token-42').toString('base64')}`;
    server.fail({ status: 502, body: '<html><body><h1>Bad gateway</h1> sekret-token-42</body></html>' });
    const error = (await call({ headers: { authorization: basic } }).catch((e: unknown) => e)) as UpstreamError;
    expect(error.message).toMatch(/answered 502: Bad gateway \[redacted\]$/);
  });

  it('fails with UpstreamError when the answer is not JSON', async () => {
    server.fail({ status: 200, body: 'definitely not json' });
    await expect(call()).rejects.toThrow(/answered 200 with a body that is not JSON/);
  });

  it('times out', async () => {
    server.fail({ delayMs: 1000 });
    const started = Date.now();
    const error = (await call({ timeoutMs: 100 }).catch((e: unknown) => e)) as UpstreamError;
    expect(error).toBeInstanceOf(UpstreamError);
    expect(error.message).toMatch(/did not answer within 100 ms$/);
    expect(Date.now() - started).toBeLessThan(900);
  });

  it('says an unreachable host cannot be reached, without the path', async () => {
    const error = (await requestText({
      method: 'POST',
      url: 'http://127.0.0.1:1/secret/path',
      timeoutMs: 2000,
      what: 'Slack notify',
    }).catch((e: unknown) => e)) as UpstreamError;
    expect(error).toBeInstanceOf(UpstreamError);
    expect(error.message).toBe('Slack notify: could not reach 127.0.0.1:1');
  });

  it('does not quote an invalid URL (it may be a secret)', async () => {
    const error = (await requestText({
      method: 'POST',
      url: 'not a url/T000/secret',
      timeoutMs: 2000,
      what: 'Slack notify',
    }).catch((e: unknown) => e)) as UpstreamError;
    expect(error.message).toBe('Slack notify: the configured URL is not a valid URL');
    expect(error.cause).toBeUndefined();
  });
});
