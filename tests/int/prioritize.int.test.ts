import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { type App, buildApp } from '../../src/api/app.ts';
import { loadConfig } from '../../src/config.ts';
import type { Database } from '../../src/db/database.ts';
import { verifyAuditLog } from '../../src/db/repositories/audit-log.ts';
import { listExposures } from '../../src/db/repositories/exposures-query.ts';
import { ExposureQuerySchema } from '../../src/domain/exposure-query.ts';
import { loadFormats } from '../../src/ingest/registry.ts';
import { createLogger } from '../../src/logger.ts';
import { loadPolicy } from '../../src/prioritize/policy.ts';
import { ingestInputs, isFailure } from '../../src/services/ingest/ingest-inputs.ts';
import { explainExposure, formatExplanation } from '../../src/services/prioritize/explain.ts';
import { loadControls } from '../../src/services/prioritize/load-context.ts';
import { prioritizeExposures } from '../../src/services/prioritize/prioritize.ts';
import { verifyControls } from '../../src/services/prioritize/verify-controls.ts';
import { authHeader, databaseBackends } from '../helpers/databases.ts';

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures');
const policy = loadPolicy();
const DAY = 86_400_000;

const payments = {
  id: 'payments-api',
  name: 'Payments API',
  kind: 'container_image',
  environment: 'production',
  criticality: 'crown_jewel',
  internetExposure: 'internet',
  dataSensitivity: 'restricted',
  owner: 'carol@example.com',
  team: 'payments',
  tags: ['web'],
  identifiers: [{ kind: 'image', value: 'registry.example.com/payments/api:3.2.0' }],
};
const wiki = {
  id: 'wiki',
  name: 'Internal wiki',
  kind: 'container_image',
  environment: 'production',
  criticality: 'low',
  internetExposure: 'internal',
  dataSensitivity: 'internal',
  identifiers: [{ kind: 'image', value: 'registry.example.com/tools/wiki:1.0.0' }],
};
const waf = (overrides: Record<string, unknown> = {}) => ({
  id: 'waf-edge',
  name: 'Edge WAF',
  kind: 'waf',
  mode: 'block',
  scope: { assetIds: ['payments-api'] },
  capabilities: ['injection', 'rce'],
  rules: [{ id: 'vp-log4shell', cves: ['CVE-2021-44228'] }],
  enabled: true,
  lastVerifiedAt: new Date(Date.now() - DAY).toISOString(),
  ...overrides,
});

describe.each(databaseBackends())('prioritization on $name', (backend) => {
  let db: Database;
  let dir: string;
  const write = (name: string, doc: unknown) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, stringify(doc));
    return file;
  };
  const ingest = async (files: string[]) => {
    const results = await ingestInputs(db, await loadFormats(), files, { limits: { timeoutMs: 5000, maxBytes: 1e7 } });
    expect(results.filter(isFailure)).toEqual([]);
  };
  const log4shell = async () =>
    (
      await db.query<{ id: string; ssvc_decision: string; coverage: string; sla_days: number; owner: string }>(
        `SELECT id, ssvc_decision, coverage, owner,
                round(extract(epoch FROM sla_due_at - opened_at) / 86400)::int AS sla_days
           FROM exposures WHERE vulnerability_id = 'CVE-2021-44228'`,
      )
    ).rows[0]!;
  const reapplyControls = async (controls: unknown[]) => {
    const before = await loadControls(db);
    await ingest([write('controls.yaml', { controls })]);
    return verifyControls(db, policy, { before });
  };

  beforeAll(async () => {
    db = await backend.open();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mobilize-prio-'));
    // Given a crown-jewel internet-facing asset with Log4Shell (KEV-listed), and an internal wiki
    await ingest([
      write('estate.yaml', { assets: [payments, wiki] }),
      path.join(FIXTURES, 'pipeline/kev.json'),
      path.join(FIXTURES, 'prioritize/trivy-payments.json'),
      path.join(FIXTURES, 'prioritize/trivy-intranet.json'),
    ]);
  });
  afterAll(async () => {
    await db?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a KEV-listed, internet-facing, uncovered exposure on a crown jewel is Act with a 7-day SLA', async () => {
    const summary = await prioritizeExposures(db, policy);
    expect(summary.exposures).toBe(2);
    expect(await log4shell()).toMatchObject({
      ssvc_decision: 'Act',
      coverage: 'none',
      sla_days: 7,
      owner: 'carol@example.com',
    });
  });

  it('explains the decision factor by factor', async () => {
    const x = await explainExposure(db, policy, (await log4shell()).id);
    const text = formatExplanation(x);
    expect(x.prioritization.ssvc.path.map((s) => [s.point, s.value])).toEqual(
      expect.arrayContaining([
        ['Exploitation', 'active'],
        ['Automatable', 'yes'],
        ['Technical Impact', 'total'],
        ['Mission and Well-Being Impact', 'high'],
      ]),
    );
    expect(text).toContain('Decision: Act');
    expect(text).toMatch(/Exploitation: active — .*KEV/);
    expect(text).toMatch(/kev: /);
    expect(text).toContain('Owner: carol@example.com / payments');
    expect(text).toContain('trivy');
    const factors = x.prioritization.risk.factors.reduce((sum, f) => sum + f.contribution, 0);
    expect(factors).toBeCloseTo(x.prioritization.risk.score, 5);
  });

  it('the same exposure behind an in-scope blocking WAF with a virtual patch is not Act', async () => {
    const result = await reapplyControls([waf()]);
    expect(result.drifted).toEqual([{ controlId: 'waf-edge', reasons: ['new control'], exposures: 0 }]);
    const after = await log4shell();
    expect(after.coverage).toBe('full');
    expect(after.ssvc_decision).not.toBe('Act');
    const links = await db.query('SELECT control_id, coverage FROM exposure_controls');
    expect(links.rows).toEqual([{ control_id: 'waf-edge', coverage: 'full' }]);
  });

  it('drift: a disabled control loses its coverage, re-prioritizes only what relied on it, and is audited', async () => {
    const result = await reapplyControls([waf({ enabled: false })]);
    expect(result.drifted).toEqual([{ controlId: 'waf-edge', reasons: ['disabled'], exposures: 1 }]);
    expect(result.reprioritized?.exposures).toBe(1);
    expect(await log4shell()).toMatchObject({ ssvc_decision: 'Act', coverage: 'none' });
    const audit = await db.query<{ action: string; data: Record<string, unknown> }>(
      `SELECT action, data FROM audit_log WHERE action IN ('control.drift', 'exposure.reprioritized') ORDER BY seq`,
    );
    expect(audit.rows.at(-2)).toMatchObject({ action: 'control.drift', data: { reasons: ['disabled'] } });
    expect(audit.rows.at(-1)).toMatchObject({
      action: 'exposure.reprioritized',
      data: { coverage: { from: 'full', to: 'none' }, lostControls: ['waf-edge'] },
    });
    expect((await verifyAuditLog(db)).ok).toBe(true);
  });

  it('drift: a stale verification and a scope that no longer covers the asset both remove coverage', async () => {
    await reapplyControls([waf()]);
    expect((await log4shell()).coverage).toBe('full');
    const stale = await reapplyControls([waf({ lastVerifiedAt: new Date(Date.now() - 60 * DAY).toISOString() })]);
    expect(stale.drifted[0]?.reasons.join()).toMatch(/not verified within 30 days/);
    expect((await log4shell()).coverage).toBe('none');

    await reapplyControls([waf()]);
    const moved = await reapplyControls([waf({ scope: { assetIds: ['wiki'] } })]);
    expect(moved.drifted[0]?.reasons).toEqual(['scope changed']);
    expect((await log4shell()).coverage).toBe('none');
  });

  it('lists with typed filters, riskiest first', async () => {
    const query = (q: Record<string, unknown>) => listExposures(db, ExposureQuerySchema.parse(q));
    const all = await query({});
    expect(all.total).toBe(2);
    expect(all.rows[0]!.vulnerabilityId).toBe('CVE-2021-44228');
    expect(Number(all.rows[0]!.riskScore)).toBeGreaterThan(Number(all.rows[1]!.riskScore));
    expect((await query({ kev: true })).rows.map((r) => r.assetId)).toEqual(['payments-api']);
    expect((await query({ internetFacing: false })).rows.map((r) => r.assetId)).toEqual(['wiki']);
    expect((await query({ decision: 'Act', owner: 'payments' })).total).toBe(1);
    expect((await query({ vulnerabilityId: 'CVE-2021-44906', coverage: 'none' })).total).toBe(1);
  });

  it('routes an exposure nobody owns to the triage queue with a reason', async () => {
    const wikiExposure = await db.query<{ team: string; triage: boolean; owner_rule: string }>(
      `SELECT team, triage, owner_rule FROM exposures WHERE asset_id = 'wiki'`,
    );
    expect(wikiExposure.rows[0]).toEqual({ team: 'security-triage', triage: true, owner_rule: expect.any(String) });
  });

  it('routes a repository finding to its CODEOWNERS entry when the inventory names a checkout', async () => {
    // Given a repository asset whose checkout has a CODEOWNERS file
    const checkout = path.join(dir, 'shop');
    fs.mkdirSync(path.join(checkout, '.github'), { recursive: true });
    fs.writeFileSync(
      path.join(checkout, '.github/CODEOWNERS'),
      '* @acme/platform\n/services/payments/ @acme/payments-devs alice@example.com\n',
    );
    await ingest([
      write('repo.yaml', {
        assets: [
          {
            id: 'shop-repo',
            name: 'acme/shop',
            kind: 'repository',
            identifiers: [{ kind: 'repository_url', value: 'https://github.com/acme/shop' }],
            attributes: { checkoutPath: checkout },
          },
        ],
      }),
      path.join(FIXTURES, 'prioritize/trivy-repository.json'),
    ]);
    // When prioritized
    await prioritizeExposures(db, policy);
    // Then the last matching CODEOWNERS pattern names the owner and team
    const row = await db.query<{ owner: string; team: string; owner_rule: string }>(
      `SELECT owner, team, owner_rule FROM exposures WHERE asset_id = 'shop-repo'`,
    );
    expect(row.rows[0]).toEqual({
      owner: 'alice@example.com',
      team: '@acme/payments-devs',
      owner_rule: 'codeowners:/services/payments/',
    });
  });

  it('serves GET /v1/exposures and GET /v1/exposures/:id', async () => {
    const config = loadConfig({ LOG_LEVEL: 'silent' });
    const app: App = await buildApp({
      config,
      db,
      logger: createLogger(config),
      version: 't',
      formats: await loadFormats(),
      policy,
    });
    try {
      const headers = await authHeader(db, 'viewer');
      const list = await app.inject({ method: 'GET', url: '/v1/exposures?kev=true&decision=Act', headers });
      expect(list.statusCode).toBe(200);
      expect(list.json()).toMatchObject({
        total: 1,
        items: [{ assetId: 'payments-api', kev: true, ssvcDecision: 'Act' }],
      });
      const id = list.json().items[0].id;
      const detail = await app.inject({ method: 'GET', url: `/v1/exposures/${id}`, headers });
      expect(detail.statusCode).toBe(200);
      expect(detail.json()).toMatchObject({ id, decision: { decision: 'Act' }, sla: { state: 'ok' } });
      expect(detail.json().explanation).toContain('SSVC path');
      expect((await app.inject({ method: 'GET', url: '/v1/exposures/EXP-nope', headers })).statusCode).toBe(404);
      expect((await app.inject({ method: 'GET', url: '/v1/exposures?decision=Urgent', headers })).statusCode).toBe(400);
    } finally {
      await app.close();
    }
  });
});
