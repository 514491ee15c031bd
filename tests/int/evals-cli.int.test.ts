import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EvalReport } from '../../evals/harness/runner.ts';
import { type ChatBody, type OpenAiTestServer, startOpenAiTestServer } from '../helpers/openai-test-server.ts';
import { behavingAssessor } from '../unit/evals/support.ts';

const run = promisify(execFile);
const ENTRY = path.resolve('evals/run.ts');
const DATASET = path.resolve('evals/datasets/controls.jsonl');
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'mobilize-evals-cli-'));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

/** Runs `node evals/run.ts` in a child process, without any model configuration of the caller's environment. */
async function evals(args: string[], env: Record<string, string> = {}) {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !/^(OPENAI_|MOBILIZE_|DATABASE_URL$)/.test(key)),
  );
  try {
    const { stdout, stderr } = await run(process.execPath, [ENTRY, ...args], {
      env: { ...clean, ...env },
      timeout: 600_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** A dataset of the shipped cases named, optionally with each line changed. */
function cases(name: string, ids: string[], change: (line: Record<string, unknown>) => unknown = (l) => l): string {
  const lines = fs
    .readFileSync(DATASET, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((line) => ids.includes(line.id as string))
    .map((line) => JSON.stringify(change(line)));
  const file = path.join(scratch, `${name}.jsonl`);
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

function reportsIn(dir: string): string[] {
  return fs.existsSync(dir) ? fs.readdirSync(dir).map((name) => path.join(dir, name)) : [];
}

describe('node evals/run.ts', () => {
  it('runs the controls suite on rules: exit 0, the report on stdout (--json) and in --report-dir', async () => {
    const dir = path.join(scratch, 'reports-rules');
    const result = await evals(['controls', '--json', '--report-dir', dir]);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as EvalReport;
    expect(report).toMatchObject({ backend: 'rules', model: null, gate: { passed: true, failures: [] } });
    expect(report.suites.map((s) => s.name)).toEqual(['controls']);
    expect(report.suites[0]!.cases).toBeGreaterThanOrEqual(30);
    expect(report.suites[0]!.metrics).toMatchObject({ score: 1, controlF1: 1, overclaims: 0, violations: 0 });
    const written = reportsIn(dir);
    expect(written).toHaveLength(1);
    expect(path.basename(written[0]!)).toMatch(/-rules\.json$/);
    expect(JSON.parse(fs.readFileSync(written[0]!, 'utf8'))).toEqual(report);
    expect(result.stderr).toContain('controls: score 1, 0 failed, 0 violations: gate pass');
    expect(result.stderr).toContain(`report: ${written[0]}`);
  }, 600_000);

  it('exits 1 and prints the failing case when a case expects the wrong label', async () => {
    const dir = path.join(scratch, 'reports-fail');
    const wrong = cases('wrong', ['log4shell-waf-virtual-patch', 'log4shell-waf-disabled'], (line) =>
      line.id === 'log4shell-waf-disabled' ? { ...line, expected: { coverage: 'full', controls: ['waf-edge'] } } : line,
    );
    const result = await evals(['controls', '--dataset', wrong, '--report-dir', dir]);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stdout).toMatch(/controls +rules +2 +0\.500 +1 +0 +FAIL/);
    expect(result.stdout).toContain('log4shell-waf-disabled: coverage: expected full, got none');
    expect(result.stdout).toContain('gate: FAIL');
    expect(reportsIn(dir)).toHaveLength(1);
  }, 600_000);

  describe('--backend llm', () => {
    let server: OpenAiTestServer;
    beforeAll(async () => {
      server = await startOpenAiTestServer();
      server.respondWith(behavingAssessor);
    });
    afterAll(() => server.close());

    it('builds the chat model from OPENAI_BASE_URL and MOBILIZE_MODEL and records llm:<model>', async () => {
      const two = cases('llm', ['spring4shell-virtual-patch-and-edr', 'text4shell-edr-detect-mode']);
      const dir = path.join(scratch, 'reports-llm');
      const result = await evals(['controls', '--backend', 'llm', '--dataset', two, '--json', '--report-dir', dir], {
        OPENAI_BASE_URL: server.baseUrl,
        MOBILIZE_MODEL: 'eval-cli-model',
      });
      expect(result.code, result.stderr).toBe(0);
      const report = JSON.parse(result.stdout) as EvalReport;
      expect(report).toMatchObject({ backend: 'llm', model: 'eval-cli-model', gate: { passed: true } });
      expect(report.suites[0]!.outcomes.map((o) => o.decidedBy)).toEqual(['llm:eval-cli-model', 'llm:eval-cli-model']);
      expect(path.basename(reportsIn(dir)[0]!)).toMatch(/-llm\.json$/);
      expect(server.requests.some((r) => (r.body as ChatBody).model === 'eval-cli-model')).toBe(true);
    }, 600_000);

    it('exits 2 naming the missing variable when no endpoint is configured', async () => {
      const result = await evals(['controls', '--backend', 'llm']);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('OPENAI_BASE_URL: --backend llm needs an OpenAI-compatible endpoint');
    }, 120_000);
  });
});
