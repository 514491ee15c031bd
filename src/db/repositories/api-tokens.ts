import crypto from 'node:crypto';
import type { ApiToken, Role } from '../../domain/auth.ts';
import { NotFoundError } from '../../domain/errors.ts';
import type { Queryable } from '../database.ts';

function hashToken(token: string): string {
  return crypto.createHash('sha256').update(token).digest('hex');
}

/** Creates a token; the secret is returned once and only its hash is stored. */
export async function createApiToken(
  db: Queryable,
  input: { name: string; role: Role },
): Promise<ApiToken & { token: string }> {
  const id = `tok_${crypto.randomBytes(6).toString('hex')}`;
  const token = `mbz_${crypto.randomBytes(32).toString('base64url')}`;
  await db.query('INSERT INTO api_tokens (id, name, role, token_hash) VALUES ($1, $2, $3, $4)', [
    id,
    input.name,
    input.role,
    hashToken(token),
  ]);
  return { id, name: input.name, role: input.role, token };
}

/** The active token with this secret, or null. Looked up by hash: no secret comparison in code. */
export async function findApiToken(db: Queryable, token: string): Promise<ApiToken | null> {
  const result = await db.query<ApiToken>(
    `UPDATE api_tokens SET last_used_at = now() WHERE token_hash = $1 AND revoked_at IS NULL
     RETURNING id, name, role`,
    [hashToken(token)],
  );
  return result.rows[0] ?? null;
}

export async function listApiTokens(
  db: Queryable,
): Promise<(ApiToken & { createdAt: Date; lastUsedAt: Date | null; revokedAt: Date | null })[]> {
  const result = await db.query<ApiToken & { createdAt: Date; lastUsedAt: Date | null; revokedAt: Date | null }>(
    `SELECT id, name, role, created_at AS "createdAt", last_used_at AS "lastUsedAt", revoked_at AS "revokedAt"
       FROM api_tokens ORDER BY created_at`,
  );
  return result.rows;
}

export async function revokeApiToken(db: Queryable, id: string): Promise<void> {
  const result = await db.query('UPDATE api_tokens SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL', [id]);
  if (result.rowCount === 0) throw new NotFoundError('active token', id);
}

export async function countActiveApiTokens(db: Queryable): Promise<number> {
  const result = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM api_tokens WHERE revoked_at IS NULL');
  return result.rows[0]?.n ?? 0;
}
