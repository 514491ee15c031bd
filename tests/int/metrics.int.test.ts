import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, buildApp } from '../../src/api/app.ts';
import { loadConfig } from '../../src/config.ts';
import type { Database } from '../../src/db/database.ts';
import { computeMetrics, listMetricSnapshots, takeMetricSnapshot } from '../../src/db/repositories/metrics-store.ts';
import { loadFormats } from '../../src/ingest/registry.ts';
import { createLogger } from '../../src/logger.ts';
import { loadPolicy } from '../../src/prioritize/policy.ts';
import { prioritizeExposures } from '../../src/services/prioritize/prioritize.ts';
import { authHeader, databaseBackends } from '../helpers/databases.ts';
import { buildEstate, type Estate, ingestEstate } from '../helpers/estate.ts';

const config = loadConfig({ MOBILIZE_HOME: '/tmp/mobilize-unused', LOG_LEVEL: 'silent' });
const DAY = 86_400_000;

describe.each(databaseBackends())('metrics and snapshots on $name', (backend) => {
  let db: Database;
  let estate: Estate;
  let app: App;
  beforeAll(async () => {
    db = await backend.open();
    estate = buildEstate();
    await ingestEstate(db, estate);
    await prioritizeExposures(db, loadPolicy());
    app = await buildApp({
      config,
      db,
      logger: createLogger(config),
      version: 't',
      formats: await loadFormats(),
      policy: loadPolicy(),
    });
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
    estate?.cleanup();
  });

  it('counts the backlog by decision, weighted by risk, with SLA compliance and MTTR', async () => {
    const now = new Date();
    const before = await computeMetrics(db, now);
    expect(before.openTotal).toBe(3);
    expect(Object.values(before.openByDecision).reduce((a, b) => a + b, 0)).toBe(3);
    expect(before.riskWeightedBacklog).toBeGreaterThan(0);
    expect(before.kevOpen).toBe(0);
    expect(before.slaCompliance).toBe(1);
    expect(before.mttrDaysByDecision).toEqual({});
    // One exposure was opened 10 days ago and resolved today; another is past its due date.
    await db.query(
      `UPDATE exposures SET state = 'resolved', opened_at = $1, resolved_at = $2 WHERE asset_id = 'shop-repo'`,
      [new Date(now.getTime() - 10 * DAY), now],
    );
    await db.query(`UPDATE exposures SET sla_due_at = $1 WHERE asset_id = 'payments-repo'`, [
      new Date(now.getTime() - DAY),
    ]);
    const after = await computeMetrics(db, now);
    expect(after.openTotal).toBe(2);
    expect(after.resolvedLast30Days).toBe(1);
    expect(Object.values(after.mttrDaysByDecision)).toEqual([10]);
    expect(after.slaBreached).toBe(1);
    expect(after.slaCompliance).toBe(0.5);
    expect(after.riskWeightedBacklog).toBeLessThan(before.riskWeightedBacklog);
  });

  it('stores snapshots for trends, on demand and through the API', async () => {
    const old = await takeMetricSnapshot(db, new Date(Date.now() - 60 * DAY));
    const now = await takeMetricSnapshot(db, new Date());
    const listed = await listMetricSnapshots(db, new Date(Date.now() - 90 * DAY));
    expect(listed.map((s) => s.id)).toEqual([old.id, now.id]);
    const viewer = await authHeader(db, 'viewer');
    const got = await app.inject({ method: 'GET', url: '/v1/metrics?days=30', headers: viewer });
    expect(got.statusCode).toBe(200);
    expect(got.json().snapshots.map((s: { id: number }) => s.id)).toEqual([now.id]);
    expect(got.json().now.openTotal).toBe(2);
    expect((await app.inject({ method: 'POST', url: '/v1/metrics/snapshots', headers: viewer })).statusCode).toBe(403);
    const analyst = await authHeader(db, 'analyst');
    const taken = await app.inject({ method: 'POST', url: '/v1/metrics/snapshots', headers: analyst });
    expect(taken.statusCode).toBe(200);
    expect(taken.json().metrics.openTotal).toBe(2);
  });
});
