import { z } from 'zod';
import { UpstreamError } from '../domain/errors.ts';
import { requestJson, UpstreamHttpError } from './http.ts';

export const GITHUB_API_URL = 'https://api.github.com';

export type GitHubClientOptions = {
  /** `https://api.github.com`, or `https://<host>/api/v3` for GitHub Enterprise Server. */
  apiUrl?: string;
  token: string;
  timeoutMs: number;
  userAgent?: string;
};

export type GitHubRepository = { owner: string; repo: string };

/** A pull request as Mobilize records it; `created` is false when it already existed. */
export type GitHubPullRequest = { number: number; url: string; created: boolean };
export type GitHubIssue = { number: number; url: string };

/** The few GitHub REST calls Mobilize makes (pull requests and issues), each with a timeout. */
export type GitHubClient = {
  /** Opens a pull request from `head` (a branch of the same repository) into `base`; idempotent per branch. */
  openPullRequest(
    request: GitHubRepository & { head: string; base: string; title: string; body: string },
  ): Promise<GitHubPullRequest>;
  createIssue(
    request: GitHubRepository & { title: string; body: string; assignees?: string[]; labels?: string[] },
  ): Promise<GitHubIssue>;
  commentIssue(request: GitHubRepository & { number: number; body: string }): Promise<void>;
  closeIssue(request: GitHubRepository & { number: number }): Promise<void>;
  /** Closes a pull request, then comments why (its branch stays on GitHub, as GitHub keeps it). */
  closePullRequest(request: GitHubRepository & { number: number; comment: string }): Promise<void>;
};

const PullSchema = z.object({ number: z.number().int().positive(), html_url: z.string() });
const IssueSchema = z.object({ number: z.number().int().positive(), html_url: z.string() });

/**
 * A GitHub REST client over fetch (no SDK: six endpoints). The token goes only into the
 * Authorization header; errors name the call, the host and the status, never the token.
 */
export function createGitHubClient(options: GitHubClientOptions): GitHubClient {
  const apiUrl = (options.apiUrl ?? GITHUB_API_URL).replace(/\/+$/, '');
  const headers = {
    authorization: `Bearer ${options.token}`,
    accept: 'application/vnd.github+json',
    'x-github-api-version': '2022-11-28',
    'user-agent': options.userAgent ?? 'mobilize',
  };
  const repoPath = ({ owner, repo }: GitHubRepository) =>
    `${apiUrl}/repos/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}`;
  const call = (method: 'GET' | 'POST' | 'PATCH', url: string, what: string, body?: unknown) =>
    requestJson({ method, url, headers, body, timeoutMs: options.timeoutMs, what: `GitHub ${what}` });

  return {
    async openPullRequest(request) {
      const { head, base, title, body } = request;
      try {
        const created = await call('POST', `${repoPath(request)}/pulls`, 'create pull request', {
          title,
          head,
          base,
          body,
        });
        const pull = parse(PullSchema, created, 'GitHub create pull request');
        return { number: pull.number, url: pull.html_url, created: true };
      } catch (error) {
        // 422 is also GitHub's answer to "a pull request already exists for this branch": find it.
        if (!(error instanceof UpstreamHttpError) || error.upstreamStatus !== 422) throw error;
        const query = new URLSearchParams({ head: `${request.owner}:${head}`, base, state: 'open' });
        const found = await call('GET', `${repoPath(request)}/pulls?${query}`, 'find pull request');
        const pulls = parse(z.array(PullSchema), found, 'GitHub find pull request');
        if (!pulls[0]) throw error;
        return { number: pulls[0].number, url: pulls[0].html_url, created: false };
      }
    },
    async createIssue(request) {
      const { title, body, assignees, labels } = request;
      const created = await call('POST', `${repoPath(request)}/issues`, 'create issue', {
        title,
        body,
        ...(assignees?.length ? { assignees } : {}),
        ...(labels?.length ? { labels } : {}),
      });
      const issue = parse(IssueSchema, created, 'GitHub create issue');
      return { number: issue.number, url: issue.html_url };
    },
    async commentIssue(request) {
      await call('POST', `${repoPath(request)}/issues/${request.number}/comments`, 'comment issue', {
        body: request.body,
      });
    },
    async closeIssue(request) {
      await call('PATCH', `${repoPath(request)}/issues/${request.number}`, 'close issue', { state: 'closed' });
    },
    async closePullRequest(request) {
      // Closed first: a change that was rolled back must not be merged, whatever happens to the comment.
      await call('PATCH', `${repoPath(request)}/pulls/${request.number}`, 'close pull request', { state: 'closed' });
      // Pull requests are issues to GitHub: their conversation takes comments on the issues endpoint.
      await call('POST', `${repoPath(request)}/issues/${request.number}/comments`, 'comment pull request', {
        body: request.comment,
      });
    },
  };
}

function parse<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new UpstreamError(`${what}: unexpected answer (${parsed.error.issues[0]?.message})`);
  return parsed.data;
}

const NAME = /^[A-Za-z0-9_.-]+$/;

/**
 * The owner and repository of a GitHub URL (https, ssh or scp-like `git@host:o/r.git`) on
 * github.com or one of the GitHub Enterprise `hosts`; null for anything else (a local path, GitLab).
 */
export function parseGitHubRepository(url: string, hosts: readonly string[] = []): GitHubRepository | null {
  const known = new Set(['github.com', ...hosts.map((host) => host.toLowerCase())]);
  let host: string;
  let path: string;
  const scp = /^[A-Za-z0-9_.-]+@([^:/]+):(.+)$/.exec(url.trim());
  if (scp) {
    host = scp[1]!;
    path = scp[2]!;
  } else {
    let parsed: URL;
    try {
      parsed = new URL(url.trim());
    } catch {
      return null;
    }
    if (!['https:', 'http:', 'ssh:', 'git+https:', 'git+ssh:'].includes(parsed.protocol)) return null;
    host = parsed.hostname;
    path = parsed.pathname;
  }
  if (!known.has(host.toLowerCase())) return null;
  const parts = path
    .replace(/^\/+|\/+$/g, '')
    .replace(/\.git$/, '')
    .split('/');
  if (parts.length !== 2) return null;
  const [owner, repo] = parts as [string, string];
  if (!NAME.test(owner) || !NAME.test(repo) || repo === '.' || repo === '..') return null;
  return { owner, repo };
}
