import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, buildApp } from '../../src/api/app.ts';
import { loadConfig } from '../../src/config.ts';
import type { Database } from '../../src/db/database.ts';
import { createApiToken, revokeApiToken } from '../../src/db/repositories/api-tokens.ts';
import { loadFormats } from '../../src/ingest/registry.ts';
import { createLogger } from '../../src/logger.ts';
import { loadPolicy } from '../../src/prioritize/policy.ts';
import { authHeader, databaseBackends } from '../helpers/databases.ts';

describe.each(databaseBackends())('HTTP API on $name', (backend) => {
  let db: Database;
  let app: App;
  beforeAll(async () => {
    db = await backend.open();
    const config = loadConfig({ LOG_LEVEL: 'silent' });
    app = await buildApp({
      config,
      db,
      logger: createLogger(config),
      version: '0.0.0-test',
      formats: await loadFormats(),
      policy: loadPolicy(),
    });
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  it('GET /healthz reports the database kind and reachability', async () => {
    const response = await app.inject({ method: 'GET', url: '/healthz' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      status: 'ok',
      database: { kind: backend.name === 'pglite' ? 'embedded' : 'server', reachable: true },
      version: '0.0.0-test',
    });
  });

  it('GET /openapi.json is generated from the route schemas', async () => {
    const response = await app.inject({ method: 'GET', url: '/openapi.json' });
    expect(response.statusCode).toBe(200);
    const document = response.json();
    expect(document.openapi).toMatch(/^3\./);
    const health = document.paths['/healthz'].get;
    expect(health.responses['200'].content['application/json'].schema.properties.status.enum).toEqual([
      'ok',
      'degraded',
    ]);
    expect(document.paths['/openapi.json']).toBeUndefined();
  });

  it('requires a bearer token with a sufficient role, checked before the body is read', async () => {
    const none = await app.inject({ method: 'GET', url: '/v1/exposures' });
    expect(none.statusCode).toBe(401);
    expect(none.json()).toMatchObject({ code: 'UNAUTHORIZED' });
    expect(none.headers['www-authenticate']).toBe('Bearer');
    const wrong = await app.inject({
      method: 'GET',
      url: '/v1/exposures',
      headers: { authorization: 'Bearer mbz_nope' },
    });
    expect(wrong.statusCode).toBe(401);
    const viewer = await authHeader(db, 'viewer');
    expect((await app.inject({ method: 'GET', url: '/v1/exposures', headers: viewer })).statusCode).toBe(200);
    const upload = await app.inject({ method: 'POST', url: '/v1/ingest', headers: viewer, payload: '{}' });
    expect(upload.statusCode).toBe(403);
    expect(upload.json()).toEqual({ code: 'FORBIDDEN', message: 'this needs the analyst role; the token has viewer' });
    // A revoked token stops working at once
    const revoked = await createApiToken(db, { name: 'old-ci', role: 'admin' });
    await revokeApiToken(db, revoked.id);
    const after = await app.inject({
      method: 'GET',
      url: '/v1/exposures',
      headers: { authorization: `Bearer ${revoked.token}` },
    });
    expect(after.statusCode).toBe(401);
    // Only a hash of each token is stored
    const stored = await db.query<{ token_hash: string }>('SELECT token_hash FROM api_tokens WHERE id = $1', [
      revoked.id,
    ]);
    expect(stored.rows[0]!.token_hash).not.toContain(revoked.token);
    expect(stored.rows[0]!.token_hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('answers unknown routes with a JSON 404', async () => {
    const response = await app.inject({ method: 'GET', url: '/v1/nope' });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({ code: 'NOT_FOUND', message: 'no route GET /v1/nope' });
  });
});
