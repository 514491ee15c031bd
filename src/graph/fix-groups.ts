import type { Queryable } from '../db/database.ts';
import { isOsEcosystem } from '../domain/ecosystem.ts';

export type FixGroup = { key: string; exposureIds: string[]; risk: number };

type Row = {
  id: string;
  asset_id: string;
  kind: string;
  component: string | null;
  ecosystem: string | null;
  risk_score: number | null;
};

/**
 * Open exposures not worked since they (re)opened, grouped so one change fixes each group: all
 * exposures of one package in one asset (one dependency bump fixes every advisory on it), all OS
 * packages of one image (one patched base image); anything else is a group of one. Riskiest first.
 */
export async function selectFixGroups(
  db: Queryable,
  options: { exposureIds?: string[]; limit?: number } = {},
): Promise<FixGroup[]> {
  const result = await db.query<Row>(
    `SELECT e.id, e.asset_id, e.kind, e.component, e.ecosystem, e.risk_score
       FROM exposures e
      WHERE ($1::text[] IS NULL OR e.id = ANY($1::text[]))
        AND (e.state = 'open' OR ($1::text[] IS NOT NULL AND e.state = 'in_progress'))
        AND NOT EXISTS (SELECT 1 FROM graph_threads t
                         WHERE t.exposure_ids @> ARRAY[e.id]
                           AND (t.status IN ('running', 'awaiting_approval')
                                OR ($1::text[] IS NULL AND t.created_at >= e.opened_at)))
      ORDER BY e.id`,
    [options.exposureIds ?? null],
  );
  const groups = new Map<string, FixGroup>();
  for (const row of result.rows) {
    // One patched base image fixes every OS package of an image; one bump fixes every advisory of a package.
    const key =
      row.kind === 'package' && isOsEcosystem(row.ecosystem)
        ? `${row.asset_id}|os-packages`
        : row.kind === 'package' && row.component && row.ecosystem
          ? `${row.asset_id}|${row.ecosystem.toLowerCase()}|${row.component}`
          : `${row.asset_id}|${row.id}`;
    const group = groups.get(key) ?? { key, exposureIds: [], risk: -1 };
    group.exposureIds.push(row.id);
    group.risk = Math.max(group.risk, row.risk_score ?? -1);
    groups.set(key, group);
  }
  const ordered = [...groups.values()].sort((a, b) => b.risk - a.risk || a.key.localeCompare(b.key));
  return options.limit ? ordered.slice(0, options.limit) : ordered;
}
