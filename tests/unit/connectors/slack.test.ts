import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSlackNotifier } from '../../../src/connectors/slack.ts';
import { ConfigError, UpstreamError } from '../../../src/domain/errors.ts';
import { type ForgeTestServer, startForgeTestServer } from '../../helpers/forge-test-server.ts';

describe('Slack notifier', () => {
  let server: ForgeTestServer;
  beforeAll(async () => {
    server = await startForgeTestServer();
  });
  afterAll(() => server.close());
  beforeEach(() => server.reset());

  const notifier = (timeoutMs = 2000) => createSlackNotifier({ webhookUrl: server.slackWebhookUrl, timeoutMs });
  const secretPath = () => new URL(server.slackWebhookUrl).pathname;

  it('posts { text } as JSON and reports delivery', async () => {
    const result = await notifier().notify({ text: 'lodash patched on shop', idempotencyKey: 'k1' });
    expect(result).toEqual({ system: 'slack', delivered: true });
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]).toMatchObject({
      method: 'POST',
      path: secretPath(),
      body: { text: 'lodash patched on shop' },
    });
    expect(server.requests[0]!.headers['content-type']).toBe('application/json');
    expect(server.state.slackMessages).toEqual([{ text: 'lodash patched on shop' }]);
  });

  it('does not post the same key twice', async () => {
    const slack = notifier();
    await slack.notify({ text: 'once', idempotencyKey: 'k1' });
    await slack.notify({ text: 'once', idempotencyKey: 'k1' });
    await slack.notify({ text: 'twice', idempotencyKey: 'k2' });
    expect(server.state.slackMessages.map((m) => m.text)).toEqual(['once', 'twice']);
  });

  it('fails with UpstreamError on a refusal, without the webhook URL or its path', async () => {
    server.fail({ status: 403, body: `invalid_token for ${secretPath()}` });
    const error = (await notifier()
      .notify({ text: 'x', idempotencyKey: 'k1' })
      .catch((e: unknown) => e)) as UpstreamError;
    expect(error).toBeInstanceOf(UpstreamError);
    expect(error.message).toMatch(/^Slack notify: 127\.0\.0\.1:\d+ answered 403: invalid_token for \[redacted\]$/);
    expect(error.message).not.toContain(secretPath());
    expect(error.message).not.toContain('s3cr3t');
  });

  it('treats a 2xx other than 200 as a failure', async () => {
    server.fail({ status: 202, body: 'accepted' });
    await expect(notifier().notify({ text: 'x', idempotencyKey: 'k1' })).rejects.toThrow(
      /^Slack notify: 127\.0\.0\.1:\d+ answered 202 instead of 200$/,
    );
  });

  it('times out', async () => {
    server.fail({ delayMs: 1000 });
    await expect(notifier(100).notify({ text: 'x', idempotencyKey: 'k1' })).rejects.toThrow(
      /did not answer within 100 ms$/,
    );
  });

  it('refuses a webhook URL that is not a URL, without quoting it', () => {
    const build = () => createSlackNotifier({ webhookUrl: 'hooks.slack.com/services/T/B/secret', timeoutMs: 100 });
    expect(build).toThrow(ConfigError);
    expect(build).toThrow('SLACK_WEBHOOK_URL: expected an https URL of a Slack incoming webhook');
  });
});
