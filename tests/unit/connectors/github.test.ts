import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createGitHubClient, parseGitHubRepository } from '../../../src/connectors/github.ts';
import { UpstreamHttpError } from '../../../src/connectors/http.ts';
import { UpstreamError } from '../../../src/domain/errors.ts';
import { type ForgeTestServer, startForgeTestServer } from '../../helpers/forge-test-server.ts';

describe('GitHub client', () => {
  let server: ForgeTestServer;
  beforeAll(async () => {
    server = await startForgeTestServer();
  });
  afterAll(() => server.close());
  beforeEach(() => server.reset());

  const client = (token = server.credentials.githubToken, timeoutMs = 2000) =>
    createGitHubClient({ apiUrl: `${server.githubApiUrl}/`, token, timeoutMs });
  const pull = { owner: 'acme', repo: 'shop', head: 'mobilize/plan-7', base: 'main', title: 'Bump lodash', body: 'B' };

  it('opens a pull request with the documented headers and body', async () => {
    const opened = await client().openPullRequest(pull);
    expect(opened).toEqual({ number: 1, url: 'https://github.test/acme/shop/pull/1', created: true });
    const [request] = server.requests;
    expect(request).toMatchObject({ method: 'POST', path: '/github/repos/acme/shop/pulls' });
    expect(request!.body).toEqual({ title: 'Bump lodash', head: 'mobilize/plan-7', base: 'main', body: 'B' });
    expect(request!.headers).toMatchObject({
      authorization: `Bearer ${server.credentials.githubToken}`,
      accept: 'application/vnd.github+json',
      'x-github-api-version': '2022-11-28',
      'user-agent': 'mobilize',
      'content-type': 'application/json',
    });
  });

  it('returns the open pull request of the branch when GitHub says it already exists', async () => {
    const first = await client().openPullRequest(pull);
    server.requests.length = 0;
    const again = await client().openPullRequest({ ...pull, title: 'Another title' });
    expect(again).toEqual({ number: first.number, url: first.url, created: false });
    expect(server.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /github/repos/acme/shop/pulls',
      'GET /github/repos/acme/shop/pulls',
    ]);
    expect(Object.fromEntries(server.requests[1]!.query)).toEqual({
      head: 'acme:mobilize/plan-7',
      base: 'main',
      state: 'open',
    });
    expect(server.state.pulls).toHaveLength(1);
  });

  it('rethrows a 422 that is not a duplicate pull request', async () => {
    server.fail({ method: 'POST', path: '/pulls', status: 422, body: { message: 'Validation Failed' } });
    const error = await client()
      .openPullRequest(pull)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UpstreamHttpError);
    expect((error as UpstreamHttpError).upstreamStatus).toBe(422);
    expect((error as Error).message).toMatch(/^GitHub create pull request: .* answered 422: Validation Failed$/);
  });

  it('creates, comments and closes an issue', async () => {
    const issue = await client().createIssue({
      owner: 'acme',
      repo: 'tickets',
      title: 'Patch lodash',
      body: 'Due 2025-02-01',
      labels: ['mobilize'],
    });
    expect(issue).toEqual({ number: 1, url: 'https://github.test/acme/tickets/issues/1' });
    expect(server.requests[0]!.body).toEqual({ title: 'Patch lodash', body: 'Due 2025-02-01', labels: ['mobilize'] });

    await client().commentIssue({ owner: 'acme', repo: 'tickets', number: 1, body: 'Fixed by #2' });
    expect(server.requests[1]).toMatchObject({
      method: 'POST',
      path: '/github/repos/acme/tickets/issues/1/comments',
      body: { body: 'Fixed by #2' },
    });

    await client().closeIssue({ owner: 'acme', repo: 'tickets', number: 1 });
    expect(server.requests[2]).toMatchObject({
      method: 'PATCH',
      path: '/github/repos/acme/tickets/issues/1',
      body: { state: 'closed' },
    });
    expect(server.state.issues[0]).toMatchObject({ state: 'closed', comments: ['Fixed by #2'] });
  });

  it('sends assignees only when given', async () => {
    await client().createIssue({ owner: 'a', repo: 'b', title: 'T', body: '', assignees: ['octocat'] });
    expect(server.requests[0]!.body).toEqual({ title: 'T', body: '', assignees: ['octocat'] });
  });

  it('fails on 401 without the token in the message', async () => {
    const token = 'ghp_WRONGwrongWRONG0000';
    const error = await client(token)
      .createIssue({ owner: 'a', repo: 'b', title: 'T', body: '' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UpstreamError);
    expect((error as Error).message).toMatch(/^GitHub create issue: 127\.0\.0\.1:\d+ answered 401: Bad credentials$/);
    expect(JSON.stringify(error)).not.toContain(token);
    expect(String((error as Error).stack)).not.toContain(token);
  });

  it('times out', async () => {
    server.fail({ delayMs: 1000 });
    await expect(client(undefined, 100).closeIssue({ owner: 'a', repo: 'b', number: 1 })).rejects.toThrow(
      /^GitHub close issue: .* did not answer within 100 ms$/,
    );
  });

  it('refuses an answer of the wrong shape', async () => {
    server.fail({ status: 201, body: { id: 5 } });
    await expect(client().createIssue({ owner: 'a', repo: 'b', title: 'T', body: '' })).rejects.toThrow(
      /^GitHub create issue: unexpected answer/,
    );
  });
});

describe('parseGitHubRepository', () => {
  it.each([
    ['https://github.com/acme/shop', { owner: 'acme', repo: 'shop' }],
    ['https://github.com/acme/shop.git', { owner: 'acme', repo: 'shop' }],
    ['https://github.com/acme/shop/', { owner: 'acme', repo: 'shop' }],
    ['https://GitHub.com/acme/my.repo', { owner: 'acme', repo: 'my.repo' }],
    ['git@github.com:acme/shop.git', { owner: 'acme', repo: 'shop' }],
    ['ssh://git@github.com/acme/shop.git', { owner: 'acme', repo: 'shop' }],
  ])('parses %s', (url, expected) => {
    expect(parseGitHubRepository(url)).toEqual(expected);
  });

  it.each([
    '/srv/checkouts/shop',
    'https://gitlab.com/acme/shop',
    'https://github.com/acme',
    'https://github.com/acme/shop/tree/main',
    'git@gitlab.com:acme/shop.git',
    'ftp://github.com/acme/shop',
    'not a url',
  ])('refuses %s', (url) => {
    expect(parseGitHubRepository(url)).toBeNull();
  });

  it('accepts GitHub Enterprise hosts only when configured', () => {
    expect(parseGitHubRepository('https://ghe.example.com/team/api.git')).toBeNull();
    expect(parseGitHubRepository('https://ghe.example.com/team/api.git', ['GHE.example.com'])).toEqual({
      owner: 'team',
      repo: 'api',
    });
    expect(parseGitHubRepository('git@ghe.example.com:team/api.git', ['ghe.example.com'])).toEqual({
      owner: 'team',
      repo: 'api',
    });
  });
});
