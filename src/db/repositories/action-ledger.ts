import type { ActionLedger } from '../../../tools/run-tool.ts';
import type { Queryable } from '../database.ts';

/**
 * The `actions` table as the tool runner's idempotency ledger. A key that succeeded replays its
 * result; a key left `started` by a crashed worker is retried (action tools are idempotent by key).
 */
export function createActionLedger(db: Queryable): ActionLedger {
  return {
    async begin(entry) {
      const inserted = await db.query(
        `INSERT INTO actions (idempotency_key, plan_id, step_id, tool, args, dry_run, state)
         VALUES ($1, $2, $3, $4, $5, $6, 'started')
         ON CONFLICT (idempotency_key) DO NOTHING RETURNING id`,
        [entry.key, entry.planId ?? null, entry.stepId ?? null, entry.tool, JSON.stringify(entry.args), entry.dryRun],
      );
      if (inserted.rowCount > 0) return { state: 'new' };
      const existing = await db.query<{ state: string; result: unknown }>(
        'SELECT state, result FROM actions WHERE idempotency_key = $1',
        [entry.key],
      );
      const row = existing.rows[0]!;
      if (row.state === 'succeeded') return { state: 'succeeded', result: row.result };
      await db.query(
        `UPDATE actions SET state = 'started', error = NULL, started_at = now() WHERE idempotency_key = $1`,
        [entry.key],
      );
      return { state: 'retry' };
    },
    async finish(key, outcome) {
      await db.query(
        `UPDATE actions SET state = $2, result = $3, error = $4, finished_at = now() WHERE idempotency_key = $1`,
        [
          key,
          outcome.state,
          outcome.state === 'succeeded' ? JSON.stringify(outcome.result ?? null) : null,
          outcome.state === 'failed' ? outcome.error : null,
        ],
      );
    },
  };
}
