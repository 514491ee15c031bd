import type { Notifier } from '../../tools/context.ts';
import { ConfigError, UpstreamError } from '../domain/errors.ts';
import { requestText } from './http.ts';

export type SlackNotifierOptions = {
  /** `https://hooks.slack.com/services/...`: a secret (anyone holding it can post). */
  webhookUrl: string;
  timeoutMs: number;
};

const REMEMBERED_KEYS = 1000;

/**
 * Notifications through a Slack incoming webhook: POST `{ text }`, Slack answers `ok`. The
 * webhook URL is a secret, so errors name only the host and the status. A key delivered once
 * by this process is not posted again (the action ledger covers restarts).
 */
export function createSlackNotifier(options: SlackNotifierOptions): Notifier {
  let url: URL;
  try {
    url = new URL(options.webhookUrl);
  } catch {
    throw new ConfigError('SLACK_WEBHOOK_URL', 'expected an https URL of a Slack incoming webhook');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ConfigError('SLACK_WEBHOOK_URL', 'expected an https URL of a Slack incoming webhook');
  }
  const delivered = new Set<string>();
  return {
    async notify({ text, idempotencyKey }) {
      if (delivered.has(idempotencyKey)) return { system: 'slack', delivered: true };
      const answer = await requestText({
        method: 'POST',
        url: options.webhookUrl,
        headers: { accept: 'text/plain' },
        body: { text },
        timeoutMs: options.timeoutMs,
        what: 'Slack notify',
        secrets: [options.webhookUrl, url.pathname],
      });
      if (answer.status !== 200) {
        throw new UpstreamError(`Slack notify: ${url.host} answered ${answer.status} instead of 200`);
      }
      if (delivered.size >= REMEMBERED_KEYS) delivered.clear();
      delivered.add(idempotencyKey);
      return { system: 'slack', delivered: true };
    },
  };
}
