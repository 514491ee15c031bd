import { type ChildProcess, execFile, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { buildEstate, git } from '../helpers/estate.ts';

const run = promisify(execFile);
const BIN = path.resolve('bin/mobilize.js');

type Target = { name: string; env(home: string): Promise<Record<string, string>>; cleanup(): Promise<void> };

/** The embedded database in a data folder, and (when TEST_DATABASE_URL is set) a throwaway PostgreSQL database. */
function targets(): Target[] {
  const list: Target[] = [{ name: 'pglite', env: async () => ({ DATABASE_URL: '' }), cleanup: async () => undefined }];
  const url = process.env.TEST_DATABASE_URL;
  if (url) {
    const name = `mobilize_durable_${crypto.randomBytes(5).toString('hex')}`;
    list.push({
      name: 'postgres',
      async env() {
        const admin = new pg.Client({ connectionString: url });
        await admin.connect();
        await admin.query(`CREATE DATABASE ${name}`);
        await admin.end();
        const target = new URL(url);
        target.pathname = `/${name}`;
        return { DATABASE_URL: target.toString() };
      },
      async cleanup() {
        const admin = new pg.Client({ connectionString: url });
        await admin.connect();
        await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await admin.end();
      },
    });
  }
  return list;
}

async function cli(args: string[], env: Record<string, string>) {
  const { stdout } = await run(process.execPath, [BIN, ...args], { env, timeout: 90_000 });
  return stdout;
}

/** Starts `mobilize serve` and resolves with its base URL once it listens. */
async function serve(env: Record<string, string>): Promise<{ child: ChildProcess; api: string }> {
  const child = spawn(process.execPath, [BIN, 'serve', '--no-demo', '--json'], { env: { ...env, PORT: '0' } });
  const out = await new Promise<string>((resolve, reject) => {
    let buffer = '';
    child.stdout!.on('data', (chunk) => {
      buffer += chunk;
      if (buffer.trim().endsWith('}')) resolve(buffer);
    });
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${buffer}`)));
  });
  return { child, api: JSON.parse(out).urls.api };
}

async function call(api: string, token: string, method: string, url: string, body?: unknown) {
  const response = await fetch(`${api}${url}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  // biome-ignore lint/suspicious/noExplicitAny: response bodies are asserted field by field
  return { status: response.status, body: (await response.json()) as any };
}

describe.each(targets())('durable approval across a killed process on $name', (target) => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'mobilize-durable-'));
  const estate = buildEstate();
  afterAll(async () => {
    await target.cleanup();
    estate.cleanup();
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('pauses for approval, survives SIGKILL, resumes in a new process on approval, and acts once', async () => {
    const env = { ...process.env, MOBILIZE_HOME: home, LOG_LEVEL: 'silent', ...(await target.env(home)) } as Record<
      string,
      string
    >;
    // Given an ingested estate and two people: alice runs, bob approves
    await cli(['ingest', ...estate.files, '--json'], env);
    const alice = JSON.parse(await cli(['tokens', 'create', '--role', 'approver', '--name', 'alice', '--json'], env));
    const bob = JSON.parse(await cli(['tokens', 'create', '--role', 'approver', '--name', 'bob', '--json'], env));

    // When process A runs the graph (the crown-jewel plan pauses) and is then killed
    const a = await serve(env);
    const summary = await call(a.api, alice.token, 'POST', '/v1/runs', {});
    expect(summary.status).toBe(200);
    expect(summary.body).toMatchObject({ threads: 3, awaitingApproval: 1, autoExecuted: 1, verified: 1 });
    a.child.kill('SIGKILL');
    await new Promise((resolve) => a.child.once('exit', resolve));

    // Then a new process B sees the pending plan, refuses alice (she requested it), and bob's approval resumes it
    const b = await serve(env);
    try {
      const pending = await call(b.api, bob.token, 'GET', '/v1/approvals?status=pending');
      expect(pending.body.plans).toHaveLength(1);
      const plan = pending.body.plans[0];
      expect(plan).toMatchObject({ requestedBy: 'user:alice', state: 'awaiting_approval', routine: false });
      const own = await call(b.api, alice.token, 'POST', `/v1/approvals/${plan.id}/decision`, { decision: 'approve' });
      expect(own.status).toBe(403);
      expect(own.body.code).toBe('SEPARATION_OF_DUTIES');
      const approved = await call(b.api, bob.token, 'POST', `/v1/approvals/${plan.id}/decision`, {
        decision: 'approve',
        note: 'reviewed the diff',
      });
      expect(approved.status).toBe(200);
      expect(approved.body).toMatchObject({
        replayed: false,
        plan: { state: 'verified', decision: { decision: 'approved', decidedBy: 'user:bob' } },
        thread: { status: 'completed', outcome: 'verified' },
      });
      const again = await call(b.api, bob.token, 'POST', `/v1/approvals/${plan.id}/decision`, { decision: 'approve' });
      expect(again).toMatchObject({ status: 200, body: { replayed: true } });
      const conflicting = await call(b.api, bob.token, 'POST', `/v1/approvals/${plan.id}/decision`, {
        decision: 'reject',
      });
      expect(conflicting.status).toBe(409);

      // Each action ran once: one commit on the plan's branch, and one new thread was never started twice
      const branch = `mobilize/${plan.id}`;
      expect(git(estate.repos.payments, 'rev-list', '--count', `main..${branch}`)).toBe('1');
      const rerun = await call(b.api, alice.token, 'POST', '/v1/runs', {});
      expect(rerun.body).toMatchObject({ threads: 0, failed: 0 });
    } finally {
      b.child.kill('SIGTERM');
    }
    expect(JSON.parse(await cli(['audit', 'verify', '--json'], env))).toMatchObject({ ok: true });
  }, 300_000); // several processes each boot a database: slow on a loaded 2-core machine
});
