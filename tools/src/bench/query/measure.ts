/** Timing helpers: repeated runs within a time budget, nearest-rank percentiles. */

export interface Samples {
  ms: number[];
}

/**
 * Runs `fn` up to `reps` times (after `setup` each time, untimed) and
 * returns each run's time and the last answer. Stops early once `budgetMs`
 * is spent (but not before `minReps` runs), after any single run longer
 * than the budget, and at the first statement timeout (PostgreSQL 57014),
 * which counts as an infinite time.
 */
export async function sample<T>(
  fn: () => Promise<T>,
  opts: { reps: number; minReps?: number; budgetMs: number; setup?: () => Promise<void>; teardown?: () => Promise<void> },
): Promise<{ ms: number[]; last: T | undefined; timedOut: boolean }> {
  const ms: number[] = [];
  let last: T | undefined;
  let timedOut = false;
  const started = performance.now();
  const minReps = Math.min(opts.reps, opts.minReps ?? 3);
  for (let i = 0; i < opts.reps; i++) {
    if (opts.setup) await opts.setup();
    const t0 = performance.now();
    try {
      last = await fn();
      ms.push(performance.now() - t0);
    } catch (err) {
      if ((err as { code?: string }).code !== "57014") throw err;
      ms.push(Infinity);
      timedOut = true;
    } finally {
      if (opts.teardown) await opts.teardown();
    }
    const took = ms[ms.length - 1] as number;
    if (timedOut || took > opts.budgetMs) break;
    if (i + 1 >= minReps && performance.now() - started > opts.budgetMs) break;
  }
  return { ms, last, timedOut };
}

/** Nearest-rank percentile (p in 0..100) of the samples. */
export function percentile(ms: readonly number[], p: number): number {
  if (ms.length === 0) return NaN;
  const sorted = [...ms].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] as number;
}

export interface Stat {
  p50: number;
  p95: number;
  n: number;
}

export function stat(ms: readonly number[]): Stat {
  return { p50: percentile(ms, 50), p95: percentile(ms, 95), n: ms.length };
}

export function fmtMs(ms: number): string {
  if (ms === Infinity) return "timeout";
  if (!Number.isFinite(ms)) return "—";
  if (ms < 10) return ms.toFixed(1);
  return Math.round(ms).toLocaleString("en-US");
}
