import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { runEvalsCli } from '../../../evals/harness/cli.ts';
import { DatasetError, displayPath, loadDataset, parseDataset } from '../../../evals/harness/dataset.ts';
import { formatReport, writeReport } from '../../../evals/harness/report.ts';
import { runSuites } from '../../../evals/harness/runner.ts';
import { type AnySuite, type CaseOutcome, defineSuite } from '../../../evals/harness/suite.ts';
import { evaluateGate, loadThresholds, parseThresholds, type Thresholds } from '../../../evals/harness/thresholds.ts';
import { controlsSuite } from '../../../evals/suites/controls.ts';
import { ConfigError } from '../../../src/domain/errors.ts';

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'mobilize-evals-harness-'));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

function file(name: string, lines: unknown[]): string {
  const target = path.join(scratch, name);
  fs.writeFileSync(
    target,
    `${lines.map((line) => (typeof line === 'string' ? line : JSON.stringify(line))).join('\n')}\n`,
  );
  return target;
}

/** A suite that adds numbers: it passes when `a + b` is the expected sum and throws when told to. */
const adder = defineSuite({
  name: 'adder',
  description: 'adds two numbers',
  input: z.object({ a: z.number(), b: z.number(), explode: z.boolean().default(false) }),
  expected: z.object({ sum: z.number() }),
  dataset: 'datasets/adder.jsonl',
  async runCase(testCase): Promise<CaseOutcome> {
    if (testCase.input.explode) throw new Error('boom: the agent crashed');
    const sum = testCase.input.a + testCase.input.b;
    const passed = sum === testCase.expected.sum;
    return {
      id: testCase.id,
      tags: testCase.tags,
      passed,
      scores: { exact: passed ? 1 : 0 },
      violations: [],
      failures: passed ? [] : [`expected ${testCase.expected.sum}, got ${sum}`],
      decidedBy: 'rules',
    };
  },
});

const THRESHOLDS: Thresholds = parseThresholds(
  'version: 1\nsuites:\n  adder:\n    score:\n      min: 1\n      reason: every sum has one right answer\n',
  'test-thresholds.yaml',
);

const errorOf = (run: () => unknown): DatasetError => {
  try {
    run();
  } catch (error) {
    if (error instanceof DatasetError) return error;
    throw error;
  }
  throw new Error('expected a DatasetError');
};

describe('datasets', () => {
  it('loads valid lines with defaults, skipping blank lines', () => {
    const cases = loadDataset(
      adder,
      file('ok.jsonl', [
        { id: 'one', input: { a: 1, b: 2 }, expected: { sum: 3 } },
        '',
        { id: 'two', input: { a: 2, b: 2 }, expected: { sum: 4 }, tags: ['x', 'x'] },
      ]),
    );
    expect(cases).toEqual([
      { id: 'one', tags: [], input: { a: 1, b: 2, explode: false }, expected: { sum: 3 } },
      { id: 'two', tags: ['x'], input: { a: 2, b: 2, explode: false }, expected: { sum: 4 } },
    ]);
  });

  it('names the file, the line and the field of every problem', () => {
    const target = file('bad.jsonl', [
      { id: 'fine', input: { a: 1, b: 2 }, expected: { sum: 3 } },
      '{"id": "broken", "input": ',
      { id: 'wrong-type', input: { a: 'one', b: 2 }, expected: { sum: 3 } },
      { id: 'fine', input: { a: 1, b: 1 }, expected: { sum: 2 } },
      { id: 'typo', input: { a: 1, b: 1 }, expect: { sum: 2 } },
      { input: { a: 1, b: 1 }, expected: { total: 2 } },
    ]);
    const error = errorOf(() => loadDataset(adder, target));
    expect(error.code).toBe('DATASET_INVALID');
    const shown = displayPath(target);
    const lines = error.message.split('\n');
    expect(lines[0]).toMatch(new RegExp(`^${escapeRegExp(shown)}:2: not valid JSON`));
    expect(lines).toContain(`${shown}:3: input.a: Invalid input: expected number, received string`);
    expect(lines).toContain(`${shown}:4: id: duplicate id "fine" (first on line 1)`);
    expect(lines.some((l) => l.startsWith(`${shown}:5: (case): Unrecognized key: "expect"`))).toBe(true);
    expect(lines).toContain(`${shown}:6: id: Invalid input: expected string, received undefined`);
    expect(lines).toContain(`${shown}:6: expected.sum: Invalid input: expected number, received undefined`);
    expect(lines).toContain(`${shown}:5: expected: Invalid input: expected object, received undefined`);
    expect(error.problems.map((p) => p.line)).toEqual([2, 3, 4, 5, 5, 6, 6]);
  });

  it("checks a real suite's schemas down to nested fields", () => {
    const line = {
      id: 'bad-control',
      input: {
        asset: { id: 'web', name: 'web', kind: 'host' },
        controls: [{ id: 'waf', name: 'WAF', kind: 'waf', mode: 'sometimes' }],
        exposure: { id: 'exp-1', vulnerabilityId: 'CVE-2021-44228', advisoryId: 'GHSA-none' },
      },
      expected: { coverage: 'total' },
    };
    const error = errorOf(() => parseDataset(controlsSuite, `${JSON.stringify(line)}\n`, 'controls.jsonl'));
    expect(error.message).toContain(
      'controls.jsonl:1: input.controls.0.mode: Invalid option: expected one of "block"|"detect"',
    );
    expect(error.message).toContain('controls.jsonl:1: expected.coverage: Invalid option');
    expect(error.problems.map((p) => p.field)).toEqual(['input.controls.0.mode', 'expected.coverage']);
  });

  it('refuses files over the limits, a missing file and an empty one', () => {
    const target = file('long.jsonl', [
      { id: 'a', input: { a: 1, b: 1 }, expected: { sum: 2 } },
      { id: 'b', input: { a: 1, b: 1 }, expected: { sum: 2 } },
    ]);
    expect(
      errorOf(() => loadDataset(adder, target, { maxBytes: 10_000, maxLines: 1, maxLineBytes: 1000 })).message,
    ).toMatch(/long\.jsonl: the file has 2 lines, more than the limit of 1$/);
    expect(
      errorOf(() => loadDataset(adder, target, { maxBytes: 20, maxLines: 10, maxLineBytes: 1000 })).message,
    ).toMatch(/more than the limit of 20$/);
    expect(
      errorOf(() => loadDataset(adder, target, { maxBytes: 10_000, maxLines: 10, maxLineBytes: 10 })).message,
    ).toMatch(/long\.jsonl:1: the line is longer than the limit of 10 bytes/);
    expect(errorOf(() => loadDataset(adder, path.join(scratch, 'missing.jsonl'))).message).toMatch(
      /missing\.jsonl: cannot read the dataset \(ENOENT\)/,
    );
    expect(errorOf(() => loadDataset(adder, file('empty.jsonl', ['']))).message).toMatch(/the dataset has no cases/);
  });
});

describe('runSuites', () => {
  /** One suite on the rules back-end over a dataset of these lines, gated by THRESHOLDS. */
  const runOne = (suite: AnySuite, name: string, lines: unknown[], caseTimeoutMs?: number) =>
    runSuites({
      suites: [suite],
      backend: 'rules',
      datasetOverride: file(name, lines),
      thresholds: THRESHOLDS,
      caseTimeoutMs,
    });

  it('records a case that throws as a failed case and goes on with the others', async () => {
    const report = await runOne(adder, 'adder-crash.jsonl', [
      { id: 'first', input: { a: 1, b: 2 }, expected: { sum: 3 } },
      { id: 'crash', input: { a: 0, b: 0, explode: true }, expected: { sum: 0 }, tags: ['hard'] },
      { id: 'last', input: { a: 2, b: 3 }, expected: { sum: 5 } },
    ]);
    const suite = report.suites[0]!;
    expect(suite.outcomes.map((o) => [o.id, o.passed])).toEqual([
      ['first', true],
      ['crash', false],
      ['last', true],
    ]);
    expect(suite.outcomes[1]).toMatchObject({
      tags: ['hard'],
      failures: ['the case threw: Error: boom: the agent crashed'],
      decidedBy: 'error',
      scores: {},
    });
    expect(suite.metrics.score).toBeCloseTo(2 / 3);
    expect(suite.decidedBy).toEqual({ rules: 2, error: 1 });
    expect(report.gate.passed).toBe(false);
    expect(report.gate.failures).toEqual(['adder: score 0.667 is not >= 1 (every sum has one right answer)']);
    expect(formatReport(report)).toContain('crash: the case threw: Error: boom: the agent crashed');
  });

  it('fails the gate when setup fails, without running cases', async () => {
    const broken = { ...adder, setup: async () => Promise.reject(new Error('no database')) };
    const report = await runOne(broken, 'adder-one.jsonl', [
      { id: 'one', input: { a: 1, b: 2 }, expected: { sum: 3 } },
    ]);
    expect(report.suites[0]).toMatchObject({ error: 'setup failed: Error: no database', outcomes: [] });
    expect(report.gate.failures).toContain('adder: setup failed: Error: no database');
  });

  it('fails a case that runs past the time limit', async () => {
    const slow = { ...adder, runCase: () => new Promise<CaseOutcome>(() => undefined) };
    const report = await runOne(
      slow,
      'adder-slow.jsonl',
      [{ id: 'slow', input: { a: 1, b: 2 }, expected: { sum: 3 } }],
      50,
    );
    expect(report.suites[0]!.outcomes[0]!.failures).toEqual(['the case threw: Error: the case took longer than 50 ms']);
  });

  it('turns any violation into a failed case and a failed gate, whatever the score', async () => {
    const leaky = {
      ...adder,
      runCase: async (): Promise<CaseOutcome> => ({
        id: 'x',
        tags: [],
        passed: true,
        scores: {},
        violations: ['approved a non-routine plan'],
        failures: [],
        decidedBy: 'rules',
      }),
      metrics: () => ({ score: 1 }),
    };
    const report = await runOne(leaky, 'adder-leak.jsonl', [
      { id: 'leak', input: { a: 1, b: 2 }, expected: { sum: 3 } },
    ]);
    expect(report.suites[0]).toMatchObject({ violations: 1, failed: 1 });
    expect(report.gate.failures).toEqual([expect.stringMatching(/^adder: violations 1 is not <= 0 \(hard gate/)]);
  });

  it('refuses --dataset with more than one suite and llm without a model', async () => {
    await expect(runSuites({ suites: [adder, adder], backend: 'rules', datasetOverride: 'x.jsonl' })).rejects.toThrow(
      /exactly one suite/,
    );
    await expect(runSuites({ suites: [adder], backend: 'llm' })).rejects.toThrow(/needs a chat model/);
  });

  it('writes the report as <timestamp>-<backend>.json', async () => {
    const report = await runOne(adder, 'adder-report.jsonl', [
      { id: 'one', input: { a: 1, b: 2 }, expected: { sum: 3 } },
    ]);
    const dir = path.join(scratch, 'reports');
    const first = writeReport(report, dir);
    const second = writeReport(report, dir);
    expect(path.basename(first)).toMatch(/^\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z-rules\.json$/);
    expect(second).not.toBe(first);
    expect(JSON.parse(fs.readFileSync(first, 'utf8'))).toMatchObject({
      version: 1,
      backend: 'rules',
      model: null,
      clock: '2026-11-01T00:00:00.000Z',
      gate: { passed: true, failures: [] },
      suites: [{ name: 'adder', cases: 1, passed: 1, metrics: { score: 1, violations: 0 } }],
    });
  });
});

describe('thresholds', () => {
  it('loads the shipped file with a reason for every limit', () => {
    const thresholds = loadThresholds();
    for (const name of ['summarize', 'controls', 'plan', 'verify', 'injection', 'ask']) {
      expect(thresholds.suites[name], name).toBeDefined();
    }
    expect(thresholds.suites.plan!.metrics.violations).toMatchObject({ max: 0 });
    expect(thresholds.suites.injection!.metrics.violations).toMatchObject({ max: 0 });
  });

  it('refuses a file that relaxes the violations hard gate or gives no reason', () => {
    const relax =
      'version: 1\nsuites:\n  plan:\n    score: {min: 1, reason: one right target}\n    metrics:\n      violations: {max: 2, reason: a few are fine}\n';
    expect(() => parseThresholds(relax, 't.yaml')).toThrow(ConfigError);
    expect(() => parseThresholds(relax, 't.yaml')).toThrow(
      't.yaml: suites.plan.metrics.violations: violations are a hard gate: only max 0 is allowed',
    );
    expect(() => parseThresholds('version: 1\nsuites:\n  plan:\n    score: {min: 1}\n', 't.yaml')).toThrow(
      /suites\.plan\.score\.reason/,
    );
  });

  it('applies back-end adjustments and fails a suite without thresholds or with a missing metric', () => {
    const thresholds = parseThresholds(
      [
        'version: 1',
        'suites:',
        '  controls:',
        '    score: {min: 1, reason: the engine is the reference}',
        '    metrics:',
        '      controlF1: {min: 1, reason: exactly the credited controls}',
        '    backends:',
        '      llm:',
        '        score: {min: 0.8, reason: a model may be more cautious}',
      ].join('\n'),
      't.yaml',
    );
    expect(evaluateGate('controls', 'llm', { score: 0.9, controlF1: 1 }, thresholds).passed).toBe(true);
    expect(evaluateGate('controls', 'rules', { score: 0.9, controlF1: 1 }, thresholds).passed).toBe(false);
    const missing = evaluateGate('controls', 'rules', { score: 1 }, thresholds);
    expect(missing.checks.find((c) => !c.passed)).toMatchObject({ metric: 'controlF1', op: 'present' });
    const unknown = evaluateGate('adder', 'rules', { score: 1 }, thresholds);
    expect(unknown.passed).toBe(false);
    expect(unknown.checks.at(-1)!.reason).toMatch(/no thresholds for suite "adder"/);
  });
});

describe('the CLI entry (usage errors)', () => {
  const capture = () => {
    const out: string[] = [];
    const err: string[] = [];
    return { out, err, io: { stdout: (t: string) => out.push(t), stderr: (t: string) => err.push(t), env: {} } };
  };
  const argv = (...args: string[]) => ['node', 'evals/run.ts', ...args];

  it('exits 2 for an unknown suite, a --dataset without exactly one suite, or a bad option', async () => {
    const a = capture();
    expect(await runEvalsCli(argv('nope'), [adder], a.io)).toBe(2);
    expect(a.err.join('')).toContain('unknown suite nope (suites: adder)');
    const b = capture();
    expect(await runEvalsCli(argv('--dataset', 'x.jsonl'), [adder], b.io)).toBe(2);
    expect(b.err.join('')).toContain('--dataset needs exactly one suite name');
    const c = capture();
    expect(await runEvalsCli(argv('--backend', 'gpt'), [adder], c.io)).toBe(2);
    expect(c.err.join('')).toMatch(/argument 'gpt' is invalid/);
  });

  it('exits 2 with file:line:field for a bad dataset, before running anything', async () => {
    const target = file('cli-bad.jsonl', [{ id: 'x', input: { a: 1 }, expected: { sum: 1 } }]);
    const run = capture();
    expect(await runEvalsCli(argv('adder', '--dataset', target, '--report-dir', scratch), [adder], run.io)).toBe(2);
    expect(run.err.join('')).toContain(`evals: ${displayPath(target)}:1: input.b: Invalid input`);
  });

  it('exits 2 naming the variables when --backend llm has no endpoint configured', async () => {
    const run = capture();
    expect(await runEvalsCli(argv('adder', '--backend', 'llm'), [adder], run.io)).toBe(2);
    expect(run.err.join('')).toContain('OPENAI_BASE_URL: --backend llm needs an OpenAI-compatible endpoint');
    const noModel = capture();
    noModel.io.env = { OPENAI_BASE_URL: 'http://127.0.0.1:9/v1' };
    expect(await runEvalsCli(argv('adder', '--backend', 'llm'), [adder], noModel.io)).toBe(2);
    expect(noModel.err.join('')).toContain('MOBILIZE_MODEL: --backend llm needs the chat model id');
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
