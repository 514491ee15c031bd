import path from 'node:path';
import { listPlans } from '../db/repositories/plans-store.ts';
import { writeDemoEstate } from '../demo/write-demo.ts';
import { IngestError } from '../domain/errors.ts';
import { createOrchestrator, type RunSummary } from '../graph/orchestrator.ts';
import { loadFormats } from '../ingest/registry.ts';
import type { Runtime } from '../main.ts';
import { ingestInputs, isFailure } from '../services/ingest/ingest-inputs.ts';
import { prioritizeExposures } from '../services/prioritize/prioritize.ts';
import { formatRun } from './orchestrate.ts';

export type DemoResult = {
  dir: string;
  repos: Record<string, string>;
  files: number;
  run: RunSummary;
  pendingApprovals: number;
};

/** Whether the database holds nothing yet (then `npm start` loads the demo estate). */
export async function isEmpty(runtime: Runtime): Promise<boolean> {
  const result = await runtime.db.query<{ n: number }>(
    'SELECT (SELECT count(*) FROM assets) + (SELECT count(*) FROM exposures) AS n',
  );
  return Number(result.rows[0]?.n ?? 0) === 0;
}

/**
 * Loads the demo estate (written under $MOBILIZE_HOME/demo with its git repositories), ingests it
 * in order, prioritizes it, and runs the orchestrator over it as the `demo` user.
 */
export async function loadDemo(runtime: Runtime, progress: (message: string) => void): Promise<DemoResult> {
  const dir = path.join(runtime.config.home, 'demo');
  progress(`writing the demo estate to ${dir}…`);
  const { files, repos } = await writeDemoEstate(dir);
  progress(`ingesting ${files.length} files…`);
  const results = await ingestInputs(runtime.db, await loadFormats(), files, {
    limits: { timeoutMs: runtime.config.timeouts.httpMs, maxBytes: runtime.config.server.maxBodyBytes },
  });
  const failed = results.filter(isFailure);
  if (failed.length) {
    const first = failed[0]!;
    throw new IngestError({ format: first.format ?? 'unknown', file: first.file, message: first.error.message });
  }
  await prioritizeExposures(runtime.db, runtime.policy);
  progress('running the orchestrator…');
  const orchestrator = await createOrchestrator({
    db: runtime.db,
    policy: runtime.policy,
    logger: runtime.logger,
    config: runtime.config,
  });
  const run = await orchestrator.run({
    startedBy: 'user:demo',
    onProgress: (done, total) => progress(`thread ${done}/${total} done`),
  });
  const pendingApprovals = (await listPlans(runtime.db, { status: 'pending', limit: 500 })).length;
  return { dir, repos, files: files.length, run, pendingApprovals };
}

export function formatDemo(result: DemoResult): string {
  return [
    `demo estate in ${result.dir} (${result.files} files, repositories: ${Object.values(result.repos).join(', ')})`,
    formatRun(result.run),
    `  ${result.pendingApprovals} plan(s) wait for approval: npx mobilize approvals list`,
  ].join('\n');
}
