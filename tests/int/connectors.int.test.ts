import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createForge } from '../../src/connectors/forge.ts';
import { createGitHubClient } from '../../src/connectors/github.ts';
import { createJiraClient } from '../../src/connectors/jira.ts';
import { createTicketDesk } from '../../src/connectors/ticket-desk.ts';
import type { Database } from '../../src/db/database.ts';
import { listChangeRequests } from '../../src/db/repositories/change-requests-store.ts';
import { findTicket } from '../../src/db/repositories/tickets-store.ts';
import { ConfigError, NotFoundError, UpstreamError } from '../../src/domain/errors.ts';
import type { NewChangeRequest } from '../../src/domain/remediation.ts';
import type { NewTicket } from '../../src/domain/ticket.ts';
import { databaseBackends } from '../helpers/databases.ts';
import { type ForgeTestServer, startForgeTestServer } from '../helpers/forge-test-server.ts';

/** A repository asset (with its URL) and one exposure on it, the least the tables' keys need. */
async function seed(db: Database) {
  await db.query(`INSERT INTO assets (id, name, kind) VALUES ('repo-shop', 'shop', 'repository'),
    ('repo-local', 'local', 'repository')`);
  await db.query(`INSERT INTO asset_identifiers (kind, value, asset_id) VALUES
    ('repository_url', 'https://github.com/acme/shop.git', 'repo-shop'),
    ('repository_url', '/srv/checkouts/local', 'repo-local')`);
  await db.query(`INSERT INTO exposures (id, correlation_key, asset_id, vulnerability_id, kind, title)
    VALUES ('exp-1', 'repo-shop|CVE-2021-23337|lodash', 'repo-shop', 'CVE-2021-23337', 'package', 'lodash RCE')`);
}

const change = (over: Partial<NewChangeRequest> = {}): NewChangeRequest => ({
  assetId: 'repo-shop',
  repositoryUrl: 'https://github.com/acme/shop.git',
  branch: 'mobilize/plan-7',
  base: 'main',
  title: 'Bump lodash to 4.17.21',
  body: 'Fixes CVE-2021-23337 (GHSA-35jh-r3h4-6jhm) on exp-1.',
  planId: null,
  ...over,
});

const ticket: NewTicket = {
  title: 'Patch lodash on shop',
  body: 'Upgrade lodash to 4.17.21.',
  owner: 'team-shop',
  dueAt: new Date('2025-02-01T00:00:00Z'),
  exposureIds: ['exp-1'],
  planId: null,
};

describe.each(databaseBackends())('connectors on $name', (backend) => {
  let db: Database;
  let server: ForgeTestServer;
  const github = () =>
    createGitHubClient({ apiUrl: server.githubApiUrl, token: server.credentials.githubToken, timeoutMs: 2000 });
  const jira = () =>
    createJiraClient({
      baseUrl: server.jiraBaseUrl,
      email: server.credentials.jiraEmail,
      apiToken: server.credentials.jiraApiToken,
      timeoutMs: 2000,
    });

  beforeAll(async () => {
    db = await backend.open();
    await seed(db);
    server = await startForgeTestServer();
  });
  afterAll(async () => {
    await server?.close();
    await db?.close();
  });
  beforeEach(async () => {
    server.reset();
    await db.query('DELETE FROM change_requests');
    await db.query('DELETE FROM tickets');
  });

  describe('forge', () => {
    it('opens a GitHub pull request for a GitHub repository and records it once per key', async () => {
      // Given a forge with a GitHub client
      const forge = createForge({ db, github: { client: github() } });
      // When the same change request is opened twice under one key
      const first = await forge.openChangeRequest(change(), 'plan-7:open');
      const again = await forge.openChangeRequest(change(), 'plan-7:open');
      // Then GitHub saw one pull request and the record points at it
      expect(first).toMatchObject({
        system: 'github',
        externalId: '1',
        url: 'https://github.test/acme/shop/pull/1',
        assetId: 'repo-shop',
        branch: 'mobilize/plan-7',
        state: 'open',
      });
      expect(again).toEqual(first);
      expect(server.requests).toHaveLength(1);
      expect(server.state.pulls).toMatchObject([{ owner: 'acme', repo: 'shop', head: 'mobilize/plan-7' }]);
      expect(await listChangeRequests(db)).toEqual([first]);
    });

    it('pushes the plan branch from the working copy to origin before opening the pull request', async () => {
      // Given a working copy whose origin is a bare repository, with a plan branch committed locally
      const root = fs.mkdtempSync(path.join(os.tmpdir(), 'mobilize-push-'));
      const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();
      try {
        git(root, 'init', '-q', '--bare', '-b', 'main', 'origin.git');
        git(root, 'init', '-q', '-b', 'main', 'work');
        const work = path.join(root, 'work');
        git(work, 'config', 'user.email', 'dev@example.com');
        git(work, 'config', 'user.name', 'Dev');
        git(work, 'commit', '-q', '--allow-empty', '-m', 'initial');
        git(work, 'remote', 'add', 'origin', path.join(root, 'origin.git'));
        git(work, 'branch', 'mobilize/plan-7');
        // When the change request is opened on GitHub
        const forge = createForge({ db, github: { client: github() } });
        await forge.openChangeRequest({ ...change(), checkoutPath: work }, 'plan-7:push');
        // Then origin has the branch GitHub's pull request points at
        expect(git(path.join(root, 'origin.git'), 'rev-parse', 'mobilize/plan-7')).toBe(git(work, 'rev-parse', 'HEAD'));
        expect(server.state.pulls).toMatchObject([{ head: 'mobilize/plan-7' }]);
      } finally {
        fs.rmSync(root, { recursive: true, force: true });
      }
    });

    it('records the pull request GitHub already has for the branch under a new key', async () => {
      const forge = createForge({ db, github: { client: github() } });
      const first = await forge.openChangeRequest(change(), 'run-1');
      const second = await forge.openChangeRequest(change(), 'run-2');
      expect(second).toMatchObject({ system: 'github', externalId: first.externalId, url: first.url });
      expect(server.state.pulls).toHaveLength(1);
    });

    it('records a local change request for a repository that is not on GitHub, or without a client', async () => {
      const forge = createForge({ db, github: { client: github() } });
      const local = await forge.openChangeRequest(
        change({ assetId: 'repo-local', repositoryUrl: '/srv/checkouts/local' }),
        'k-local',
      );
      expect(local).toMatchObject({ system: 'local', externalId: null, url: null, assetId: 'repo-local' });
      const noClient = await createForge({ db }).openChangeRequest(change(), 'k-noclient');
      expect(noClient).toMatchObject({ system: 'local', assetId: 'repo-shop' });
      expect(server.requests).toEqual([]);
    });

    it('closes the open pull request of a branch with a comment saying why, once', async () => {
      // Given an open pull request for the plan branch
      const forge = createForge({ db, github: { client: github() } });
      const opened = await forge.openChangeRequest(change(), 'plan-7:open');
      const close = () =>
        forge.closeChangeRequest({
          assetId: 'repo-shop',
          branch: 'mobilize/plan-7',
          repositoryUrl: 'https://github.com/acme/shop.git',
          reason: 'Rolled back: verification failed.',
        });
      // When it is closed twice
      const closed = await close();
      const again = await close();
      // Then GitHub closed it with the reason as a comment, the record says closed, and once is enough
      expect(closed).toMatchObject({ id: opened.id, system: 'github', state: 'closed' });
      expect(again).toBeNull();
      expect(server.state.pulls).toMatchObject([
        { number: 1, state: 'closed', comments: ['Rolled back: verification failed.'] },
      ]);
      expect(await listChangeRequests(db)).toMatchObject([{ id: opened.id, state: 'closed' }]);
      expect(server.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
        'POST /github/repos/acme/shop/pulls',
        'PATCH /github/repos/acme/shop/pulls/1',
        'POST /github/repos/acme/shop/issues/1/comments',
      ]);
    });

    it('closes a local change request in the record only, and keeps a GitHub one open when GitHub fails', async () => {
      const forge = createForge({ db, github: { client: github() } });
      const local = await forge.openChangeRequest(
        change({ assetId: 'repo-local', repositoryUrl: '/srv/checkouts/local' }),
        'k-local',
      );
      const input = { branch: 'mobilize/plan-7', reason: 'rolled back' };
      expect(await forge.closeChangeRequest({ ...input, assetId: 'repo-local', repositoryUrl: null })).toMatchObject({
        id: local.id,
        state: 'closed',
      });
      await forge.openChangeRequest(change(), 'k-github');
      server.fail({ path: '/pulls/', status: 502, body: { message: 'Server Error' } });
      const github_ = { ...input, assetId: 'repo-shop', repositoryUrl: 'https://github.com/acme/shop.git' };
      await expect(forge.closeChangeRequest(github_)).rejects.toThrow(UpstreamError);
      expect((await listChangeRequests(db)).find((c) => c.assetId === 'repo-shop')).toMatchObject({ state: 'open' });
      // Without a GitHub client now, it says so rather than closing only the record
      await expect(createForge({ db }).closeChangeRequest(github_)).rejects.toThrow(/no GitHub token/);
      expect(await forge.closeChangeRequest(github_)).toMatchObject({ state: 'closed' });
    });

    it('records nothing when GitHub fails, so a retry can open it', async () => {
      server.fail({ path: '/pulls', status: 502, body: { message: 'Server Error' } });
      const forge = createForge({ db, github: { client: github() } });
      await expect(forge.openChangeRequest(change(), 'k-fail')).rejects.toThrow(UpstreamError);
      expect(await listChangeRequests(db)).toEqual([]);
      expect(await forge.openChangeRequest(change(), 'k-fail')).toMatchObject({ system: 'github' });
    });
  });

  describe('ticket desk', () => {
    it('creates built-in tickets only, when no external system is configured', async () => {
      const desk = createTicketDesk({ db });
      const created = await desk.create(ticket, 'k-builtin');
      expect(created).toMatchObject({ system: 'builtin', owner: 'team-shop', url: null, state: 'open' });
      await desk.comment(created.id, 'Looked at it.');
      await desk.close(created.id);
      const row = await findTicket(db, created.id);
      expect(row).toMatchObject({ state: 'closed', externalId: null, comments: [{ body: 'Looked at it.' }] });
      expect(server.requests).toEqual([]);
    });

    it('mirrors to GitHub Issues once, then comments and closes there', async () => {
      // Given a desk mirroring to GitHub Issues
      const desk = createTicketDesk({ db, github: { client: github(), owner: 'acme', repo: 'tickets' } });
      // When a ticket is created twice under one key, commented and closed
      const created = await desk.create(ticket, 'k-gh');
      const again = await desk.create(ticket, 'k-gh');
      await desk.comment(created.id, 'PR opened: https://github.test/acme/shop/pull/1');
      await desk.close(created.id);
      await desk.close(created.id);
      // Then one issue exists, commented and closed, and the row says where it lives
      expect(created).toMatchObject({ system: 'github', url: 'https://github.test/acme/tickets/issues/1' });
      expect(again).toEqual(created);
      expect(server.state.issues).toHaveLength(1);
      expect(server.state.issues[0]).toMatchObject({
        title: 'Patch lodash on shop',
        labels: ['mobilize'],
        state: 'closed',
        comments: ['PR opened: https://github.test/acme/shop/pull/1'],
      });
      expect(server.state.issues[0]!.body).toBe(
        'Upgrade lodash to 4.17.21.\n\nOwner: team-shop\nDue: 2025-02-01\nExposures: exp-1\n\nOpened by Mobilize.',
      );
      expect(server.requests.filter((r) => r.method === 'PATCH')).toHaveLength(1);
      const row = await findTicket(db, created.id);
      expect(row).toMatchObject({
        system: 'github',
        externalId: '1',
        state: 'closed',
        comments: [{ body: 'PR opened: https://github.test/acme/shop/pull/1' }],
      });
      expect(Number.isNaN(Date.parse(row!.comments[0]!.at))).toBe(false);
    });

    it('mirrors to Jira with the due date, and closes through a done transition', async () => {
      const desk = createTicketDesk({ db, jira: { client: jira(), projectKey: 'SEC' } });
      const created = await desk.create(ticket, 'k-jira');
      expect(created).toMatchObject({ system: 'jira', url: `${server.jiraBaseUrl}/browse/SEC-1` });
      expect(server.state.jiraIssues[0]!.fields).toMatchObject({
        project: { key: 'SEC' },
        summary: 'Patch lodash on shop',
        duedate: '2025-02-01',
        issuetype: { name: 'Task' },
      });
      await desk.comment(created.id, 'Fixed in PR 1.');
      await desk.close(created.id);
      expect(server.state.jiraIssues[0]).toMatchObject({ status: 'Done', comments: [expect.anything()] });
      expect(await findTicket(db, created.id)).toMatchObject({ externalId: 'SEC-1', state: 'closed' });
    });

    it('keeps the built-in ticket when the external system fails, and mirrors it on the retry', async () => {
      server.fail({ path: '/issues', status: 401, body: { message: 'Bad credentials' } });
      const desk = createTicketDesk({ db, github: { client: github(), owner: 'acme', repo: 'tickets' } });
      await expect(desk.create(ticket, 'k-retry')).rejects.toThrow(/answered 401: Bad credentials/);
      const retried = await desk.create(ticket, 'k-retry');
      expect(retried).toMatchObject({ system: 'github', url: 'https://github.test/acme/tickets/issues/1' });
      expect(server.state.issues).toHaveLength(1);
    });

    it('refuses to mirror a ticket whose system is no longer configured, and unknown tickets', async () => {
      const created = await createTicketDesk({ db, jira: { client: jira(), projectKey: 'SEC' } }).create(ticket, 'k-x');
      const builtinOnly = createTicketDesk({ db });
      await expect(builtinOnly.close(created.id)).rejects.toThrow(ConfigError);
      expect(await findTicket(db, created.id)).toMatchObject({ state: 'open' });
      await expect(builtinOnly.comment('tkt_nope', 'x')).rejects.toThrow(NotFoundError);
    });

    it('refuses both GitHub and Jira at once', () => {
      expect(() =>
        createTicketDesk({
          db,
          github: { client: github(), owner: 'a', repo: 'b' },
          jira: { client: jira(), projectKey: 'SEC' },
        }),
      ).toThrow(ConfigError);
    });
  });
});
