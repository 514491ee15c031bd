import { createHash } from 'node:crypto';
import { z } from 'zod';
import { createConnectors } from '../../src/connectors/index.ts';
import type { Database, Queryable } from '../../src/db/database.ts';
import { runMigrations } from '../../src/db/migrate.ts';
import { openEmbedded } from '../../src/db/open.ts';
import { upsertAdvisories } from '../../src/db/repositories/advisories-store.ts';
import { upsertAsset, upsertControl } from '../../src/db/repositories/inventory-store.ts';
import { createControlPlane } from '../../src/db/repositories/mitigations-store.ts';
import { type Advisory, AdvisorySchema } from '../../src/domain/advisory.ts';
import { AssetSchema } from '../../src/domain/asset.ts';
import { SeveritySchema, SlugSchema } from '../../src/domain/common.ts';
import { ControlSchema } from '../../src/domain/control.ts';
import { ExposureStateSchema } from '../../src/domain/exposure.ts';
import { FindingKindSchema } from '../../src/domain/finding.ts';
import type { CoverageAssessment } from '../../src/domain/priority.ts';
import { createEstate } from '../../src/graph/estate.ts';
import { type AssessCoverageInput, assessCoverage } from '../../src/prioritize/controls/assess-coverage.ts';
import { isInScope } from '../../src/prioritize/controls/eligibility.ts';
import { loadPolicy, type Policy } from '../../src/prioritize/policy.ts';
import { loadControls, loadExposurePage } from '../../src/services/prioritize/load-context.ts';
import type { ToolContext } from '../../tools/context.ts';

/**
 * Inline entities of one evaluation case (assets, controls, advisories, exposures with their
 * scanner findings), loaded into a fresh embedded database so that tools and agents read them
 * through the same SQL, the same estate reader and the same deterministic engine as production.
 */

/** One scanner finding behind an exposure; everything but the facts prioritization reads is optional. */
export const CaseFindingSchema = z.object({
  sourceTool: z.string().min(1).default('eval'),
  /** Defaults to the exposure's vulnerability id. */
  ruleId: z.string().min(1).optional(),
  aliases: z.array(z.string()).default([]),
  packageName: z.string().nullish(),
  packageVersion: z.string().nullish(),
  fixedVersions: z.array(z.string()).default([]),
  location: z.string().nullish(),
  severity: SeveritySchema.optional(),
  cvssVector: z.string().nullish(),
  cvssScore: z.number().min(0).max(10).nullish(),
  cwes: z.array(z.string()).default([]),
  title: z.string().min(1).optional(),
  state: z.enum(['open', 'fixed', 'suppressed']).default('open'),
});
export type CaseFinding = z.infer<typeof CaseFindingSchema>;

/** One exposure (a vulnerability on one asset) with an explicit id, so cases can name it. */
export const CaseExposureSchema = z.object({
  id: SlugSchema,
  assetId: SlugSchema,
  vulnerabilityId: z.string().min(1),
  /** The advisory id; when absent, an advisory naming the vulnerability id (or an alias) is linked. */
  advisoryId: z.string().min(1).nullish(),
  kind: FindingKindSchema.default('package'),
  component: z.string().nullish(),
  ecosystem: z.string().nullish(),
  title: z.string().min(1).optional(),
  severity: SeveritySchema.default('unknown'),
  state: ExposureStateSchema.default('open'),
  /** Defaults to the evaluation clock. */
  openedAt: z.coerce.date().optional(),
  findings: z.array(CaseFindingSchema).default([]),
});
export type CaseExposure = z.infer<typeof CaseExposureSchema>;

/** An advisory as datasets write it: `source` may be left out (osv). */
export const CaseAdvisorySchema = AdvisorySchema.extend({ source: z.string().min(1).default('osv') });

/** A self-contained estate: every reference (exposure to asset, exposure to advisory) must resolve inside it. */
export const CaseEntitiesSchema = z
  .object({
    assets: z.array(AssetSchema).min(1),
    controls: z.array(ControlSchema).default([]),
    advisories: z.array(CaseAdvisorySchema).default([]),
    exposures: z.array(CaseExposureSchema).default([]),
  })
  .superRefine((estate, ctx) => {
    const duplicates = (ids: string[], path: string) => {
      const seen = new Set<string>();
      ids.forEach((id, index) => {
        if (seen.has(id)) ctx.addIssue({ code: 'custom', path: [path, index, 'id'], message: `duplicate id "${id}"` });
        seen.add(id);
      });
    };
    duplicates(
      estate.assets.map((a) => a.id),
      'assets',
    );
    duplicates(
      estate.controls.map((c) => c.id),
      'controls',
    );
    duplicates(
      estate.advisories.map((a) => a.id),
      'advisories',
    );
    duplicates(
      estate.exposures.map((e) => e.id),
      'exposures',
    );
    const assets = new Set(estate.assets.map((a) => a.id));
    const advisories = new Set(estate.advisories.flatMap((a) => [a.id, ...a.aliases]));
    estate.exposures.forEach((exposure, index) => {
      if (!assets.has(exposure.assetId)) {
        ctx.addIssue({
          code: 'custom',
          path: ['exposures', index, 'assetId'],
          message: `no asset "${exposure.assetId}" in this case`,
        });
      }
      if (exposure.advisoryId && !advisories.has(exposure.advisoryId)) {
        ctx.addIssue({
          code: 'custom',
          path: ['exposures', index, 'advisoryId'],
          message: `no advisory "${exposure.advisoryId}" in this case`,
        });
      }
    });
  });
export type CaseEntities = z.infer<typeof CaseEntitiesSchema>;

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
  const title = exposure.title ?? `${exposure.vulnerabilityId}${exposure.component ? ` in ${exposure.component}` : ''}`;
  await tx.query(
    `INSERT INTO exposures (id, correlation_key, asset_id, advisory_id, vulnerability_id, kind, component, ecosystem,
                            title, severity, state, first_seen_at, last_seen_at, opened_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12, $12)`,
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
