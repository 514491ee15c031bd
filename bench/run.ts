/**
 * Orchestrator benchmark: `npm run bench:run -- [--exposures 2000] [--advisories 300] [--assets 200]
 * [--backend all|postgres|pglite]`. Seeds a synthetic estate (npm findings on container images, so
 * every plan is an owner ticket: the whole graph runs, no git), runs the graph over it on the rules
 * back-end, and prints threads/s, per-thread latency percentiles, summaries made against distinct
 * advisories, and peak RSS. The baseline in the same run is the deterministic core alone
 * (prioritization of the same exposures): the ratio is the cost of orchestration.
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config.ts';
import type { Database } from '../src/db/database.ts';
import { createOrchestrator } from '../src/graph/orchestrator.ts';
import { createLogger } from '../src/logger.ts';
import { loadPolicy } from '../src/prioritize/policy.ts';
import { prioritizeExposures } from '../src/services/prioritize/prioritize.ts';
import { openBenchDatabase } from './bench-database.ts';

const { values } = parseArgs({
  options: {
    exposures: { type: 'string', default: '2000' },
    advisories: { type: 'string', default: '300' },
    assets: { type: 'string', default: '200' },
    backend: { type: 'string', default: 'all' },
  },
});

async function seed(db: Database, exposures: number, advisories: number, assets: number): Promise<void> {
  await db.query(
    `INSERT INTO assets (id, name, kind, environment, criticality, internet_exposure, team)
     SELECT 'asset-' || i, 'Asset ' || i, 'container_image', (ARRAY['production', 'staging'])[1 + i % 2],
            (ARRAY['high', 'medium', 'low'])[1 + i % 3], (ARRAY['internet', 'internal'])[1 + i % 2], 'team-' || (i % 20)
       FROM generate_series(0, $1 - 1) i`,
    [assets],
  );
  await db.query(
    `INSERT INTO advisories (id, source, title, details, severity, cvss_vector, cvss_score, cwes, affected, modified_at)
     SELECT 'GHSA-bench-' || i, 'osv', 'Synthetic flaw ' || i, 'Package pkg-' || i || ' before 1.2.' || (i % 9 + 1) || ' is vulnerable.',
            'high', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 9.8, ARRAY['CWE-502'],
            jsonb_build_array(jsonb_build_object('ecosystem', 'npm', 'package', 'pkg-' || i,
              'ranges', jsonb_build_array(jsonb_build_object('type', 'SEMVER', 'events',
                jsonb_build_array(jsonb_build_object('introduced', '0'), jsonb_build_object('fixed', '1.2.' || (i % 9 + 1))))),
              'versions', '[]'::jsonb, 'fixed', jsonb_build_array('1.2.' || (i % 9 + 1)))),
            now()
       FROM generate_series(0, $1 - 1) i`,
    [advisories],
  );
  await db.query(`INSERT INTO advisory_aliases (alias, advisory_id) SELECT id, id FROM advisories`);
  await db.query(
    `INSERT INTO exposures (id, correlation_key, asset_id, advisory_id, vulnerability_id, kind, component, ecosystem,
                            title, severity)
     SELECT 'EXP-' || lpad(i::text, 8, '0'), 'k' || i, 'asset-' || (i % $2), 'GHSA-bench-' || (i % $3),
            'GHSA-bench-' || (i % $3), 'package', 'npm/pkg-' || (i % $3), 'npm', 'synthetic ' || i, 'high'
       FROM generate_series(0, $1 - 1) i`,
    [exposures, assets, advisories],
  );
  await db.query(
    `INSERT INTO findings (fingerprint, exposure_id, asset_id, source_tool, format, rule_id, kind, package_name,
                           ecosystem, package_version, title, raw)
     SELECT 'f' || e.id, e.id, e.asset_id, 'trivy', 'trivy', e.vulnerability_id, 'package',
            substring(e.component from 5), 'npm', '1.0.0', e.title, '{}'::jsonb
       FROM exposures e`,
  );
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

async function main(): Promise<void> {
  const exposures = Number(values.exposures);
  const advisories = Number(values.advisories);
  const assets = Number(values.assets);
  const url = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL;
  const backends = values.backend === 'all' ? [...(url ? ['postgres'] : []), 'pglite'] : [values.backend!];
  const policy = loadPolicy();
  const config = loadConfig({ LOG_LEVEL: 'silent', MOBILIZE_BACKEND: 'rules' });
  console.log(
    `synthetic estate: ${exposures.toLocaleString('en')} exposures sharing ${advisories} advisories on ${assets} assets`,
  );
  for (const backend of backends) {
    const { db, drop } = await openBenchDatabase(backend, url);
    try {
      await seed(db, exposures, advisories, assets);
      await db.query('ANALYZE');
      const baseline = await prioritizeExposures(db, policy);
      const orchestrator = await createOrchestrator({ db, policy, logger: createLogger(config), config });
      const latencies: number[] = [];
      let last = performance.now();
      const summary = await orchestrator.run({
        startedBy: 'user:bench',
        onProgress: () => {
          const now = performance.now();
          latencies.push(now - last);
          last = now;
        },
      });
      latencies.sort((a, b) => a - b);
      const groups = summary.threads;
      console.log(
        `${backend.padEnd(9)} baseline (deterministic core only): ${baseline.exposures} exposures in ${baseline.seconds.toFixed(1)} s = ${Math.round(baseline.exposures / baseline.seconds)} exposures/s`,
      );
      console.log(
        `${backend.padEnd(9)} orchestrator: ${groups} threads (${exposures} exposures) in ${summary.seconds.toFixed(1)} s = ${(groups / summary.seconds).toFixed(1)} threads/s, ${Math.round(exposures / summary.seconds)} exposures/s; ${(summary.seconds / baseline.seconds).toFixed(1)}x the baseline's time`,
      );
      console.log(
        `${backend.padEnd(9)} thread latency p50 ${percentile(latencies, 50).toFixed(0)} ms, p95 ${percentile(latencies, 95).toFixed(0)} ms, max ${(latencies.at(-1) ?? 0).toFixed(0)} ms`,
      );
      console.log(
        `${backend.padEnd(9)} summaries made: ${summary.summarized} for ${advisories} distinct advisories (one per advisory, never per finding); planned ${summary.planned}, auto-executed ${summary.autoExecuted}, failed ${summary.failed}`,
      );
      console.log(`${backend.padEnd(9)} peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MB`);
    } finally {
      await db.close();
      await drop();
    }
  }
}

await main();
