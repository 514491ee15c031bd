import { type BuiltinTicket, BuiltinTicketSchema, type NewTicket } from '../../domain/ticket.ts';
import type { Queryable } from '../database.ts';

const COLUMNS = `id, system, title, owner, due_at AS "dueAt", state, plan_id AS "planId", url`;

/** Creates a built-in ticket once per idempotency key; a replay returns the ticket made the first time. */
export async function createTicket(db: Queryable, ticket: NewTicket, idempotencyKey: string): Promise<BuiltinTicket> {
  const id = `tkt_${idempotencyKey.replace(/[^A-Za-z0-9]+/g, '-').slice(0, 80)}`;
  await db.query(
    `INSERT INTO tickets (id, system, exposure_id, exposure_ids, plan_id, title, body, owner, due_at, idempotency_key)
     VALUES ($1, 'builtin', $2, $3, $4, $5, $6, $7, $8, $9)
     ON CONFLICT (idempotency_key) DO NOTHING`,
    [
      id,
      ticket.exposureIds[0],
      ticket.exposureIds,
      ticket.planId ?? null,
      ticket.title,
      ticket.body,
      ticket.owner ?? null,
      ticket.dueAt ?? null,
      idempotencyKey,
    ],
  );
  const result = await db.query(`SELECT ${COLUMNS} FROM tickets WHERE idempotency_key = $1`, [idempotencyKey]);
  return BuiltinTicketSchema.parse(result.rows[0]);
}

export async function listTickets(db: Queryable, options: { planId?: string } = {}): Promise<BuiltinTicket[]> {
  const result = await db.query(
    `SELECT ${COLUMNS} FROM tickets WHERE ($1::text IS NULL OR plan_id = $1) ORDER BY created_at, id`,
    [options.planId ?? null],
  );
  return result.rows.map((row) => BuiltinTicketSchema.parse(row));
}
