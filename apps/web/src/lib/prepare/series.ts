import { formatBucket } from "../format";
import type { Interval } from "../time-range";
import type { CountBucket, LatencyBucket } from "./types";

export interface CountRow {
  /** Bucket start (ms), for drill-downs. */
  startMs: number;
  label: string;
  answered: number;
  hedged: number;
  failed: number;
  unfinished: number;
  total: number;
}

/** Questions per bucket by outcome, for a stacked bar chart (every bucket present: zero is a real value). */
export function countRows(buckets: readonly CountBucket[], interval: Interval, timeZone: string): CountRow[] {
  return buckets.map((b) => {
    const startMs = Date.parse(b.start);
    return {
      startMs,
      label: formatBucket(startMs, interval, timeZone),
      answered: b.answered,
      hedged: b.hedged,
      failed: b.failed,
      unfinished: b.unfinished,
      total: b.count,
    };
  });
}

export interface ShareRow {
  startMs: number;
  label: string;
  /** Percent of the bucket's questions, null when the bucket has none (a gap, not 0%). */
  answered: number | null;
  hedged: number | null;
  failed: number | null;
  unfinished: number | null;
}

/** The outcome mix per bucket in percent; empty buckets stay gaps. */
export function outcomeShareRows(rows: readonly CountRow[]): ShareRow[] {
  return rows.map((r) => {
    const pct = (n: number): number | null => (r.total > 0 ? Math.round((n / r.total) * 1000) / 10 : null);
    return { startMs: r.startMs, label: r.label, answered: pct(r.answered), hedged: pct(r.hedged), failed: pct(r.failed), unfinished: pct(r.unfinished) };
  });
}

export interface LatencyRow {
  startMs: number;
  label: string;
  count: number;
  /** Seconds, one decimal; null where no answer arrived (a gap in the line). */
  typical: number | null;
  slowest: number | null;
}

/** Answer times per bucket in seconds: typical (median) and slowest (95th percentile). */
export function latencyRows(buckets: readonly LatencyBucket[], interval: Interval, timeZone: string): LatencyRow[] {
  const s = (ms: number | null): number | null => (ms === null ? null : Math.round(ms / 100) / 10);
  return buckets.map((b) => {
    const startMs = Date.parse(b.start);
    return { startMs, label: formatBucket(startMs, interval, timeZone), count: b.count, typical: s(b.p50), slowest: s(b.p95) };
  });
}

/** True when a series has nothing to show (the chart shows guidance instead). */
export function isEmptySeries(rows: readonly { total?: number; count?: number }[]): boolean {
  return rows.every((r) => (r.total ?? r.count ?? 0) === 0);
}
