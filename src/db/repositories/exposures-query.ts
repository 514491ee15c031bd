import type { ExposureQuery } from '../../domain/exposure-query.ts';
import type { Queryable } from '../database.ts';

/** One exposure as lists show it: the facts a triager scans, not the full evidence. */
export type ExposureListRow = {
  id: string;
  title: string;
  state: string;
  vulnerabilityId: string;
  advisoryId: string | null;
  component: string | null;
  severity: string;
  riskScore: number | null;
  ssvcDecision: string | null;
  coverage: string;
  reachable: string;
  owner: string | null;
  team: string | null;
  triage: boolean;
  slaDueAt: Date | null;
  assetId: string;
  assetName: string;
  environment: string;
  internetExposure: string;
  kev: boolean;
  epssScore: number | null;
  findings: number;
  openedAt: Date;
};

const ORDER: Record<ExposureQuery['sort'], string> = {
  risk: 'e.risk_score DESC NULLS LAST, e.id',
  sla: 'e.sla_due_at ASC NULLS LAST, e.risk_score DESC NULLS LAST, e.id',
  opened: 'e.opened_at ASC, e.id',
  epss: 'e.epss_score DESC NULLS LAST, e.id',
};

/** Builds the WHERE clause from typed filters; every value is a bind parameter. */
function where(query: ExposureQuery, now: Date): { sql: string; params: unknown[] } {
  const clauses: string[] = [];
  const params: unknown[] = [];
  const bind = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  if (query.state === 'active') clauses.push(`e.state IN ('open', 'in_progress', 'awaiting_approval', 'mitigated')`);
  else if (query.state !== 'all') clauses.push(`e.state = ${bind(query.state)}`);
  if (query.decision) clauses.push(`e.ssvc_decision = ${bind(query.decision)}`);
  if (query.owner) clauses.push(`(e.owner = ${bind(query.owner)} OR e.team = $${params.length})`);
  if (query.kev !== undefined) clauses.push(`${query.kev ? '' : 'NOT '}e.kev`);
  if (query.internetFacing !== undefined) {
    clauses.push(`e.internet_facing = ${bind(query.internetFacing)}`);
  }
  if (query.coverage) clauses.push(`e.coverage = ${bind(query.coverage)}`);
  if (query.environment) clauses.push(`e.asset_environment = ${bind(query.environment)}`);
  if (query.criticality) clauses.push(`e.asset_criticality = ${bind(query.criticality)}`);
  if (query.assetId) clauses.push(`e.asset_id = ${bind(query.assetId)}`);
  if (query.vulnerabilityId) {
    const id = bind(query.vulnerabilityId);
    clauses.push(
      // The aliases are resolved first (an array, not a join), so each branch can use its index.
      `(e.vulnerability_id = ${id} OR e.advisory_id = ${id}
        OR e.advisory_id = ANY(ARRAY(SELECT advisory_id FROM advisory_aliases WHERE alias = ${id})))`,
    );
  }
  if (query.component) clauses.push(`e.component ILIKE ${bind(`%${query.component.replace(/[\\%_]/g, '\\$&')}%`)}`);
  if (query.severity) clauses.push(`e.severity = ${bind(query.severity)}`);
  if (query.kind) clauses.push(`e.kind = ${bind(query.kind)}`);
  const coveredByKind = (kind: string) =>
    `EXISTS (SELECT 1 FROM exposure_controls ec JOIN controls c ON c.id = ec.control_id
              WHERE ec.exposure_id = e.id AND ec.coverage IN ('full', 'partial') AND c.kind = ${bind(kind)})`;
  if (query.coveredBy) clauses.push(coveredByKind(query.coveredBy));
  if (query.notCoveredBy) clauses.push(`NOT ${coveredByKind(query.notCoveredBy)}`);
  if (query.advisoryIds) clauses.push(`e.advisory_id = ANY(${bind(query.advisoryIds)}::text[])`);
  if (query.openedWithinDays !== undefined) {
    clauses.push(`e.opened_at >= ${bind(now)}::timestamptz - make_interval(days => ${bind(query.openedWithinDays)})`);
  }
  if (query.resolvedWithinDays !== undefined) {
    clauses.push(
      `e.resolved_at >= ${bind(now)}::timestamptz - make_interval(days => ${bind(query.resolvedWithinDays)})`,
    );
  }
  if (query.minEpss !== undefined) clauses.push(`e.epss_score >= ${bind(query.minEpss)}`);
  if (query.slaBreached !== undefined) {
    clauses.push(`coalesce(e.sla_due_at < ${bind(now)}, false) = ${bind(query.slaBreached)}`);
  }
  if (query.triage !== undefined) clauses.push(`e.triage = ${bind(query.triage)}`);
  return { sql: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', params };
}

/**
 * Lists exposures with typed filters, sorted (by risk by default) and paginated, plus the total.
 * Every filter reads the exposure row alone (its KEV, EPSS and asset facts are kept on it, see
 * migration 0008), so the count and the page's ids come from one covering index; only the page's
 * rows are then read whole and joined. The count and the page run side by side (on a server pool
 * they overlap).
 */
export async function listExposures(
  db: Queryable,
  query: ExposureQuery,
  now: Date = new Date(),
): Promise<{ total: number; rows: ExposureListRow[] }> {
  const { sql, params } = where(query, now);
  const [total, result] = await Promise.all([
    db.query<{ n: number }>(`SELECT count(*)::int AS n FROM exposures e ${sql}`, params),
    db.query<ExposureListRow>(
      `WITH page AS (
         SELECT e.id FROM exposures e ${sql}
          ORDER BY ${ORDER[query.sort]}
          LIMIT ${Number(query.limit)} OFFSET ${Number(query.offset)}
       )
       SELECT e.id, e.title, e.state, e.vulnerability_id AS "vulnerabilityId", e.advisory_id AS "advisoryId",
              e.component, e.severity, e.risk_score AS "riskScore", e.ssvc_decision AS "ssvcDecision", e.coverage,
              e.reachable, e.owner, e.team, e.triage, e.sla_due_at AS "slaDueAt", e.asset_id AS "assetId",
              a.name AS "assetName", a.environment, a.internet_exposure AS "internetExposure",
              e.kev, e.epss_score AS "epssScore",
              (SELECT count(*)::int FROM findings f WHERE f.exposure_id = e.id AND f.state <> 'fixed') AS findings,
              e.opened_at AS "openedAt"
         FROM page p JOIN exposures e ON e.id = p.id
         JOIN assets a ON a.id = e.asset_id
        ORDER BY ${ORDER[query.sort]}`,
      params,
    ),
  ]);
  return { total: total.rows[0]?.n ?? 0, rows: result.rows };
}

/** What exposures can be grouped by, and the SQL expression of each key. */
export const GROUP_KEYS = {
  owner: `coalesce(e.owner, '(no owner)')`,
  team: `coalesce(e.team, '(no team)')`,
  asset: 'e.asset_id',
  advisory: 'coalesce(e.advisory_id, e.vulnerability_id)',
  decision: `coalesce(e.ssvc_decision, 'unprioritized')`,
  environment: 'e.asset_environment',
  criticality: 'e.asset_criticality',
  severity: 'e.severity',
  coverage: 'e.coverage',
} as const;
export type GroupKey = keyof typeof GROUP_KEYS;

export type ExposureGroupRow = {
  key: string;
  /** The asset's name or the advisory's title, when grouping by those. */
  label: string | null;
  count: number;
  riskSum: number;
  kev: number;
  /** The group's riskiest exposures (at most 5), for citations. */
  topExposureIds: string[];
};

const GROUP_LABELS: Partial<Record<GroupKey, string>> = {
  asset: 'min(a.name)',
  advisory: 'min(adv.title)',
};

/** Counts filtered exposures per group, biggest risk first (then count, then key); plus the number of groups. */
export async function groupExposures(
  db: Queryable,
  query: ExposureQuery,
  groupBy: GroupKey,
  options: { now?: Date; limit: number },
): Promise<{ total: number; groups: number; rows: ExposureGroupRow[] }> {
  const { sql, params } = where(query, options.now ?? new Date());
  const key = GROUP_KEYS[groupBy];
  const result = await db.query<ExposureGroupRow & { total: number; groups: number }>(
    `SELECT ${key} AS key, ${GROUP_LABELS[groupBy] ?? 'NULL'} AS label, count(*)::int AS count,
            round(coalesce(sum(e.risk_score), 0)::numeric, 1)::float8 AS "riskSum",
            count(*) FILTER (WHERE e.kev)::int AS kev,
            (array_agg(e.id ORDER BY e.risk_score DESC NULLS LAST, e.id))[1:5] AS "topExposureIds",
            sum(count(*)) OVER ()::int AS total, count(*) OVER ()::int AS groups
       FROM exposures e
       LEFT JOIN assets a ON a.id = e.asset_id -- read only for the asset label; unused joins are removed
       LEFT JOIN advisories adv ON adv.id = e.advisory_id
       ${sql}
      GROUP BY 1
      ORDER BY "riskSum" DESC, count DESC, key
      LIMIT ${Number(options.limit)}`,
    params,
  );
  const first = result.rows[0];
  return {
    total: first ? Number(first.total) : 0,
    groups: first ? Number(first.groups) : 0,
    rows: result.rows.map(({ total: _t, groups: _g, ...row }) => ({
      ...row,
      count: Number(row.count),
      riskSum: Number(row.riskSum),
      kev: Number(row.kev),
    })),
  };
}
