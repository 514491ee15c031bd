import { type App, buildApp } from './api/app.ts';
import { type Config, loadConfig } from './config.ts';
import type { Database } from './db/database.ts';
import { runMigrations } from './db/migrate.ts';
import { openDatabase } from './db/open.ts';
import { latestSnapshotAt, takeMetricSnapshot } from './db/repositories/metrics-store.ts';
import { createOrchestrator } from './graph/orchestrator.ts';
import { loadFormats } from './ingest/registry.ts';
import { createLogger, type Logger } from './logger.ts';
import { loadPolicy, type Policy } from './prioritize/policy.ts';
import { VERSION } from './version.ts';

/** Everything a command needs: validated config, a logger and an open, migrated database. */
export type Runtime = {
  config: Config;
  logger: Logger;
  db: Database;
  policy: Policy;
  close(): Promise<void>;
};

/** Composition root: config, then logger, then database (migrated unless told otherwise). */
export async function createRuntime(options: { env?: NodeJS.ProcessEnv; migrate?: boolean } = {}): Promise<Runtime> {
  const config = loadConfig(options.env);
  const policy = loadPolicy(config.policyFile);
  const logger = createLogger(config);
  const db = await openDatabase(config);
  try {
    if (options.migrate !== false) await runMigrations(db);
  } catch (error) {
    await db.close();
    throw error;
  }
  return { config, logger, db, policy, close: () => db.close() };
}

/** A metric snapshot when the latest is a day old (or there is none): trend questions need history. */
async function dailySnapshot(db: Database): Promise<void> {
  const latest = await latestSnapshotAt(db);
  if (!latest || Date.now() - latest.getTime() >= 86_400_000) await takeMetricSnapshot(db, new Date());
}

/** Starts the HTTP server and returns it with the URLs it serves. */
export async function startServer(runtime: Runtime): Promise<{ app: App; urls: Record<string, string> }> {
  const orchestrator = await createOrchestrator({
    db: runtime.db,
    policy: runtime.policy,
    logger: runtime.logger,
    config: runtime.config,
  });
  const app = await buildApp({
    orchestrator,
    config: runtime.config,
    db: runtime.db,
    logger: runtime.logger,
    version: VERSION,
    formats: await loadFormats(),
    policy: runtime.policy,
  });
  await dailySnapshot(runtime.db);
  // Every five minutes: approvals past their window escalate, accepted risk past its date reopens,
  // fixes waiting for the next scan are settled (verified, or escalated after the window), and a
  // metric snapshot is taken once a day.
  const expiry = setInterval(() => {
    orchestrator
      .expireApprovals()
      .then(() => orchestrator.expireAcceptedRisk())
      .then(() => orchestrator.settleVerifications())
      .then(() => dailySnapshot(runtime.db))
      .catch((error) => runtime.logger.error({ err: error }, 'scheduled checks failed'));
  }, 5 * 60_000);
  expiry.unref();
  app.server.once('close', () => clearInterval(expiry));
  const address = await app.listen({ host: runtime.config.server.host, port: runtime.config.server.port });
  const base = address.replace('0.0.0.0', '127.0.0.1');
  return {
    app,
    urls: {
      api: base,
      health: `${base}/healthz`,
      openapi: `${base}/openapi.json`,
      approvals: `${base}/v1/approvals`,
      mcp: `${base}/mcp`,
    },
  };
}
