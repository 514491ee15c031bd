import fs from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { createPgConfig } from '@electric-sql/pglite/node-postgres';
import { vector } from '@electric-sql/pglite-pgvector';
import pg from 'pg';
import { type Config, redactUrl } from '../config.ts';
import { DatabaseUnavailableError } from '../domain/errors.ts';
import { type Database, databaseFromPool } from './database.ts';

/** Opens the database the configuration names: PGlite in a local folder, or a PostgreSQL server. */
export async function openDatabase(config: Pick<Config, 'database' | 'timeouts'>): Promise<Database> {
  return config.database.kind === 'server'
    ? openServer(config.database.url, config.timeouts.dbMs)
    : openEmbedded(config.database.dataDir);
}

/** PGlite with pgvector and pg_trgm (substring search over package names). `memory://` keeps everything in memory (tests). */
export async function openEmbedded(dataDir: string): Promise<Database> {
  if (!dataDir.startsWith('memory://')) fs.mkdirSync(dataDir, { recursive: true });
  let pglite: PGlite;
  try {
    pglite = await PGlite.create({ dataDir, extensions: { vector, pg_trgm } });
  } catch (error) {
    throw new DatabaseUnavailableError(
      `MOBILIZE_HOME: cannot open the embedded database in ${dataDir} (${(error as Error).message}); is another mobilize process using it?`,
      error,
    );
  }
  // PGlite serves one connection; a larger pool would only queue behind it.
  const pool = new pg.Pool({ ...createPgConfig(pglite), max: 1 });
  return databaseFromPool(pool, 'embedded', dataDir, () => pglite.close());
}

/** A PostgreSQL server; fails fast with a one-line error naming DATABASE_URL. */
export async function openServer(url: string, timeoutMs: number): Promise<Database> {
  const pool = new pg.Pool({
    connectionString: url,
    connectionTimeoutMillis: timeoutMs,
    max: 10,
    application_name: 'mobilize',
  });
  // An idle client that loses its server must not crash the process.
  pool.on('error', () => undefined);
  try {
    const client = await pool.connect();
    client.release();
  } catch (error) {
    await pool.end().catch(() => undefined);
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new DatabaseUnavailableError(
      `DATABASE_URL: cannot connect to ${redactUrl(url)} (${reason || 'connection failed'})`,
      error,
    );
  }
  return databaseFromPool(pool, 'server', redactUrl(url));
}
