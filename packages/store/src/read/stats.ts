import { percentilesFromBins } from "@log-insights/logs";
import type { Totals } from "./aggregate";

/** Answer times of the bot (processingTimeMs), read from the 4% histogram: percentiles within 2%. */
export interface LatencySummary {
  count: number;
  mean: number | null;
  p50: number | null;
  p90: number | null;
  p95: number | null;
  p99: number | null;
}

export function latencySummary(t: Totals): LatencySummary {
  const [p50, p90, p95, p99] = percentilesFromBins(t.bins, [50, 90, 95, 99]);
  return {
    count: t.latencyN,
    mean: t.latencyN > 0 ? Math.round((t.latencySum / t.latencyN) * 10) / 10 : null,
    p50: p50 ?? null,
    p90: p90 ?? null,
    p95: p95 ?? null,
    p99: p99 ?? null,
  };
}

export interface OutcomeCounts {
  questions: number;
  answered: number;
  hedged: number;
  failed: number;
  unfinished: number;
}

export function outcomeCounts(t: Totals): OutcomeCounts {
  return { questions: t.questions, answered: t.answered, hedged: t.hedged, failed: t.failed, unfinished: t.unfinished };
}

/** part / whole, null when there is no whole (the UI shows "no data", not 0%). */
export function ratio(part: number, whole: number): number | null {
  return whole > 0 ? part / whole : null;
}
