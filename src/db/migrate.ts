import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { migrate } from 'postgres-migrations';
import { MigrationError } from '../domain/errors.ts';
import type { Database } from './database.ts';

/** Numbered, forward-only SQL files; postgres-migrations records each with a sha1 checksum. */
export const MIGRATIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

export type MigrationStatus = {
  files: number;
  applied: number;
  pending: string[];
  current: boolean;
};

/** Applies pending migrations; refuses to run if an applied file was edited (checksum mismatch). */
export async function runMigrations(db: Database, dir: string = MIGRATIONS_DIR): Promise<string[]> {
  const client = await db.pool.connect();
  try {
    const applied = await migrate({ client }, dir, { logger: () => undefined });
    return applied.map((m) => m.fileName).filter((name) => !name.startsWith('0_'));
  } catch (error) {
    throw new MigrationError(`migration failed: ${(error as Error).message}`, error);
  } finally {
    client.release();
  }
}

/** Which migration files are applied and which are still pending (for `doctor`). */
export async function migrationStatus(db: Database, dir: string = MIGRATIONS_DIR): Promise<MigrationStatus> {
  const files = fs
    .readdirSync(dir)
    .filter((name) => name.endsWith('.sql'))
    .sort();
  const exists = await db.query<{ present: boolean }>("SELECT to_regclass('public.migrations') IS NOT NULL AS present");
  const appliedRows = exists.rows[0]?.present
    ? (await db.query<{ name: string; hash: string }>('SELECT name, hash FROM migrations WHERE id > 0')).rows
    : [];
  const applied = new Set(appliedRows.map((r) => r.name));
  const pending = files.filter((file) => !applied.has(migrationName(file)));
  return { files: files.length, applied: applied.size, pending, current: pending.length === 0 };
}

function migrationName(fileName: string): string {
  return fileName.replace(/^\d+[-_]/, '').replace(/\.sql$/, '');
}
