/**
 * Prioritization benchmark: `npm run bench:prioritize -- [--exposures 100000] [--assets 5000] [--controls 200]
 * [--backend all|postgres|pglite]`. Builds a synthetic estate straight in the database, then
 * measures a full prioritization (exposures/s) and the re-prioritization after one control
 * drifts (only the exposures that relied on it are recomputed), against the full run as baseline.
 */
import { parseArgs } from 'node:util';
import type { Database } from '../src/db/database.ts';
import { loadPolicy } from '../src/prioritize/policy.ts';
import { loadControls } from '../src/services/prioritize/load-context.ts';
import { prioritizeExposures } from '../src/services/prioritize/prioritize.ts';
import { verifyControls } from '../src/services/prioritize/verify-controls.ts';
import { openBenchDatabase } from './bench-database.ts';

const { values } = parseArgs({
  options: {
    exposures: { type: 'string', default: '100000' },
    assets: { type: 'string', default: '5000' },
    controls: { type: 'string', default: '200' },
    backend: { type: 'string', default: 'all' },
  },
});

const ENVIRONMENTS = ['production', 'staging', 'development', 'test'];
const CRITICALITY = ['crown_jewel', 'high', 'medium', 'low'];
const EXPOSURE = ['internet', 'internal', 'isolated', 'internal'];
const VECTORS = [
  'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
  'CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N',
  'CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H',
  'CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:C/C:L/I:L/A:N',
];
const CWES = [['CWE-89'], ['CWE-79'], ['CWE-502'], ['CWE-787'], ['CWE-269'], ['CWE-200']];

/** Inserts the synthetic estate with a few set-based statements (generate_series), not row by row. */
async function seed(db: Database, exposures: number, assets: number, controls: number): Promise<void> {
  await db.query(
    `INSERT INTO assets (id, name, kind, environment, criticality, internet_exposure, data_sensitivity, team, tags)
     SELECT 'asset-' || i, 'Asset ' || i, 'container_image', ($2::text[])[1 + i % 4], ($3::text[])[1 + (i / 4) % 4],
            ($4::text[])[1 + (i / 16) % 4], 'confidential', CASE WHEN i % 3 = 0 THEN NULL ELSE 'team-' || (i % 40) END,
            ARRAY['tag-' || (i % 50), 'web']
       FROM generate_series(0, $1 - 1) i`,
    [assets, ENVIRONMENTS, CRITICALITY, EXPOSURE],
  );
  const advisories = 2000;
  await db.query(
    `INSERT INTO advisories (id, source, cvss_vector, cvss_score, cwes, severity, kev, kev_date_added, kev_ransomware,
                             epss_score, epss_percentile)
     SELECT 'CVE-2024-' || (10000 + i), 'osv', ($2::text[])[1 + i % 4], (ARRAY[9.8, 6.5, 7.8, 4.7])[1 + i % 4],
            ARRAY[($3::text[])[1 + i % 6]], 'high', i % 25 = 0, CASE WHEN i % 25 = 0 THEN date '2024-06-01' END,
            i % 100 = 0, (i % 100) / 100.0, (i % 97) / 97.0
       FROM generate_series(0, $1 - 1) i`,
    [advisories, VECTORS, CWES.map((c) => c[0])],
  );
  await db.query(`INSERT INTO advisory_aliases (alias, advisory_id) SELECT id, id FROM advisories`);
  await db.query(
    `INSERT INTO exposures (id, correlation_key, asset_id, advisory_id, vulnerability_id, kind, component, ecosystem, title,
                            severity)
     SELECT 'EXP-' || lpad(i::text, 8, '0'), 'k' || i, 'asset-' || (i % $2), 'CVE-2024-' || (10000 + i % $3),
            'CVE-2024-' || (10000 + i % $3), 'package', 'npm/pkg-' || (i % 700), 'npm', 'synthetic ' || i, 'high'
       FROM generate_series(0, $1 - 1) i`,
    [exposures, assets, advisories],
  );
  const now = new Date().toISOString();
  await db.query(
    `INSERT INTO controls (id, name, kind, mode, scope, capabilities, rules, enabled, last_verified_at)
     SELECT 'control-' || i, 'Control ' || i,
            (ARRAY['waf', 'edr', 'segmentation', 'iam_boundary', 'waf'])[1 + i % 5],
            CASE WHEN i % 7 = 0 THEN 'detect' ELSE 'block' END,
            jsonb_build_object('tags', jsonb_build_array('tag-' || (i % 50))),
            CASE i % 5 WHEN 0 THEN ARRAY['injection', 'rce'] WHEN 1 THEN ARRAY['code_execution_prevention']
                       WHEN 2 THEN ARRAY['network_isolation'] WHEN 3 THEN ARRAY['privilege_escalation']
                       ELSE ARRAY['injection'] END,
            CASE WHEN i % 10 = 0 THEN jsonb_build_array(jsonb_build_object('id', 'vp-' || i,
                   'cves', jsonb_build_array('CVE-2024-' || (10000 + i)))) ELSE '[]'::jsonb END,
            true, $2::timestamptz
       FROM generate_series(0, $1 - 1) i`,
    [controls, now],
  );
}

async function main(): Promise<void> {
  const exposures = Number(values.exposures);
  const assets = Number(values.assets);
  const controls = Number(values.controls);
  const url = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL;
  const backends = values.backend === 'all' ? [...(url ? ['postgres'] : []), 'pglite'] : [values.backend!];
  const policy = loadPolicy();
  console.log(`synthetic estate: ${exposures.toLocaleString('en')} exposures, ${assets} assets, ${controls} controls`);
  for (const backend of backends) {
    const { db, drop } = await openBenchDatabase(backend, url);
    try {
      await seed(db, exposures, assets, controls);
      await db.query('ANALYZE'); // as autovacuum would have by now on a real estate
      const full = await prioritizeExposures(db, policy);
      console.log(
        `${backend.padEnd(9)} full prioritization: ${full.exposures.toLocaleString('en')} exposures in ${full.seconds.toFixed(1)} s = ${Math.round(full.exposures / full.seconds).toLocaleString('en')} exposures/s; decisions ${JSON.stringify(full.decisions)}`,
      );
      // One control drifts: the busiest one is disabled.
      const busiest = await db.query<{ control_id: string; n: number }>(
        'SELECT control_id, count(*)::int AS n FROM exposure_controls GROUP BY control_id ORDER BY n DESC LIMIT 1',
      );
      const target = busiest.rows[0];
      if (!target) {
        console.log(`${backend.padEnd(9)} no control covers anything: drift not measured`);
        continue;
      }
      const before = await loadControls(db);
      await db.query('UPDATE controls SET enabled = false WHERE id = $1', [target.control_id]);
      const started = performance.now();
      const drift = await verifyControls(db, policy, { before });
      const seconds = (performance.now() - started) / 1000;
      console.log(
        `${backend.padEnd(9)} drift of ${target.control_id} (${target.n} exposures relied on it): re-prioritized ${drift.reprioritized?.exposures ?? 0} in ${seconds.toFixed(2)} s (full run: ${full.seconds.toFixed(1)} s, ${(full.seconds / seconds).toFixed(0)}x faster)`,
      );
      console.log(`${backend.padEnd(9)} peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MB`);
    } finally {
      await db.close();
      await drop();
    }
  }
}

await main();
