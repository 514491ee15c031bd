import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.ts';
import { type DemoEstate, writeDemoEstate } from '../../src/demo/write-demo.ts';
import { loadFormats } from '../../src/ingest/registry.ts';
import { loadPolicy } from '../../src/prioritize/policy.ts';
import { type FileResult, ingestInputs, isFailure } from '../../src/services/ingest/ingest-inputs.ts';
import { type PrioritizeSummary, prioritizeExposures } from '../../src/services/prioritize/prioritize.ts';
import { databaseBackends } from '../helpers/databases.ts';

const policy = loadPolicy();

type ExposureRow = {
  asset_id: string;
  vulnerability_id: string;
  ssvc_decision: string;
  coverage: string;
  coverage_evidence: { control: string; rule: string | null; coverage: string }[];
  risk_score: number;
};

describe.each(databaseBackends())('the demo estate ingested and prioritized on $name', (backend) => {
  let db: Database;
  let dir: string;
  let estate: DemoEstate;
  let results: FileResult[];
  let summary: PrioritizeSummary;
  const exposure = async (assetId: string, vulnerabilityId: string) => {
    const rows = (
      await db.query<ExposureRow>(
        `SELECT asset_id, vulnerability_id, ssvc_decision, coverage, coverage_evidence, risk_score
           FROM exposures JOIN exposure_explanations ON exposure_id = id
          WHERE asset_id = $1 AND vulnerability_id = $2`,
        [assetId, vulnerabilityId],
      )
    ).rows;
    expect(rows, `${assetId} ${vulnerabilityId}`).toHaveLength(1);
    return rows[0]!;
  };

  beforeAll(async () => {
    // Given the demo estate written to a fresh folder and a fresh database
    db = await backend.open();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mobilize-demo-int-'));
    estate = await writeDemoEstate(dir);
    // When every file is ingested and the exposures are prioritized
    results = await ingestInputs(db, await loadFormats(), estate.files, {
      limits: { timeoutMs: 10_000, maxBytes: 1e7 },
    });
    summary = await prioritizeExposures(db, policy);
  });
  afterAll(async () => {
    await db?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('ingests every file without a failure, and every finding lands on an inventory asset', async () => {
    expect(results.filter(isFailure)).toEqual([]);
    expect(results).toHaveLength(estate.files.length);
    const unclassified = await db.query<{ id: string }>(`SELECT id FROM assets WHERE kind = 'unclassified'`);
    expect(unclassified.rows).toEqual([]);
    expect(summary.exposures).toBeGreaterThanOrEqual(30);
    expect(summary.triage).toBe(0);
  });

  it('decides Act for the KEV-listed Log4Shell on the internet-facing production Java service', async () => {
    for (const asset of ['img-inventory-service-prod', 'repo-inventory-service']) {
      expect(await exposure(asset, 'CVE-2021-44228')).toMatchObject({ ssvc_decision: 'Act', coverage: 'none' });
    }
  });

  it('credits the WAF virtual patch with full coverage of lodash on the storefront image, and deprioritizes it', async () => {
    const covered = await exposure('img-storefront-web-prod', 'CVE-2021-23337');
    expect(covered.coverage).toBe('full');
    expect(covered.coverage_evidence).toContainEqual(
      expect.objectContaining({ control: 'waf-edge', rule: 'vp-lodash-template-cve-2021-23337', coverage: 'full' }),
    );
    // The same flaw on the staging image, outside the WAF, is not covered and ranks higher
    const uncovered = await exposure('img-storefront-web-staging', 'CVE-2021-23337');
    expect(uncovered.coverage).toBe('none');
    expect(covered.risk_score).toBeLessThan(uncovered.risk_score);
  });

  it('credits the Log4j configuration mitigation on staging only', async () => {
    const staging = await exposure('img-inventory-service-staging', 'CVE-2021-44228');
    expect(staging.coverage).toBe('full');
    expect(staging.coverage_evidence).toContainEqual(
      expect.objectContaining({ control: 'cfg-log4j-nolookups-staging', coverage: 'full' }),
    );
    expect(staging.ssvc_decision).not.toBe('Act');
  });
});
