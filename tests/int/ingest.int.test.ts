import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.ts';
import { loadFormats } from '../../src/ingest/registry.ts';
import type { IngestSummary } from '../../src/services/ingest/ingest-input.ts';
import { type FileResult, ingestInputs, isFailure } from '../../src/services/ingest/ingest-inputs.ts';
import { databaseBackends } from '../helpers/databases.ts';
import { hasSharedFixtures, SHARED_FIXTURES } from '../helpers/fixtures.ts';

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/pipeline');
const fixture = (name: string) => path.join(FIXTURES, name);
const LIMITS = { timeoutMs: 5000, maxBytes: 10 * 1024 * 1024 };

async function ingest(
  db: Database,
  files: string[],
  options: { scope?: string; fullScan?: boolean; asset?: string } = {},
) {
  return ingestInputs(db, await loadFormats(), files.map(fixture), {
    limits: LIMITS,
    scope: options.scope,
    fullScan: options.fullScan,
    assetId: options.asset,
  });
}

function ok(results: FileResult[]): IngestSummary[] {
  const failures = results.filter(isFailure);
  expect(failures, JSON.stringify(failures)).toEqual([]);
  return results as IngestSummary[];
}

async function count(db: Database, sql: string, params: unknown[] = []): Promise<number> {
  return Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM (${sql}) q`, params)).rows[0]!.n);
}

/** Every table ingest writes, as row counts: a failed ingest must leave all of them unchanged. */
async function snapshot(db: Database) {
  const tables = ['assets', 'asset_identifiers', 'findings', 'exposures', 'advisories', 'ingest_reports'];
  return Object.fromEntries(await Promise.all(tables.map(async (t) => [t, await count(db, `SELECT 1 FROM ${t}`)])));
}

describe.each(databaseBackends())('ingest pipeline on $name', (backend) => {
  let db: Database;
  beforeEach(async () => {
    db = await backend.open();
  });
  afterEach(async () => {
    await db?.close();
  });

  it('re-importing the same report changes nothing', async () => {
    // Given a report ingested once
    const [first] = ok(await ingest(db, ['trivy-web.json']));
    expect(first).toMatchObject({ format: 'trivy', findings: 2, new: 2, updated: 0, unchanged: 0, exposures: 2 });
    // When it is ingested again
    const [second] = ok(await ingest(db, ['trivy-web.json']));
    // Then every finding is unchanged and no row is added
    expect(second).toMatchObject({ findings: 2, new: 0, updated: 0, unchanged: 2, exposures: 2 });
    expect(await count(db, 'SELECT 1 FROM findings')).toBe(2);
    expect(await count(db, 'SELECT 1 FROM exposures')).toBe(2);
  });

  it('two scanners reporting one vulnerability on one asset make one exposure with two findings', async () => {
    // Given Trivy (CVE id) and Grype (GHSA id with the CVE as related) scanning the same image
    ok(await ingest(db, ['trivy-web.json', 'grype-web.json']));
    // Then lodash's CVE-2021-23337 is one exposure seen by both tools
    const rows = await db.query<{ id: string; tools: string[]; asset_id: string }>(
      `SELECT e.id, array_agg(f.source_tool ORDER BY f.source_tool) AS tools, e.asset_id
         FROM exposures e JOIN findings f ON f.exposure_id = e.id
        WHERE e.vulnerability_id = 'CVE-2021-23337' GROUP BY e.id`,
    );
    expect(rows.rows).toHaveLength(1);
    expect(rows.rows[0]!.tools).toEqual(['grype', 'trivy']);
    expect(await count(db, 'SELECT 1 FROM exposures')).toBe(2);
    // And the unknown image became one unclassified asset, not a dropped finding
    const assets = await db.query<{ kind: string; name: string }>('SELECT kind, name FROM assets');
    expect(assets.rows).toEqual([{ kind: 'unclassified', name: 'registry.example.com/shop/web:1.4.2' }]);
  });

  it('correlates a GHSA-only finding with a CVE finding through advisory aliases', async () => {
    // Given the OSV advisory that says GHSA-35jh-r3h4-6jhm is CVE-2021-23337
    // When npm audit (GHSA only) and Trivy (CVE only) report lodash for the same asset
    ok(await ingest(db, ['npm-audit-web.json', 'osv-lodash.json'], { asset: 'shop-web' }));
    ok(await ingest(db, ['trivy-web.json'], { asset: 'shop-web' }));
    // Then both land on one exposure, linked to the advisory
    const rows = await db.query<{ vulnerability_id: string; advisory_id: string; findings: string }>(
      `SELECT e.vulnerability_id, e.advisory_id, count(f.*) AS findings
         FROM exposures e JOIN findings f ON f.exposure_id = e.id
        WHERE e.component = 'npm/lodash' GROUP BY e.id`,
    );
    expect(rows.rows).toEqual([
      { vulnerability_id: 'CVE-2021-23337', advisory_id: 'GHSA-35jh-r3h4-6jhm', findings: '2' },
    ]);
  });

  it('a full scan closes what it no longer reports, a re-appearance re-opens it, a partial scan closes nothing', async () => {
    const minimist = `SELECT state, resolved_at, reopen_count FROM exposures WHERE vulnerability_id = 'CVE-2021-44906'`;
    // Given a full scan of the image with two vulnerabilities
    ok(await ingest(db, ['trivy-web.json'], { scope: 'image:web', fullScan: true }));
    // When a partial scan without minimist arrives, nothing is closed
    const [partial] = ok(await ingest(db, ['trivy-web-lodash-only.json'], { scope: 'image:web' }));
    expect(partial!.fixed).toBe(0);
    expect((await db.query(minimist)).rows[0]).toMatchObject({ state: 'open', resolved_at: null });
    // When a full scan without minimist arrives, its finding is fixed and the exposure resolved
    const [full] = ok(await ingest(db, ['trivy-web-lodash-only.json'], { scope: 'image:web', fullScan: true }));
    expect(full!.fixed).toBe(1);
    const resolved = (await db.query<{ state: string; resolved_at: Date | null }>(minimist)).rows[0]!;
    expect(resolved.state).toBe('resolved');
    expect(resolved.resolved_at).toBeInstanceOf(Date);
    expect(await count(db, "SELECT 1 FROM findings WHERE state = 'fixed' AND fixed_at IS NOT NULL")).toBe(1);
    // When minimist shows up again, the exposure re-opens and the re-open is counted
    ok(await ingest(db, ['trivy-web.json'], { scope: 'image:web', fullScan: true }));
    expect((await db.query(minimist)).rows[0]).toMatchObject({ state: 'open', resolved_at: null, reopen_count: 1 });
  });

  it('an inventory asset claims scanner findings through its identifiers, even after the fact', async () => {
    // Given findings ingested before the inventory (an unclassified asset)
    ok(await ingest(db, ['trivy-web.json']));
    // When the inventory names the image
    const [inventory] = ok(await ingest(db, ['inventory.yaml']));
    expect(inventory).toMatchObject({ format: 'inventory', assets: 1, controls: 1 });
    // Then the findings and exposures move to the inventory asset and the unclassified one is gone
    expect(await count(db, "SELECT 1 FROM exposures WHERE asset_id = 'shop-web'")).toBe(2);
    expect(await count(db, "SELECT 1 FROM findings WHERE asset_id = 'shop-web'")).toBe(2);
    expect(await count(db, "SELECT 1 FROM assets WHERE kind = 'unclassified'")).toBe(0);
    // And a later report of the same image matches it directly, without a warning
    const [again] = ok(await ingest(db, ['grype-web.json']));
    expect(again!.warnings).toEqual([]);
    expect(await count(db, "SELECT 1 FROM exposures WHERE asset_id = 'shop-web'")).toBe(2);
  });

  it('attaches KEV and EPSS to advisories through their aliases, whatever the order', async () => {
    ok(await ingest(db, ['kev.json', 'epss.csv']));
    ok(await ingest(db, ['osv-lodash.json']));
    const advisory = await db.query<{ epss_score: number; epss_percentile: number; kev: boolean }>(
      "SELECT epss_score, epss_percentile, kev FROM advisories WHERE id = 'GHSA-35jh-r3h4-6jhm'",
    );
    expect(advisory.rows[0]).toEqual({ epss_score: 0.01234, epss_percentile: 0.78123, kev: false });
    const kev = await db.query<{ ransomware: boolean; due_date: string }>(
      "SELECT ransomware, to_char(due_date, 'YYYY-MM-DD') AS due_date FROM kev_entries WHERE cve_id = 'CVE-2021-44228'",
    );
    expect(kev.rows[0]).toEqual({ ransomware: true, due_date: '2021-12-24' });
  });

  it.each([
    ['trivy-web-truncated.json', /trivy-web-truncated\.json \(trivy\) at byte \d+: the JSON document is truncated/],
    [
      'trivy-web-missing-id.json',
      /trivy-web-missing-id\.json \(trivy\) at \/Results\/0\/Vulnerabilities\/1.*VulnerabilityID/,
    ],
  ])(
    'a bad file (%s) is named with its pointer, loses nothing, and does not stop the other files',
    async (bad, message) => {
      // Given an existing state
      ok(await ingest(db, ['osv-lodash.json']));
      const before = await snapshot(db);
      // When a bad file is ingested together with a good one
      const results = await ingest(db, [bad, 'grype-web.json']);
      // Then the bad one fails with a message naming the file and the record, and nothing of it is kept
      const failure = results.find(isFailure);
      expect(failure?.error.code).toBe('INGEST_INVALID');
      expect(failure?.error.message).toMatch(message);
      // And the good one imported
      const good = results.find((r) => !isFailure(r)) as IngestSummary;
      expect(good).toMatchObject({ format: 'grype', findings: 1 });
      const after = await snapshot(db);
      expect(after.findings).toBe(before.findings + 1);
      expect(after.ingest_reports).toBe(before.ingest_reports + 1);
    },
  );

  it('an unrecognized file is reported as UNSUPPORTED_FORMAT and changes nothing', async () => {
    const before = await snapshot(db);
    const results = await ingestInputs(
      db,
      await loadFormats(),
      [path.resolve(import.meta.dirname, '../../README.md')],
      {
        limits: LIMITS,
      },
    );
    expect(results).toHaveLength(1);
    expect(isFailure(results[0]!) && results[0].error.code).toBe('UNSUPPORTED_FORMAT');
    expect(await snapshot(db)).toEqual(before);
  });

  it('a file forced to the wrong format fails with what that format expected, and changes nothing', async () => {
    const before = await snapshot(db);
    const results = await ingestInputs(db, await loadFormats(), [fixture('trivy-web.json')], {
      limits: LIMITS,
      format: 'grype',
    });
    expect(isFailure(results[0]!) && results[0].error).toMatchObject({ code: 'INGEST_INVALID' });
    expect(isFailure(results[0]!) && results[0].error.message).toMatch(
      /trivy-web\.json \(grype\).*expected a Grype report/,
    );
    expect(await snapshot(db)).toEqual(before);
  });

  it.skipIf(!hasSharedFixtures)('stores a real report whose package version holds a NUL character', async () => {
    // anchore_grype/fix_available.json carries U+0000, which PostgreSQL text and jsonb refuse
    const file = path.join(SHARED_FIXTURES, 'scanners/anchore_grype/fix_available.json');
    const [result] = ok(await ingestInputs(db, await loadFormats(), [file], { limits: LIMITS }));
    expect(result).toMatchObject({ format: 'grype' });
    expect(result!.findings).toBeGreaterThan(0);
    expect(await count(db, 'SELECT 1 FROM findings')).toBe(result!.new);
  });

  it('--full-scan without --scope is refused', async () => {
    const results = await ingest(db, ['trivy-web.json'], { fullScan: true });
    expect(isFailure(results[0]!) && results[0].error.message).toMatch(/--full-scan needs --scope/);
  });
});
