/**
 * Log-scale latency histogram (DDSketch-style): a latency in ms falls in bin
 * `ceil(log_γ(ms))`, so bin i holds (γ^(i-1), γ^i]. Bins are plain integers,
 * so histograms stored per hour/day rollup row merge by adding counts, and
 * any percentile over any range comes back from the merged bins with a
 * bounded *relative* error instead of a fixed-width bucket's absolute one.
 *
 * With γ = 1.04 a bin's representative value (see {@link binValue}) is within
 * (γ-1)/(γ+1) ≈ 1.96% of every value in the bin, and 10 min (600,000 ms) is
 * bin 340, so a histogram has at most a few hundred entries.
 *
 * Pure: no I/O.
 */

/** Growth factor between consecutive bin bounds. Must match the SQL below. */
export const LATENCY_GAMMA = 1.04;

const LN_GAMMA = Math.log(LATENCY_GAMMA);

/**
 * The bin of a latency in milliseconds: 0 for ms <= 1 (sub-millisecond
 * latencies are not worth telling apart), else `ceil(ln(ms) / ln(γ))`.
 *
 * The rollups are filled in SQL with the same formula, which must stay in
 * step with this one:
 *
 * ```sql
 * CASE WHEN ms <= 1 THEN 0 ELSE ceil(ln(ms) / ln(1.04))::int END
 * ```
 *
 * This TypeScript mirror is for tests and for merging rows read directly
 * (the raw path) with rollup bins.
 *
 * @throws RangeError when ms is NaN or infinite (it has no bin).
 */
export function latencyBin(ms: number): number {
  if (!Number.isFinite(ms)) throw new RangeError(`latencyBin: not a finite latency: ${ms}`);
  if (ms <= 1) return 0;
  return Math.ceil(Math.log(ms) / LN_GAMMA);
}

/**
 * The value that stands for every latency in a bin: `2γ^bin / (γ+1)`, the
 * point whose relative distance to both bounds γ^(bin-1) and γ^bin is the
 * same, (γ-1)/(γ+1). Bin 0 (ms <= 1) stands for 1 ms: below 1 ms the error
 * is at most 1 ms absolute rather than relative.
 */
export function binValue(bin: number): number {
  if (bin <= 0) return 1;
  return (2 * LATENCY_GAMMA ** bin) / (LATENCY_GAMMA + 1);
}

/** A latency histogram: bin -> count. */
export type LatencyBins = ReadonlyMap<number, number>;

/** The histogram of some latencies in ms (the raw path: rows read directly). */
export function binsOf(latenciesMs: Iterable<number>): Map<number, number> {
  const bins = new Map<number, number>();
  for (const ms of latenciesMs) {
    const bin = latencyBin(ms);
    bins.set(bin, (bins.get(bin) ?? 0) + 1);
  }
  return bins;
}

/**
 * Adds histograms together (e.g. day rollups + hour rollups + the raw edges
 * of a range). Each part is any iterable of [bin, count], such as a Map or
 * rows read from the database; a bin may appear more than once.
 */
export function mergeBins(...parts: Iterable<readonly [number, number]>[]): Map<number, number> {
  const merged = new Map<number, number>();
  for (const part of parts) {
    for (const [bin, count] of part) merged.set(bin, (merged.get(bin) ?? 0) + count);
  }
  return merged;
}

/**
 * Percentiles (p in 0..100) from a histogram, by nearest rank: the value of
 * the rank-th smallest latency, rank = max(1, ceil(p/100 * n)), which is
 * what an exact computation over the raw latencies would return, give or
 * take the bin's error. Results are rounded to 0.1 ms (so below ~125 ms the
 * rounding, at most 0.05 ms, can add to the 1.96%). All null when the
 * histogram is empty.
 *
 * @throws RangeError for a p outside 0..100 or a negative or non-finite count.
 */
export function percentilesFromBins(bins: Iterable<readonly [number, number]>, ps: readonly number[]): (number | null)[] {
  for (const p of ps) {
    if (!(p >= 0 && p <= 100)) throw new RangeError(`percentilesFromBins: p must be within 0..100, got ${p}`);
  }
  const merged = mergeBins(bins);
  let n = 0;
  for (const [bin, count] of merged) {
    if (!Number.isFinite(count) || count < 0 || !Number.isFinite(bin)) {
      throw new RangeError(`percentilesFromBins: bad bin ${bin} with count ${count}`);
    }
    n += count;
  }
  if (n === 0) return ps.map(() => null);

  const sorted = [...merged].filter(([, count]) => count > 0).sort((a, b) => a[0] - b[0]);
  return ps.map((p) => {
    // p * n first: (p / 100) * n can land just above an integer (0.07 * 100).
    const rank = Math.max(1, Math.ceil((p * n) / 100));
    let seen = 0;
    for (const [bin, count] of sorted) {
      seen += count;
      if (seen >= rank) return roundTenth(binValue(bin));
    }
    // Unreachable: rank <= n and the counts add up to n.
    return roundTenth(binValue(sorted[sorted.length - 1]![0]));
  });
}

function roundTenth(x: number): number {
  return Math.round(x * 10) / 10;
}
