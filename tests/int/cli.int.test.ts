import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const BIN = path.resolve('bin/mobilize.js');
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'mobilize-cli-'));

/** Runs the real CLI in a child process (Node 24, as `npx mobilize` does). */
async function mobilize(args: string[], env: Record<string, string> = {}) {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !['DATABASE_URL', 'OPENAI_API_KEY', 'OPENAI_BASE_URL'].includes(key)),
  );
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], {
      env: { ...clean, MOBILIZE_HOME: home, LOG_LEVEL: 'silent', ...env },
      timeout: 90_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

// Every test spawns several CLI processes, each booting an embedded database: minutes on a busy machine.
describe('mobilize CLI', { timeout: 300_000 }, () => {
  it('db migrate then doctor --json on the embedded database', async () => {
    const migrate = await mobilize(['db', 'migrate', '--json']);
    expect(migrate.code).toBe(0);
    const migrations = fs
      .readdirSync(path.resolve('src/db/migrations'))
      .filter((f) => f.endsWith('.sql'))
      .sort();
    expect(JSON.parse(migrate.stdout)).toMatchObject({ ok: true, database: 'embedded', applied: migrations });

    const doctor = await mobilize(['doctor', '--json']);
    expect(doctor.code).toBe(0);
    const report = JSON.parse(doctor.stdout);
    expect(report).toMatchObject({
      ok: true,
      database: { kind: 'embedded', reachable: true, location: path.join(home, 'db') },
      pgvector: { available: true, installed: true },
      migrations: { current: true, pending: [] },
      backend: { kind: 'rules' },
    });
  });

  it('doctor reports the server back-end when DATABASE_URL is set', async (context) => {
    const url = process.env.TEST_DATABASE_URL;
    if (!url) return context.skip('TEST_DATABASE_URL is not set');
    const doctor = await mobilize(['doctor', '--json'], { DATABASE_URL: url });
    const report = JSON.parse(doctor.stdout);
    expect(report.database).toMatchObject({ kind: 'server', reachable: true });
    expect(report.database.serverVersion).toMatch(/^1[5-9]/);
    expect(report.pgvector.available).toBe(true);
  });

  it('an unreachable server gives one line naming DATABASE_URL, not a stack trace', async () => {
    const result = await mobilize(['doctor'], { DATABASE_URL: 'postgres://nobody:hunter2@127.0.0.1:1/none' });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('DATABASE_URL: cannot connect to postgres://nobody:***@127.0.0.1:1/none');
    expect(result.stdout + result.stderr).not.toContain('hunter2');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('a malformed DATABASE_URL fails at start with a one-line error', async () => {
    const result = await mobilize(['db', 'migrate', '--json'], { DATABASE_URL: 'mysql://x' });
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual([
      'mobilize: DATABASE_URL: expected a URL like postgres://user:password@host:5432/database',
    ]);
    expect(JSON.parse(result.stdout)).toMatchObject({ ok: false, code: 'CONFIG_INVALID' });
  });

  it('tokens create, list and revoke; the secret is shown once and never listed', async () => {
    const created = await mobilize(['tokens', 'create', '--name', 'ci-upload', '--role', 'analyst', '--json']);
    expect(created.code).toBe(0);
    const token = JSON.parse(created.stdout);
    expect(token).toMatchObject({ name: 'ci-upload', role: 'analyst', token: expect.stringMatching(/^mbz_/) });
    const listed = await mobilize(['tokens', 'list', '--json']);
    expect(listed.stdout).not.toContain(token.token);
    expect(JSON.parse(listed.stdout)).toEqual(
      expect.arrayContaining([expect.objectContaining({ id: token.id, role: 'analyst', revokedAt: null })]),
    );
    expect((await mobilize(['tokens', 'revoke', token.id])).code).toBe(0);
    expect((await mobilize(['tokens', 'revoke', token.id])).code).toBe(1);
    const bad = await mobilize(['tokens', 'create', '--name', 'x', '--role', 'root']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^mobilize: --role: expected one of viewer, analyst, approver, admin/);
  });

  it('formats lists every input format', async () => {
    const result = await mobilize(['formats', '--json']);
    expect(result.code).toBe(0);
    const names = JSON.parse(result.stdout).map((f: { name: string }) => f.name);
    expect(names).toEqual(
      expect.arrayContaining(['trivy', 'grype', 'sarif', 'cyclonedx', 'osv', 'kev', 'epss', 'inventory']),
    );
  });

  it('ingest, prioritize, exposures list and explain work end to end', async () => {
    const fixtures = path.resolve('tests/fixtures');
    const estate = path.join(home, 'estate.json');
    fs.writeFileSync(
      estate,
      JSON.stringify({
        assets: [
          {
            id: 'payments-api',
            name: 'Payments API',
            kind: 'container_image',
            environment: 'production',
            criticality: 'crown_jewel',
            internetExposure: 'internet',
            dataSensitivity: 'restricted',
            team: 'payments',
            identifiers: [{ kind: 'image', value: 'registry.example.com/payments/api:3.2.0' }],
          },
        ],
      }),
    );
    const ingest = await mobilize([
      'ingest',
      estate,
      path.join(fixtures, 'pipeline/kev.json'),
      path.join(fixtures, 'prioritize/trivy-payments.json'),
      '--json',
    ]);
    expect(ingest.code).toBe(0);
    const prioritize = await mobilize(['prioritize', '--json']);
    expect(JSON.parse(prioritize.stdout)).toMatchObject({ exposures: 1, decisions: { Act: 1 } });
    const list = await mobilize(['exposures', 'list', '--kev', '--decision', 'Act', '--json']);
    const { rows } = JSON.parse(list.stdout);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ vulnerabilityId: 'CVE-2021-44228', team: 'payments', kev: true });
    const explain = await mobilize(['exposures', 'explain', rows[0].id]);
    expect(explain.code).toBe(0);
    expect(explain.stdout).toContain('Decision: Act');
    expect(explain.stdout).toMatch(/Exploitation: active/);
    const bad = await mobilize(['exposures', 'list', '--decision', 'Urgent']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^mobilize: --decision: /);
    // The asset and kind filters read the exposure's own facts
    const crown = await mobilize([
      'exposures',
      'list',
      '--environment',
      'production',
      '--criticality',
      'crown_jewel',
      '--kind',
      'package',
      '--json',
    ]);
    expect(JSON.parse(crown.stdout).rows.map((r: { id: string }) => r.id)).toEqual([rows[0].id]);
    const secrets = await mobilize(['exposures', 'list', '--kind', 'secret', '--json']);
    expect(JSON.parse(secrets.stdout)).toMatchObject({ total: 0, rows: [] });
    const badEpss = await mobilize(['exposures', 'list', '--min-epss', '2']);
    expect(badEpss.code).toBe(1);
    expect(badEpss.stderr).toMatch(/^mobilize: --min-epss: /);
  });

  it('controls verify applies drift from an inventory file, and audit verify checks the chain', async () => {
    // Given the prioritized Log4Shell exposure of the previous test, behind a fresh virtual patch
    const waf = (enabled: boolean) =>
      JSON.stringify({
        controls: [
          {
            id: 'waf-edge',
            name: 'Edge WAF',
            kind: 'waf',
            mode: 'block',
            scope: { assetIds: ['payments-api'] },
            rules: [{ id: 'vp-log4shell', cves: ['CVE-2021-44228'] }],
            enabled,
            lastVerifiedAt: new Date().toISOString(),
          },
        ],
      });
    const file = path.join(home, 'controls.json');
    fs.writeFileSync(file, waf(true));
    const added = await mobilize(['controls', 'verify', file, '--json']);
    expect(added.code).toBe(0);
    expect(JSON.parse(added.stdout).drifted).toEqual([
      { controlId: 'waf-edge', reasons: ['new control'], exposures: 0 },
    ]);
    // When the WAF is disabled
    fs.writeFileSync(file, waf(false));
    const disabled = JSON.parse((await mobilize(['controls', 'verify', file, '--json'])).stdout);
    // Then the drift names it and the exposure that relied on it is recomputed
    expect(disabled.drifted).toEqual([{ controlId: 'waf-edge', reasons: ['disabled'], exposures: 1 }]);
    expect(disabled.reprioritized).toMatchObject({ exposures: 1, changed: 1 });
    const audit = await mobilize(['audit', 'verify', '--json']);
    expect(audit.code).toBe(0);
    expect(JSON.parse(audit.stdout)).toMatchObject({ ok: true });
    expect(JSON.parse(audit.stdout).entries).toBeGreaterThan(2);
  });

  it('serve prints the URLs and answers /healthz', async () => {
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, [BIN, 'serve', '--no-demo', '--json'], {
      env: { ...process.env, DATABASE_URL: '', MOBILIZE_HOME: home, PORT: '0', LOG_LEVEL: 'silent' },
    });
    try {
      const first = await new Promise<string>((resolve, reject) => {
        let buffer = '';
        child.stdout.on('data', (chunk) => {
          buffer += chunk;
          if (buffer.includes('}\n') && buffer.trim().endsWith('}')) resolve(buffer);
        });
        child.once('exit', (code) => reject(new Error(`serve exited with ${code}`)));
      });
      const { urls, bootstrapToken } = JSON.parse(first);
      expect(bootstrapToken).toMatch(/^mbz_/);
      const denied = await fetch(`${urls.api}/v1/exposures`);
      expect(denied.status).toBe(401);
      const listed = await fetch(`${urls.api}/v1/exposures`, {
        headers: { authorization: `Bearer ${bootstrapToken}` },
      });
      expect(listed.status).toBe(200);
      const health = await fetch(urls.health);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ status: 'ok', database: { kind: 'embedded' } });
      expect((await fetch(urls.openapi)).status).toBe(200);
    } finally {
      child.kill('SIGTERM');
    }
  });
});
