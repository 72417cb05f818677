import type { Metric, Severity, Comparison } from "../rules";
import type { NotificationKind } from "../evaluator";

/**
 * An alert as it was when a notification was queued: stored in the outbox
 * (alert_notifications.payload) and turned into each channel's format only
 * when sent, so a channel's wording can change without touching queued rows,
 * and links use the dashboard URL configured at delivery.
 */
export interface AlertMessage {
  kind: NotificationKind;
  /** The episode (alert_events.id). */
  alertId: string;
  ruleId: string;
  ruleName: string;
  description: string | null;
  severity: Severity;
  metric: Metric;
  comparison: Comparison;
  threshold: number;
  state: "firing" | "resolved";
  value: number | null;
  /** The value in words (6.0%, 12.4 s). */
  valueText: string;
  questions: number | null;
  window: string | null;
  windowFrom: string;
  windowTo: string;
  startedAt: string;
  resolvedAt: string | null;
  /** One sentence: name, value, threshold, window. */
  summary: string;
  /** What was measured ("7 of 120 questions failed (5.8%)"). */
  detail: string;
  /** Dashboard path and query of the questions (or files) behind it, e.g. /problems?from=…&to=…&kind=failed. */
  path: string;
}

/** The dashboard view that shows what an alert is about, and the arguments that select it there and in the API. */
export interface DrillDown {
  view: "problems" | "questions" | "ingestion";
  fromMs: number;
  toMs: number;
  /** For QuestionFilter.outcomes (questions, conversations, overview). */
  outcomes: ("failed" | "hedged" | "unfinished")[];
  /** For problemQuestions(kinds:). */
  problemKinds: ("failed" | "hedged" | "unfinished" | "slow")[];
  /** Relative dashboard URL. */
  path: string;
}

/** Where an alert of this metric over [fromMs, toMs) leads: the questions behind it, with the same filter the API takes. */
export function drillDown(metric: Metric, fromMs: number, toMs: number): DrillDown {
  const range = `from=${encodeURIComponent(new Date(fromMs).toISOString())}&to=${encodeURIComponent(new Date(toMs).toISOString())}`;
  switch (metric) {
    case "failed_share":
    case "hedged_share":
    case "unfinished_share": {
      const outcome = metric === "failed_share" ? "failed" : metric === "hedged_share" ? "hedged" : "unfinished";
      return { view: "problems", fromMs, toMs, outcomes: [outcome], problemKinds: [outcome], path: `/problems?${range}&kind=${outcome}` };
    }
    case "p95_answer_ms":
      return { view: "problems", fromMs, toMs, outcomes: [], problemKinds: ["slow"], path: `/problems?${range}&kind=slow` };
    case "volume_ratio":
      return { view: "questions", fromMs, toMs, outcomes: [], problemKinds: [], path: `/?${range}` };
    case "ingest_lag_seconds":
    case "failed_files":
      return { view: "ingestion", fromMs, toMs, outcomes: [], problemKinds: [], path: `/ingestion?${range}` };
  }
}

/** The dashboard URL of a path, or null when no dashboard URL is configured. */
export function dashboardLink(dashboardUrl: string | null | undefined, path: string): string | null {
  return dashboardUrl ? `${dashboardUrl.replace(/\/+$/, "")}${path}` : null;
}
