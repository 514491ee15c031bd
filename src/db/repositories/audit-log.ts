import crypto from 'node:crypto';
import type { AuditEntry } from '../../domain/audit.ts';
import type { Queryable } from '../database.ts';

/** The hash before the first entry. */
export const GENESIS_HASH = '0'.repeat(64);

/** Serializes appends across processes: the chain needs one writer at a time. */
const AUDIT_LOCK_KEY = 0x6d6f6269; // "mobi"

/** JSON with sorted keys, so the same entry always hashes the same. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

function entryHash(prevHash: string, at: string, entry: AuditEntry): string {
  const body = canonical({
    at,
    actor: entry.actor,
    action: entry.action,
    subjectType: entry.subjectType,
    subjectId: entry.subjectId,
    data: entry.data,
  });
  return crypto.createHash('sha256').update(prevHash).update(body).digest('hex');
}

/**
 * Appends entries to the hash-chained audit log inside the caller's transaction, so the
 * entries commit (or roll back) with the change they describe.
 */
export async function appendAudit(tx: Queryable, entries: AuditEntry[]): Promise<void> {
  if (!entries.length) return;
  await tx.query('SELECT pg_advisory_xact_lock($1)', [AUDIT_LOCK_KEY]);
  const last = await tx.query<{ hash: string }>('SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1');
  let prev = last.rows[0]?.hash ?? GENESIS_HASH;
  const rows: unknown[][] = [];
  const at = new Date().toISOString();
  for (const raw of entries) {
    // Hash exactly what is stored: JSON drops undefined values and writes dates as strings.
    const entry = { ...raw, data: JSON.parse(JSON.stringify(raw.data)) as Record<string, unknown> };
    const hash = entryHash(prev, at, entry);
    rows.push([
      at,
      entry.actor,
      entry.action,
      entry.subjectType,
      entry.subjectId,
      JSON.stringify(entry.data),
      prev,
      hash,
    ]);
    prev = hash;
  }
  const columns = rows[0]!.map((_, i) => rows.map((r) => r[i]));
  await tx.query(
    `INSERT INTO audit_log (at, actor, action, subject_type, subject_id, data, prev_hash, hash)
     SELECT at, actor, action, subject_type, subject_id, data, prev_hash, hash FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::text[], $5::text[], $6::jsonb[], $7::text[], $8::text[])
       WITH ORDINALITY AS t(at, actor, action, subject_type, subject_id, data, prev_hash, hash, n) ORDER BY n`,
    columns,
  );
}

export type AuditVerification = { ok: boolean; entries: number; firstBrokenSeq?: number; reason?: string };

/** Recomputes the chain from the first entry; any edit, deletion or reordering breaks it. */
export async function verifyAuditLog(db: Queryable): Promise<AuditVerification> {
  const result = await db.query<{
    seq: string;
    at: Date;
    actor: string;
    action: string;
    subject_type: string;
    subject_id: string;
    data: Record<string, unknown>;
    prev_hash: string;
    hash: string;
  }>('SELECT seq, at, actor, action, subject_type, subject_id, data, prev_hash, hash FROM audit_log ORDER BY seq');
  let prev = GENESIS_HASH;
  for (const row of result.rows) {
    const expected = entryHash(prev, row.at.toISOString(), {
      actor: row.actor,
      action: row.action,
      subjectType: row.subject_type,
      subjectId: row.subject_id,
      data: row.data,
    });
    if (row.prev_hash !== prev) {
      return {
        ok: false,
        entries: result.rows.length,
        firstBrokenSeq: Number(row.seq),
        reason: 'prev_hash does not match the previous entry',
      };
    }
    if (row.hash !== expected) {
      return {
        ok: false,
        entries: result.rows.length,
        firstBrokenSeq: Number(row.seq),
        reason: 'hash does not match the entry content',
      };
    }
    prev = row.hash;
  }
  return { ok: true, entries: result.rows.length };
}
