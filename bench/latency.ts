/** Latency samples of one measured operation and how the benchmarks print them. */
export type LatencySummary = { n: number; errors: number; p50: number; p95: number; p99: number; max: number };

/** Nearest-rank percentile of an ascending list (the same rule as bench/run.ts). */
export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

export function summarizeLatencies(samples: readonly number[], errors = 0): LatencySummary {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    n: sorted.length,
    errors,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? Number.NaN,
  };
}

export type MeasureOptions<T> = {
  warmup?: number;
  /** Stop measuring after this many seconds (at least 20 calls are made): slow code cannot stall the run. */
  budgetSeconds?: number;
  failed?: (result: T) => string | null;
  onError?: (i: number, why: string) => void;
  onSample?: (i: number, ms: number) => void;
};

/** A measured series: its latencies, wall time, and how many calls were planned (n may be fewer). */
export type Measured = LatencySummary & { seconds: number; planned: number };

/**
 * Runs `call(i)` for i in [0, count) one at a time, after `warmup` unmeasured calls (with
 * i in [count, count + warmup), so warm-up does not pre-read what is measured), and returns
 * each measured call's wall time in ms. A call that throws, or whose result `failed` rejects, is
 * counted as an error (its time is still a sample: a fast failure must not hide as a fast call).
 */
export async function measureSequential<T>(
  count: number,
  call: (i: number) => Promise<T>,
  options: MeasureOptions<T> = {},
): Promise<Measured> {
  const budgetMs = (options.budgetSeconds ?? Number.POSITIVE_INFINITY) * 1000;
  const warmupStarted = performance.now();
  for (let i = 0; i < (options.warmup ?? 0) && performance.now() - warmupStarted < budgetMs / 4; i++) {
    await call(count + i);
  }
  const samples: number[] = [];
  let errors = 0;
  const started = performance.now();
  for (let i = 0; i < count && (i < 20 || performance.now() - started < budgetMs); i++) {
    const t0 = performance.now();
    let why: string | null;
    try {
      const result = await call(i);
      why = options.failed ? options.failed(result) : null;
    } catch (error) {
      why = (error as Error).message;
    }
    const elapsed = performance.now() - t0;
    samples.push(elapsed);
    options.onSample?.(i, elapsed);
    if (why !== null) {
      errors += 1;
      options.onError?.(i, why);
    }
  }
  return { ...summarizeLatencies(samples, errors), seconds: (performance.now() - started) / 1000, planned: count };
}

/** One side of an alternating measurement: the call, and how its results and samples are read. */
export type Side<T> = Pick<MeasureOptions<T>, 'failed' | 'onError' | 'onSample'> & { call: (i: number) => Promise<T> };

/**
 * Measures several ways of doing the same thing call by call in turn (a1 b1 a2 b2 ...), so a
 * change in machine load during the run hits every side alike and the comparison stays fair.
 * Warm-up and budget work as in measureSequential.
 */
export async function measureAlternating<K extends string>(
  count: number,
  // biome-ignore lint/suspicious/noExplicitAny: each side has its own result type
  sides: Record<K, Side<any>>,
  options: { warmup?: number; budgetSeconds?: number } = {},
): Promise<Record<K, Measured>> {
  const names = Object.keys(sides) as K[];
  const budgetMs = (options.budgetSeconds ?? Number.POSITIVE_INFINITY) * 1000;
  const warmupStarted = performance.now();
  for (let i = 0; i < (options.warmup ?? 0) && performance.now() - warmupStarted < budgetMs / 4; i++) {
    for (const name of names) await sides[name].call(count + i);
  }
  const samples = Object.fromEntries(names.map((n) => [n, [] as number[]])) as Record<K, number[]>;
  const errors = Object.fromEntries(names.map((n) => [n, 0])) as Record<K, number>;
  const started = performance.now();
  for (let i = 0; i < count && (i < 20 || performance.now() - started < budgetMs); i++) {
    for (const name of names) {
      const side = sides[name];
      const t0 = performance.now();
      let why: string | null;
      try {
        const result = await side.call(i);
        why = side.failed ? side.failed(result) : null;
      } catch (error) {
        why = (error as Error).message;
      }
      const elapsed = performance.now() - t0;
      samples[name].push(elapsed);
      side.onSample?.(i, elapsed);
      if (why !== null) {
        errors[name] += 1;
        side.onError?.(i, why);
      }
    }
  }
  const seconds = (performance.now() - started) / 1000;
  return Object.fromEntries(
    names.map((n) => {
      const measured: Measured = { ...summarizeLatencies(samples[n], errors[n]), seconds, planned: count };
      // Each side's rate counts only its own time, not the other sides' turns.
      measured.seconds = samples[n].reduce((a, b) => a + b, 0) / 1000;
      return [n, measured];
    }),
  ) as Record<K, Measured>;
}

export function ms(value: number): string {
  return Number.isNaN(value) ? '-' : value < 10 ? `${value.toFixed(2)} ms` : `${value.toFixed(1)} ms`;
}

/** One line: `label  p50 … p95 … p99 … (n calls, r/s)`, with a target verdict on p95 when given. */
export function formatLatency(
  label: string,
  s: LatencySummary & { seconds?: number; planned?: number },
  target?: { p95Ms: number },
): string {
  const cut = s.planned && s.n < s.planned ? ` of ${s.planned} planned, time budget reached` : '';
  const rate = s.seconds ? `${cut}, ${(s.n / s.seconds).toFixed(1)} calls/s` : cut;
  const errors = s.errors ? `, ${s.errors} ERRORS` : '';
  const verdict = target ? `  [target p95 < ${target.p95Ms} ms: ${s.p95 < target.p95Ms ? 'met' : 'MISSED'}]` : '';
  return `${label.padEnd(44)} p50 ${ms(s.p50).padStart(9)}  p95 ${ms(s.p95).padStart(9)}  p99 ${ms(s.p99).padStart(9)}  (${s.n} calls${rate}${errors})${verdict}`;
}
