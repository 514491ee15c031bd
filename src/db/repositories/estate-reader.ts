import { type Advisory, AdvisorySchema } from '../../domain/advisory.ts';
import { type Asset, AssetSchema } from '../../domain/asset.ts';
import { type Control, ControlSchema } from '../../domain/control.ts';
import type { ExposureDetail } from '../../domain/exposure-detail.ts';
import { isInScope } from '../../prioritize/controls/eligibility.ts';
import type { Queryable } from '../database.ts';
import { listExposures } from './exposures-query.ts';

/** The `EstateReader` port of tools/, over the database. Read-only; every value is a bind parameter. */
export function createEstateReader(db: Queryable) {
  return {
    getExposure: (id: string) => getExposureDetail(db, id),
    getAsset: (id: string) => getAsset(db, id),
    getAdvisory: (id: string) => getAdvisory(db, id),
    controlsForAsset: (assetId: string) => controlsForAsset(db, assetId),
    searchExposures: listExposures.bind(null, db),
  };
}

const ASSET_COLUMNS = `a.id, a.name, a.kind, a.environment, a.criticality, a.internet_exposure AS "internetExposure",
  a.data_sensitivity AS "dataSensitivity", a.owner, a.team, a.network, a.tags, a.attributes,
  coalesce((SELECT json_agg(json_build_object('kind', i.kind, 'value', i.value) ORDER BY i.kind, i.value)
              FROM asset_identifiers i WHERE i.asset_id = a.id), '[]') AS identifiers`;

export async function getAsset(db: Queryable, id: string): Promise<Asset | null> {
  const result = await db.query(`SELECT ${ASSET_COLUMNS} FROM assets a WHERE a.id = $1`, [id]);
  return result.rows[0] ? AssetSchema.parse(stripNulls(result.rows[0])) : null;
}

export async function getAdvisory(db: Queryable, id: string): Promise<Advisory | null> {
  const result = await db.query(
    `SELECT id, source, aliases, title, details, severity, cvss_vector AS "cvssVector", cvss_score AS "cvssScore",
            cwes, affected, reference_links AS "references", published_at AS "publishedAt",
            modified_at AS "modifiedAt", withdrawn_at AS "withdrawnAt", kev, kev_date_added AS "kevDateAdded",
            kev_due_date AS "kevDueDate", kev_ransomware AS "kevRansomware",
            kev_required_action AS "kevRequiredAction", epss_score AS "epssScore",
            epss_percentile AS "epssPercentile", epss_date AS "epssDate"
       FROM advisories
      WHERE id = $1 OR id IN (SELECT advisory_id FROM advisory_aliases WHERE alias = $1)
      ORDER BY (id = $1) DESC, id LIMIT 1`,
    [id],
  );
  const row = result.rows[0];
  if (!row) return null;
  const day = (value: unknown) => (value instanceof Date ? value.toISOString().slice(0, 10) : (value as string | null));
  return AdvisorySchema.parse({
    ...stripNulls(row),
    cvssScore: row.cvssScore === null ? null : Number(row.cvssScore),
    kev: row.kev
      ? {
          dateAdded: day(row.kevDateAdded),
          dueDate: day(row.kevDueDate),
          ransomware: Boolean(row.kevRansomware),
          requiredAction: row.kevRequiredAction ?? null,
        }
      : null,
    epss:
      row.epssScore === null
        ? null
        : { score: Number(row.epssScore), percentile: Number(row.epssPercentile ?? 0), date: day(row.epssDate) },
  });
}

export async function controlsForAsset(db: Queryable, assetId: string): Promise<Control[]> {
  const asset = await getAsset(db, assetId);
  if (!asset) return [];
  const result = await db.query(
    `SELECT id, name, kind, product, mode, scope, capabilities, rules, enabled, last_verified_at AS "lastVerifiedAt",
            attributes
       FROM controls ORDER BY id`,
  );
  // Scope is the deterministic core's rule, applied once, the same way prioritization applies it.
  return result.rows.map((row) => ControlSchema.parse(stripNulls(row))).filter((c) => isInScope(c, asset));
}

export async function getExposureDetail(db: Queryable, id: string): Promise<ExposureDetail | null> {
  const result = await db.query(
    `SELECT e.id, e.correlation_key AS "correlationKey", e.asset_id AS "assetId", e.advisory_id AS "advisoryId",
            e.vulnerability_id AS "vulnerabilityId", e.kind, e.component, e.ecosystem, e.title, e.severity, e.state,
            e.risk_score AS "riskScore", coalesce(x.risk_factors, '[]') AS "riskFactors",
            e.ssvc_decision AS "ssvcDecision", e.sla_due_at AS "slaDueAt", e.owner, e.team, e.coverage, e.reachable,
            e.reopen_count AS "reopenCount", e.first_seen_at AS "firstSeenAt", e.last_seen_at AS "lastSeenAt",
            e.opened_at AS "openedAt", e.mitigated_at AS "mitigatedAt", e.resolved_at AS "resolvedAt",
            coalesce(x.coverage_evidence, '[]') AS "coverageEvidence"
       FROM exposures e LEFT JOIN exposure_explanations x ON x.exposure_id = e.id
      WHERE e.id = $1`,
    [id],
  );
  const row = result.rows[0];
  if (!row) return null;
  const [asset, advisory, findings] = await Promise.all([
    getAsset(db, row.assetId as string),
    row.advisoryId ? getAdvisory(db, row.advisoryId as string) : Promise.resolve(null),
    db.query(
      `SELECT fingerprint, source_tool AS "sourceTool", rule_id AS "ruleId", package_name AS "packageName",
              package_version AS "packageVersion", fixed_versions AS "fixedVersions", location, state,
              last_seen_at AS "lastSeenAt"
         FROM findings WHERE exposure_id = $1 ORDER BY source_tool, fingerprint LIMIT 200`,
      [id],
    ),
  ]);
  const { coverageEvidence, riskFactors, ...exposure } = row;
  return {
    exposure: {
      ...(exposure as ExposureDetail['exposure']),
      riskFactors: ((riskFactors as Record<string, unknown>[]) ?? []).map((f) => ({
        factor: String(f.factor),
        value: (f.value ?? null) as string | number | boolean | null,
        weight: Number(f.weight ?? 0),
        contribution: Number(f.contribution ?? 0),
        reason: String(f.reason ?? ''),
      })),
    },
    asset: asset!,
    advisory,
    findings: findings.rows as ExposureDetail['findings'],
    coverageEvidence: coverageEvidence as ExposureDetail['coverageEvidence'],
  };
}

/** Database NULLs become absent keys, so optional schema fields with defaults apply. */
function stripNulls(row: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(row).filter(([, v]) => v !== null));
}
