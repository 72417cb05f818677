import { isSupportedKey } from "../decode/formats";
import type { ListFilter, ListStats } from "./types";

export type KeyVerdict = "listed" | "skipped" | "out-of-range";

/** Whether a key time falls in the filter's `[sinceMs, untilMs)`; keys without a time only when unbounded. */
export function inTimeRange(keyTimeMs: number | null, filter: ListFilter): boolean {
  const { sinceMs, untilMs } = filter;
  if (sinceMs === undefined && untilMs === undefined) return true;
  if (keyTimeMs === null) return false;
  if (sinceMs !== undefined && keyTimeMs < sinceMs) return false;
  if (untilMs !== undefined && keyTimeMs >= untilMs) return false;
  return true;
}

/**
 * Decides what a listing does with a key, counting it in `stats`: the time
 * range applies first (to every kind), then the kind.
 */
export function judgeKey(key: string, keyTimeMs: number | null, filter: ListFilter, stats?: ListStats): KeyVerdict {
  if (stats) stats.seen++;
  if (!inTimeRange(keyTimeMs, filter)) {
    if (stats) stats.outOfRange++;
    return "out-of-range";
  }
  if (!isSupportedKey(key)) {
    if (stats) {
      stats.skipped++;
      if (stats.skippedExamples.length < 10) stats.skippedExamples.push(key);
    }
    return "skipped";
  }
  if (stats) stats.listed++;
  return "listed";
}

export function checkFilter(filter: ListFilter): void {
  for (const name of ["sinceMs", "untilMs"] as const) {
    const v = filter[name];
    if (v !== undefined && !Number.isFinite(v)) throw new RangeError(`ListFilter.${name} must be a finite epoch ms, got ${v}`);
  }
}
