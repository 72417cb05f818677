import type { BreakdownRow } from "./types";

export interface SplitRow {
  /** The value to filter on when clicked; null for "not known" and for the pooled rest. */
  value: string | null;
  label: string;
  count: number;
  /** Percent, one decimal. */
  percent: number;
  /** Change against the previous period (ratio), null when there was none before. */
  change: number | null;
  /** True for the "Other values" row pooling the long tail. */
  pooled: boolean;
}

/**
 * A breakdown for a bar chart: the top `max` values, the rest pooled into
 * one row, null values labelled in words ("Not named" for questions that
 * name no fund, "Unknown" otherwise).
 */
export function splitRows(rows: readonly BreakdownRow[], max = 8, nullLabel = "Unknown", labelOf: (v: string) => string = (v) => v): SplitRow[] {
  const total = rows.reduce((n, r) => n + r.count, 0);
  const pct = (n: number): number => (total > 0 ? Math.round((n / total) * 1000) / 10 : 0);
  const sorted = [...rows].sort((a, b) => b.count - a.count);
  const top = sorted.slice(0, max);
  const rest = sorted.slice(max);
  const out: SplitRow[] = top.map((r) => ({
    value: r.value,
    label: r.value === null ? nullLabel : labelOf(r.value),
    count: r.count,
    percent: pct(r.count),
    change: r.previousCount > 0 ? (r.count - r.previousCount) / r.previousCount : null,
    pooled: false,
  }));
  if (rest.length > 0) {
    const count = rest.reduce((n, r) => n + r.count, 0);
    const before = rest.reduce((n, r) => n + r.previousCount, 0);
    out.push({ value: null, label: `${rest.length} others`, count, percent: pct(count), change: before > 0 ? (count - before) / before : null, pooled: true });
  }
  return out;
}

/** Trend in words for a list row: "↑ 40%", "↓ 12%", "new", "steady". */
export function trendText(count: number, previousCount: number): string {
  if (previousCount === 0) return count > 0 ? "new" : "steady";
  const c = (count - previousCount) / previousCount;
  if (Math.abs(c) < 0.05) return "steady";
  return `${c > 0 ? "↑" : "↓"} ${Math.round(Math.abs(c) * 100)}%`;
}
