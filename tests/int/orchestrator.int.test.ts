import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import type { Database } from '../../src/db/database.ts';
import { verifyAuditLog } from '../../src/db/repositories/audit-log.ts';
import { listPlans } from '../../src/db/repositories/plans-store.ts';
import { ConflictError, ForbiddenError } from '../../src/domain/errors.ts';
import { createOrchestrator, type Orchestrator, type RunSummary } from '../../src/graph/orchestrator.ts';
import { createLogger } from '../../src/logger.ts';
import { loadPolicy } from '../../src/prioritize/policy.ts';
import { databaseBackends } from '../helpers/databases.ts';
import { buildEstate, type Estate, git, ingestEstate } from '../helpers/estate.ts';

const config = loadConfig({ MOBILIZE_HOME: '/tmp/mobilize-unused', LOG_LEVEL: 'silent' });
const logger = createLogger(config);
const policy = loadPolicy();

describe.each(databaseBackends())('orchestrator full loop on $name', (backend) => {
  let db: Database;
  let estate: Estate;
  let orchestrator: Orchestrator;
  let summary: RunSummary;

  beforeAll(async () => {
    db = await backend.open();
    estate = buildEstate();
    await ingestEstate(db, estate);
    orchestrator = await createOrchestrator({ db, policy, logger, config });
    summary = await orchestrator.run({ startedBy: 'user:alice' });
  });
  afterAll(async () => {
    await db?.close();
    estate?.cleanup();
  });

  it('runs one thread per fix group and reports the counts', () => {
    expect(summary).toMatchObject({
      threads: 3,
      summarized: 2, // lodash is shared by two threads: summarized once
      covered: 1,
      planned: 2,
      autoExecuted: 1,
      awaitingApproval: 1,
      verified: 1,
      escalated: 0,
      failed: 0,
    });
  });

  it('auto-executes the routine bump on a branch and verifies it against the advisory ranges', async () => {
    const plan = (await listPlans(db, { status: 'verified' }))[0]!;
    expect(plan).toMatchObject({
      kind: 'dependency_bump',
      routine: true,
      requestedBy: 'user:alice',
      decidedBy: 'rules',
    });
    const branch = `mobilize/${plan.id}`;
    const manifest = JSON.parse(git(estate.repos.shop, 'show', `${branch}:package.json`));
    expect(manifest.dependencies.lodash).toBe('^4.17.21');
    expect(git(estate.repos.shop, 'log', '-1', '--format=%B', branch)).toContain('GHSA-35jh-r3h4-6jhm');
    // The working copy itself is untouched.
    expect(git(estate.repos.shop, 'rev-parse', '--abbrev-ref', 'HEAD')).toBe('main');
    expect(JSON.parse(fs.readFileSync(path.join(estate.repos.shop, 'package.json'), 'utf8')).dependencies.lodash).toBe(
      '^4.17.15',
    );
    const verification = await db.query<{ outcome: string; method: string }>(
      'SELECT outcome, method FROM verifications WHERE plan_id = $1',
      [plan.id],
    );
    expect(verification.rows).toEqual([{ outcome: 'resolved', method: 'check_dependency' }]);
  });

  it('deprioritizes the covered case with its evidence and plans nothing', async () => {
    const rows = await db.query<{ state: string; coverage: string; state_reason: string }>(
      `SELECT state, coverage, state_reason FROM exposures WHERE asset_id = 'legacy-web'`,
    );
    expect(rows.rows).toEqual([{ state: 'open', coverage: 'full', state_reason: expect.stringContaining('waf-edge') }]);
    const plans = await db.query(
      `SELECT 1 FROM plan_exposures pe JOIN exposures e ON e.id = pe.exposure_id WHERE e.asset_id = 'legacy-web'`,
    );
    expect(plans.rowCount).toBe(0);
  });

  it('summarizes each advisory once, with provenance and an embedding', async () => {
    const rows = await db.query<{ advisory_id: string; decided_by: string; has_embedding: boolean }>(
      `SELECT advisory_id, decided_by, embedding IS NOT NULL AS has_embedding FROM advisory_summaries ORDER BY 1`,
    );
    expect(rows.rows).toEqual([
      { advisory_id: 'GHSA-35jh-r3h4-6jhm', decided_by: 'rules', has_embedding: true },
      { advisory_id: 'GHSA-rv95-896h-c2vc', decided_by: 'rules', has_embedding: true },
    ]);
    const decisions = await db.query<{ agent: string }>('SELECT DISTINCT agent FROM agent_decisions ORDER BY 1');
    expect(decisions.rows.map((r) => r.agent)).toEqual(['control-assessor', 'planner', 'summarizer', 'verifier']);
  });

  it('holds the crown-jewel bump for approval with its diff, and enforces separation of duties', async () => {
    const [pending] = await listPlans(db, { status: 'pending' });
    expect(pending).toMatchObject({ kind: 'dependency_bump', routine: false, state: 'awaiting_approval' });
    expect(pending!.policyDecision.reasons).toContain('changes crown-jewel asset payments-repo');
    expect(pending!.diff).toContain('+    "express": "4.19.2"');
    expect(pending!.approvalExpiresAt).toBeInstanceOf(Date);
    // Nothing ran yet: no branch in the payments repository.
    expect(git(estate.repos.payments, 'branch', '--list', 'mobilize/*')).toBe('');
    await expect(orchestrator.decide({ planId: pending!.id, decision: 'approve', by: 'user:alice' })).rejects.toThrow(
      ForbiddenError,
    );
  });

  it('resumes the thread when another approver approves, once', async () => {
    const [pending] = await listPlans(db, { status: 'pending' });
    const result = await orchestrator.decide({ planId: pending!.id, decision: 'approve', by: 'user:bob', note: 'ok' });
    expect(result.replayed).toBe(false);
    expect(result.plan.state).toBe('verified');
    expect(result.thread).toMatchObject({ status: 'completed', outcome: 'verified' });
    expect(
      JSON.parse(git(estate.repos.payments, 'show', `mobilize/${pending!.id}:package.json`)).dependencies.express,
    ).toBe('4.19.2');
    // The same decision again is a replay; a different one conflicts.
    const again = await orchestrator.decide({ planId: pending!.id, decision: 'approve', by: 'user:bob' });
    expect(again.replayed).toBe(true);
    await expect(orchestrator.decide({ planId: pending!.id, decision: 'reject', by: 'user:carol' })).rejects.toThrow(
      ConflictError,
    );
    const actions = await db.query<{ n: number; keys: number }>(
      'SELECT count(*)::int AS n, count(DISTINCT idempotency_key)::int AS keys FROM actions',
    );
    expect(actions.rows[0]!.n).toBe(actions.rows[0]!.keys);
    expect(actions.rows[0]!.n).toBe(6); // two plans x (bump + change request + ticket)
  });

  it('keeps an intact, verifiable audit chain of decisions, tool calls and approvals', async () => {
    expect(await verifyAuditLog(db)).toMatchObject({ ok: true });
    const actions = await db.query<{ action: string }>('SELECT DISTINCT action FROM audit_log ORDER BY 1');
    expect(actions.rows.map((r) => r.action)).toEqual(
      expect.arrayContaining([
        'advisory.summarized',
        'approval.decided',
        'plan.approval_requested',
        'plan.proposed',
        'plan.routine',
        'plan.verified',
        'thread.closed',
        'thread.routed',
        'thread.started',
        'tool.called',
      ]),
    );
  });

  it('does not start a second thread for exposures already worked', async () => {
    const second = await orchestrator.run({ startedBy: 'user:alice' });
    expect(second.threads).toBe(0);
  });

  it('rolls back an executed plan: its unmerged branch is deleted and the change request closed, once', async () => {
    const plan = (await listPlans(db, { status: 'verified' })).find((p) => p.exposureIds.length && p.routine)!;
    const branch = `mobilize/${plan.id}`;
    const commit = git(estate.repos.shop, 'rev-parse', branch);
    const result = await orchestrator.rollback(plan.id, 'user:bob', 'wrong release window');
    expect(result.plan.state).toBe('rolled_back');
    // One revert closes the change request and deletes the branch
    expect(result.undone.map((u) => [u.tool, u.ok])).toEqual([['revert_change', true]]);
    const requests = await db.query<{ state: string }>('SELECT state FROM change_requests WHERE plan_id = $1', [
      plan.id,
    ]);
    expect(requests.rows.map((r) => r.state)).toEqual(['closed']);
    expect(git(estate.repos.shop, 'branch', '--list', branch)).toBe('');
    // The commit is still in the object store: recoverable from the recorded id.
    expect(git(estate.repos.shop, 'cat-file', '-t', commit)).toBe('commit');
    const states = await db.query<{ state: string }>('SELECT state FROM exposures WHERE id = ANY($1)', [
      plan.exposureIds,
    ]);
    expect(states.rows.every((r) => r.state === 'open')).toBe(true);
    await expect(orchestrator.rollback(plan.id, 'user:bob')).rejects.toThrow(ConflictError);
  });
});
