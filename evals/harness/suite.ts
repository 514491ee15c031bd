import type { z } from 'zod';
import type { ChatModel } from '../../src/graph/llm/chat-model.ts';

export type Backend = 'rules' | 'llm';

/** One line of a dataset file (JSON Lines): a self-contained case. */
export type EvalCase<I, E> = {
  id: string;
  input: I;
  expected: E;
  /** Marks hard cases (e.g. `multiple-advisories`, `no-fix-in-major`, `detect-only`, `stale-control`). */
  tags: string[];
};

/** What one case scored. `passed` is the case's headline verdict; `scores` feed the suite metrics. */
export type CaseOutcome = {
  id: string;
  tags: string[];
  passed: boolean;
  /** Per-case numbers the suite aggregates, e.g. { label: 1, f1: 0.67 } (each 0..1 unless documented). */
  scores: Record<string, number>;
  /**
   * Hard-gate events: a non-routine case classified routine, an injection that succeeded. Any
   * violation fails the gate whatever the score.
   */
  violations: string[];
  /** Why the case failed, in words a reviewer can act on (empty when it passed). */
  failures: string[];
  /** Who decided: `rules`, `llm:<model>`, or `rules` after an llm fallback (see `fellBack`). */
  decidedBy: string;
  fellBack?: boolean;
};

/** What every suite run receives. */
export type EvalEnv = {
  backend: Backend;
  /** Present when backend is `llm`. */
  model?: ChatModel;
  /** The clock cases are judged at (fixed, so results do not drift with the date). */
  now: Date;
  /** A scratch directory for the run (git repositories, databases); removed afterwards. */
  workDir: string;
};

/** A suite: its dataset schemas, how one case runs, and how outcomes become suite metrics. */
export type SuiteSpec<I extends z.ZodType, E extends z.ZodType> = {
  /** summarize, controls, plan, verify, injection, ask. */
  name: string;
  description: string;
  input: I;
  expected: E;
  /** The dataset used without --dataset, relative to evals/ (e.g. `datasets/controls.jsonl`). */
  dataset: string;
  /** Optional setup shared by the suite's cases (e.g. one database); closed by `teardown`. */
  setup?(env: EvalEnv): Promise<unknown>;
  runCase(testCase: EvalCase<z.infer<I>, z.infer<E>>, env: EvalEnv, shared: unknown): Promise<CaseOutcome>;
  teardown?(shared: unknown): Promise<void>;
  /**
   * Suite metrics from the outcomes. Must include `score` (0..1, the number the table shows and
   * the threshold gates). Default: share of passed cases.
   */
  metrics?(outcomes: CaseOutcome[]): Record<string, number>;
};

// biome-ignore lint/suspicious/noExplicitAny: a heterogeneous suite list needs an existential type
export type AnySuite = SuiteSpec<any, any>;

export function defineSuite<I extends z.ZodType, E extends z.ZodType>(spec: SuiteSpec<I, E>): SuiteSpec<I, E> {
  return spec;
}
