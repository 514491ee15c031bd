import { execFile } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, buildApp } from '../../src/api/app.ts';
import { loadConfig } from '../../src/config.ts';
import type { Database } from '../../src/db/database.ts';
import { loadFormats } from '../../src/ingest/registry.ts';
import { createLogger } from '../../src/logger.ts';
import { loadPolicy } from '../../src/prioritize/policy.ts';
import { ingestInputs, isFailure } from '../../src/services/ingest/ingest-inputs.ts';
import { authHeader, databaseBackends } from '../helpers/databases.ts';

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/pipeline');
const read = (name: string) => fs.readFileSync(path.join(FIXTURES, name));

describe.each(databaseBackends())('POST /v1/ingest on $name', (backend) => {
  let db: Database;
  let app: App;
  let analyst: Record<string, string>;
  beforeAll(async () => {
    db = await backend.open();
    analyst = await authHeader(db, 'analyst');
    const config = loadConfig({ LOG_LEVEL: 'silent', MOBILIZE_MAX_BODY_BYTES: '20000' });
    app = await buildApp({
      config,
      db,
      logger: createLogger(config),
      version: 'test',
      formats: await loadFormats(),
      policy: loadPolicy(),
    });
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  it('ingests a raw report body and returns the summary', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/v1/ingest?name=trivy-web.json&scope=image:web',
      headers: { ...analyst, 'content-type': 'application/json' },
      payload: read('trivy-web.json'),
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      file: 'trivy-web.json',
      format: 'trivy',
      findings: 2,
      new: 2,
      exposures: 2,
    });
  });

  it('answers 400 naming the record for bad input, keeps nothing of it, and keeps serving', async () => {
    const before = (await db.query('SELECT count(*)::int AS n FROM findings')).rows[0];
    const response = await app.inject({
      method: 'POST',
      url: '/v1/ingest?name=broken.json&format=trivy',
      headers: { ...analyst, 'content-type': 'text/plain' },
      payload: read('trivy-web-missing-id.json'),
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ code: 'INGEST_INVALID' });
    expect(response.json().message).toMatch(/^broken\.json \(trivy\) at \/Results\/0\/Vulnerabilities\/1/);
    expect((await db.query('SELECT count(*)::int AS n FROM findings')).rows[0]).toEqual(before);
    expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
  });

  it('answers 400 for an unknown format and 413 beyond the size limit', async () => {
    const unknown = await app.inject({
      method: 'POST',
      url: '/v1/ingest?format=nessus',
      headers: analyst,
      payload: '{}',
    });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().code).toBe('UNSUPPORTED_FORMAT');
    const tooLarge = await app.inject({
      method: 'POST',
      url: '/v1/ingest?name=big.json',
      headers: { ...analyst, 'content-type': 'application/json' },
      payload: Buffer.alloc(30_000, 32),
    });
    expect(tooLarge.statusCode).toBe(413);
  });
});

describe('ingest from http(s) URLs', () => {
  let server: http.Server;
  let base: string;
  let db: Database;
  beforeAll(async () => {
    server = http.createServer((request, response) => {
      if (request.url === '/slow') return; // never answers: the client must time out
      const file = path.join(FIXTURES, path.basename(request.url ?? ''));
      if (!fs.existsSync(file)) {
        response.writeHead(404).end();
        return;
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end(fs.readFileSync(file));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    db = await databaseBackends()[0]!.open();
  });
  afterAll(async () => {
    server.closeAllConnections();
    server.close();
    await db?.close();
  });

  it('downloads, detects and ingests; names failures by URL', async () => {
    const results = await ingestInputs(
      db,
      await loadFormats(),
      [`${base}/osv-lodash.json`, `${base}/missing.json`, `${base}/slow`],
      { limits: { timeoutMs: 1500, maxBytes: 1_000_000 } },
    );
    expect(results.find((r) => r.file === `${base}/osv-lodash.json`)).toMatchObject({ format: 'osv', advisories: 1 });
    const failures = results.filter(isFailure);
    expect(failures.map((f) => [f.file, f.error.code])).toEqual([
      [`${base}/missing.json`, 'UPSTREAM_FAILED'],
      [`${base}/slow`, 'UPSTREAM_FAILED'],
    ]);
    expect(failures[1]!.error.message).toMatch(/no answer within 1500 ms/);
  });

  it('refuses a download over the size limit', async () => {
    const [result] = await ingestInputs(db, await loadFormats(), [`${base}/trivy-web.json`], {
      limits: { timeoutMs: 1500, maxBytes: 100 },
    });
    expect(isFailure(result!) && result.error.code).toBe('PAYLOAD_TOO_LARGE');
  });
});

describe('mobilize ingest (CLI)', () => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'mobilize-ingest-cli-'));
  afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

  it('prints a summary per file, imports the good ones and exits 1 when one failed', async () => {
    const run = promisify(execFile);
    const args = [
      path.resolve('bin/mobilize.js'),
      'ingest',
      path.join(FIXTURES, 'trivy-web.json'),
      path.join(FIXTURES, 'trivy-web-truncated.json'),
      '--json',
    ];
    const env = { ...process.env, MOBILIZE_HOME: home, LOG_LEVEL: 'silent', DATABASE_URL: '' };
    const error = await run(process.execPath, args, { env, timeout: 90_000 }).catch((e: unknown) => e);
    const { code, stdout } = error as { code: number; stdout: string };
    expect(code).toBe(1);
    const results = JSON.parse(stdout);
    expect(results).toHaveLength(2);
    expect(results[0]).toMatchObject({ format: 'trivy', findings: 2, new: 2 });
    expect(results[1].error).toMatchObject({ code: 'INGEST_INVALID' });
    expect(results[1].file).toContain('trivy-web-truncated.json');

    const again = await run(process.execPath, [...args.slice(0, 3), '--json'], { env, timeout: 90_000 });
    expect(JSON.parse(again.stdout)[0]).toMatchObject({ findings: 2, new: 0, unchanged: 2 });
  });
});
