import type { Queryable } from '../database.ts';

export type ThreadStatus = 'running' | 'awaiting_approval' | 'completed' | 'escalated' | 'failed';

export type ThreadRow = {
  threadId: string;
  groupKey: string;
  exposureIds: string[];
  status: ThreadStatus;
  outcome: string | null;
  planId: string | null;
  startedBy: string;
  updatedAt: Date;
};

const COLUMNS = `thread_id AS "threadId", group_key AS "groupKey", exposure_ids AS "exposureIds", status, outcome,
  plan_id AS "planId", started_by AS "startedBy", updated_at AS "updatedAt"`;

/** Claims a fix group: returns false when the group already has a live thread. */
export async function startThread(
  db: Queryable,
  thread: { threadId: string; groupKey: string; exposureIds: string[]; startedBy: string },
): Promise<boolean> {
  const result = await db.query(
    `INSERT INTO graph_threads (thread_id, group_key, exposure_ids, started_by) VALUES ($1, $2, $3, $4)
     ON CONFLICT DO NOTHING`,
    [thread.threadId, thread.groupKey, thread.exposureIds, thread.startedBy],
  );
  return result.rowCount > 0;
}

export async function updateThread(
  db: Queryable,
  threadId: string,
  change: { status: ThreadStatus; outcome?: string | null; planId?: string | null },
): Promise<void> {
  await db.query(
    `UPDATE graph_threads SET status = $2, outcome = coalesce($3, outcome), plan_id = coalesce($4, plan_id),
            updated_at = now() WHERE thread_id = $1`,
    [threadId, change.status, change.outcome ?? null, change.planId ?? null],
  );
}

export async function getThread(db: Queryable, threadId: string): Promise<ThreadRow | null> {
  const result = await db.query<ThreadRow>(`SELECT ${COLUMNS} FROM graph_threads WHERE thread_id = $1`, [threadId]);
  return result.rows[0] ?? null;
}

/** Threads left `running` by a worker that died: they resume from their last checkpoint. */
export async function listThreads(db: Queryable, status: ThreadStatus): Promise<ThreadRow[]> {
  const result = await db.query<ThreadRow>(
    `SELECT ${COLUMNS} FROM graph_threads WHERE status = $1 ORDER BY created_at, thread_id`,
    [status],
  );
  return result.rows;
}
