import crypto from 'node:crypto';
import { type ChangeRequest, ChangeRequestSchema, type NewChangeRequest } from '../../domain/remediation.ts';
import type { Queryable } from '../database.ts';

const COLUMNS = `id, system, external_id AS "externalId", url, asset_id AS "assetId", plan_id AS "planId", branch, base,
  title, state`;

/**
 * Records a change request once per idempotency key. The local forge stops here (the branch in
 * the working copy is the change); the GitHub forge records the pull request it opened.
 */
export async function recordChangeRequest(
  db: Queryable,
  request: NewChangeRequest & { system: 'github' | 'local'; externalId?: string | null; url?: string | null },
  idempotencyKey: string,
): Promise<ChangeRequest> {
  await db.query(
    `INSERT INTO change_requests (id, system, external_id, url, asset_id, plan_id, branch, base, title, body, idempotency_key)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (idempotency_key) DO NOTHING`,
    [
      `cr_${crypto.createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 16)}`,
      request.system,
      request.externalId ?? null,
      request.url ?? null,
      request.assetId,
      request.planId,
      request.branch,
      request.base,
      request.title,
      request.body,
      idempotencyKey,
    ],
  );
  return (await findChangeRequest(db, idempotencyKey))!;
}

export async function findChangeRequest(db: Queryable, idempotencyKey: string): Promise<ChangeRequest | null> {
  const result = await db.query(`SELECT ${COLUMNS} FROM change_requests WHERE idempotency_key = $1`, [idempotencyKey]);
  return result.rows[0] ? ChangeRequestSchema.parse(result.rows[0]) : null;
}

/** The open change request of a plan branch on an asset, if any. */
export async function findOpenChangeRequest(
  db: Queryable,
  assetId: string,
  branch: string,
): Promise<ChangeRequest | null> {
  const result = await db.query(
    `SELECT ${COLUMNS} FROM change_requests WHERE asset_id = $1 AND branch = $2 AND state = 'open'
      ORDER BY created_at DESC, id LIMIT 1`,
    [assetId, branch],
  );
  return result.rows[0] ? ChangeRequestSchema.parse(result.rows[0]) : null;
}

export async function closeChangeRequestRecord(db: Queryable, id: string): Promise<ChangeRequest> {
  const result = await db.query(
    `UPDATE change_requests SET state = 'closed', updated_at = now() WHERE id = $1 RETURNING ${COLUMNS}`,
    [id],
  );
  return ChangeRequestSchema.parse(result.rows[0]);
}

export async function listChangeRequests(db: Queryable, planId?: string): Promise<ChangeRequest[]> {
  const result = await db.query(
    `SELECT ${COLUMNS} FROM change_requests WHERE ($1::text IS NULL OR plan_id = $1) ORDER BY created_at, id`,
    [planId ?? null],
  );
  return result.rows.map((row) => ChangeRequestSchema.parse(row));
}
