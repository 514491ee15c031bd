import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.ts';
import {
  applyThreatIntel,
  upsertAdvisories,
  upsertEpssScores,
  upsertKevEntries,
} from '../../src/db/repositories/advisories-store.ts';
import { groupExposures, listExposures } from '../../src/db/repositories/exposures-query.ts';
import { linkExposuresToAdvisories, upsertExposures } from '../../src/db/repositories/findings-store.ts';
import { createUnclassifiedAsset, upsertAsset } from '../../src/db/repositories/inventory-store.ts';
import { AdvisorySchema } from '../../src/domain/advisory.ts';
import { AssetSchema } from '../../src/domain/asset.ts';
import { ExposureQuerySchema } from '../../src/domain/exposure-query.ts';
import { databaseBackends } from '../helpers/databases.ts';

/** The facts each exposure row carries, as stored. */
async function facts(db: Database) {
  const result = await db.query<{
    id: string;
    kev: boolean;
    epss: number | null;
    internet: boolean;
    environment: string;
    criticality: string;
  }>(
    `SELECT id, kev, epss_score AS epss, internet_facing AS internet, asset_environment AS environment,
            asset_criticality AS criticality
       FROM exposures ORDER BY id`,
  );
  return Object.fromEntries(result.rows.map(({ id, ...rest }) => [id, rest]));
}

const ids = async (db: Database, filters: Record<string, unknown>) =>
  (await listExposures(db, ExposureQuerySchema.parse(filters))).rows.map((r) => r.id).sort();

const exposure = (id: string, assetId: string, vulnerabilityId: string) => ({
  id,
  correlationKey: `${assetId}|${vulnerabilityId}`,
  assetId,
  vulnerabilityId,
  kind: 'package',
  component: 'pkg',
  ecosystem: 'npm',
  title: `${vulnerabilityId} in pkg`,
  severity: 'high',
});

// Filters read KEV, EPSS and asset facts kept on the exposure row (migration 0008); these tests
// change each source the way ingest does and check that filters follow.
describe.each(databaseBackends())('exposure facts on $name', (backend) => {
  let db: Database;
  beforeAll(async () => {
    db = await backend.open();
    // Given two inventory assets, one scanner-only asset, and exposures on each
    await upsertAsset(
      db,
      AssetSchema.parse({
        id: 'shop',
        name: 'shop',
        kind: 'repository',
        environment: 'production',
        criticality: 'crown_jewel',
        internetExposure: 'internet',
      }),
    );
    await upsertAsset(db, AssetSchema.parse({ id: 'wiki', name: 'wiki', kind: 'repository', environment: 'staging' }));
    await createUnclassifiedAsset(db, {
      id: 'scanned-host',
      name: 'scanned-host',
      identifiers: [{ kind: 'hostname', value: 'billing.internal' }],
    });
    await upsertExposures(db, [
      exposure('exp-shop-1', 'shop', 'CVE-2024-0001'),
      exposure('exp-wiki-1', 'wiki', 'CVE-2024-0001'),
      exposure('exp-wiki-2', 'wiki', 'CVE-2024-0002'),
      exposure('exp-host-1', 'scanned-host', 'CVE-2024-0003'),
    ]);
  });
  afterAll(async () => {
    await db?.close();
  });

  it('a new exposure takes its asset facts at insert', async () => {
    // Then
    expect(await facts(db)).toMatchObject({
      'exp-shop-1': { kev: false, epss: null, internet: true, environment: 'production', criticality: 'crown_jewel' },
      'exp-wiki-1': { internet: false, environment: 'staging', criticality: 'medium' },
      'exp-host-1': { internet: false, environment: 'unknown' },
    });
    expect(await ids(db, { internetFacing: true })).toEqual(['exp-shop-1']);
    expect(await ids(db, { environment: 'staging' })).toEqual(['exp-wiki-1', 'exp-wiki-2']);
    // KEV and EPSS known before the exposure arrives come with its insert
    await upsertKevEntries(db, [{ cveId: 'CVE-2024-0004', dateAdded: '2024-04-01', ransomware: false, cwes: [] }]);
    await upsertEpssScores(db, [{ cveId: 'CVE-2024-0004', score: 0.42, percentile: 0.9 }]);
    await upsertExposures(db, [exposure('exp-shop-4', 'shop', 'CVE-2024-0004')]);
    expect((await facts(db))['exp-shop-4']).toMatchObject({ kev: true, epss: 0.42, environment: 'production' });
    await db.query(`DELETE FROM exposures WHERE id = 'exp-shop-4'`);
    await db.query(`DELETE FROM kev_entries WHERE cve_id = 'CVE-2024-0004'`);
  });

  it('an exposure written without its facts gets them from the trigger; one with half of them is refused', async () => {
    // When a writer other than ingest inserts an exposure without facts
    await db.query(
      `INSERT INTO exposures (id, correlation_key, asset_id, vulnerability_id, kind, title)
       VALUES ('exp-raw', 'raw', 'shop', 'CVE-2024-0009', 'package', 'raw insert')`,
    );
    // Then the trigger looked them up
    expect((await facts(db))['exp-raw']).toMatchObject({
      kev: false,
      internet: true,
      environment: 'production',
      criticality: 'crown_jewel',
    });
    // And a writer that sets the environment but forgets the rest fails loudly
    await expect(
      db.query(
        `INSERT INTO exposures (id, correlation_key, asset_id, vulnerability_id, kind, title, asset_environment)
         VALUES ('exp-half', 'half', 'shop', 'CVE-2024-0010', 'package', 'half', 'production')`,
      ),
    ).rejects.toThrow(/null value/);
    await db.query(`DELETE FROM exposures WHERE id = 'exp-raw'`);
  });

  it('a KEV entry or EPSS score for the CVE reaches exposures without an advisory, and its removal too', async () => {
    // When
    await upsertKevEntries(db, [{ cveId: 'CVE-2024-0002', dateAdded: '2024-05-01', ransomware: false, cwes: [] }]);
    await upsertEpssScores(db, [{ cveId: 'CVE-2024-0003', score: 0.91, percentile: 0.99 }]);
    // Then
    expect(await ids(db, { kev: true })).toEqual(['exp-wiki-2']);
    expect(await ids(db, { minEpss: 0.9 })).toEqual(['exp-host-1']);
    // When the scores move and the KEV entry goes
    await upsertEpssScores(db, [{ cveId: 'CVE-2024-0003', score: 0.2, percentile: 0.7 }]);
    await db.query(`DELETE FROM kev_entries WHERE cve_id = 'CVE-2024-0002'`);
    // Then
    expect(await ids(db, { minEpss: 0.9 })).toEqual([]);
    expect(await ids(db, { kev: true })).toEqual([]);
    expect((await facts(db))['exp-host-1']).toMatchObject({ epss: 0.2 });
  });

  it('an advisory linked later, and its KEV and EPSS learned later, reach its exposures', async () => {
    // Given an advisory for CVE-2024-0001 (linked through its alias)
    await upsertAdvisories(db, [
      AdvisorySchema.parse({ id: 'GHSA-aaaa-bbbb-cccc', source: 'github', aliases: ['CVE-2024-0001'], title: 'x' }),
    ]);
    await linkExposuresToAdvisories(db);
    expect(await ids(db, { kev: true })).toEqual([]);
    // When the KEV catalog and EPSS feed name the CVE and intel is applied to advisories
    await upsertKevEntries(db, [{ cveId: 'CVE-2024-0001', dateAdded: '2024-06-01', ransomware: true, cwes: [] }]);
    await upsertEpssScores(db, [{ cveId: 'CVE-2024-0001', score: 0.75, percentile: 0.98 }]);
    await applyThreatIntel(db);
    // Then both exposures of the advisory are known-exploited, in lists, counts and groups
    expect(await ids(db, { kev: true })).toEqual(['exp-shop-1', 'exp-wiki-1']);
    expect(await ids(db, { kev: true, internetFacing: true, environment: 'production' })).toEqual(['exp-shop-1']);
    expect(await ids(db, { minEpss: 0.7, sort: 'epss' })).toEqual(['exp-shop-1', 'exp-wiki-1']);
    const grouped = await groupExposures(db, ExposureQuerySchema.parse({}), 'environment', { limit: 10 });
    expect(Object.fromEntries(grouped.rows.map((r) => [r.key, r.kev]))).toEqual({
      production: 1,
      staging: 1,
      unknown: 0,
    });
    const listed = await listExposures(db, ExposureQuerySchema.parse({ kev: true }));
    expect(listed.rows.map((r) => [r.id, r.kev, r.epssScore])).toEqual(
      expect.arrayContaining([['exp-shop-1', true, 0.75]]),
    );
  });

  it('an asset re-classified by the inventory moves its facts with it', async () => {
    // When the inventory changes the wiki and claims the scanner-only host
    await upsertAsset(
      db,
      AssetSchema.parse({
        id: 'wiki',
        name: 'wiki',
        kind: 'repository',
        environment: 'production',
        criticality: 'high',
      }),
    );
    await upsertAsset(
      db,
      AssetSchema.parse({
        id: 'billing',
        name: 'billing',
        kind: 'host',
        environment: 'production',
        internetExposure: 'internet',
        identifiers: [{ kind: 'hostname', value: 'billing.internal' }],
      }),
    );
    // Then
    const after = await facts(db);
    expect(after['exp-wiki-2']).toMatchObject({ environment: 'production', criticality: 'high', internet: false });
    expect(after['exp-host-1']).toMatchObject({ environment: 'production', internet: true });
    expect(await ids(db, { environment: 'production', internetFacing: true })).toEqual(['exp-host-1', 'exp-shop-1']);
    expect(await ids(db, { criticality: 'high' })).toEqual(['exp-wiki-1', 'exp-wiki-2']);
  });
});
