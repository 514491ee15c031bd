import { createHash } from 'node:crypto';
import { createConnectors } from '../../src/connectors/index.ts';
import type { Database, Queryable } from '../../src/db/database.ts';
import { runMigrations } from '../../src/db/migrate.ts';
import { openEmbedded } from '../../src/db/open.ts';
import { upsertAdvisories } from '../../src/db/repositories/advisories-store.ts';
import { upsertAsset, upsertControl } from '../../src/db/repositories/inventory-store.ts';
import { createControlPlane } from '../../src/db/repositories/mitigations-store.ts';
import type { Advisory } from '../../src/domain/advisory.ts';
import type { CoverageAssessment } from '../../src/domain/priority.ts';
import { createEstate } from '../../src/graph/estate.ts';
import { type AssessCoverageInput, assessCoverage } from '../../src/prioritize/controls/assess-coverage.ts';
import { isInScope } from '../../src/prioritize/controls/eligibility.ts';
import { loadPolicy, type Policy } from '../../src/prioritize/policy.ts';
import { loadControls, loadExposurePage } from '../../src/services/prioritize/load-context.ts';
import type { ToolContext } from '../../tools/context.ts';
import { type CaseEntities, type CaseExposure, exposureTitle } from './case-entities.ts';

/**
 * A case's inline entities (case-entities.ts), loaded into a fresh embedded database so that tools
 * and agents read them through the same SQL, the same estate reader and the same deterministic
 * engine as production.
 */

/** The deterministic controls engine, replaceable so the harness can prove a broken engine fails the gate. */
export type CoverageEngine = (input: AssessCoverageInput) => CoverageAssessment;

export type CaseEstate = {
  db: Database;
  policy: Policy;
  /** Empties the database and loads one case's entities (one transaction). */
  load(entities: CaseEntities, now: Date): Promise<void>;
  /** The tools' context over the loaded entities, on the case's clock. Action tools run dry unless told. */
  toolContext(now: Date, options?: { dryRun?: boolean; timeoutMs?: number }): ToolContext;
  close(): Promise<void>;
};

/**
 * Opens one in-memory database for a suite run (booting PGlite takes seconds; emptying it
 * between cases takes milliseconds). Never the configured database: loading a case empties
 * every table.
 */
export async function openCaseEstate(options: { policy?: Policy; engine?: CoverageEngine } = {}): Promise<CaseEstate> {
  const db = await openEmbedded('memory://');
  try {
    await runMigrations(db);
  } catch (error) {
    await db.close();
    throw error;
  }
  const policy = options.policy ?? loadPolicy();
  const tables = await db.query<{ tablename: string }>(
    `SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename <> 'migrations'`,
  );
  const truncate = `TRUNCATE ${tables.rows.map((t) => `"${t.tablename}"`).join(', ')} RESTART IDENTITY CASCADE`;

  return {
    db,
    policy,
    async load(entities, now) {
      await db.query(truncate);
      await db.transaction((tx) => insertEntities(tx, entities, now));
    },
    toolContext(now, { dryRun = true, timeoutMs = 30_000 } = {}) {
      const clock = () => now;
      const estate = createEstate(db, policy, clock);
      const reader = options.engine
        ? { ...estate, assessCoverage: (id: string) => assessWith(options.engine!, db, policy, id, now) }
        : estate;
      return {
        reader,
        ...createConnectors({ timeoutMs }, db),
        controlPlane: createControlPlane(db),
        dryRun,
        timeoutMs,
        now: clock,
      };
    },
    close: () => db.close(),
  };
}

/** What src/graph/estate.ts does, with the engine swapped: same context loading, same scope filter. */
async function assessWith(
  engine: CoverageEngine,
  db: Database,
  policy: Policy,
  exposureId: string,
  now: Date,
): Promise<CoverageAssessment | null> {
  const [item] = await loadExposurePage(db, { after: '', limit: 1, ids: [exposureId], anyState: true });
  if (!item) return null;
  const controls = (await loadControls(db)).filter((c) => isInScope(c, item.asset));
  return engine({
    context: item.context,
    asset: item.asset,
    controls,
    now,
    freshnessDays: policy.controls.freshnessDays,
  });
}

/** The real engine, for callers that wrap it. */
export const realCoverageEngine: CoverageEngine = assessCoverage;

async function insertEntities(tx: Queryable, entities: CaseEntities, now: Date): Promise<void> {
  for (const asset of entities.assets) await upsertAsset(tx, asset);
  for (const control of entities.controls) await upsertControl(tx, control);
  await upsertAdvisories(tx, entities.advisories);
  for (const advisory of entities.advisories) await storeThreatIntel(tx, advisory);
  for (const exposure of entities.exposures) await insertExposure(tx, exposure, now);
  // An exposure without an advisory id gets the one naming its vulnerability, as ingest links them.
  await tx.query(
    `UPDATE exposures e SET advisory_id = sub.advisory_id
       FROM (SELECT DISTINCT ON (alias) alias, advisory_id FROM advisory_aliases ORDER BY alias, advisory_id) sub
      WHERE e.advisory_id IS NULL AND sub.alias = e.vulnerability_id`,
  );
}

/** KEV and EPSS facts written straight onto the advisory, as applyThreatIntel leaves them. */
async function storeThreatIntel(tx: Queryable, advisory: Advisory): Promise<void> {
  if (!advisory.kev && !advisory.epss) return;
  await tx.query(
    `UPDATE advisories SET kev = $2, kev_date_added = $3, kev_due_date = $4, kev_ransomware = $5,
            kev_required_action = $6, epss_score = $7, epss_percentile = $8, epss_date = $9
      WHERE id = $1`,
    [
      advisory.id,
      Boolean(advisory.kev),
      advisory.kev?.dateAdded ?? null,
      advisory.kev?.dueDate ?? null,
      advisory.kev ? advisory.kev.ransomware : null,
      advisory.kev?.requiredAction ?? null,
      advisory.epss?.score ?? null,
      advisory.epss?.percentile ?? null,
      advisory.epss?.date ?? null,
    ],
  );
}

async function insertExposure(tx: Queryable, exposure: CaseExposure, now: Date): Promise<void> {
  const openedAt = exposure.openedAt ?? now;
  const title = exposureTitle(exposure);
  await tx.query(
    `INSERT INTO exposures (id, correlation_key, asset_id, advisory_id, vulnerability_id, kind, component, ecosystem,
                            title, severity, state, owner, team, first_seen_at, last_seen_at, opened_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14, $14)`,
    [
      exposure.id,
      `${exposure.assetId}|${exposure.vulnerabilityId}|${exposure.component ?? ''}|${exposure.id}`,
      exposure.assetId,
      exposure.advisoryId ?? null,
      exposure.vulnerabilityId,
      exposure.kind,
      exposure.component ?? null,
      exposure.ecosystem ?? null,
      title,
      exposure.severity,
      exposure.state,
      exposure.owner ?? null,
      exposure.team ?? null,
      openedAt,
    ],
  );
  for (const [index, finding] of exposure.findings.entries()) {
    const fingerprint = createHash('sha256').update(`${exposure.id}\u0000${index}`).digest('hex');
    await tx.query(
      `INSERT INTO findings (fingerprint, exposure_id, asset_id, source_tool, format, rule_id, aliases, kind,
                             package_name, ecosystem, package_version, fixed_versions, location, severity, cvss_score,
                             cvss_vector, cwes, title, state, raw, first_seen_at, last_seen_at)
       VALUES ($1, $2, $3, $4, 'eval-case', $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20,
               $20)`,
      [
        fingerprint,
        exposure.id,
        exposure.assetId,
        finding.sourceTool,
        finding.ruleId ?? exposure.vulnerabilityId,
        finding.aliases,
        exposure.kind,
        finding.packageName ?? exposure.component ?? null,
        exposure.ecosystem ?? null,
        finding.packageVersion ?? null,
        finding.fixedVersions,
        finding.location ?? null,
        finding.severity ?? exposure.severity,
        finding.cvssScore ?? null,
        finding.cvssVector ?? null,
        finding.cwes,
        finding.title ?? title,
        finding.state,
        JSON.stringify(finding),
        openedAt,
      ],
    );
  }
}
