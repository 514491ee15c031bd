import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyBaseLogger, FastifyInstance, FastifyTypeProvider, RawServerDefault } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { ServiceError } from '../../domain/errors.ts';

/**
 * One error body for every route: `{code, message}` for caller faults, a generic body for
 * server faults so internals (SQL, paths, stack traces) never leave the process.
 */
export function registerErrorHandler<T extends FastifyTypeProvider>(
  app: FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, FastifyBaseLogger, T>,
): void {
  app.setErrorHandler((error, request, reply) => {
    if (hasZodFastifySchemaValidationErrors(error)) {
      const issue = error.validation[0];
      const where = `${error.validationContext ?? 'request'}${issue?.instancePath ?? ''}`;
      return reply.status(400).send({
        code: 'VALIDATION_FAILED',
        message: `${where}: ${issue?.message ?? 'invalid request'}`,
      });
    }
    if (error instanceof ServiceError && error.status < 500) {
      return reply.status(error.status).send({ code: error.code, message: error.message });
    }
    const status = (error as { statusCode?: number }).statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      const code = (error as { code?: string }).code ?? 'BAD_REQUEST';
      return reply.status(status).send({ code, message: (error as Error).message });
    }
    request.log.error({ err: error }, 'request failed');
    const code = error instanceof ServiceError ? error.code : 'INTERNAL';
    return reply.status(error instanceof ServiceError ? error.status : 500).send({ code, message: 'internal error' });
  });
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send({ code: 'NOT_FOUND', message: `no route ${request.method} ${request.url}` }),
  );
}
