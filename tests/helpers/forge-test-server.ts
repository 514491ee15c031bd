import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type RecordedForgeRequest = {
  method: string;
  /** The path without the query string. */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** The parsed JSON body, or the raw text when it is not JSON (undefined when empty). */
  body: unknown;
};

/** A failure (or a delay) served instead of the normal answer to the next matching requests. */
export type ForgeFault = {
  method?: string;
  /** Matches the request path (a string matches as a substring). */
  path?: string | RegExp;
  /** The status to answer; without it the request is answered normally after `delayMs`. */
  status?: number;
  /** A JSON value, or a string sent as it is. */
  body?: unknown;
  delayMs?: number;
  /** How many requests it applies to (default 1). */
  times?: number;
};

export type TestPull = {
  owner: string;
  repo: string;
  number: number;
  head: string;
  base: string;
  title: string;
  body: string;
  state: 'open' | 'closed';
  /** Comments on the pull request's conversation (GitHub takes them on the issues endpoint). */
  comments: string[];
};
export type TestIssue = {
  owner: string;
  repo: string;
  number: number;
  title: string;
  body: string;
  labels: string[];
  assignees: string[];
  state: 'open' | 'closed';
  comments: string[];
};
export type TestJiraIssue = {
  id: string;
  key: string;
  fields: Record<string, unknown>;
  status: string;
  comments: unknown[];
};

export type ForgeTestServer = {
  /** Use as the GitHub API URL (the shape of GitHub Enterprise's `https://host/api/v3`). */
  githubApiUrl: string;
  /** Use as the Jira Cloud site URL. */
  jiraBaseUrl: string;
  /** The incoming webhook URL (its path is the secret part, as at Slack). */
  slackWebhookUrl: string;
  /** Credentials the double accepts; anything else is answered 401. */
  credentials: { githubToken: string; jiraEmail: string; jiraApiToken: string };
  requests: RecordedForgeRequest[];
  state: {
    pulls: TestPull[];
    issues: TestIssue[];
    jiraIssues: TestJiraIssue[];
    /** The workflow transitions offered on every Jira issue. */
    jiraTransitions: { id: string; name: string }[];
    slackMessages: { text: string }[];
  };
  /** Serves this failure or delay to the next matching request(s). */
  fail(fault: ForgeFault): void;
  /** Forgets state, faults and recorded requests, between tests. */
  reset(): void;
  close(): Promise<void>;
};

const SLACK_PATH = '/slack/services/T0TEST/B0TEST/s3cr3tW3bh00kP4th';
const DEFAULT_TRANSITIONS = [
  { id: '11', name: 'To Do' },
  { id: '21', name: 'In Progress' },
  { id: '31', name: 'Done' },
];

/**
 * A test double of the GitHub REST endpoints (pull requests, issues, comments), the Jira Cloud
 * REST v3 endpoints (issue, comment, transitions) and a Slack incoming webhook that Mobilize's
 * connectors use: one real HTTP server on 127.0.0.1 with in-memory state, speaking the wire
 * formats of those services (GitHub's 422 for a duplicate pull request, Jira's 204 on a
 * transition, Slack's plain `ok`). It checks credentials, records every request and fails or
 * stalls on demand. It is not GitHub, Jira or Slack: only the few endpoints used exist.
 */
export async function startForgeTestServer(): Promise<ForgeTestServer> {
  const credentials = {
    githubToken: 'ghp_TESTtoken0123456789abcdef',
    jiraEmail: 'bot@example.com',
    jiraApiToken: 'ATATT3xTESTjiraToken987654',
  };
  const requests: RecordedForgeRequest[] = [];
  const faults: ForgeFault[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const state: ForgeTestServer['state'] = {
    pulls: [],
    issues: [],
    jiraIssues: [],
    jiraTransitions: [...DEFAULT_TRANSITIONS],
    slackMessages: [],
  };
  let nextNumber = 1;
  let nextJiraId = 10_000;
  let base = '';

  const send = (res: ServerResponse, status: number, body?: unknown) => {
    if (res.destroyed) return;
    if (body === undefined) {
      res.writeHead(status);
      res.end();
    } else if (typeof body === 'string') {
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(body);
    } else {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify(body));
    }
  };

  const takeFault = (method: string, path: string): ForgeFault | undefined => {
    const index = faults.findIndex(
      (fault) =>
        (!fault.method || fault.method === method) &&
        (!fault.path || (typeof fault.path === 'string' ? path.includes(fault.path) : fault.path.test(path))),
    );
    if (index < 0) return undefined;
    const fault = faults[index]!;
    if ((fault.times ?? 1) <= 1) faults.splice(index, 1);
    else fault.times = (fault.times ?? 1) - 1;
    return fault;
  };

  const github = (request: RecordedForgeRequest, res: ServerResponse) => {
    if (request.headers.authorization !== `Bearer ${credentials.githubToken}`) {
      return send(res, 401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' });
    }
    const body = (request.body ?? {}) as Record<string, unknown>;
    const route = /^\/github\/repos\/([^/]+)\/([^/]+)\/(pulls|issues)(?:\/(\d+))?(\/comments)?$/.exec(request.path);
    if (!route) return send(res, 404, { message: 'Not Found' });
    const [, owner, repo, kind, number, comments] = route as unknown as [
      string,
      string,
      string,
      string,
      string?,
      string?,
    ];
    if (kind === 'pulls' && !number && request.method === 'POST') {
      if (typeof body.title !== 'string' || typeof body.head !== 'string' || typeof body.base !== 'string') {
        return send(res, 422, { message: 'Validation Failed', errors: [{ resource: 'PullRequest', code: 'missing' }] });
      }
      const head = body.head.includes(':') ? body.head.split(':')[1]! : body.head;
      if (state.pulls.some((p) => p.owner === owner && p.repo === repo && p.head === head && p.state === 'open')) {
        return send(res, 422, {
          message: 'Validation Failed',
          errors: [
            { resource: 'PullRequest', code: 'custom', message: `A pull request already exists for ${owner}:${head}.` },
          ],
        });
      }
      const pull: TestPull = {
        owner,
        repo,
        number: nextNumber++,
        head,
        base: body.base,
        title: body.title,
        body: typeof body.body === 'string' ? body.body : '',
        state: 'open',
        comments: [],
      };
      state.pulls.push(pull);
      return send(res, 201, pullJson(pull));
    }
    if (kind === 'pulls' && !number && request.method === 'GET') {
      const head = request.query.get('head');
      const wantedBase = request.query.get('base');
      const wantedState = request.query.get('state') ?? 'open';
      const found = state.pulls.filter(
        (p) =>
          p.owner === owner &&
          p.repo === repo &&
          (!head || `${p.owner}:${p.head}` === head) &&
          (!wantedBase || p.base === wantedBase) &&
          (wantedState === 'all' || p.state === wantedState),
      );
      return send(res, 200, found.map(pullJson));
    }
    if (kind === 'issues' && !number && request.method === 'POST') {
      if (typeof body.title !== 'string') return send(res, 422, { message: 'Validation Failed' });
      const issue: TestIssue = {
        owner,
        repo,
        number: nextNumber++,
        title: body.title,
        body: typeof body.body === 'string' ? body.body : '',
        labels: Array.isArray(body.labels) ? body.labels.map(String) : [],
        assignees: Array.isArray(body.assignees) ? body.assignees.map(String) : [],
        state: 'open',
        comments: [],
      };
      state.issues.push(issue);
      return send(res, 201, issueJson(issue));
    }
    const pull = state.pulls.find((p) => p.owner === owner && p.repo === repo && p.number === Number(number));
    if (kind === 'pulls' && pull && request.method === 'PATCH') {
      if (body.state === 'closed' || body.state === 'open') pull.state = body.state;
      return send(res, 200, pullJson(pull));
    }
    // Pull requests share the issues' numbers, and take comments on the issues endpoint.
    if (kind === 'issues' && pull && comments && request.method === 'POST') {
      if (typeof body.body !== 'string') return send(res, 422, { message: 'Validation Failed' });
      pull.comments.push(body.body);
      return send(res, 201, { id: pull.comments.length, body: body.body, html_url: pullJson(pull).html_url });
    }
    const issue = state.issues.find((i) => i.owner === owner && i.repo === repo && i.number === Number(number));
    if (kind === 'issues' && number && !issue) return send(res, 404, { message: 'Not Found' });
    if (issue && comments && request.method === 'POST') {
      if (typeof body.body !== 'string') return send(res, 422, { message: 'Validation Failed' });
      issue.comments.push(body.body);
      return send(res, 201, { id: issue.comments.length, body: body.body, html_url: `${issueJson(issue).html_url}` });
    }
    if (issue && !comments && request.method === 'PATCH') {
      if (body.state === 'closed' || body.state === 'open') issue.state = body.state;
      return send(res, 200, issueJson(issue));
    }
    return send(res, 404, { message: 'Not Found' });
  };

  const jira = (request: RecordedForgeRequest, res: ServerResponse) => {
    const expected = `Basic ${Buffer.from(`${credentials.jiraEmail}:${credentials.jiraApiToken}`).toString('base64')}`;
    if (request.headers.authorization !== expected) {
      return send(res, 401, {
        errorMessages: ['You are not authenticated. Authentication required to perform this operation.'],
      });
    }
    const body = (request.body ?? {}) as Record<string, unknown>;
    if (request.path === '/jira/rest/api/3/issue' && request.method === 'POST') {
      const fields = (body.fields ?? {}) as Record<string, unknown>;
      const project = (fields.project as { key?: unknown } | undefined)?.key;
      const issueType = (fields.issuetype as { name?: unknown } | undefined)?.name;
      const errors: Record<string, string> = {};
      if (typeof project !== 'string') errors.project = 'Specify a valid project ID or key';
      if (typeof fields.summary !== 'string' || !fields.summary)
        errors.summary = 'You must specify a summary of the issue.';
      if (typeof issueType !== 'string') errors.issuetype = 'Specify an issue type';
      if (fields.description !== undefined && !isAdf(fields.description)) {
        errors.description = 'Operation value must be an Atlassian Document (see the Atlassian Document Format)';
      }
      if (Object.keys(errors).length) return send(res, 400, { errorMessages: [], errors });
      const id = String(nextJiraId++);
      const key = `${project}-${state.jiraIssues.filter((i) => i.key.startsWith(`${project}-`)).length + 1}`;
      state.jiraIssues.push({ id, key, fields, status: 'To Do', comments: [] });
      return send(res, 201, { id, key, self: `${base}/jira/rest/api/3/issue/${id}` });
    }
    const route = /^\/jira\/rest\/api\/3\/issue\/([^/]+)\/(comment|transitions)$/.exec(request.path);
    const issue = route ? state.jiraIssues.find((i) => i.key === decodeURIComponent(route[1]!)) : undefined;
    if (!route || !issue) {
      return send(res, 404, {
        errorMessages: ['Issue does not exist or you do not have permission to see it.'],
        errors: {},
      });
    }
    if (route[2] === 'comment' && request.method === 'POST') {
      if (!isAdf(body.body))
        return send(res, 400, { errorMessages: [], errors: { comment: 'Comment body is not ADF' } });
      issue.comments.push(body.body);
      return send(res, 201, { id: String(issue.comments.length), body: body.body });
    }
    if (route[2] === 'transitions' && request.method === 'GET') {
      return send(res, 200, {
        transitions: state.jiraTransitions.map((t) => ({ ...t, to: { name: t.name }, hasScreen: false })),
      });
    }
    if (route[2] === 'transitions' && request.method === 'POST') {
      const id = (body.transition as { id?: unknown } | undefined)?.id;
      const transition = state.jiraTransitions.find((t) => t.id === id);
      if (!transition)
        return send(res, 400, { errorMessages: ['Transition id is not valid for this issue.'], errors: {} });
      issue.status = transition.name;
      return send(res, 204);
    }
    return send(res, 405, { errorMessages: ['Method not allowed'] });
  };

  const slack = (request: RecordedForgeRequest, res: ServerResponse) => {
    if (request.path !== SLACK_PATH || request.method !== 'POST') return send(res, 404, 'no_service');
    const text = (request.body as { text?: unknown } | undefined)?.text;
    if (typeof text !== 'string' || !text) return send(res, 400, 'invalid_payload');
    state.slackMessages.push({ text });
    return send(res, 200, 'ok');
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown = text || undefined;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        // Kept as text: a test may want to see what a broken client sent.
      }
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const request: RecordedForgeRequest = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body,
      };
      requests.push(request);
      const answer = () => {
        if (request.path.startsWith('/github/')) return github(request, res);
        if (request.path.startsWith('/jira/')) return jira(request, res);
        if (request.path.startsWith('/slack/')) return slack(request, res);
        return send(res, 404, { message: `forge test server: no route ${request.method} ${request.path}` });
      };
      const fault = takeFault(request.method, request.path);
      const act = () => (fault?.status ? send(res, fault.status, fault.body) : answer());
      if (!fault?.delayMs) return act();
      const timer = setTimeout(() => {
        timers.delete(timer);
        act();
      }, fault.delayMs);
      timers.add(timer);
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  base = `http://127.0.0.1:${port}`;
  return {
    githubApiUrl: `${base}/github`,
    jiraBaseUrl: `${base}/jira`,
    slackWebhookUrl: `${base}${SLACK_PATH}`,
    credentials,
    requests,
    state,
    fail: (fault) => {
      faults.push({ ...fault });
    },
    reset: () => {
      requests.length = 0;
      faults.length = 0;
      state.pulls.length = 0;
      state.issues.length = 0;
      state.jiraIssues.length = 0;
      state.jiraTransitions = [...DEFAULT_TRANSITIONS];
      state.slackMessages.length = 0;
      nextNumber = 1;
      nextJiraId = 10_000;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function pullJson(pull: TestPull) {
  return {
    number: pull.number,
    html_url: `https://github.test/${pull.owner}/${pull.repo}/pull/${pull.number}`,
    state: pull.state,
    title: pull.title,
    head: { ref: pull.head },
    base: { ref: pull.base },
  };
}

function issueJson(issue: TestIssue) {
  return {
    number: issue.number,
    html_url: `https://github.test/${issue.owner}/${issue.repo}/issues/${issue.number}`,
    state: issue.state,
    title: issue.title,
    labels: issue.labels.map((name) => ({ name })),
  };
}

function isAdf(value: unknown): boolean {
  const doc = value as { type?: unknown; version?: unknown; content?: unknown } | undefined;
  return doc?.type === 'doc' && doc.version === 1 && Array.isArray(doc.content);
}
