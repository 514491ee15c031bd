import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConnectors } from '../../../src/connectors/index.ts';
import type { Database } from '../../../src/db/database.ts';
import { ConfigError } from '../../../src/domain/errors.ts';
import { type ForgeTestServer, startForgeTestServer } from '../../helpers/forge-test-server.ts';

// Building connectors never queries the database; any use here would fail loudly.
const db = new Proxy({} as Database, {
  get(_, name) {
    throw new Error(`createConnectors touched db.${String(name)}`);
  },
});

describe('createConnectors', () => {
  let server: ForgeTestServer;
  beforeAll(async () => {
    server = await startForgeTestServer();
  });
  afterAll(() => server.close());

  it('without settings: local forge, built-in tickets and a notifier that says it delivered nothing', async () => {
    const { forge, tickets, notifier } = createConnectors({ timeoutMs: 1000 }, db);
    expect(typeof forge.openChangeRequest).toBe('function');
    expect(typeof tickets.close).toBe('function');
    expect(await notifier.notify({ text: 'x', idempotencyKey: 'k' })).toEqual({ system: 'none', delivered: false });
  });

  it('notifies through Slack when a webhook is set', async () => {
    const { notifier } = createConnectors({ timeoutMs: 1000, slackWebhookUrl: server.slackWebhookUrl }, db);
    expect(await notifier.notify({ text: 'hello', idempotencyKey: 'k' })).toEqual({ system: 'slack', delivered: true });
    expect(server.state.slackMessages).toEqual([{ text: 'hello' }]);
  });

  it.each([
    [{ tickets: 'github' as const }, 'MOBILIZE_TICKETS: github tickets need GITHUB_TOKEN'],
    [
      { tickets: 'github' as const, github: { token: 't' }, githubIssuesRepo: 'acme' },
      'MOBILIZE_GITHUB_ISSUES_REPO: expected owner/repo for github tickets',
    ],
    [
      { tickets: 'jira' as const },
      'MOBILIZE_TICKETS: jira tickets need JIRA_BASE_URL, JIRA_EMAIL, JIRA_API_TOKEN and JIRA_PROJECT_KEY',
    ],
  ])('refuses a ticket system without its settings (%o)', (options, message) => {
    const build = () => createConnectors({ timeoutMs: 1000, ...options }, db);
    expect(build).toThrow(ConfigError);
    expect(build).toThrow(message);
  });

  it('accepts complete GitHub and Jira ticket settings', () => {
    expect(() =>
      createConnectors(
        { timeoutMs: 1000, tickets: 'github', github: { token: 't' }, githubIssuesRepo: 'acme/tickets' },
        db,
      ),
    ).not.toThrow();
    expect(() =>
      createConnectors(
        {
          timeoutMs: 1000,
          tickets: 'jira',
          jira: { baseUrl: server.jiraBaseUrl, email: 'e@example.com', apiToken: 't', projectKey: 'SEC' },
        },
        db,
      ),
    ).not.toThrow();
  });
});
