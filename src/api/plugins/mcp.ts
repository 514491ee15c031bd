import { askServiceFor } from '../../ask/service.ts';
import type { Database } from '../../db/database.ts';
import { appendAudit } from '../../db/repositories/audit-log.ts';
import { toolContext } from '../../graph/deps.ts';
import type { Orchestrator } from '../../graph/orchestrator.ts';
import { authenticateBearer, type McpHttpHandler, mcpHttpHandler } from '../../mcp/http.ts';
import { createMcpServer } from '../../mcp/server.ts';
import type { App } from '../app.ts';

/**
 * Streamable HTTP MCP at `/mcp`: the request is handed to the MCP transport before Fastify reads
 * its body. Bearer tokens (the API's own, with their roles) are checked on every request, browser
 * origins against an allow-list; each session gets a server whose tools fit the caller's role.
 */
export function registerMcp(
  app: App,
  deps: { db: Database; orchestrator: Orchestrator; allowedOrigins: readonly string[]; maxBodyBytes: number },
): McpHttpHandler {
  const handler = mcpHttpHandler({
    authenticate: authenticateBearer(deps.db),
    allowedOrigins: deps.allowedOrigins,
    maxBodyBytes: deps.maxBodyBytes,
    serverFor: (caller) =>
      createMcpServer({
        context: () => toolContext(deps.orchestrator.deps),
        role: caller.role,
        identity: caller.name,
        audit: (entry) => deps.db.transaction((tx) => appendAudit(tx, [entry])),
        decide: (input) => deps.orchestrator.decide(input),
        ask: askServiceFor(deps.orchestrator.deps),
      }),
  });
  app.route({
    method: ['GET', 'POST', 'DELETE'],
    url: '/mcp',
    schema: { hide: true },
    onRequest: async (request, reply) => {
      reply.hijack();
      await handler(request.raw, reply.raw);
    },
    handler: async () => undefined,
  });
  app.addHook('onClose', async () => handler.close());
  return handler;
}
