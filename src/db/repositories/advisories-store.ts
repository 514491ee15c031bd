import type { Advisory } from '../../domain/advisory.ts';
import type { EpssScore, KevEntry } from '../../domain/intel.ts';
import type { Queryable } from '../database.ts';

/**
 * Upserts advisories and their alias sets (an advisory is always an alias of itself, so one
 * lookup by any id finds it). A newer `modified_at` replaces the stored record.
 */
export async function upsertAdvisories(tx: Queryable, advisories: Advisory[]): Promise<void> {
  if (!advisories.length) return;
  const latest = new Map(advisories.map((a) => [a.id, a]));
  const rows = [...latest.values()];
  await tx.query(
    `INSERT INTO advisories (id, source, aliases, title, details, severity, cvss_vector, cvss_score, cwes, affected,
                             reference_links, published_at, modified_at, withdrawn_at)
     SELECT id, source, ARRAY(SELECT jsonb_array_elements_text(aliases)), title, details, severity, cvss_vector,
            cvss_score, ARRAY(SELECT jsonb_array_elements_text(cwes)), affected, reference_links, published_at,
            modified_at, withdrawn_at
       FROM unnest($1::text[], $2::text[], $3::jsonb[], $4::text[], $5::text[], $6::text[], $7::text[],
                   $8::numeric[], $9::jsonb[], $10::jsonb[], $11::jsonb[], $12::timestamptz[], $13::timestamptz[],
                   $14::timestamptz[])
         AS t(id, source, aliases, title, details, severity, cvss_vector, cvss_score, cwes, affected, reference_links,
              published_at, modified_at, withdrawn_at)
     ON CONFLICT (id) DO UPDATE SET source = excluded.source, aliases = excluded.aliases, title = excluded.title,
       details = excluded.details, severity = excluded.severity, cvss_vector = excluded.cvss_vector,
       cvss_score = excluded.cvss_score, cwes = excluded.cwes, affected = excluded.affected,
       reference_links = excluded.reference_links, published_at = excluded.published_at,
       modified_at = excluded.modified_at, withdrawn_at = excluded.withdrawn_at, updated_at = now()
     WHERE advisories.modified_at IS NULL OR excluded.modified_at IS NULL
        OR excluded.modified_at >= advisories.modified_at`,
    [
      rows.map((a) => a.id),
      rows.map((a) => a.source),
      rows.map((a) => JSON.stringify(a.aliases)),
      rows.map((a) => a.title ?? null),
      rows.map((a) => a.details ?? null),
      rows.map((a) => a.severity),
      rows.map((a) => a.cvssVector ?? null),
      rows.map((a) => a.cvssScore ?? null),
      rows.map((a) => JSON.stringify(a.cwes)),
      rows.map((a) => JSON.stringify(a.affected)),
      rows.map((a) => JSON.stringify(a.references)),
      rows.map((a) => a.publishedAt ?? null),
      rows.map((a) => a.modifiedAt ?? null),
      rows.map((a) => a.withdrawnAt ?? null),
    ],
  );
  const ids = rows.map((a) => a.id);
  await tx.query('DELETE FROM advisory_aliases WHERE advisory_id = ANY($1::text[])', [ids]);
  const pairs = rows.flatMap((a) => [...new Set([a.id, ...a.aliases])].map((alias) => [alias, a.id] as const));
  await tx.query(
    `INSERT INTO advisory_aliases (alias, advisory_id)
     SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT DO NOTHING`,
    [pairs.map((p) => p[0]), pairs.map((p) => p[1])],
  );
}

export async function upsertKevEntries(tx: Queryable, entries: KevEntry[]): Promise<void> {
  if (!entries.length) return;
  const rows = [...new Map(entries.map((e) => [e.cveId, e])).values()];
  await tx.query(
    `INSERT INTO kev_entries (cve_id, vendor, product, name, date_added, due_date, required_action, ransomware, notes,
                              cwes, catalog_version)
     SELECT cve_id, vendor, product, name, date_added, due_date, required_action, ransomware, notes,
            ARRAY(SELECT jsonb_array_elements_text(cwes)), catalog_version
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::date[], $6::date[], $7::text[], $8::bool[],
                   $9::text[], $10::jsonb[], $11::text[])
         AS t(cve_id, vendor, product, name, date_added, due_date, required_action, ransomware, notes, cwes,
              catalog_version)
     ON CONFLICT (cve_id) DO UPDATE SET vendor = excluded.vendor, product = excluded.product, name = excluded.name,
       date_added = excluded.date_added, due_date = excluded.due_date, required_action = excluded.required_action,
       ransomware = excluded.ransomware, notes = excluded.notes, cwes = excluded.cwes,
       catalog_version = excluded.catalog_version, updated_at = now()`,
    [
      rows.map((e) => e.cveId),
      rows.map((e) => e.vendor ?? null),
      rows.map((e) => e.product ?? null),
      rows.map((e) => e.name ?? null),
      rows.map((e) => e.dateAdded),
      rows.map((e) => e.dueDate ?? null),
      rows.map((e) => e.requiredAction ?? null),
      rows.map((e) => e.ransomware),
      rows.map((e) => e.notes ?? null),
      rows.map((e) => JSON.stringify(e.cwes)),
      rows.map((e) => e.catalogVersion ?? null),
    ],
  );
}

export async function upsertEpssScores(tx: Queryable, scores: EpssScore[]): Promise<void> {
  if (!scores.length) return;
  const rows = [...new Map(scores.map((s) => [s.cveId, s])).values()];
  await tx.query(
    `INSERT INTO epss_scores (cve_id, score, percentile, model_version, score_date)
     SELECT * FROM unnest($1::text[], $2::float8[], $3::float8[], $4::text[], $5::date[])
     ON CONFLICT (cve_id) DO UPDATE SET score = excluded.score, percentile = excluded.percentile,
       model_version = excluded.model_version, score_date = excluded.score_date, updated_at = now()`,
    [
      rows.map((s) => s.cveId),
      rows.map((s) => s.score),
      rows.map((s) => s.percentile),
      rows.map((s) => s.modelVersion ?? null),
      rows.map((s) => (s.scoreDate ? s.scoreDate.slice(0, 10) : null)),
    ],
  );
}

/**
 * Copies KEV and EPSS context onto advisories through their aliases (a GHSA advisory learns
 * that its CVE is known-exploited). Limited to `advisoryIds` when given.
 */
export async function applyThreatIntel(tx: Queryable, advisoryIds?: string[]): Promise<void> {
  const filter = advisoryIds ?? null;
  await tx.query(
    `UPDATE advisories a SET kev = true, kev_date_added = k.date_added, kev_due_date = k.due_date,
            kev_ransomware = k.ransomware, kev_required_action = k.required_action, updated_at = now()
       FROM (SELECT DISTINCT ON (aa.advisory_id) aa.advisory_id, k.*
               FROM advisory_aliases aa JOIN kev_entries k ON k.cve_id = aa.alias
              ORDER BY aa.advisory_id, k.date_added) k
      WHERE a.id = k.advisory_id AND ($1::text[] IS NULL OR a.id = ANY($1::text[]))
        AND (a.kev IS DISTINCT FROM true OR a.kev_date_added IS DISTINCT FROM k.date_added
             OR a.kev_ransomware IS DISTINCT FROM k.ransomware)`,
    [filter],
  );
  await tx.query(
    `UPDATE advisories a SET epss_score = e.score, epss_percentile = e.percentile, epss_date = e.score_date,
            updated_at = now()
       FROM (SELECT DISTINCT ON (aa.advisory_id) aa.advisory_id, s.score, s.percentile, s.score_date
               FROM advisory_aliases aa JOIN epss_scores s ON s.cve_id = aa.alias
              ORDER BY aa.advisory_id, s.score DESC) e
      WHERE a.id = e.advisory_id AND ($1::text[] IS NULL OR a.id = ANY($1::text[]))
        AND (a.epss_score IS DISTINCT FROM e.score OR a.epss_percentile IS DISTINCT FROM e.percentile)`,
    [filter],
  );
}
