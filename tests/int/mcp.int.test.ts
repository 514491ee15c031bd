import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import type { Database } from '../../src/db/database.ts';
import { createApiToken } from '../../src/db/repositories/api-tokens.ts';
import { appendAudit } from '../../src/db/repositories/audit-log.ts';
import { listPlans } from '../../src/db/repositories/plans-store.ts';
import type { Role } from '../../src/domain/auth.ts';
import type { PlanRecord } from '../../src/domain/plan.ts';
import { toolContext } from '../../src/graph/deps.ts';
import { createOrchestrator, type Orchestrator } from '../../src/graph/orchestrator.ts';
import { createLogger } from '../../src/logger.ts';
import { authenticateBearer, type McpHttpHandler, mcpHttpHandler } from '../../src/mcp/http.ts';
import { createMcpServer } from '../../src/mcp/server.ts';
import { loadPolicy } from '../../src/prioritize/policy.ts';
import { databaseBackends } from '../helpers/databases.ts';
import { buildEstate, type Estate, ingestEstate, LODASH_ADVISORY } from '../helpers/estate.ts';

const config = loadConfig({ MOBILIZE_HOME: '/tmp/mobilize-unused', LOG_LEVEL: 'silent' });
const logger = createLogger(config);
const policy = loadPolicy();

const READ_TOOLS = [
  'explain_risk',
  'get_advisory',
  'get_asset',
  'get_exposure',
  'list_pending_approvals',
  'search_exposures',
  'semantic_search',
];

function text(result: unknown): string {
  return ((result as CallToolResult).content[0] as { text: string }).text;
}

describe.each(databaseBackends())('MCP server on $name', (backend) => {
  let db: Database;
  let estate: Estate;
  let orchestrator: Orchestrator;
  let pending: PlanRecord;
  const clients: Client[] = [];

  function serverFor(role: Role, identity: string) {
    return createMcpServer({
      context: () => toolContext(orchestrator.deps),
      role,
      identity,
      audit: (entry) => db.transaction((tx) => appendAudit(tx, [entry])),
      decide: (input) => orchestrator.decide(input),
    });
  }

  async function connect(role: Role, identity = `test-${role}`): Promise<Client> {
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await serverFor(role, identity).connect(serverSide);
    const client = new Client({ name: 'mcp-test', version: '1.0.0' });
    await client.connect(clientSide);
    clients.push(client);
    return client;
  }

  beforeAll(async () => {
    // Given: the estate ingested and run once, so there are summaries and a pending crown-jewel plan
    db = await backend.open();
    estate = buildEstate();
    await ingestEstate(db, estate);
    orchestrator = await createOrchestrator({ db, policy, logger, config });
    await orchestrator.run({ startedBy: 'user:alice' });
    [pending] = await listPlans(db, { status: 'pending' });
    expect(pending).toBeDefined();
  }, 120_000);
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await db?.close();
    estate?.cleanup();
  });

  it('lists the read-only tools to a viewer, and decide_approval only to an approver', async () => {
    const viewer = await connect('viewer');
    const names = (await viewer.listTools()).tools.map((t) => t.name).sort();
    expect(names).toEqual(READ_TOOLS);
    const tools = (await viewer.listTools()).tools;
    expect(tools.every((t) => t.annotations?.readOnlyHint === true && t.outputSchema)).toBe(true);
    const approver = await connect('approver');
    expect((await approver.listTools()).tools.map((t) => t.name)).toContain('decide_approval');
  });

  it('searches exposures with typed filters and returns structured rows', async () => {
    const client = await connect('viewer');
    const result = await client.callTool({
      name: 'search_exposures',
      arguments: { component: 'express', state: 'all' },
    });
    expect(result.isError).toBeFalsy();
    const { total, rows } = result.structuredContent as { total: number; rows: { component: string; id: string }[] };
    expect(total).toBe(1);
    expect(rows[0]!.component).toBe('npm/express');
    expect(rows[0]!.id).toBe(pending.exposureIds[0]);
    expect(text(result)).toContain('1 of 1 exposures');
  });

  it('returns the full context of an exposure', async () => {
    const client = await connect('viewer');
    const id = pending.exposureIds[0]!;
    const result = await client.callTool({ name: 'get_exposure', arguments: { id } });
    expect(result.isError).toBeFalsy();
    const context = result.structuredContent as {
      exposure: { id: string; openedAt: string };
      asset: { id: string };
      advisory: { id: string } | null;
      advisorySummary: { text: string } | null;
      coverageEvidence: unknown[];
      ssvcPath: { point: string }[];
      plans: { id: string; state: string }[];
      history: { action: string }[];
    };
    expect(context.exposure.id).toBe(id);
    expect(typeof context.exposure.openedAt).toBe('string');
    expect(context.asset.id).toBeTruthy();
    expect(context.advisory?.id).toBe('GHSA-rv95-896h-c2vc');
    expect(context.advisorySummary?.text.length).toBeGreaterThan(10);
    expect(Array.isArray(context.coverageEvidence)).toBe(true);
    expect(context.ssvcPath.map((s) => s.point)).toContain('Decision');
    expect(context.plans.map((p) => p.id)).toContain(pending.id);
    expect(context.history.length).toBeGreaterThan(0);
  });

  it('finds an advisory by its CVE alias, and answers an unknown id with a hint', async () => {
    const client = await connect('viewer');
    const found = await client.callTool({ name: 'get_advisory', arguments: { id: 'CVE-2021-23337' } });
    expect((found.structuredContent as { id: string }).id).toBe(LODASH_ADVISORY.id);
    const missing = await client.callTool({ name: 'get_exposure', arguments: { id: 'exp_nope' } });
    expect(missing.isError).toBe(true);
    expect(text(missing)).toContain('search_exposures');
  });

  it('lists the pending crown-jewel plan and explains a risk in words', async () => {
    const client = await connect('viewer');
    const list = await client.callTool({ name: 'list_pending_approvals', arguments: {} });
    const { plans } = list.structuredContent as { plans: { id: string; routine: boolean; diff: string }[] };
    expect(plans.map((p) => p.id)).toEqual([pending.id]);
    expect(plans[0]!.routine).toBe(false);
    expect(plans[0]!.diff).toContain('express');
    const explained = await client.callTool({
      name: 'explain_risk',
      arguments: { exposureId: pending.exposureIds[0] },
    });
    const risk = explained.structuredContent as { decision: string; score: number; text: string };
    expect(['Track', 'Track*', 'Attend', 'Act']).toContain(risk.decision);
    expect(risk.text).toContain('SSVC path');
    expect(text(explained)).toBe(risk.text);
  });

  it('ranks the lodash advisory first for "command injection template"', async () => {
    const client = await connect('viewer');
    const result = await client.callTool({
      name: 'semantic_search',
      arguments: { text: 'command injection template', limit: 5 },
    });
    const { advisories, embedder } = result.structuredContent as {
      advisories: { id: string; score: number }[];
      embedder: string;
    };
    expect(embedder).toBe('lexical-ngram-384-v1');
    expect(advisories[0]!.id).toBe(LODASH_ADVISORY.id);
    expect(advisories.length).toBe(2);
    expect(advisories[0]!.score).toBeGreaterThan(advisories[1]!.score);
    const exposures = await client.callTool({
      name: 'semantic_search',
      arguments: { text: 'command injection template', kind: 'exposures' },
    });
    const hits = (exposures.structuredContent as { exposures: { advisoryId: string }[] }).exposures;
    expect(hits.length).toBeGreaterThan(0);
    expect(hits[0]!.advisoryId).toBe(LODASH_ADVISORY.id);
  });

  it('refuses invalid arguments as an error naming the field', async () => {
    const client = await connect('viewer');
    const result = await client.callTool({ name: 'semantic_search', arguments: { text: 'x', limit: 500 } });
    expect(result.isError).toBe(true);
    expect(text(result)).toMatch(/limit/);
    expect(text(result)).toMatch(/-32602|Input validation/);
  });

  it('reads resources and renders the triage prompt', async () => {
    const client = await connect('viewer');
    const id = pending.exposureIds[0]!;
    const resource = await client.readResource({ uri: `mobilize://exposure/${id}` });
    const content = resource.contents[0] as { text: string; mimeType: string };
    expect(content.mimeType).toBe('application/json');
    expect(JSON.parse(content.text).exposure.id).toBe(id);
    const advisory = await client.readResource({ uri: 'mobilize://advisory/CVE-2021-23337' });
    expect(JSON.parse((advisory.contents[0] as { text: string }).text).id).toBe(LODASH_ADVISORY.id);
    await expect(client.readResource({ uri: 'mobilize://asset/nope' })).rejects.toThrow(/No asset/);
    const prompt = await client.getPrompt({ name: 'triage-exposure', arguments: { exposureId: id } });
    expect(prompt.messages[0]!.role).toBe('user');
    expect((prompt.messages[0]!.content as { text: string }).text).toContain(id);
  });

  it('keeps separation of duties: the requester cannot decide, another approver can', async () => {
    // Given: alice requested the plan (she started the run)
    const alice = await connect('approver', 'alice');
    // When: she tries to approve it over MCP
    const own = await alice.callTool({
      name: 'decide_approval',
      arguments: { planId: pending.id, decision: 'approve' },
    });
    // Then: refused as a tool error with the reason
    expect(own.isError).toBe(true);
    expect(text(own)).toMatch(/cannot decide/);
    const bob = await connect('approver', 'bob');
    const decided = await bob.callTool({
      name: 'decide_approval',
      arguments: { planId: pending.id, decision: 'approve', note: 'ok' },
    });
    expect(decided.isError).toBeFalsy();
    expect(decided.structuredContent).toMatchObject({ planId: pending.id, decidedBy: 'user:bob' });
    const audit = await db.query<{ actor: string }>(
      `SELECT actor FROM audit_log WHERE action = 'approval.decided' AND subject_id = $1`,
      [pending.id],
    );
    expect(audit.rows.map((r) => r.actor)).toEqual(['user:bob']);
  });

  describe('over Streamable HTTP', () => {
    let server: http.Server;
    let handler: McpHttpHandler;
    let url: URL;
    let tokens: Record<'viewer' | 'other', string>;

    beforeAll(async () => {
      tokens = {
        viewer: (await createApiToken(db, { name: 'http-viewer', role: 'viewer' })).token,
        other: (await createApiToken(db, { name: 'http-other', role: 'viewer' })).token,
      };
      handler = mcpHttpHandler({
        authenticate: authenticateBearer(db),
        serverFor: (caller) => serverFor(caller.role, caller.name),
        allowedOrigins: ['http://127.0.0.1:5173'],
        maxBodyBytes: 64 * 1024,
      });
      server = http.createServer((req, res) => {
        handler(req, res).catch(() => {
          if (!res.headersSent) res.writeHead(500);
          res.end();
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`);
    });
    afterAll(async () => {
      await handler?.close();
      await new Promise((resolve) => server?.close(resolve));
    });

    async function httpClient(token: string) {
      const transport = new StreamableHTTPClientTransport(url, {
        requestInit: { headers: { Authorization: `Bearer ${token}` } },
      });
      const client = new Client({ name: 'mcp-http-test', version: '1.0.0' });
      await client.connect(transport);
      clients.push(client);
      return { client, transport };
    }

    const initialize = JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
    });
    const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

    it('lists tools and calls one with a bearer token', async () => {
      const { client, transport } = await httpClient(tokens.viewer);
      expect(transport.sessionId).toMatch(/^[0-9a-f-]{36}$/);
      expect((await client.listTools()).tools.map((t) => t.name).sort()).toEqual(READ_TOOLS);
      const found = await client.callTool({ name: 'get_advisory', arguments: { id: 'CVE-2021-23337' } });
      expect((found.structuredContent as { id: string }).id).toBe(LODASH_ADVISORY.id);
    });

    it('refuses a request without a token (401) and a disallowed Origin (403)', async () => {
      const anonymous = await fetch(url, { method: 'POST', headers, body: initialize });
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get('www-authenticate')).toBe('Bearer');
      const wrongToken = await fetch(url, {
        method: 'POST',
        headers: { ...headers, authorization: 'Bearer mbz_nope' },
        body: initialize,
      });
      expect(wrongToken.status).toBe(401);
      const evil = await fetch(url, {
        method: 'POST',
        headers: { ...headers, authorization: `Bearer ${tokens.viewer}`, origin: 'http://evil.example' },
        body: initialize,
      });
      expect(evil.status).toBe(403);
      const allowed = await fetch(url, {
        method: 'POST',
        headers: { ...headers, authorization: `Bearer ${tokens.viewer}`, origin: 'http://127.0.0.1:5173' },
        body: initialize,
      });
      expect(allowed.status).toBe(200);
      expect(allowed.headers.get('mcp-session-id')).toBeTruthy();
      await allowed.body?.cancel();
    });

    it('refuses a body over the limit (413)', async () => {
      const big = await fetch(url, {
        method: 'POST',
        headers: { ...headers, authorization: `Bearer ${tokens.viewer}` },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping', params: { pad: 'x'.repeat(70 * 1024) } }),
      });
      expect(big.status).toBe(413);
    });

    it('binds a session to the token that created it', async () => {
      // Given: a session opened by one token
      const { transport } = await httpClient(tokens.viewer);
      const sessionId = transport.sessionId!;
      const ping = JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'ping' });
      // When: another valid token reuses its id
      const stolen = await fetch(url, {
        method: 'POST',
        headers: {
          ...headers,
          authorization: `Bearer ${tokens.other}`,
          'mcp-session-id': sessionId,
          'mcp-protocol-version': '2025-06-18',
        },
        body: ping,
      });
      // Then: the session does not exist for it; the owner still gets through
      expect(stolen.status).toBe(404);
      const own = await fetch(url, {
        method: 'POST',
        headers: {
          ...headers,
          authorization: `Bearer ${tokens.viewer}`,
          'mcp-session-id': sessionId,
          'mcp-protocol-version': '2025-06-18',
        },
        body: ping,
      });
      expect(own.status).toBe(200);
      await own.body?.cancel();
    });
  });
});
