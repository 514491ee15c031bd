import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeError, ValidationError } from '../../src/domain/errors.ts';
import type { ChatModel } from '../../src/graph/llm/chat-model.ts';
import { type DatasetLimits, DEFAULT_DATASET_LIMITS, displayPath, loadDataset } from './dataset.ts';
import type { AnySuite, Backend, CaseOutcome, EvalCase, EvalEnv } from './suite.ts';
import { evaluateGate, loadThresholds, type SuiteGate, type Thresholds } from './thresholds.ts';

/** The evals/ folder: suites name their datasets relative to it. */
export const EVALS_DIR = fileURLToPath(new URL('..', import.meta.url));

/**
 * The clock every case is judged at unless told otherwise: fixed, so a control verified "last
 * week" in a dataset does not go stale as the calendar moves on.
 */
export const DEFAULT_EVAL_NOW = new Date('2026-11-01T00:00:00.000Z');

/** A case running longer than this is failed (a hung model call must not hang the run). */
export const DEFAULT_CASE_TIMEOUT_MS = 300_000;

export type RunSuitesOptions = {
  suites: AnySuite[];
  backend: Backend;
  /** Required for the llm back-end. */
  model?: ChatModel;
  /** A dataset file to use instead of the suite's own; only with one suite. */
  datasetOverride?: string;
  now?: Date;
  /** Defaults to evals/thresholds.yaml. */
  thresholds?: Thresholds;
  caseTimeoutMs?: number;
  datasetLimits?: DatasetLimits;
  /** Progress lines (the CLI sends them to stderr). */
  onProgress?: (line: string) => void;
};

/** One case as the report records it. */
export type CaseResult = CaseOutcome & { durationMs: number };

export type SuiteReport = {
  name: string;
  description: string;
  /** `rules` or `llm:<model>`: the back-end asked for (each case's `decidedBy` says who decided). */
  backend: string;
  dataset: { file: string; sha256: string; cases: number };
  cases: number;
  passed: number;
  failed: number;
  violations: number;
  metrics: Record<string, number>;
  /** How many cases each decider decided (`rules`, `llm:<model>`, `error`). */
  decidedBy: Record<string, number>;
  /** Cases where the model failed and the rules decided instead. */
  fellBack: number;
  gate: SuiteGate;
  /** The suite could not run (setup, metrics or teardown failed); its gate fails. */
  error?: string;
  durationMs: number;
  outcomes: CaseResult[];
};

export type EvalReport = {
  version: 1;
  startedAt: string;
  finishedAt: string;
  /** The clock the cases were judged at. */
  clock: string;
  backend: Backend;
  model: string | null;
  gate: { passed: boolean; failures: string[] };
  suites: SuiteReport[];
};

/**
 * Runs suites one after the other, their cases in dataset order, and gates the results. Datasets
 * are all loaded and validated first, so a bad line fails before any work (DatasetError). A case
 * that throws or times out is a failed case with the error as its failure; it never ends the run.
 */
export async function runSuites(options: RunSuitesOptions): Promise<EvalReport> {
  const { suites, backend } = options;
  if (suites.length === 0) throw new ValidationError('no suite to run');
  if (options.datasetOverride !== undefined && suites.length !== 1) {
    throw new ValidationError('--dataset needs exactly one suite (the file is checked against that suite)');
  }
  if (backend === 'llm' && !options.model) throw new ValidationError('the llm back-end needs a chat model');
  const thresholds = options.thresholds ?? loadThresholds();
  const limits = options.datasetLimits ?? DEFAULT_DATASET_LIMITS;
  const now = options.now ?? DEFAULT_EVAL_NOW;
  const progress = options.onProgress ?? (() => undefined);
  const backendLabel = backend === 'llm' ? `llm:${options.model!.id}` : 'rules';

  const loaded = suites.map((suite) => {
    const file = options.datasetOverride
      ? path.resolve(options.datasetOverride)
      : path.resolve(EVALS_DIR, suite.dataset);
    const cases = loadDataset(suite, file, limits);
    const sha256 = createHash('sha256').update(fs.readFileSync(file)).digest('hex');
    return { suite, file, sha256, cases };
  });

  const startedAt = new Date();
  const reports: SuiteReport[] = [];
  for (const { suite, file, sha256, cases } of loaded) {
    progress(`${suite.name}: ${cases.length} cases on ${backendLabel} (${displayPath(file)})`);
    const started = performance.now();
    const run = await runSuite(suite, cases, {
      backend,
      model: options.model,
      now,
      caseTimeoutMs: options.caseTimeoutMs ?? DEFAULT_CASE_TIMEOUT_MS,
      progress,
    });
    const metrics = run.error === undefined ? safeMetrics(suite, run.outcomes) : { metrics: {} };
    const error = run.error ?? metrics.error;
    const counted = countOutcomes(run.outcomes);
    const allMetrics: Record<string, number> = {
      ...metrics.metrics,
      violations: Math.max(counted.violations, metrics.metrics.violations ?? 0),
    };
    const gate = evaluateGate(suite.name, backend, allMetrics, thresholds, error);
    const report: SuiteReport = {
      name: suite.name,
      description: suite.description,
      backend: backendLabel,
      dataset: { file: displayPath(file), sha256, cases: cases.length },
      cases: cases.length,
      passed: counted.passed,
      failed: cases.length - counted.passed,
      violations: allMetrics.violations!,
      metrics: allMetrics,
      decidedBy: counted.decidedBy,
      fellBack: counted.fellBack,
      gate,
      ...(error !== undefined ? { error } : {}),
      durationMs: Math.round(performance.now() - started),
      outcomes: run.outcomes,
    };
    progress(
      `${suite.name}: score ${formatNumber(allMetrics.score)}, ${report.failed} failed, ` +
        `${report.violations} violations: gate ${gate.passed ? 'pass' : 'FAIL'}`,
    );
    reports.push(report);
  }

  const failures = reports.flatMap((suite) =>
    suite.gate.checks.filter((check) => !check.passed).map((check) => `${suite.name}: ${describeCheck(check)}`),
  );
  return {
    version: 1,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    clock: now.toISOString(),
    backend,
    model: options.model?.id ?? null,
    gate: { passed: failures.length === 0, failures },
    suites: reports,
  };
}

type SuiteRun = { outcomes: CaseResult[]; error?: string };

async function runSuite(
  suite: AnySuite,
  cases: EvalCase<unknown, unknown>[],
  options: {
    backend: Backend;
    model?: ChatModel;
    now: Date;
    caseTimeoutMs: number;
    progress: (line: string) => void;
  },
): Promise<SuiteRun> {
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), `mobilize-eval-${suite.name}-`));
  const env: EvalEnv = { backend: options.backend, model: options.model, now: options.now, workDir };
  const outcomes: CaseResult[] = [];
  let error: string | undefined;
  try {
    let shared: unknown;
    try {
      shared = suite.setup ? await suite.setup(env) : undefined;
    } catch (setupError) {
      return { outcomes, error: `setup failed: ${describeError(setupError)}` };
    }
    try {
      for (const [index, testCase] of cases.entries()) {
        const outcome = await runCase(suite, testCase, env, shared, options.caseTimeoutMs);
        outcomes.push(outcome);
        const verdict = outcome.passed ? 'ok' : `FAILED: ${outcome.failures[0] ?? 'no reason given'}`;
        options.progress(`  [${index + 1}/${cases.length}] ${testCase.id} ${verdict}`);
      }
    } finally {
      try {
        await suite.teardown?.(shared);
      } catch (teardownError) {
        error = `teardown failed: ${describeError(teardownError)}`;
      }
    }
  } finally {
    fs.rmSync(workDir, { recursive: true, force: true });
  }
  return { outcomes, error };
}

async function runCase(
  suite: AnySuite,
  testCase: EvalCase<unknown, unknown>,
  env: EvalEnv,
  shared: unknown,
  timeoutMs: number,
): Promise<CaseResult> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the case took longer than ${timeoutMs} ms`)), timeoutMs);
    });
    const outcome = await Promise.race([suite.runCase(testCase, env, shared), timeout]);
    return {
      // The dataset, not the suite, owns a case's identity.
      ...outcome,
      id: testCase.id,
      tags: testCase.tags,
      passed: outcome.passed && outcome.violations.length === 0,
      durationMs: Math.round(performance.now() - started),
    };
  } catch (error) {
    return {
      id: testCase.id,
      tags: testCase.tags,
      passed: false,
      scores: {},
      violations: [],
      failures: [`the case threw: ${describeError(error)}`],
      decidedBy: 'error',
      durationMs: Math.round(performance.now() - started),
    };
  } finally {
    clearTimeout(timer);
  }
}

/** The suite's metrics (default: share of passed cases), or why they could not be computed. */
function safeMetrics(suite: AnySuite, outcomes: CaseOutcome[]): { metrics: Record<string, number>; error?: string } {
  const passedShare = outcomes.length ? outcomes.filter((o) => o.passed).length / outcomes.length : 0;
  if (!suite.metrics) return { metrics: { score: passedShare } };
  try {
    const metrics = suite.metrics(outcomes);
    const bad = Object.entries(metrics).find(([, value]) => typeof value !== 'number' || Number.isNaN(value));
    if (bad) return { metrics: {}, error: `metrics: "${bad[0]}" is not a number` };
    if (typeof metrics.score !== 'number') return { metrics, error: 'metrics: the suite reported no score' };
    return { metrics };
  } catch (error) {
    return { metrics: {}, error: `metrics failed: ${describeError(error)}` };
  }
}

function countOutcomes(outcomes: CaseOutcome[]) {
  const decidedBy: Record<string, number> = {};
  let passed = 0;
  let violations = 0;
  let fellBack = 0;
  for (const outcome of outcomes) {
    if (outcome.passed) passed++;
    violations += outcome.violations.length;
    if (outcome.fellBack) fellBack++;
    decidedBy[outcome.decidedBy] = (decidedBy[outcome.decidedBy] ?? 0) + 1;
  }
  return { passed, violations, fellBack, decidedBy };
}

function describeCheck(check: SuiteGate['checks'][number]): string {
  if (check.op === 'ran' || check.op === 'present' || check.limit === null) return check.reason;
  return `${check.metric} ${formatNumber(check.value)} is not ${check.op} ${check.limit} (${check.reason})`;
}

export function formatNumber(value: number | null | undefined): string {
  if (value === null || value === undefined) return '-';
  return Number.isInteger(value) ? String(value) : value.toFixed(3);
}
