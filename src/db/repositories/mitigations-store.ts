import crypto from 'node:crypto';
import type { ControlPlane } from '../../../tools/context.ts';
import { NotFoundError, ValidationError } from '../../domain/errors.ts';
import { type Mitigation, MitigationSchema } from '../../domain/remediation.ts';
import type { Database, Queryable } from '../database.ts';

/** The network segment quarantined assets move to on the demo estate's control plane. */
export const QUARANTINE_NETWORK = 'quarantine';

const COLUMNS = `id, kind, control_id AS "controlId", asset_id AS "assetId", exposure_ids AS "exposureIds",
  plan_id AS "planId", details, state, simulated`;

const idFor = (key: string) => `mit_${crypto.createHash('sha256').update(key).digest('hex').slice(0, 16)}`;

async function byKey(db: Queryable, key: string): Promise<Mitigation | null> {
  const result = await db.query(`SELECT ${COLUMNS} FROM mitigations WHERE idempotency_key = $1`, [key]);
  return result.rows[0] ? MitigationSchema.parse(result.rows[0]) : null;
}

async function byId(db: Queryable, id: string): Promise<Mitigation | null> {
  const result = await db.query(`SELECT ${COLUMNS} FROM mitigations WHERE id = $1`, [id]);
  return result.rows[0] ? MitigationSchema.parse(result.rows[0]) : null;
}

/**
 * The demo estate's simulated control plane over the database: a virtual patch is a rule added to
 * a WAF control (so the controls engine counts it), a quarantine moves an asset into the
 * quarantine segment. Each keeps what it replaced, so rollback restores it exactly.
 */
export function createControlPlane(db: Database): ControlPlane {
  return {
    applyVirtualPatch: (input, key) =>
      db.transaction(async (tx) => {
        const existing = await byKey(tx, key);
        if (existing) return existing;
        const control = await tx.query<{ kind: string; rules: unknown[] }>(
          'SELECT kind, rules FROM controls WHERE id = $1 FOR UPDATE',
          [input.controlId],
        );
        const row = control.rows[0];
        if (!row) throw new NotFoundError('control', input.controlId);
        if (row.kind !== 'waf') throw new ValidationError(`control ${input.controlId} is a ${row.kind}, not a WAF`);
        const id = idFor(key);
        const rule = {
          id: `mobilize-${id}`,
          name: 'Mobilize virtual patch (simulated)',
          cves: input.cves,
          enabled: true,
        };
        await tx.query(
          `UPDATE controls SET rules = rules || $2::jsonb, last_verified_at = now(), updated_at = now() WHERE id = $1`,
          [input.controlId, JSON.stringify([rule])],
        );
        await tx.query(
          `INSERT INTO mitigations (id, kind, control_id, exposure_ids, plan_id, details, previous, idempotency_key)
           VALUES ($1, 'waf_virtual_patch', $2, $3, $4, $5, $6, $7)`,
          [id, input.controlId, input.exposureIds, input.planId, JSON.stringify({ rule }), JSON.stringify({}), key],
        );
        return (await byId(tx, id))!;
      }),
    quarantine: (input, key) =>
      db.transaction(async (tx) => {
        const existing = await byKey(tx, key);
        if (existing) return existing;
        const asset = await tx.query<{ network: string | null; internet_exposure: string }>(
          'SELECT network, internet_exposure FROM assets WHERE id = $1 FOR UPDATE',
          [input.assetId],
        );
        const row = asset.rows[0];
        if (!row) throw new NotFoundError('asset', input.assetId);
        const id = idFor(key);
        await tx.query(
          `UPDATE assets SET network = $2, internet_exposure = 'isolated', updated_at = now() WHERE id = $1`,
          [input.assetId, QUARANTINE_NETWORK],
        );
        await tx.query(
          `INSERT INTO mitigations (id, kind, asset_id, exposure_ids, plan_id, details, previous, idempotency_key)
           VALUES ($1, 'quarantine', $2, $3, $4, $5, $6, $7)`,
          [
            id,
            input.assetId,
            input.exposureIds,
            input.planId,
            JSON.stringify({ network: QUARANTINE_NETWORK }),
            JSON.stringify({ network: row.network, internetExposure: row.internet_exposure }),
            key,
          ],
        );
        return (await byId(tx, id))!;
      }),
    rollback: (mitigationId) =>
      db.transaction(async (tx) => {
        const result = await tx.query<{
          kind: string;
          control_id: string | null;
          asset_id: string | null;
          details: { rule?: { id: string } };
          previous: { network?: string | null; internetExposure?: string };
          state: string;
        }>('SELECT kind, control_id, asset_id, details, previous, state FROM mitigations WHERE id = $1 FOR UPDATE', [
          mitigationId,
        ]);
        const row = result.rows[0];
        if (!row) throw new NotFoundError('mitigation', mitigationId);
        if (row.state === 'active') {
          if (row.kind === 'waf_virtual_patch' && row.control_id && row.details.rule) {
            await tx.query(
              `UPDATE controls SET rules = coalesce((SELECT jsonb_agg(r) FROM jsonb_array_elements(rules) r
                                                      WHERE r->>'id' <> $2), '[]'::jsonb), updated_at = now()
                WHERE id = $1`,
              [row.control_id, row.details.rule.id],
            );
          }
          if (row.kind === 'quarantine' && row.asset_id) {
            await tx.query(
              `UPDATE assets SET network = $2, internet_exposure = coalesce($3, internet_exposure), updated_at = now()
                WHERE id = $1`,
              [row.asset_id, row.previous.network ?? null, row.previous.internetExposure ?? null],
            );
          }
          await tx.query(`UPDATE mitigations SET state = 'rolled_back', updated_at = now() WHERE id = $1`, [
            mitigationId,
          ]);
        }
        return (await byId(tx, mitigationId))!;
      }),
    getMitigation: (mitigationId) => byId(db, mitigationId),
  };
}
