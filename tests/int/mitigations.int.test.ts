import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import type { Database } from '../../src/db/database.ts';
import type { AuditEntry } from '../../src/domain/audit.ts';
import { createGraphDeps, type GraphDeps, toolContext } from '../../src/graph/deps.ts';
import { createLogger } from '../../src/logger.ts';
import { loadPolicy } from '../../src/prioritize/policy.ts';
import { applyVirtualPatch } from '../../tools/apply-virtual-patch.ts';
import { checkMitigation } from '../../tools/check-mitigation.ts';
import { quarantineAsset } from '../../tools/quarantine-asset.ts';
import { rollbackMitigation } from '../../tools/rollback-mitigation.ts';
import { runTool } from '../../tools/run-tool.ts';
import { databaseBackends } from '../helpers/databases.ts';
import { buildEstate, type Estate, ingestEstate } from '../helpers/estate.ts';

const config = loadConfig({ MOBILIZE_HOME: '/tmp/mobilize-unused', LOG_LEVEL: 'silent' });

describe.each(databaseBackends())('mitigations on the simulated control plane on $name', (backend) => {
  let db: Database;
  let estate: Estate;
  let deps: GraphDeps;
  const audits: AuditEntry[] = [];
  const call = (tool: Parameters<typeof runTool>[0], args: unknown, key?: string) =>
    runTool(tool, args, toolContext(deps, { idempotencyKey: key }), {
      allowed: [tool.name],
      actor: 'agent:test',
      audit: async (e) => {
        audits.push(e);
      },
      ledger: deps.ledger,
    });
  const exposureOf = async (asset: string) =>
    (await db.query<{ id: string }>('SELECT id FROM exposures WHERE asset_id = $1', [asset])).rows[0]!.id;

  beforeAll(async () => {
    db = await backend.open();
    estate = buildEstate();
    await ingestEstate(db, estate);
    deps = createGraphDeps({ db, policy: loadPolicy(), logger: createLogger(config), config });
  });
  afterAll(async () => {
    await db?.close();
    estate?.cleanup();
  });

  it('quarantines an asset, proves it isolated, and rolls it back exactly', async () => {
    const exposure = await exposureOf('payments-repo');
    const applied = await call(quarantineAsset, { assetId: 'payments-repo', exposureIds: [exposure] }, 'q-1');
    expect(applied).toMatchObject({ ok: true, output: { kind: 'quarantine', state: 'active', simulated: true } });
    const id = (applied as { output: { id: string } }).output.id;
    const again = await call(quarantineAsset, { assetId: 'payments-repo', exposureIds: [exposure] }, 'q-1');
    expect(again).toMatchObject({ ok: true, replayed: true, output: { id } });
    expect(await call(checkMitigation, { mitigationId: id, exposureId: exposure })).toMatchObject({
      ok: true,
      output: { status: 'mitigated' },
    });
    await call(rollbackMitigation, { mitigationId: id }, 'q-1:rollback');
    const asset = await db.query<{ network: string | null; internet_exposure: string }>(
      `SELECT network, internet_exposure FROM assets WHERE id = 'payments-repo'`,
    );
    expect(asset.rows[0]).toEqual({ network: null, internet_exposure: 'internet' });
    expect(await call(checkMitigation, { mitigationId: id, exposureId: exposure })).toMatchObject({
      output: { status: 'not_mitigated' },
    });
  });

  it('adds a virtual patch only to a blocking WAF in scope, which the controls engine then counts', async () => {
    const payments = await exposureOf('payments-repo');
    const refused = await call(
      applyVirtualPatch,
      { controlId: 'waf-edge', cves: ['CVE-2024-29041'], exposureIds: [payments] },
      'vp-0',
    );
    expect(refused).toMatchObject({ ok: false, code: 'TOOL_ERROR' });
    // The image behind the WAF gets a patch for another CVE; its rule appears on the control.
    const legacy = await exposureOf('legacy-web');
    const applied = await call(
      applyVirtualPatch,
      { controlId: 'waf-edge', cves: ['CVE-2021-23337'], exposureIds: [legacy] },
      'vp-1',
    );
    expect(applied).toMatchObject({ ok: true, output: { kind: 'waf_virtual_patch', controlId: 'waf-edge' } });
    const rules = async () =>
      (await db.query<{ rules: { id: string }[] }>(`SELECT rules FROM controls WHERE id = 'waf-edge'`)).rows[0]!.rules;
    expect((await rules()).map((r) => r.id)).toHaveLength(2);
    const id = (applied as { output: { id: string } }).output.id;
    expect(await call(checkMitigation, { mitigationId: id, exposureId: legacy })).toMatchObject({
      output: { status: 'mitigated', coverage: 'full' },
    });
    await call(rollbackMitigation, { mitigationId: id }, 'vp-1:rollback');
    expect((await rules()).map((r) => r.id)).toEqual(['vp-lodash-template']);
  });
});
