import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createJiraClient, toAdf } from '../../../src/connectors/jira.ts';
import { UpstreamError } from '../../../src/domain/errors.ts';
import { type ForgeTestServer, startForgeTestServer } from '../../helpers/forge-test-server.ts';

describe('Jira client', () => {
  let server: ForgeTestServer;
  beforeAll(async () => {
    server = await startForgeTestServer();
  });
  afterAll(() => server.close());
  beforeEach(() => server.reset());

  const client = (apiToken = server.credentials.jiraApiToken, timeoutMs = 2000) =>
    createJiraClient({ baseUrl: `${server.jiraBaseUrl}/`, email: server.credentials.jiraEmail, apiToken, timeoutMs });
  const newIssue = async () =>
    client().createIssue({ projectKey: 'SEC', summary: 'Patch lodash', description: 'Owner: shop team' });

  it('creates an issue with basic auth and an ADF description', async () => {
    const issue = await client().createIssue({
      projectKey: 'SEC',
      summary: 'Patch lodash on shop',
      description: 'CVE-2021-23337 in lodash.\nUpgrade to 4.17.21.\n\nPlan: plan-7',
      dueDate: '2025-02-01',
      labels: ['mobilize'],
    });
    expect(issue).toEqual({ key: 'SEC-1', id: '10000', url: `${server.jiraBaseUrl}/browse/SEC-1` });
    const [request] = server.requests;
    expect(request).toMatchObject({ method: 'POST', path: '/jira/rest/api/3/issue' });
    const basic = Buffer.from(`${server.credentials.jiraEmail}:${server.credentials.jiraApiToken}`).toString('base64');
    expect(request!.headers).toMatchObject({
      authorization: `Basic ${basic}`,
      accept: 'application/json',
      'content-type': 'application/json',
    });
    expect(request!.body).toEqual({
      fields: {
        project: { key: 'SEC' },
        summary: 'Patch lodash on shop',
        description: {
          type: 'doc',
          version: 1,
          content: [
            {
              type: 'paragraph',
              content: [
                { type: 'text', text: 'CVE-2021-23337 in lodash.' },
                { type: 'hardBreak' },
                { type: 'text', text: 'Upgrade to 4.17.21.' },
              ],
            },
            { type: 'paragraph', content: [{ type: 'text', text: 'Plan: plan-7' }] },
          ],
        },
        issuetype: { name: 'Task' },
        duedate: '2025-02-01',
        labels: ['mobilize'],
      },
    });
  });

  it('comments in ADF', async () => {
    await newIssue();
    await client().comment({ key: 'SEC-1', body: 'Pull request opened.' });
    expect(server.requests[1]).toMatchObject({
      method: 'POST',
      path: '/jira/rest/api/3/issue/SEC-1/comment',
      body: {
        body: {
          type: 'doc',
          version: 1,
          content: [{ type: 'paragraph', content: [{ type: 'text', text: 'Pull request opened.' }] }],
        },
      },
    });
    expect(server.state.jiraIssues[0]!.comments).toHaveLength(1);
  });

  it('closes through the first transition named done, closed or resolved', async () => {
    await newIssue();
    await client().close({ key: 'SEC-1' });
    expect(server.requests.slice(1).map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /jira/rest/api/3/issue/SEC-1/transitions',
      'POST /jira/rest/api/3/issue/SEC-1/transitions',
    ]);
    expect(server.requests[2]!.body).toEqual({ transition: { id: '31' } });
    expect(server.state.jiraIssues[0]!.status).toBe('Done');
  });

  it('closes through a named transition', async () => {
    await newIssue();
    server.state.jiraTransitions = [
      { id: '5', name: 'Resolve Issue' },
      { id: '7', name: 'Won\u2019t fix' },
    ];
    await client().close({ key: 'SEC-1', transition: 'won\u2019t FIX' });
    expect(server.requests.at(-1)!.body).toEqual({ transition: { id: '7' } });
  });

  it('says which transitions exist when none closes', async () => {
    await newIssue();
    server.state.jiraTransitions = [{ id: '2', name: 'In Review' }];
    await expect(client().close({ key: 'SEC-1' })).rejects.toThrow(
      'Jira close issue: SEC-1 has no transition done, closed or resolve (available: In Review)',
    );
  });

  it('names the fields Jira refuses', async () => {
    server.fail({ status: 400, body: { errorMessages: [], errors: { duedate: 'Due date is not on the screen' } } });
    await expect(newIssue()).rejects.toThrow(
      /^Jira create issue: .* answered 400: duedate: Due date is not on the screen$/,
    );
  });

  it('fails on 401 without the token or email:token in the message', async () => {
    const token = 'ATATT-wrong-token-0000';
    const error = (await client(token)
      .comment({ key: 'SEC-1', body: 'x' })
      .catch((e: unknown) => e)) as UpstreamError;
    expect(error).toBeInstanceOf(UpstreamError);
    expect(error.message).toMatch(/^Jira comment issue: 127\.0\.0\.1:\d+ answered 401: You are not authenticated/);
    expect(error.message).not.toContain(token);
  });

  it('times out', async () => {
    server.fail({ delayMs: 1000 });
    await expect(client(undefined, 100).close({ key: 'SEC-1' })).rejects.toThrow(/did not answer within 100 ms$/);
  });
});

describe('toAdf', () => {
  it('keeps an empty text valid ADF (one empty paragraph, no empty text nodes)', () => {
    expect(toAdf('')).toEqual({ type: 'doc', version: 1, content: [{ type: 'paragraph', content: [] }] });
    expect(toAdf('a\r\n\r\n\r\nb')).toEqual({
      type: 'doc',
      version: 1,
      content: [
        { type: 'paragraph', content: [{ type: 'text', text: 'a' }] },
        { type: 'paragraph', content: [{ type: 'text', text: 'b' }] },
      ],
    });
  });
});
