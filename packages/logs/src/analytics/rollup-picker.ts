/**
 * Which pre-aggregated rows answer a time range most cheaply. Rollups exist
 * per UTC day and per UTC hour; a range is read as its whole UTC days from
 * the day rollup, the whole UTC hours at its edges from the hour rollup, and
 * only the sub-hour remainders from the raw rows. A 30-day range thus reads
 * about 30 + 2×23 rollup rows and at most 2 hours of raw rows, wherever its
 * bounds fall (e.g. local midnights in Asia/Kolkata, at :30 UTC).
 *
 * Pure: no I/O. The caller turns segments into queries and merges results
 * (counts add up; latency histograms merge with `mergeBins`).
 */

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** Where a segment is read from: the UTC day rollup, the UTC hour rollup, or raw rows. */
export type Grain = "day" | "hour" | "raw";

/** [fromMs, toMs) read at `grain`, for input range number `bucket`. */
export interface CoverSegment {
  grain: Grain;
  fromMs: number;
  toMs: number;
  bucket: number;
}

export interface CoverOptions {
  /** Ranges shorter than this are read from raw rows as one segment (a few rows are cheaper than three queries). */
  rawBelowMs?: number;
}

/**
 * The segments that cover each range [fromMs, toMs), in range order, then
 * time order. For one range they are disjoint, their union is the range,
 * and:
 * - "day" segments are aligned to UTC midnight; consecutive days are ONE segment;
 * - "hour" segments are aligned to the UTC hour, consecutive hours merged;
 * - "raw" segments are what is left, each shorter than an hour.
 *
 * Hour and raw segments never cross a UTC midnight: a range is first split
 * at the UTC midnights it contains (left edge, whole days, right edge), then
 * each edge at the UTC hours. So [23:00, 23:00 next day) is two hour
 * segments, 1 h + 23 h; a single 24 h one would read the same rows.
 * Ranges with fromMs >= toMs produce nothing.
 *
 * @throws RangeError when a bound is not finite.
 */
export function coverRanges(ranges: readonly { fromMs: number; toMs: number }[], options: CoverOptions = {}): CoverSegment[] {
  const segments: CoverSegment[] = [];
  ranges.forEach(({ fromMs, toMs }, bucket) => {
    if (!Number.isFinite(fromMs) || !Number.isFinite(toMs)) {
      throw new RangeError(`coverRanges: range ${bucket} has a bound that is not finite: [${fromMs}, ${toMs})`);
    }
    if (fromMs >= toMs) return;
    if (options.rawBelowMs !== undefined && toMs - fromMs < options.rawBelowMs) {
      segments.push({ grain: "raw", fromMs, toMs, bucket });
      return;
    }
    const firstMidnight = ceilTo(fromMs, DAY_MS);
    const lastMidnight = floorTo(toMs, DAY_MS);
    if (firstMidnight > lastMidnight) {
      // No UTC midnight inside: the range is all one edge.
      coverEdge(fromMs, toMs, bucket, segments);
      return;
    }
    coverEdge(fromMs, firstMidnight, bucket, segments);
    if (firstMidnight < lastMidnight) segments.push({ grain: "day", fromMs: firstMidnight, toMs: lastMidnight, bucket });
    coverEdge(lastMidnight, toMs, bucket, segments);
  });
  return segments;
}

/** Total milliseconds read at each grain: for logs and benchmarks. */
export function describeCover(segments: readonly CoverSegment[]): { day: number; hour: number; raw: number } {
  const totals = { day: 0, hour: 0, raw: 0 };
  for (const s of segments) totals[s.grain] += s.toMs - s.fromMs;
  return totals;
}

/** Covers [fromMs, toMs), which holds no whole UTC day, with raw | hour | raw. */
function coverEdge(fromMs: number, toMs: number, bucket: number, out: CoverSegment[]): void {
  if (fromMs >= toMs) return;
  const firstHour = ceilTo(fromMs, HOUR_MS);
  const lastHour = floorTo(toMs, HOUR_MS);
  if (firstHour >= lastHour) {
    out.push({ grain: "raw", fromMs, toMs, bucket });
    return;
  }
  if (fromMs < firstHour) out.push({ grain: "raw", fromMs, toMs: firstHour, bucket });
  out.push({ grain: "hour", fromMs: firstHour, toMs: lastHour, bucket });
  if (lastHour < toMs) out.push({ grain: "raw", fromMs: lastHour, toMs, bucket });
}

function floorTo(ms: number, unit: number): number {
  return Math.floor(ms / unit) * unit;
}

function ceilTo(ms: number, unit: number): number {
  return Math.ceil(ms / unit) * unit;
}
