import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.ts';
import { appendAudit, verifyAuditLog } from '../../src/db/repositories/audit-log.ts';
import { databaseBackends } from '../helpers/databases.ts';

describe.each(databaseBackends())('audit log on $name', (backend) => {
  let db: Database;
  beforeAll(async () => {
    db = await backend.open();
  });
  afterAll(async () => {
    await db?.close();
  });

  it('chains entries so that verification passes, and detects an edited entry', async () => {
    // Given three appended entries in two transactions
    await db.transaction((tx) =>
      appendAudit(tx, [
        {
          actor: 'rules',
          action: 'exposure.prioritized',
          subjectType: 'exposure',
          subjectId: 'EXP-1',
          data: { decision: 'Act' },
        },
        {
          actor: 'rules',
          action: 'control.drift',
          subjectType: 'control',
          subjectId: 'waf-edge',
          data: { reason: 'disabled' },
        },
      ]),
    );
    await db.transaction((tx) =>
      appendAudit(tx, [
        { actor: 'user:bob', action: 'plan.approved', subjectType: 'plan', subjectId: 'P-1', data: {} },
      ]),
    );
    // Then the chain verifies
    expect(await verifyAuditLog(db)).toEqual({ ok: true, entries: 3 });
    // When someone with database superpowers edits an entry behind the trigger's back
    await db.query('ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only');
    await db.query(`UPDATE audit_log SET data = '{"decision":"Track"}' WHERE subject_id = 'EXP-1'`);
    await db.query('ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only');
    // Then verification names the first broken entry
    const broken = await verifyAuditLog(db);
    expect(broken).toMatchObject({ ok: false, firstBrokenSeq: 1, reason: 'hash does not match the entry content' });
  });

  it('an audit entry written in a rolled-back transaction leaves no trace', async () => {
    const before = (await db.query('SELECT count(*)::int AS n FROM audit_log')).rows[0];
    await expect(
      db.transaction(async (tx) => {
        await appendAudit(tx, [{ actor: 'rules', action: 'x', subjectType: 'x', subjectId: 'x', data: {} }]);
        throw new Error('change failed');
      }),
    ).rejects.toThrow('change failed');
    expect((await db.query('SELECT count(*)::int AS n FROM audit_log')).rows[0]).toEqual(before);
  });
});
