import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyBaseLogger, FastifyInstance, FastifyTypeProvider, RawServerDefault } from 'fastify';
import type { Database } from '../../db/database.ts';
import { findApiToken } from '../../db/repositories/api-tokens.ts';
import { type ApiToken, type Role, roleAllows } from '../../domain/auth.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Least role a token needs for this route; routes without one are public. */
    role?: Role;
  }
  interface FastifyRequest {
    token?: ApiToken;
  }
}

/**
 * Bearer-token authentication with roles, checked on request (before any body is read, so an
 * unauthenticated upload is refused without being received). Routes opt in with `config.role`.
 */
export function registerAuth<T extends FastifyTypeProvider>(
  app: FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, FastifyBaseLogger, T>,
  db: Database,
): void {
  app.addHook('onRequest', async (request, reply) => {
    const required = request.routeOptions.config?.role;
    if (!required) return;
    const header = request.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    const token = match ? await findApiToken(db, match[1]!) : null;
    if (!token) {
      return reply
        .status(401)
        .header('www-authenticate', 'Bearer')
        .send({ code: 'UNAUTHORIZED', message: 'a valid API token is required (Authorization: Bearer <token>)' });
    }
    if (!roleAllows(token.role, required)) {
      return reply
        .status(403)
        .send({ code: 'FORBIDDEN', message: `this needs the ${required} role; the token has ${token.role}` });
    }
    request.token = token;
  });
}
