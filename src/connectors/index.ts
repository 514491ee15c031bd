import type { Forge, Notifier } from '../../tools/context.ts';
import type { Database } from '../db/database.ts';
import { ConfigError } from '../domain/errors.ts';
import { createForge } from './forge.ts';
import { createGitHubClient, type GitHubClient } from './github.ts';
import { createJiraClient } from './jira.ts';
import { createSlackNotifier } from './slack.ts';
import { type ConnectedTicketDesk, createTicketDesk } from './ticket-desk.ts';

/** No notification channel configured: says so instead of pretending to deliver. */
const NO_NOTIFIER: Notifier = { notify: async () => ({ system: 'none', delivered: false }) };

/** What the connectors need from the configuration, as plain values (the composition root maps Config to it). */
export type ConnectorOptions = {
  /** Every outbound call's timeout (MOBILIZE_HTTP_TIMEOUT_MS). */
  timeoutMs: number;
  /** GITHUB_TOKEN, MOBILIZE_GITHUB_API_URL, MOBILIZE_GITHUB_HOSTS (comma-separated host names). */
  github?: { token: string; apiUrl?: string; hosts?: readonly string[] };
  /** MOBILIZE_TICKETS (default builtin). */
  tickets?: 'builtin' | 'github' | 'jira';
  /** MOBILIZE_GITHUB_ISSUES_REPO, `owner/repo`: where GitHub Issues tickets go. */
  githubIssuesRepo?: string;
  /** JIRA_BASE_URL, JIRA_EMAIL, JIRA_API_TOKEN, JIRA_PROJECT_KEY. */
  jira?: { baseUrl: string; email: string; apiToken: string; projectKey: string };
  /** SLACK_WEBHOOK_URL */
  slackWebhookUrl?: string;
  userAgent?: string;
};

/**
 * Builds the forge, ticket desk and notifier from configured values: GitHub pull requests when a
 * token is set (else the local forge), tickets mirrored to the chosen system, Slack when a webhook
 * is set (else no notifier). A choice that lacks its settings fails here, at boot.
 */
export function createConnectors(
  options: ConnectorOptions,
  db: Database,
): { forge: Forge; tickets: ConnectedTicketDesk; notifier: Notifier } {
  const { timeoutMs } = options;
  const githubClient: GitHubClient | undefined = options.github
    ? createGitHubClient({
        token: options.github.token,
        apiUrl: options.github.apiUrl,
        timeoutMs,
        userAgent: options.userAgent,
      })
    : undefined;
  const forge = createForge({
    db,
    github: githubClient ? { client: githubClient, hosts: options.github?.hosts } : undefined,
    timeoutMs,
  });

  const system = options.tickets ?? 'builtin';
  let tickets: ConnectedTicketDesk;
  if (system === 'github') {
    if (!githubClient) throw new ConfigError('MOBILIZE_TICKETS', 'github tickets need GITHUB_TOKEN');
    const [owner, repo, ...rest] = (options.githubIssuesRepo ?? '').split('/');
    if (!owner || !repo || rest.length) {
      throw new ConfigError('MOBILIZE_GITHUB_ISSUES_REPO', 'expected owner/repo for github tickets');
    }
    tickets = createTicketDesk({ db, github: { client: githubClient, owner, repo } });
  } else if (system === 'jira') {
    const jira = options.jira;
    if (!jira) {
      throw new ConfigError(
        'MOBILIZE_TICKETS',
        'jira tickets need JIRA_BASE_URL, JIRA_EMAIL, JIRA_API_TOKEN and JIRA_PROJECT_KEY',
      );
    }
    tickets = createTicketDesk({
      db,
      jira: { client: createJiraClient({ ...jira, timeoutMs }), projectKey: jira.projectKey },
    });
  } else {
    tickets = createTicketDesk({ db });
  }

  const notifier = options.slackWebhookUrl
    ? createSlackNotifier({ webhookUrl: options.slackWebhookUrl, timeoutMs })
    : NO_NOTIFIER;
  return { forge, tickets, notifier };
}
