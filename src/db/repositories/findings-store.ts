import type { Queryable } from '../database.ts';
import { type BatchColumn, batchSource } from './batch-input.ts';

/** A finding row as the ingest pipeline writes it. */
export type FindingRow = {
  fingerprint: string;
  exposureId: string;
  assetId: string;
  reportId: number;
  sourceTool: string;
  sourceVersion: string | null;
  format: string;
  ruleId: string;
  aliases: string[];
  kind: string;
  packageName: string | null;
  ecosystem: string | null;
  packageVersion: string | null;
  fixedVersions: string[];
  purl: string | null;
  resource: string | null;
  location: string | null;
  line: number | null;
  severity: string;
  cvssScore: number | null;
  cvssVector: string | null;
  cwes: string[];
  title: string;
  description: string | null;
  scope: string | null;
  state: 'open' | 'suppressed';
  suppression: unknown;
  raw: unknown;
  contentHash: string;
};

/** An exposure row as the ingest pipeline creates it (first sighting wins for the text). */
export type ExposureRow = {
  id: string;
  correlationKey: string;
  assetId: string;
  vulnerabilityId: string;
  kind: string;
  component: string | null;
  ecosystem: string | null;
  title: string;
  severity: string;
};

const SEVERITY_RANK = `CASE %s WHEN 'critical' THEN 5 WHEN 'high' THEN 4 WHEN 'medium' THEN 3
  WHEN 'low' THEN 2 WHEN 'info' THEN 1 ELSE 0 END`;

/**
 * Creates missing exposures and refreshes the ones seen again; returns correlation key -> id, in one statement per batch
 * (unnest of column arrays: one parameter per column, any number of rows). The highest
 * severity any scanner reported wins.
 */
const EXPOSURE_COLUMNS: BatchColumn<ExposureRow>[] = [
  { name: 'id', type: 'text', value: (r) => r.id },
  { name: 'correlationKey', type: 'text', value: (r) => r.correlationKey },
  { name: 'assetId', type: 'text', value: (r) => r.assetId },
  { name: 'vulnerabilityId', type: 'text', value: (r) => r.vulnerabilityId },
  { name: 'kind', type: 'text', value: (r) => r.kind },
  { name: 'component', type: 'text', value: (r) => r.component },
  { name: 'ecosystem', type: 'text', value: (r) => r.ecosystem },
  { name: 'title', type: 'text', value: (r) => r.title },
  { name: 'severity', type: 'text', value: (r) => r.severity },
];

export async function upsertExposures(tx: Queryable, rows: ExposureRow[]): Promise<Map<string, string>> {
  if (!rows.length) return new Map();
  const input = await batchSource(tx, 'stage_exposures', EXPOSURE_COLUMNS, rows);
  const result = await tx.query<{ id: string; correlation_key: string }>(
    // The filter facts of a new exposure (migration 0008) come with it, in this one statement: the
    // row trigger that would otherwise look them up costs about 30 µs an exposure.
    `INSERT INTO exposures (id, correlation_key, asset_id, vulnerability_id, kind, component, ecosystem, title, severity,
                           kev, epss_score, internet_facing, asset_environment, asset_criticality)
     SELECT t.id, t."correlationKey", t."assetId", t."vulnerabilityId", t.kind, t.component, t.ecosystem, t.title,
            t.severity, k.cve_id IS NOT NULL, s.score, a.internet_exposure = 'internet', a.environment, a.criticality
       FROM (${input.sql}) t
       LEFT JOIN assets a ON a.id = t."assetId"
       LEFT JOIN kev_entries k ON k.cve_id = t."vulnerabilityId"
       LEFT JOIN epss_scores s ON s.cve_id = t."vulnerabilityId"
     ON CONFLICT (correlation_key) DO UPDATE SET
       last_seen_at = now(),
       updated_at = now(),
       severity = CASE WHEN ${SEVERITY_RANK.replace('%s', 'excluded.severity')} > ${SEVERITY_RANK.replace('%s', 'exposures.severity')}
                       THEN excluded.severity ELSE exposures.severity END
     RETURNING id, correlation_key`,
    input.params,
  );
  // An exposure keeps its first id even when its key changes (an asset reclassified), so
  // callers use the returned id, not one derived from the key.
  return new Map(result.rows.map((r) => [r.correlation_key, r.id]));
}

const FINDING_COLUMNS: BatchColumn<FindingRow>[] = [
  { name: 'fingerprint', type: 'text', value: (r) => r.fingerprint },
  { name: 'exposureId', type: 'text', value: (r) => r.exposureId },
  { name: 'assetId', type: 'text', value: (r) => r.assetId },
  { name: 'reportId', type: 'bigint', value: (r) => r.reportId },
  { name: 'sourceTool', type: 'text', value: (r) => r.sourceTool },
  { name: 'sourceVersion', type: 'text', value: (r) => r.sourceVersion },
  { name: 'format', type: 'text', value: (r) => r.format },
  { name: 'ruleId', type: 'text', value: (r) => r.ruleId },
  { name: 'aliases', type: 'text[]', value: (r) => r.aliases },
  { name: 'kind', type: 'text', value: (r) => r.kind },
  { name: 'packageName', type: 'text', value: (r) => r.packageName },
  { name: 'ecosystem', type: 'text', value: (r) => r.ecosystem },
  { name: 'packageVersion', type: 'text', value: (r) => r.packageVersion },
  { name: 'fixedVersions', type: 'text[]', value: (r) => r.fixedVersions },
  { name: 'purl', type: 'text', value: (r) => r.purl },
  { name: 'resource', type: 'text', value: (r) => r.resource },
  { name: 'location', type: 'text', value: (r) => r.location },
  { name: 'line', type: 'int', value: (r) => r.line },
  { name: 'severity', type: 'text', value: (r) => r.severity },
  { name: 'cvssScore', type: 'numeric', value: (r) => r.cvssScore },
  { name: 'cvssVector', type: 'text', value: (r) => r.cvssVector },
  { name: 'cwes', type: 'text[]', value: (r) => r.cwes },
  { name: 'title', type: 'text', value: (r) => r.title },
  { name: 'description', type: 'text', value: (r) => r.description },
  { name: 'scope', type: 'text', value: (r) => r.scope },
  { name: 'state', type: 'text', value: (r) => r.state },
  { name: 'suppression', type: 'jsonb', value: (r) => r.suppression },
  { name: 'raw', type: 'jsonb', value: (r) => r.raw },
  { name: 'contentHash', type: 'text', value: (r) => r.contentHash },
];

/**
 * Inserts new findings and refreshes re-seen ones (a re-seen fixed finding is open again), and
 * in the same round trip says how many were new, updated (a fact or the state changed) or
 * unchanged: the `old` CTE reads the rows as they were before this statement.
 */
export async function upsertFindings(
  tx: Queryable,
  rows: FindingRow[],
): Promise<{ new: number; updated: number; unchanged: number }> {
  if (!rows.length) return { new: 0, updated: 0, unchanged: 0 };
  const input = await batchSource(tx, 'stage_findings', FINDING_COLUMNS, rows);
  const result = await tx.query<{ new: number; updated: number; unchanged: number }>(
    `WITH input AS (${input.sql}),
     old AS (
       SELECT f.fingerprint, f.content_hash, f.state FROM findings f JOIN input i ON i.fingerprint = f.fingerprint),
     upserted AS (
     INSERT INTO findings (fingerprint, exposure_id, asset_id, report_id, source_tool, source_version, format, rule_id,
                           aliases, kind, package_name, ecosystem, package_version, fixed_versions, purl, resource,
                           location, line, severity, cvss_score, cvss_vector, cwes, title, description, scope, state,
                           suppression, raw, content_hash)
     SELECT fingerprint, "exposureId", "assetId", "reportId", "sourceTool", "sourceVersion", format, "ruleId",
            aliases, kind, "packageName", ecosystem, "packageVersion", "fixedVersions", purl, resource, location, line,
            severity, "cvssScore", "cvssVector", cwes, title, description, scope, state,
            suppression, raw, "contentHash"
       FROM input
     ON CONFLICT (fingerprint) DO UPDATE SET
       exposure_id = excluded.exposure_id,
       asset_id = excluded.asset_id,
       report_id = excluded.report_id,
       source_version = excluded.source_version,
       aliases = excluded.aliases,
       fixed_versions = excluded.fixed_versions,
       severity = excluded.severity,
       cvss_score = excluded.cvss_score,
       cvss_vector = excluded.cvss_vector,
       cwes = excluded.cwes,
       title = excluded.title,
       description = excluded.description,
       scope = coalesce(excluded.scope, findings.scope),
       state = excluded.state,
       suppression = excluded.suppression,
       raw = excluded.raw,
       content_hash = excluded.content_hash,
       last_seen_at = now(),
       fixed_at = NULL
     RETURNING 1)
     SELECT count(*) FILTER (WHERE o.fingerprint IS NULL)::int AS new,
            count(*) FILTER (WHERE o.fingerprint IS NOT NULL
                               AND (o.content_hash IS DISTINCT FROM i."contentHash" OR o.state <> i.state))::int AS updated,
            count(*) FILTER (WHERE o.content_hash = i."contentHash" AND o.state = i.state)::int AS unchanged
       FROM input i LEFT JOIN old o ON o.fingerprint = i.fingerprint`,
    input.params,
  );
  return result.rows[0]!;
}

/**
 * A full scan of a scope closes every open finding of that scope it did not report; returns
 * the exposures touched. Partial scans never call this.
 */
export async function closeUnseenFindings(
  tx: Queryable,
  scope: string,
  reportId: number,
): Promise<{
  fixed: number;
  exposureIds: string[];
}> {
  const result = await tx.query<{ exposure_id: string }>(
    `UPDATE findings SET state = 'fixed', fixed_at = now()
      WHERE scope = $1 AND state <> 'fixed' AND report_id IS DISTINCT FROM $2
      RETURNING exposure_id`,
    [scope, reportId],
  );
  return { fixed: result.rowCount, exposureIds: [...new Set(result.rows.map((r) => r.exposure_id))] };
}

/** How many exposures a report's findings belong to, together with the other ones named. */
export async function exposuresOfReport(tx: Queryable, reportId: number, others: string[] = []): Promise<number> {
  const result = await tx.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM (
       SELECT exposure_id FROM findings WHERE report_id = $1 UNION SELECT unnest($2::text[])) ids`,
    [reportId, others],
  );
  return result.rows[0]?.n ?? 0;
}

/**
 * Derives each exposure's state from its findings (those a report touched, and any others named): any open finding re-opens a resolved or
 * suppressed exposure (counting the re-open); none open and some fixed resolves it (the time
 * feeds MTTR); only suppressed findings make it suppressed. Work states set by people or the
 * orchestrator (in progress, awaiting approval, mitigated, accepted) are kept while open.
 */
export async function refreshExposureStates(
  tx: Queryable,
  touched: { reportId?: number; exposureIds?: string[] },
): Promise<void> {
  // Only rows whose state changes are written: a re-import of an unchanged report touches none.
  await tx.query(
    `WITH agg AS (
       SELECT exposure_id,
              count(*) FILTER (WHERE state = 'open') AS open_count,
              count(*) FILTER (WHERE state = 'fixed') AS fixed_count,
              count(*) FILTER (WHERE state = 'suppressed') AS suppressed_count
         FROM findings
        WHERE exposure_id IN (SELECT exposure_id FROM findings WHERE report_id = $1)
           OR exposure_id = ANY($2::text[])
        GROUP BY exposure_id),
     next AS (
       SELECT e.id, e.state AS old_state, agg.open_count,
              CASE
                WHEN agg.open_count > 0 AND e.state IN ('resolved', 'suppressed') THEN 'open'
                WHEN agg.open_count > 0 THEN e.state
                WHEN agg.fixed_count > 0 AND e.state <> 'accepted' THEN 'resolved'
                WHEN agg.suppressed_count > 0 THEN 'suppressed'
                ELSE e.state END AS new_state
         FROM exposures e JOIN agg ON agg.exposure_id = e.id)
     UPDATE exposures e SET
       state = next.new_state,
       reopen_count = e.reopen_count + CASE WHEN next.old_state = 'resolved' AND next.new_state = 'open' THEN 1 ELSE 0 END,
       opened_at = CASE WHEN next.old_state = 'resolved' AND next.new_state = 'open' THEN now() ELSE e.opened_at END,
       resolved_at = CASE WHEN next.new_state = 'resolved' THEN coalesce(e.resolved_at, now())
                          WHEN next.open_count > 0 THEN NULL ELSE e.resolved_at END,
       updated_at = now()
     FROM next WHERE e.id = next.id AND next.new_state IS DISTINCT FROM next.old_state`,
    [touched.reportId ?? null, touched.exposureIds ?? []],
  );
}

/** Links exposures to the advisory that names their vulnerability id (directly or as an alias). */
export async function linkExposuresToAdvisories(tx: Queryable): Promise<number> {
  const result = await tx.query(
    `UPDATE exposures e SET advisory_id = sub.advisory_id, updated_at = now()
       FROM (SELECT DISTINCT ON (alias) alias, advisory_id FROM advisory_aliases ORDER BY alias, advisory_id) sub
      WHERE e.advisory_id IS NULL AND sub.alias = e.vulnerability_id`,
  );
  return result.rowCount;
}

/** All ids an advisory database knows as the same vulnerability as any of `ids`. */
export async function aliasesOf(tx: Queryable, ids: string[]): Promise<Map<string, string[]>> {
  const result = await tx.query<{ asked: string; alias: string }>(
    `SELECT a1.alias AS asked, a2.alias
       FROM advisory_aliases a1 JOIN advisory_aliases a2 ON a2.advisory_id = a1.advisory_id
      WHERE a1.alias = ANY($1::text[])`,
    [ids],
  );
  const map = new Map<string, string[]>();
  for (const row of result.rows) map.set(row.asked, [...(map.get(row.asked) ?? []), row.alias]);
  return map;
}
