import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { buildEstate, git } from '../helpers/estate.ts';

const run = promisify(execFile);
const BIN = path.resolve('bin/mobilize.js');
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'mobilize-cli-run-'));
const estate = buildEstate();

async function mobilize(args: string[]) {
  const env = { ...process.env, DATABASE_URL: '', MOBILIZE_HOME: home, LOG_LEVEL: 'silent' };
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { env, timeout: 120_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

afterAll(() => {
  fs.rmSync(home, { recursive: true, force: true });
  estate.cleanup();
});

describe('mobilize run and approvals', () => {
  it('runs the graph, lists and shows the pending plan, and an approver approves it from the CLI', async () => {
    expect((await mobilize(['ingest', ...estate.files])).code).toBe(0);

    const ran = await mobilize(['run', '--as', 'alice']);
    expect(ran.code).toBe(0);
    expect(ran.stdout).toMatch(/3 thread\(s\)/);
    expect(ran.stdout).toMatch(/awaiting approval\s+1/);
    expect(ran.stdout).toMatch(/auto-executed \(routine\) 1/);
    expect(ran.stderr).toContain('thread 3/3 done');

    const listed = await mobilize(['approvals', 'list', '--json']);
    const [plan] = JSON.parse(listed.stdout);
    expect(plan).toMatchObject({ state: 'awaiting_approval', requestedBy: 'user:alice' });

    const shown = await mobilize(['approvals', 'show', plan.id]);
    expect(shown.stdout).toContain('changes crown-jewel asset payments-repo');
    expect(shown.stdout).toContain('bump_dependency');

    const own = await mobilize(['approvals', 'approve', plan.id, '--by', 'alice']);
    expect(own.code).toBe(1);
    expect(own.stderr).toContain('cannot decide it');

    const approved = await mobilize([
      'approvals',
      'approve',
      plan.id,
      '--by',
      'bob',
      '--note',
      'diff reviewed',
      '--json',
    ]);
    expect(approved.code).toBe(0);
    expect(JSON.parse(approved.stdout)).toMatchObject({ plan: { state: 'verified' }, thread: { outcome: 'verified' } });
    expect(git(estate.repos.payments, 'branch', '--list', `mobilize/${plan.id}`)).toContain(plan.id);

    const noBy = await mobilize(['approvals', 'reject', plan.id]);
    expect(noBy.code).not.toBe(0);
    expect(noBy.stderr).toContain('--by');

    const again = await mobilize(['run', '--json']);
    expect(JSON.parse(again.stdout)).toMatchObject({ threads: 0, failed: 0 });
  }, 300_000); // several processes each boot a database: slow on a loaded 2-core machine

  it('rejects a bad --limit with one line', async () => {
    const bad = await mobilize(['run', '--limit', 'zero']);
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim()).toBe('mobilize: --limit must be a positive integer');
  });
});
