import { z } from 'zod';
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

/** A ticket row with what the connectors need: where it lives outside and its comments. */
export const StoredTicketSchema = BuiltinTicketSchema.extend({
  externalId: z.string().nullable(),
  comments: z.array(z.object({ body: z.string(), at: z.string() })),
});
export type StoredTicket = z.infer<typeof StoredTicketSchema>;

const STORED_COLUMNS = `${COLUMNS}, external_id AS "externalId", comments`;

export async function findTicket(db: Queryable, id: string): Promise<StoredTicket | null> {
  const result = await db.query(`SELECT ${STORED_COLUMNS} FROM tickets WHERE id = $1`, [id]);
  return result.rows[0] ? StoredTicketSchema.parse(result.rows[0]) : null;
}

/**
 * Records where the ticket was mirrored (a GitHub issue, a Jira issue). Only the first
 * attachment sticks, so a replay never points the ticket at a second external issue.
 */
export async function attachExternalTicket(
  db: Queryable,
  id: string,
  external: { system: 'github' | 'jira'; externalId: string; url: string },
): Promise<BuiltinTicket> {
  await db.query(
    `UPDATE tickets SET system = $2, external_id = $3, url = $4, updated_at = now()
     WHERE id = $1 AND external_id IS NULL`,
    [id, external.system, external.externalId, external.url],
  );
  const result = await db.query(`SELECT ${COLUMNS} FROM tickets WHERE id = $1`, [id]);
  return BuiltinTicketSchema.parse(result.rows[0]);
}

/** Appends a comment (with the database's time) to the ticket's `comments`. */
export async function appendTicketComment(db: Queryable, id: string, body: string): Promise<void> {
  await db.query(
    `UPDATE tickets SET comments = comments || jsonb_build_array(jsonb_build_object('body', $2::text, 'at', now())),
       updated_at = now()
     WHERE id = $1`,
    [id, body],
  );
}

export async function setTicketState(db: Queryable, id: string, state: 'open' | 'closed'): Promise<void> {
  await db.query('UPDATE tickets SET state = $2, updated_at = now() WHERE id = $1', [id, state]);
}
