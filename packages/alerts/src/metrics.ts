import { percentilesFromBins } from "@log-insights/logs";
import { aggregate, readIngestHealth, type Queryable, type Totals } from "@log-insights/store";
import { durationInWords, QUESTION_METRICS, type AlertRule, type Comparison, type Metric } from "./rules";

// Each rule's metric for its window, from the store's readers: `aggregate`
// adds up questions from the day and hour rollups where they cover the
// window and from the question rows at the edges (a 15-minute window reads
// rows; a day-long one mostly rollups), exactly as the dashboard's numbers
// are computed, so an alert and the page it links to agree. Rules sharing a
// window share one read.

export type Verdict = "breach" | "clear" | "unknown";

/** One rule's metric at one evaluation. */
export interface Reading {
  ruleId: string;
  /** null: nothing to measure (no questions, no baseline, no file yet). */
  value: number | null;
  /** breach: over the threshold; clear: not; unknown: no value, or too few questions to judge. */
  verdict: Verdict;
  /** Questions in the window (question metrics). */
  questions: number | null;
  /** volume_ratio: questions in the same window a week earlier. */
  baseline: number | null;
  windowFromMs: number;
  windowToMs: number;
  /** One sentence on what was measured ("6.0% of 120 questions failed"). */
  detail: string;
}

const WEEK_MS = 7 * 86_400_000;
const HOUR_MS = 3_600_000;

/** The window a rule reads at `nowMs`: [now - delay - window, now - delay). */
export function ruleWindow(rule: AlertRule, nowMs: number): { fromMs: number; toMs: number } {
  const toMs = nowMs - rule.delayMs;
  return { fromMs: toMs - (rule.windowMs ?? HOUR_MS), toMs };
}

export function compare(value: number, comparison: Comparison, threshold: number): boolean {
  switch (comparison) {
    case "above": return value > threshold;
    case "at_least": return value >= threshold;
    case "below": return value < threshold;
    case "at_most": return value <= threshold;
  }
}

/** Reads every rule's metric at `nowMs`. Rules with the same window (and delay) share one read. */
export async function computeReadings(db: Queryable, rules: readonly AlertRule[], nowMs: number): Promise<Map<string, Reading>> {
  const out = new Map<string, Reading>();
  const byWindow = new Map<string, AlertRule[]>();
  for (const rule of rules) {
    const w = ruleWindow(rule, nowMs);
    const key = `${QUESTION_METRICS.has(rule.metric) ? "q" : "i"}:${w.fromMs}:${w.toMs}`;
    byWindow.set(key, [...(byWindow.get(key) ?? []), rule]);
  }
  // One window after the other: each read already runs its few queries in parallel, and the pool is shared with the ingest.
  for (const [key, group] of byWindow) {
    const window = ruleWindow(group[0]!, nowMs);
    if (key.startsWith("q:")) {
      const needsBaseline = group.some((r) => r.metric === "volume_ratio");
      const ranges = needsBaseline ? [window, { fromMs: window.fromMs - WEEK_MS, toMs: window.toMs - WEEK_MS }] : [window];
      const totals = await aggregate(db, ranges, {}, { latency: group.some((r) => r.metric === "p95_answer_ms") });
      const current = totals.get(0)?.get(null) ?? null;
      const baseline = needsBaseline ? (totals.get(1)?.get(null)?.questions ?? 0) : null;
      for (const rule of group) out.set(rule.id, questionReading(rule, window, current, baseline));
    } else {
      const health = await readIngestHealth(db, window, nowMs);
      for (const rule of group) {
        const value = rule.metric === "ingest_lag_seconds" ? health.lagSeconds : health.failedInRange;
        const detail = value === null
          ? "no log entry is stored yet"
          : rule.metric === "ingest_lag_seconds"
            ? `the newest stored log entry is ${formatValue("ingest_lag_seconds", value)} old`
            : `${value} file${value === 1 ? "" : "s"} failed to ingest in the last ${durationInWords(rule.windowMs ?? HOUR_MS)} (${health.failedTotal} failed in all)`;
        out.set(rule.id, {
          ruleId: rule.id,
          value,
          verdict: value === null ? "unknown" : compare(value, rule.comparison, rule.threshold) ? "breach" : "clear",
          questions: null,
          baseline: null,
          windowFromMs: window.fromMs,
          windowToMs: window.toMs,
          detail,
        });
      }
    }
  }
  return out;
}

const OUTCOME_FIELD = { failed_share: "failed", hedged_share: "hedged", unfinished_share: "unfinished" } as const;
const OUTCOME_WORDS = { failed_share: "failed", hedged_share: "were not in the documents", unfinished_share: "got no answer" } as const;

/** A question metric's reading: the min-questions gate first, then the comparison. */
export function questionReading(rule: AlertRule, window: { fromMs: number; toMs: number }, t: Totals | null, baseline: number | null): Reading {
  const questions = t?.questions ?? 0;
  const base = { ruleId: rule.id, questions, baseline, windowFromMs: window.fromMs, windowToMs: window.toMs };
  const minQuestions = rule.minQuestions ?? 0;
  let value: number | null;
  let counted: number;
  let detail: string;
  switch (rule.metric) {
    case "failed_share":
    case "hedged_share":
    case "unfinished_share": {
      const n = t ? t[OUTCOME_FIELD[rule.metric]] : 0;
      value = questions > 0 ? n / questions : null;
      counted = questions;
      detail = `${n} of ${questions} question${questions === 1 ? "" : "s"} ${OUTCOME_WORDS[rule.metric]}${value === null ? "" : ` (${formatValue(rule.metric, value)})`}`;
      break;
    }
    case "p95_answer_ms": {
      const n = t?.latencyN ?? 0;
      value = n > 0 && t ? (percentilesFromBins(t.bins, [95])[0] ?? null) : null;
      counted = n;
      detail = value === null ? "no answer time was logged" : `95% of ${n} answers arrived within ${formatValue("p95_answer_ms", value)}`;
      break;
    }
    case "volume_ratio": {
      const before = baseline ?? 0;
      value = before > 0 ? questions / before : null;
      // The gate is on last week's count: a ratio over a handful of questions is noise (8 → 32 in a quiet
      // hour is not a surge), while a drop from 200 to 0 must still fire.
      counted = before;
      detail = `${questions} question${questions === 1 ? "" : "s"}, against ${before} in the same ${durationInWords(rule.windowMs ?? HOUR_MS)} a week earlier${value === null ? "" : ` (${formatValue("volume_ratio", value)})`}`;
      break;
    }
    default:
      throw new Error(`not a question metric: ${rule.metric}`);
  }
  if (counted < minQuestions) {
    return { ...base, value, verdict: "unknown", detail: `${detail}; fewer than ${minQuestions} questions, too few to judge` };
  }
  if (value === null) return { ...base, value, verdict: "unknown", detail };
  return { ...base, value, verdict: compare(value, rule.comparison, rule.threshold) ? "breach" : "clear", detail };
}

/** A metric's value in words: 5.8%, 12.4 s, 0.25× last week, 42 min, 3 files. */
export function formatValue(metric: Metric, value: number): string {
  switch (metric) {
    case "failed_share":
    case "hedged_share":
    case "unfinished_share":
      return `${(value * 100).toFixed(1)}%`;
    case "p95_answer_ms":
      return value >= 1000 ? `${(value / 1000).toFixed(1)} s` : `${Math.round(value)} ms`;
    case "volume_ratio":
      return `${value.toFixed(2)}× last week`;
    case "ingest_lag_seconds":
      return value >= 3600 ? `${(value / 3600).toFixed(1)} h` : value >= 60 ? `${Math.round(value / 60)} min` : `${Math.round(value)} s`;
    case "failed_files":
      return `${value} file${value === 1 ? "" : "s"}`;
  }
}

const COMPARISON_WORDS: Record<Comparison, string> = { above: "above", at_least: "at least", below: "below", at_most: "at most" };

/** "Questions are failing: 6.0% (threshold: above 5.0%) over the last 15 minutes". */
export function summarize(rule: AlertRule, value: number | null): string {
  const over = rule.windowMs === null ? "" : ` over the last ${durationInWords(rule.windowMs)}`;
  const shown = value === null ? "no data" : formatValue(rule.metric, value);
  return `${rule.name}: ${shown} (threshold: ${COMPARISON_WORDS[rule.comparison]} ${formatValue(rule.metric, rule.threshold)})${over}`;
}
