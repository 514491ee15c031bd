import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, buildApp } from '../../src/api/app.ts';
import { loadConfig } from '../../src/config.ts';
import type { Database } from '../../src/db/database.ts';
import { listPlans } from '../../src/db/repositories/plans-store.ts';
import { listTickets } from '../../src/db/repositories/tickets-store.ts';
import { ConflictError } from '../../src/domain/errors.ts';
import { createOrchestrator } from '../../src/graph/orchestrator.ts';
import { loadFormats } from '../../src/ingest/registry.ts';
import { createLogger } from '../../src/logger.ts';
import { loadPolicy } from '../../src/prioritize/policy.ts';
import { authHeader, databaseBackends } from '../helpers/databases.ts';
import { buildEstate, type Estate, ingestEstate } from '../helpers/estate.ts';

const config = loadConfig({ MOBILIZE_HOME: '/tmp/mobilize-unused', LOG_LEVEL: 'silent' });
const logger = createLogger(config);
const policy = loadPolicy();
const HOUR = 3_600_000;

/** A fresh database with the estate ingested and run once: the crown-jewel plan is pending. */
async function pendingEstate(open: () => Promise<Database>, now?: () => Date, usePolicy = policy) {
  const db = await open();
  const estate = buildEstate();
  await ingestEstate(db, estate);
  const orchestrator = await createOrchestrator({ db, policy: usePolicy, logger, config, now });
  await orchestrator.run({ startedBy: 'user:alice' });
  const [plan] = await listPlans(db, { status: 'pending' });
  return { db, estate, orchestrator, plan: plan! };
}

describe.each(databaseBackends())('approval API on $name', (backend) => {
  let db: Database;
  let estate: Estate;
  let app: App;
  let headers: Record<'viewer' | 'analyst' | 'approver', { authorization: string }>;

  beforeAll(async () => {
    db = await backend.open();
    estate = buildEstate();
    await ingestEstate(db, estate);
    app = await buildApp({ config, db, logger, version: 'test', formats: await loadFormats(), policy });
    headers = {
      viewer: await authHeader(db, 'viewer'),
      analyst: await authHeader(db, 'analyst'),
      approver: await authHeader(db, 'approver'),
    };
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
    estate?.cleanup();
  });

  it('runs need an analyst token; the run requester is the token identity', async () => {
    expect((await app.inject({ method: 'POST', url: '/v1/runs', payload: {} })).statusCode).toBe(401);
    const viewer = await app.inject({ method: 'POST', url: '/v1/runs', headers: headers.viewer, payload: {} });
    expect(viewer.statusCode).toBe(403);
    const run = await app.inject({ method: 'POST', url: '/v1/runs', headers: headers.analyst, payload: {} });
    expect(run.statusCode).toBe(200);
    expect(run.json()).toMatchObject({ threads: 3, awaitingApproval: 1 });
    const [plan] = await listPlans(db, { status: 'pending' });
    expect(plan!.requestedBy).toBe('user:test-analyst');
  });

  it('lists and shows pending plans to viewers, with evidence, risk and diff', async () => {
    const list = await app.inject({ method: 'GET', url: '/v1/approvals', headers: headers.viewer });
    expect(list.statusCode).toBe(200);
    const [plan] = list.json().plans;
    expect(plan).toMatchObject({ state: 'awaiting_approval', kind: 'dependency_bump', routine: false });
    const one = await app.inject({ method: 'GET', url: `/v1/approvals/${plan.id}`, headers: headers.viewer });
    expect(one.json()).toMatchObject({ id: plan.id, policyDecision: { routine: false }, risk: { exposures: [{}] } });
    expect(one.json().diff).toContain('express');
    const missing = await app.inject({ method: 'GET', url: '/v1/approvals/plan_nope', headers: headers.viewer });
    expect(missing.statusCode).toBe(404);
  });

  it('only approvers decide, with a valid body', async () => {
    const [plan] = await listPlans(db, { status: 'pending' });
    const url = `/v1/approvals/${plan!.id}/decision`;
    const analyst = await app.inject({
      method: 'POST',
      url,
      headers: headers.analyst,
      payload: { decision: 'approve' },
    });
    expect(analyst.statusCode).toBe(403);
    const bad = await app.inject({ method: 'POST', url, headers: headers.approver, payload: { decision: 'maybe' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe('VALIDATION_FAILED');
  });

  it('request_changes re-plans with the note: the rules planner hands it to the owner as a ticket', async () => {
    const [plan] = await listPlans(db, { status: 'pending' });
    const response = await app.inject({
      method: 'POST',
      url: `/v1/approvals/${plan!.id}/decision`,
      headers: headers.approver,
      payload: { decision: 'request_changes', note: 'coordinate with the payments release train' },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      plan: {
        state: 'changes_requested',
        decision: { decision: 'changes_requested', decidedBy: 'user:test-approver' },
      },
      thread: { status: 'completed', outcome: 'pending_verification' },
    });
    const replanned = (await listPlans(db, { status: 'all' })).find((p) => p.supersedes === plan!.id)!;
    expect(replanned).toMatchObject({ kind: 'ticket', routine: true, state: 'executed', replanCount: 1 });
    const [ticket] = await listTickets(db, { planId: replanned.id });
    expect(ticket).toMatchObject({ system: 'builtin', owner: 'payments-platform', state: 'open' });
    expect(ticket!.dueAt).toBeInstanceOf(Date);
  });

  it('shows the policy in force to viewers', async () => {
    const response = await app.inject({ method: 'GET', url: '/v1/policy', headers: headers.viewer });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ policyVersion: policy.policyVersion, routine: { maxBump: 'minor' } });
  });
});

describe.each(databaseBackends())('rejections and expiry on $name', (backend) => {
  const opened: { db: Database; estate: Estate }[] = [];
  afterAll(async () => {
    for (const { db, estate } of opened) {
      await db.close();
      estate.cleanup();
    }
  });

  it('a rejection that accepts the risk moves the exposures to accepted until the date, then they reopen', async () => {
    let now = new Date();
    const { db, estate, orchestrator, plan } = await pendingEstate(
      () => backend.open(),
      () => now,
    );
    opened.push({ db, estate });
    const until = new Date(Date.now() + 90 * 24 * HOUR);
    const result = await orchestrator.decide({
      planId: plan.id,
      decision: 'reject',
      by: 'user:bob',
      note: 'compensated by the payments gateway allow-list',
      acceptRiskUntil: until,
    });
    expect(result.thread).toMatchObject({ status: 'completed', outcome: 'accepted' });
    const rows = await db.query<{ state: string; accepted_until: Date; state_reason: string }>(
      `SELECT state, accepted_until, state_reason FROM exposures WHERE asset_id = 'payments-repo'`,
    );
    expect(rows.rows[0]).toMatchObject({ state: 'accepted', accepted_until: until });
    expect(rows.rows[0]!.state_reason).toContain('allow-list');
    // When the acceptance runs out, the exposure is open again and the next run works it.
    now = new Date(until.getTime() + HOUR);
    const rerun = await orchestrator.run({ startedBy: 'user:alice' });
    const reopened = await db.query<{ state: string; state_reason: string }>(
      `SELECT state, state_reason FROM exposures WHERE asset_id = 'payments-repo'`,
    );
    expect(reopened.rows[0]!.state).toBe('awaiting_approval');
    expect(rerun).toMatchObject({ threads: 1, awaitingApproval: 1 });
    const expired = await db.query(`SELECT 1 FROM audit_log WHERE action = 'exposure.acceptance_expired'`);
    expect(expired.rowCount).toBe(1);
  });

  it('a fix that fails to execute does not verify: the thread re-plans (an owner ticket) within the bound', async () => {
    const { db, estate, orchestrator, plan } = await pendingEstate(() => backend.open());
    opened.push({ db, estate });
    fs.rmSync(path.join(estate.repos.payments, '.git'), { recursive: true, force: true });
    const result = await orchestrator.decide({ planId: plan.id, decision: 'approve', by: 'user:bob' });
    expect(result.plan.state).toBe('failed');
    expect(result.thread).toMatchObject({ status: 'completed', outcome: 'pending_verification' });
    const next = (await listPlans(db, { status: 'all' })).find((p) => p.supersedes === plan.id)!;
    expect(next).toMatchObject({ kind: 'ticket', replanCount: 1 });
    expect(next.rationale).toContain('did not verify');
    const failed = await db.query<{ outcome: string }>('SELECT outcome FROM verifications WHERE plan_id = $1', [
      plan.id,
    ]);
    expect(failed.rows.map((r) => r.outcome)).toEqual(['failed']);
  });

  it('a plan only the next scan can prove waits in verifying, then settles by scan or by the window', async () => {
    let now = new Date();
    const { db, estate, orchestrator, plan } = await pendingEstate(
      () => backend.open(),
      () => now,
    );
    opened.push({ db, estate });
    // A change request turns the bump into an owner ticket: nothing re-checkable, so it waits for a scan.
    const decided = await orchestrator.decide({
      planId: plan.id,
      decision: 'request_changes',
      by: 'user:bob',
      note: 'x',
    });
    expect(decided.thread).toMatchObject({ outcome: 'pending_verification' });
    expect(await orchestrator.settleVerifications()).toEqual({ verified: 0, escalated: 0 });
    // A later full scan no longer finds the exposure (the ingest lifecycle resolves it): verified by scan.
    await db.query(`UPDATE exposures SET state = 'resolved', resolved_at = now() WHERE asset_id = 'payments-repo'`);
    expect(await orchestrator.settleVerifications()).toEqual({ verified: 1, escalated: 0 });
    const verification = await db.query<{ method: string; outcome: string }>(
      `SELECT method, outcome FROM verifications WHERE verified_by = 'scan'`,
    );
    expect(verification.rows).toEqual([{ method: 'next-scan', outcome: 'resolved' }]);
    // And one that no scan proves within the window escalates.
    const other = await pendingEstate(
      () => backend.open(),
      () => now,
    );
    opened.push({ db: other.db, estate: other.estate });
    await other.orchestrator.decide({ planId: other.plan.id, decision: 'request_changes', by: 'user:bob', note: 'x' });
    now = new Date(now.getTime() + (policy.orchestrator.verificationWindowDays + 1) * 24 * HOUR);
    expect(await other.orchestrator.settleVerifications()).toEqual({ verified: 0, escalated: 1 });
    const reason = await other.db.query<{ state_reason: string }>(
      `SELECT state_reason FROM exposures WHERE asset_id = 'payments-repo'`,
    );
    expect(reason.rows[0]!.state_reason).toMatch(/^escalated: no scan proved plan/);
  }, 180_000);

  it('escalates when re-plans run out', async () => {
    const strict = { ...policy, orchestrator: { ...policy.orchestrator, maxReplans: 0 } };
    const { db, estate, orchestrator, plan } = await pendingEstate(() => backend.open(), undefined, strict);
    opened.push({ db, estate });
    fs.rmSync(path.join(estate.repos.payments, '.git'), { recursive: true, force: true });
    const result = await orchestrator.decide({ planId: plan.id, decision: 'approve', by: 'user:bob' });
    expect(result.thread).toMatchObject({ status: 'escalated', outcome: 'escalated' });
    const exposure = await db.query<{ state: string; state_reason: string }>(
      `SELECT state, state_reason FROM exposures WHERE asset_id = 'payments-repo'`,
    );
    expect(exposure.rows[0]).toMatchObject({ state: 'open' });
    expect(exposure.rows[0]!.state_reason).toMatch(/^escalated: no plan verified after 1 re-plan/);
  });

  it('an approval not decided within the window expires and escalates', async () => {
    let now = new Date();
    const { db, estate, orchestrator, plan } = await pendingEstate(
      () => backend.open(),
      () => now,
    );
    opened.push({ db, estate });
    now = new Date(now.getTime() + (policy.approvals.expiresAfterHours + 1) * HOUR);
    expect(await orchestrator.expireApprovals()).toBe(1);
    const [escalated] = await listPlans(db, { status: 'escalated' });
    expect(escalated!.id).toBe(plan.id);
    const thread = await db.query<{ status: string; outcome: string }>(
      'SELECT status, outcome FROM graph_threads WHERE thread_id = $1',
      [plan.threadId],
    );
    expect(thread.rows[0]).toEqual({ status: 'escalated', outcome: 'escalated' });
    await expect(orchestrator.decide({ planId: plan.id, decision: 'approve', by: 'user:bob' })).rejects.toThrow(
      ConflictError,
    );
  });
});
