import type { IncomingMessage, ServerResponse } from 'node:http';
import swagger from '@fastify/swagger';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type RawServerDefault } from 'fastify';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { askServiceFor } from '../ask/service.ts';
import type { Config } from '../config.ts';
import type { Database } from '../db/database.ts';
import { createOrchestrator, type Orchestrator } from '../graph/orchestrator.ts';
import type { FormatRegistry } from '../ingest/registry.ts';
import type { Logger } from '../logger.ts';
import type { Policy } from '../prioritize/policy.ts';
import { registerAuth } from './plugins/auth.ts';
import { registerErrorHandler } from './plugins/error-handler.ts';
import { registerMcp } from './plugins/mcp.ts';
import { approvalRoutes } from './routes/approvals.ts';
import { askRoutes } from './routes/ask.ts';
import { exposureRoutes } from './routes/exposures.ts';
import { healthRoutes } from './routes/health.ts';
import { ingestRoutes } from './routes/ingest.ts';
import { metricRoutes } from './routes/metrics.ts';
import { runRoutes } from './routes/runs.ts';

export type AppDeps = {
  config: Config;
  db: Database;
  logger: Logger;
  version: string;
  formats: FormatRegistry;
  policy: Policy;
  /** The graph runner; built from the other deps when not given. */
  orchestrator?: Orchestrator;
};

/** The Fastify instance with zod schemas as its type provider. */
export type App = FastifyInstance<
  RawServerDefault,
  IncomingMessage,
  ServerResponse,
  FastifyBaseLogger,
  ZodTypeProvider
>;

/** Builds the HTTP API: wiring only; each resource lives in routes/. */
export async function buildApp(deps: AppDeps): Promise<App> {
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    bodyLimit: deps.config.server.maxBodyBytes,
    requestTimeout: 120_000,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerErrorHandler(app);
  registerAuth(app, deps.db);

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Mobilize API',
        description: 'Agentic remediation for Continuous Threat Exposure Management',
        version: deps.version,
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(healthRoutes({ db: deps.db, version: deps.version }));
  await app.register(
    ingestRoutes({ db: deps.db, formats: deps.formats, maxBodyBytes: deps.config.server.maxBodyBytes }),
  );
  await app.register(exposureRoutes({ db: deps.db, policy: deps.policy }));
  const orchestrator =
    deps.orchestrator ??
    (await createOrchestrator({ db: deps.db, policy: deps.policy, logger: deps.logger, config: deps.config }));
  await app.register(approvalRoutes({ db: deps.db, orchestrator }));
  await app.register(runRoutes({ orchestrator, policy: deps.policy }));
  await app.register(metricRoutes({ db: deps.db }));
  await app.register(askRoutes({ ask: askServiceFor(orchestrator.deps) }));
  registerMcp(app, {
    db: deps.db,
    orchestrator,
    allowedOrigins: deps.config.server.mcpAllowedOrigins,
    maxBodyBytes: Math.min(deps.config.server.maxBodyBytes, 4 * 1024 * 1024),
  });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  await app.ready();
  return app;
}
