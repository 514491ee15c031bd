import type { Asset, AssetIdentifier } from '../../domain/asset.ts';
import type { Control } from '../../domain/control.ts';
import type { Queryable } from '../database.ts';

/** The asset that holds any of these identifiers, if one does. */
export async function findAssetByIdentifiers(tx: Queryable, identifiers: AssetIdentifier[]): Promise<string | null> {
  if (!identifiers.length) return null;
  const result = await tx.query<{ asset_id: string }>(
    `SELECT i.asset_id FROM asset_identifiers i JOIN assets a ON a.id = i.asset_id
      WHERE (i.kind, i.value) IN (SELECT * FROM unnest($1::text[], $2::text[]))
      ORDER BY (a.kind = 'unclassified'), i.asset_id LIMIT 1`,
    [identifiers.map((i) => i.kind), identifiers.map((i) => i.value)],
  );
  return result.rows[0]?.asset_id ?? null;
}

export async function assetExists(tx: Queryable, id: string): Promise<boolean> {
  return (await tx.query('SELECT 1 FROM assets WHERE id = $1', [id])).rowCount > 0;
}

/**
 * Records an asset Mobilize saw in scanner output but the inventory does not list: never a
 * drop. It keeps the identifiers, so a later inventory entry claiming them absorbs it.
 */
export async function createUnclassifiedAsset(
  tx: Queryable,
  asset: { id: string; name: string; identifiers: AssetIdentifier[] },
): Promise<void> {
  await tx.query(
    `INSERT INTO assets (id, name, kind, source) VALUES ($1, $2, 'unclassified', 'scanner') ON CONFLICT (id) DO NOTHING`,
    [asset.id, asset.name],
  );
  await addIdentifiers(tx, asset.id, asset.identifiers);
}

async function addIdentifiers(tx: Queryable, assetId: string, identifiers: AssetIdentifier[]): Promise<void> {
  if (!identifiers.length) return;
  await tx.query(
    `INSERT INTO asset_identifiers (kind, value, asset_id)
     SELECT k, v, $3 FROM unnest($1::text[], $2::text[]) AS t(k, v) ON CONFLICT (kind, value) DO NOTHING`,
    [identifiers.map((i) => i.kind), identifiers.map((i) => i.value), assetId],
  );
}

/**
 * Creates or updates an inventory asset and its identifiers. Identifiers held by an
 * unclassified asset move here together with that asset's findings and exposures.
 * Returns the ids of the unclassified assets it absorbed.
 */
export async function upsertAsset(tx: Queryable, asset: Asset): Promise<string[]> {
  await tx.query(
    `INSERT INTO assets (id, name, kind, environment, criticality, internet_exposure, data_sensitivity, owner, team,
                         network, tags, attributes, source)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'inventory')
     ON CONFLICT (id) DO UPDATE SET name = excluded.name, kind = excluded.kind, environment = excluded.environment,
       criticality = excluded.criticality, internet_exposure = excluded.internet_exposure,
       data_sensitivity = excluded.data_sensitivity, owner = excluded.owner, team = excluded.team,
       network = excluded.network, tags = excluded.tags, attributes = excluded.attributes, source = 'inventory',
       updated_at = now()`,
    [
      asset.id,
      asset.name,
      asset.kind,
      asset.environment,
      asset.criticality,
      asset.internetExposure,
      asset.dataSensitivity,
      asset.owner ?? null,
      asset.team ?? null,
      asset.network ?? null,
      asset.tags,
      JSON.stringify(asset.attributes),
    ],
  );
  const held = await tx.query<{ asset_id: string }>(
    `SELECT DISTINCT i.asset_id FROM asset_identifiers i JOIN assets a ON a.id = i.asset_id
      WHERE a.kind = 'unclassified' AND a.id <> $3
        AND (i.kind, i.value) IN (SELECT * FROM unnest($1::text[], $2::text[]))`,
    [asset.identifiers.map((i) => i.kind), asset.identifiers.map((i) => i.value), asset.id],
  );
  const absorbed = held.rows.map((r) => r.asset_id);
  for (const from of absorbed) await reclassify(tx, from, asset.id);
  await tx.query(
    `INSERT INTO asset_identifiers (kind, value, asset_id)
     SELECT k, v, $3 FROM unnest($1::text[], $2::text[]) AS t(k, v)
     ON CONFLICT (kind, value) DO UPDATE SET asset_id = excluded.asset_id`,
    [asset.identifiers.map((i) => i.kind), asset.identifiers.map((i) => i.value), asset.id],
  );
  return absorbed;
}

/** Moves everything of an unclassified asset onto an inventory asset, merging equal exposures. */
async function reclassify(tx: Queryable, from: string, to: string): Promise<void> {
  const rekey = `$2 || substr(s.correlation_key, length($1) + 1)`;
  await tx.query(
    `UPDATE findings f SET exposure_id = t.id FROM exposures s JOIN exposures t ON t.correlation_key = ${rekey}
      WHERE s.asset_id = $1 AND f.exposure_id = s.id`,
    [from, to],
  );
  await tx.query(
    `DELETE FROM exposures s WHERE s.asset_id = $1
        AND EXISTS (SELECT 1 FROM exposures t WHERE t.correlation_key = ${rekey})`,
    [from, to],
  );
  await tx.query(
    `UPDATE exposures s SET asset_id = $2, correlation_key = ${rekey}, updated_at = now() WHERE s.asset_id = $1`,
    [from, to],
  );
  await tx.query('UPDATE findings SET asset_id = $2 WHERE asset_id = $1', [from, to]);
  await tx.query('UPDATE asset_identifiers SET asset_id = $2 WHERE asset_id = $1', [from, to]);
  await tx.query('DELETE FROM assets WHERE id = $1', [from]);
}

export async function upsertControl(tx: Queryable, control: Control): Promise<void> {
  await tx.query(
    `INSERT INTO controls (id, name, kind, product, mode, scope, capabilities, rules, enabled, last_verified_at, attributes)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
     ON CONFLICT (id) DO UPDATE SET name = excluded.name, kind = excluded.kind, product = excluded.product,
       mode = excluded.mode, scope = excluded.scope, capabilities = excluded.capabilities, rules = excluded.rules,
       enabled = excluded.enabled, last_verified_at = excluded.last_verified_at, attributes = excluded.attributes,
       updated_at = now()`,
    [
      control.id,
      control.name,
      control.kind,
      control.product ?? null,
      control.mode,
      JSON.stringify(control.scope),
      control.capabilities,
      JSON.stringify(control.rules),
      control.enabled,
      control.lastVerifiedAt ?? null,
      JSON.stringify(control.attributes),
    ],
  );
}
