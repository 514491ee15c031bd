import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { Database } from '../src/db/database.ts';
import { runMigrations } from '../src/db/migrate.ts';
import { openEmbedded, openServer } from '../src/db/open.ts';

/** A fresh, migrated database for one benchmark run, dropped afterwards: PGlite in a temp folder or a throwaway PostgreSQL database. */
export async function openBenchDatabase(
  backend: string,
  url: string | undefined,
): Promise<{ db: Database; drop: () => Promise<void> }> {
  if (backend === 'pglite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mobilize-bench-'));
    const db = await openEmbedded(dir);
    await runMigrations(db);
    return { db, drop: async () => fs.rmSync(dir, { recursive: true, force: true }) };
  }
  if (!url) throw new Error('postgres needs TEST_DATABASE_URL or DATABASE_URL');
  const name = `mobilize_bench_${crypto.randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const target = new URL(url);
  target.pathname = `/${name}`;
  const db = await openServer(target.toString(), 10_000);
  await runMigrations(db);
  return {
    db,
    drop: async () => {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}
