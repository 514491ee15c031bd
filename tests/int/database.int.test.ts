import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.ts';
import { MIGRATIONS_DIR, migrationStatus, runMigrations } from '../../src/db/migrate.ts';
import { MigrationError } from '../../src/domain/errors.ts';
import { databaseBackends } from '../helpers/databases.ts';

/** A unit vector in 384 dimensions pointing mostly along `axis`. */
function embedding(axis: number, tilt = 0): string {
  const v = new Array(384).fill(0);
  v[axis] = 1;
  v[(axis + 1) % 384] = tilt;
  return `[${v.join(',')}]`;
}

describe.each(databaseBackends())('database on $name', (backend) => {
  let db: Database;
  beforeAll(async () => {
    db = await backend.open();
  });
  afterAll(async () => {
    await db?.close();
  });

  it('has every migration applied and pgvector created', async () => {
    const status = await migrationStatus(db);
    expect(status.current).toBe(true);
    expect(status.applied).toBe(fs.readdirSync(MIGRATIONS_DIR).filter((f) => f.endsWith('.sql')).length);
    const vector = await db.query("SELECT extversion FROM pg_extension WHERE extname = 'vector'");
    expect(vector.rowCount).toBe(1);
  });

  it('re-running migrations applies nothing', async () => {
    expect(await runMigrations(db)).toEqual([]);
  });

  it('finds the nearest advisory summaries by cosine distance through the HNSW index', async () => {
    // Given three advisories with summaries pointing in different directions
    for (const [id, axis] of [
      ['GHSA-aaaa-aaaa-aaaa', 1],
      ['GHSA-bbbb-bbbb-bbbb', 2],
      ['GHSA-cccc-cccc-cccc', 3],
    ] as const) {
      await db.query("INSERT INTO advisories (id, source) VALUES ($1, 'osv')", [id]);
      await db.query(
        `INSERT INTO advisory_summaries (advisory_id, prompt_version, decided_by, summary, text, embedding)
         VALUES ($1, 'v1', 'rules', '{}', $1, $2::vector)`,
        [id, embedding(axis)],
      );
    }
    // When we search near axis 2
    const result = await db.query<{ advisory_id: string; distance: number }>(
      `SELECT advisory_id, embedding <=> $1::vector AS distance
         FROM advisory_summaries ORDER BY embedding <=> $1::vector LIMIT 2`,
      [embedding(2, 0.1)],
    );
    // Then the closest is the advisory on axis 2
    expect(result.rows[0]?.advisory_id).toBe('GHSA-bbbb-bbbb-bbbb');
    expect(result.rows[0]?.distance).toBeLessThan(0.01);
    const index = await db.query(
      "SELECT indexdef FROM pg_indexes WHERE indexname = 'advisory_summaries_embedding_idx'",
    );
    expect(String(index.rows[0]?.indexdef)).toContain('hnsw');
  });

  it('rolls a failed transaction back completely', async () => {
    // Given a transaction that inserts an asset and then fails
    const attempt = db.transaction(async (tx) => {
      await tx.query("INSERT INTO assets (id, name, kind) VALUES ('tx-asset', 'tx', 'host')");
      await tx.query("INSERT INTO assets (id, name, kind) VALUES ('tx-bad', 'bad', 'spaceship')");
    });
    // Then the error surfaces and nothing of it is committed
    await expect(attempt).rejects.toThrow(/check constraint/);
    const rows = await db.query("SELECT id FROM assets WHERE id IN ('tx-asset', 'tx-bad')");
    expect(rows.rowCount).toBe(0);
    // And the database is still usable
    const value = await db.transaction(async (tx) => (await tx.query<{ one: number }>('SELECT 1 AS one')).rows[0]?.one);
    expect(value).toBe(1);
  });

  it('keeps the audit log append-only', async () => {
    await db.query(
      `INSERT INTO audit_log (actor, action, subject_type, subject_id, prev_hash, hash)
       VALUES ('rules', 'test', 'exposure', 'e1', '0', 'h1')`,
    );
    await expect(db.query("UPDATE audit_log SET actor = 'mallory'")).rejects.toThrow(/append-only/);
    await expect(db.query('DELETE FROM audit_log')).rejects.toThrow(/append-only/);
    const rows = await db.query<{ actor: string }>('SELECT actor FROM audit_log');
    expect(rows.rows.map((r) => r.actor)).toEqual(['rules']);
  });

  it('refuses an approval decided by the plan requester (separation of duties)', async () => {
    await db.query(
      "INSERT INTO plans (id, kind, title, requested_by) VALUES ('plan-1', 'dependency_bump', 'bump', 'user:alice')",
    );
    await expect(
      db.query(
        "INSERT INTO approvals (id, plan_id, decision, decided_by) VALUES ('a1', 'plan-1', 'approved', 'user:alice')",
      ),
    ).rejects.toThrow(/separation of duties/);
    await db.query(
      "INSERT INTO approvals (id, plan_id, decision, decided_by) VALUES ('a2', 'plan-1', 'approved', 'user:bob')",
    );
    expect((await db.query('SELECT id FROM approvals')).rows).toEqual([{ id: 'a2' }]);
  });

  it('refuses to migrate when an applied migration file was edited', async () => {
    // Given a database migrated from a private copy of the migrations
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mobilize-migrations-'));
    fs.writeFileSync(path.join(dir, '0001_first.sql'), 'CREATE TABLE tamper_check (id int);');
    const fresh = await backend.open({ migrate: false });
    try {
      expect(await runMigrations(fresh, dir)).toEqual(['0001_first.sql']);
      // When the applied file changes
      fs.writeFileSync(path.join(dir, '0001_first.sql'), 'CREATE TABLE tamper_check (id bigint);');
      // Then migrating fails with a named error instead of drifting silently
      await expect(runMigrations(fresh, dir)).rejects.toThrow(MigrationError);
    } finally {
      await fresh.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
