import crypto from 'node:crypto';
import pg from 'pg';
import type { Database } from '../../src/db/database.ts';
import { runMigrations } from '../../src/db/migrate.ts';
import { openEmbedded, openServer } from '../../src/db/open.ts';

/** A database back-end under test: embedded PGlite always, PostgreSQL when TEST_DATABASE_URL is set. */
export type Backend = { name: 'pglite' | 'postgres'; open(options?: { migrate?: boolean }): Promise<Database> };

/**
 * The back-ends every database test runs on. In CI (CI=true) a missing TEST_DATABASE_URL is an
 * error rather than a silent skip, so the PostgreSQL half of the suite can never quietly vanish.
 */
export function databaseBackends(): Backend[] {
  const url = process.env.TEST_DATABASE_URL;
  if (!url && process.env.CI === 'true') {
    throw new Error('TEST_DATABASE_URL must be set in CI (database tests run on PostgreSQL too)');
  }
  const backends: Backend[] = [
    {
      name: 'pglite',
      async open(options) {
        const db = await openEmbedded('memory://');
        if (options?.migrate !== false) await runMigrations(db);
        return db;
      },
    },
  ];
  if (url) backends.push({ name: 'postgres', open: (options) => openThrowawayServerDatabase(url, options) });
  return backends;
}

/** Creates a fresh database on the test server, migrates it, and drops it again on close. */
async function openThrowawayServerDatabase(url: string, options?: { migrate?: boolean }): Promise<Database> {
  const name = `mobilize_test_${crypto.randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const target = new URL(url);
  target.pathname = `/${name}`;
  const db = await openServer(target.toString(), 5000);
  if (options?.migrate !== false) await runMigrations(db);
  const close = db.close;
  return Object.assign(db, {
    async close() {
      await close();
      const dropper = new pg.Client({ connectionString: url });
      await dropper.connect();
      await dropper.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await dropper.end();
    },
  });
}

/** An Authorization header carrying a fresh API token of `role`. */
export async function authHeader(db: Database, role: 'viewer' | 'analyst' | 'approver' | 'admin') {
  const { createApiToken } = await import('../../src/db/repositories/api-tokens.ts');
  const { token } = await createApiToken(db, { name: `test-${role}`, role });
  return { authorization: `Bearer ${token}` };
}
