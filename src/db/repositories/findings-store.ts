import type { Queryable } from '../database.ts';

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
 * One JSON document for a whole batch (read back with jsonb_to_recordset): much cheaper to
 * send and parse than one array parameter per column. PostgreSQL text and jsonb cannot hold
 * U+0000, which some scanners emit (e.g. in package versions), so it is dropped here.
 */
function toJsonParameter(rows: unknown[]): string {
  const text = JSON.stringify(rows);
  return text.includes('\\u0000') ? text.replace(/(?<!\\)\\u0000/g, '') : text;
}

/**
 * Creates missing exposures and refreshes the ones seen again; returns correlation key -> id, in one statement per batch
 * (unnest of column arrays: one parameter per column, any number of rows). The highest
 * severity any scanner reported wins.
 */
export async function upsertExposures(tx: Queryable, rows: ExposureRow[]): Promise<Map<string, string>> {
  if (!rows.length) return new Map();
  const result = await tx.query<{ id: string; correlation_key: string }>(
    `INSERT INTO exposures (id, correlation_key, asset_id, vulnerability_id, kind, component, ecosystem, title, severity)
     SELECT id, "correlationKey", "assetId", "vulnerabilityId", kind, component, ecosystem, title, severity
       FROM json_to_recordset($1::json) AS t(id text, "correlationKey" text, "assetId" text, "vulnerabilityId" text,
            kind text, component text, ecosystem text, title text, severity text)
     ON CONFLICT (correlation_key) DO UPDATE SET
       last_seen_at = now(),
       updated_at = now(),
       severity = CASE WHEN ${SEVERITY_RANK.replace('%s', 'excluded.severity')} > ${SEVERITY_RANK.replace('%s', 'exposures.severity')}
                       THEN excluded.severity ELSE exposures.severity END
     RETURNING id, correlation_key`,
    [toJsonParameter(rows)],
  );
  // An exposure keeps its first id even when its key changes (an asset reclassified), so
  // callers use the returned id, not one derived from the key.
  return new Map(result.rows.map((r) => [r.correlation_key, r.id]));
}

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
  const result = await tx.query<{ new: number; updated: number; unchanged: number }>(
    `WITH input AS (
       SELECT * FROM json_to_recordset($1::json) AS t(fingerprint text, "exposureId" text, "assetId" text,
            "reportId" bigint, "sourceTool" text, "sourceVersion" text, format text, "ruleId" text, aliases text[],
            kind text, "packageName" text, ecosystem text, "packageVersion" text, "fixedVersions" text[], purl text,
            resource text, location text, line int, severity text, "cvssScore" numeric, "cvssVector" text,
            cwes text[], title text, description text, scope text, state text, suppression jsonb, raw jsonb,
            "contentHash" text)),
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
    [toJsonParameter(rows)],
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

/**
 * Derives each exposure's state from its findings: any open finding re-opens a resolved or
 * suppressed exposure (counting the re-open); none open and some fixed resolves it (the time
 * feeds MTTR); only suppressed findings make it suppressed. Work states set by people or the
 * orchestrator (in progress, awaiting approval, mitigated, accepted) are kept while open.
 */
export async function refreshExposureStates(tx: Queryable, exposureIds: string[]): Promise<void> {
  if (!exposureIds.length) return;
  await tx.query(
    `WITH agg AS (
       SELECT exposure_id,
              count(*) FILTER (WHERE state = 'open') AS open_count,
              count(*) FILTER (WHERE state = 'fixed') AS fixed_count,
              count(*) FILTER (WHERE state = 'suppressed') AS suppressed_count,
              max(last_seen_at) AS last_seen
         FROM findings WHERE exposure_id = ANY($1::text[]) GROUP BY exposure_id)
     UPDATE exposures e SET
       state = CASE
         WHEN agg.open_count > 0 AND e.state IN ('resolved', 'suppressed') THEN 'open'
         WHEN agg.open_count > 0 THEN e.state
         WHEN agg.fixed_count > 0 AND e.state <> 'accepted' THEN 'resolved'
         WHEN agg.suppressed_count > 0 THEN 'suppressed'
         ELSE e.state END,
       reopen_count = e.reopen_count + CASE WHEN agg.open_count > 0 AND e.state = 'resolved' THEN 1 ELSE 0 END,
       opened_at = CASE WHEN agg.open_count > 0 AND e.state = 'resolved' THEN now() ELSE e.opened_at END,
       resolved_at = CASE
         WHEN agg.open_count > 0 THEN NULL
         WHEN agg.fixed_count > 0 AND e.state NOT IN ('resolved', 'accepted') THEN now()
         ELSE e.resolved_at END,
       last_seen_at = greatest(e.last_seen_at, agg.last_seen),
       updated_at = now()
     FROM agg WHERE e.id = agg.exposure_id`,
    [exposureIds],
  );
}

/** Links exposures to the advisory that names their vulnerability id (directly or as an alias). */
export async function linkExposuresToAdvisories(tx: Queryable, exposureIds?: string[]): Promise<number> {
  const result = await tx.query(
    `UPDATE exposures e SET advisory_id = sub.advisory_id, updated_at = now()
       FROM (SELECT DISTINCT ON (alias) alias, advisory_id FROM advisory_aliases ORDER BY alias, advisory_id) sub
      WHERE e.advisory_id IS NULL AND sub.alias = e.vulnerability_id
        AND ($1::text[] IS NULL OR e.id = ANY($1::text[]))`,
    [exposureIds ?? null],
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
