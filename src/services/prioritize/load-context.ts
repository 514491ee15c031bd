import type { Queryable } from '../../db/database.ts';
import { type Asset, AssetSchema } from '../../domain/asset.ts';
import { type Control, ControlSchema } from '../../domain/control.ts';
import type { ExposureState } from '../../domain/exposure.ts';
import type { ExposureContext } from '../../domain/priority.ts';

/** One exposure with what prioritization needs: its context, its asset and its previous result. */
export type ExposureToPrioritize = {
  context: ExposureContext;
  asset: Asset;
  state: ExposureState;
  previous: { decision: string | null; coverage: string; controls: string[] };
};

type Row = {
  id: string;
  kind: ExposureContext['kind'];
  vulnerability_id: string;
  component: string | null;
  severity: ExposureContext['severity'];
  state: ExposureState;
  opened_at: Date;
  ssvc_decision: string | null;
  coverage: string;
  previous_controls: string[];
  aliases: string[] | null;
  cvss_vector: string | null;
  cvss_score: string | null;
  cwes: string[] | null;
  location: string | null;
  kev_date: string | null;
  kev_ransomware: boolean | null;
  epss_score: number | null;
  epss_percentile: number | null;
  public_exploit: boolean;
  asset: Record<string, unknown>;
};

const ACTIVE = `('open', 'in_progress', 'awaiting_approval', 'mitigated')`;

/**
 * Loads a page of active exposures (keyset pagination by id) with advisory facts, the
 * strongest CVSS any finding or the advisory gives, KEV and EPSS (via the advisory or the CVE
 * itself), and the asset. One query per page: no per-exposure round trips.
 */
export async function loadExposurePage(
  db: Queryable,
  options: { after: string; limit: number; ids?: string[]; anyState?: boolean },
): Promise<ExposureToPrioritize[]> {
  const result = await db.query<Row>(
    `SELECT e.id, e.kind, e.vulnerability_id, e.component, e.severity, e.state, e.opened_at, e.ssvc_decision,
            e.coverage,
            coalesce((SELECT array_agg(control_id ORDER BY control_id) FROM exposure_controls ec WHERE ec.exposure_id = e.id),
                     '{}') AS previous_controls,
            adv.aliases,
            coalesce(adv.cvss_vector, f.cvss_vector) AS cvss_vector,
            coalesce(adv.cvss_score, f.cvss_score) AS cvss_score,
            ARRAY(SELECT DISTINCT unnest(coalesce(adv.cwes, '{}') || coalesce(f.cwes, '{}'))) AS cwes,
            f.location,
            to_char(coalesce(adv.kev_date_added, k.date_added), 'YYYY-MM-DD') AS kev_date,
            coalesce(adv.kev_ransomware, k.ransomware) AS kev_ransomware,
            coalesce(adv.epss_score, s.score) AS epss_score,
            coalesce(adv.epss_percentile, s.percentile) AS epss_percentile,
            coalesce(adv.reference_links @> '[{"type": "EXPLOIT"}]'::jsonb, false) AS public_exploit,
            jsonb_build_object(
              'id', a.id, 'name', a.name, 'kind', a.kind, 'environment', a.environment, 'criticality', a.criticality,
              'internetExposure', a.internet_exposure, 'dataSensitivity', a.data_sensitivity, 'owner', a.owner,
              'team', a.team, 'network', a.network, 'tags', to_jsonb(a.tags), 'attributes', a.attributes
            ) AS asset
       FROM (SELECT * FROM exposures e
              WHERE (${options.anyState ? 'true' : `e.state IN ${ACTIVE}`}) AND e.id > $1
                AND ($3::text[] IS NULL OR e.id = ANY($3::text[]))
              ORDER BY e.id LIMIT $2) e -- the page first, so the joins below run for its rows only
       JOIN assets a ON a.id = e.asset_id
       LEFT JOIN advisories adv ON adv.id = e.advisory_id
       LEFT JOIN kev_entries k ON k.cve_id = e.vulnerability_id
       LEFT JOIN epss_scores s ON s.cve_id = e.vulnerability_id
       LEFT JOIN LATERAL (
         SELECT max(fi.cvss_score) AS cvss_score,
                (array_agg(fi.cvss_vector ORDER BY fi.cvss_score DESC NULLS LAST) FILTER (WHERE fi.cvss_vector IS NOT NULL))[1]
                  AS cvss_vector,
                ARRAY(SELECT DISTINCT c FROM findings f2, unnest(f2.cwes) c WHERE f2.exposure_id = e.id) AS cwes,
                min(fi.location) AS location
           FROM findings fi WHERE fi.exposure_id = e.id AND fi.state <> 'fixed') f ON true
      ORDER BY e.id`,
    [options.after, options.limit, options.ids ?? null],
  );
  return result.rows.map((row) => ({
    state: row.state,
    previous: { decision: row.ssvc_decision, coverage: row.coverage, controls: row.previous_controls },
    asset: AssetSchema.parse(row.asset),
    context: {
      exposureId: row.id,
      kind: row.kind,
      vulnerabilityId: row.vulnerability_id,
      aliases: row.aliases ?? [],
      component: row.component,
      location: row.location,
      severity: row.severity,
      cvssVector: row.cvss_vector,
      cvssScore: row.cvss_score === null ? null : Number(row.cvss_score),
      cwes: row.cwes ?? [],
      epss:
        row.epss_score === null
          ? null
          : { score: Number(row.epss_score), percentile: Number(row.epss_percentile ?? 0) },
      kev: row.kev_date ? { dateAdded: row.kev_date, ransomware: Boolean(row.kev_ransomware) } : null,
      publicExploit: row.public_exploit,
      openedAt: row.opened_at,
    },
  }));
}

/** Every control of the estate, as the domain sees it. */
export async function loadControls(db: Queryable): Promise<Control[]> {
  const result = await db.query<Record<string, unknown>>(
    `SELECT id, name, kind, product, mode, scope, capabilities, rules, enabled, last_verified_at AS "lastVerifiedAt",
            attributes FROM controls ORDER BY id`,
  );
  return result.rows.map((row) => ControlSchema.parse(row));
}
