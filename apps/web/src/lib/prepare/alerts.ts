import { formatAgo, formatDateTime, formatMetricValue, formatSpan, formatWindow, type AlertMetric } from "../format";
import type { Alert, AlertComparison, AlertNotification, AlertRuleState, AlertSeverity, AlertState, AlertView } from "./types";

// Alerts as a support or product person reads them: the banner's lines, the
// rules with their state in words, and the history with who was told.

const COMPARISON_WORDS: Record<AlertComparison, string> = { ABOVE: "above", AT_LEAST: "at least", BELOW: "below", AT_MOST: "at most" };
const SEVERITY_WORDS: Record<AlertSeverity, string> = { CRITICAL: "Critical", WARNING: "Warning" };
const STATE_WORDS: Record<AlertState, string> = { OK: "OK", FIRING: "Firing", RESOLVED: "Resolved" };
const CHANNEL_WORDS: Record<AlertNotification["channel"], string> = { WEBHOOK: "Webhook", SLACK: "Slack", ALERTMANAGER: "Alertmanager" };
const KIND_WORDS: Record<AlertNotification["kind"], string> = { FIRING: "Alert", REPEAT: "Reminder", RESOLVED: "All-clear" };

/** The environment variables that turn notifications on (set for the worker that evaluates the rules). */
export const NOTIFICATION_SETTINGS = ["ALERT_WEBHOOK_URL", "ALERT_SLACK_WEBHOOK_URL", "ALERTMANAGER_URL"] as const;

export function severityLabel(s: AlertSeverity): string {
  return SEVERITY_WORDS[s] ?? s;
}

export function stateLabel(s: AlertState): string {
  return STATE_WORDS[s] ?? s;
}

/** "above 5.0%", "below 0.30×": when the rule fires. */
export function thresholdText(metric: AlertMetric, comparison: AlertComparison, threshold: number): string {
  return `${COMPARISON_WORDS[comparison] ?? comparison.toLowerCase()} ${formatMetricValue(metric, threshold)}`;
}

/** What the link to an alert's questions says: files for ingestion alerts, questions otherwise. */
export function drillLabel(view: AlertView): string {
  return view === "INGESTION" ? "See the files" : "See the questions";
}

/**
 * The link to an alert's questions: the alert's own path (its range and
 * filter) plus the reader's time zone from the current URL. The page's other
 * filters are left out: the alert counted every question.
 */
export function drillHref(path: string, current: URLSearchParams | string): string {
  const tz = new URLSearchParams(current).get("tz");
  if (!tz) return path;
  const [pathname, query = ""] = path.split("?", 2) as [string, string?];
  const params = new URLSearchParams(query);
  if (!params.has("tz")) params.set("tz", tz);
  return `${pathname}?${params.toString()}`;
}

/**
 * The range of the alert history: the page's period, except that a preset
 * ("last 7 days") reaches one minute past its end, so an alert that fired
 * within the current minute is listed at once (a preset ends on the minute
 * boundary, which keeps cache keys stable between refetches).
 */
export function historyRange(range: { fromMs: number; toMs: number; preset: string }): { from: string; to: string } {
  const toMs = range.preset === "custom" ? range.toMs : range.toMs + 60_000;
  return { from: new Date(range.fromMs).toISOString(), to: new Date(toMs).toISOString() };
}

export interface BannerLine {
  id: string;
  severity: AlertSeverity;
  severityLabel: string;
  summary: string;
  /** "since 14:05 (35 min ago)" */
  since: string;
  drillPath: string;
  drillLabel: string;
}

export interface Banner {
  /** The worst severity among the firing alerts: the banner's colour. */
  tone: "critical" | "warning";
  /** "2 alerts firing", "1 alert firing". */
  title: string;
  lines: BannerLine[];
  /** Firing alerts not shown as a line (see the Alerts page). */
  more: number;
}

/** "since 14:05 (35 min ago)", or with the date when not today. */
export function sinceText(startedMs: number, nowMs: number, timeZone: string): string {
  const at = formatDateTime(startedMs, timeZone);
  const today = formatDateTime(nowMs, timeZone).split(", ")[0];
  const [day, time] = at.split(", ");
  return `since ${day === today ? time : at} (${formatAgo(startedMs, nowMs)})`;
}

/** The banner for the alerts firing now: critical first, then the newest; null when nothing fires. */
export function bannerOf(alerts: readonly Alert[], nowMs: number, timeZone: string, maxLines = 3): Banner | null {
  const firing = alerts.filter((a) => a.state === "FIRING");
  if (firing.length === 0) return null;
  const rank = (s: AlertSeverity): number => (s === "CRITICAL" ? 0 : 1);
  const sorted = [...firing].sort((a, b) => rank(a.severity) - rank(b.severity) || Date.parse(b.startedAt) - Date.parse(a.startedAt));
  const lines = sorted.slice(0, maxLines).map((a) => ({
    id: a.id,
    severity: a.severity,
    severityLabel: severityLabel(a.severity),
    summary: a.summary,
    since: sinceText(Date.parse(a.startedAt), nowMs, timeZone),
    drillPath: a.drillDown.path,
    drillLabel: drillLabel(a.drillDown.view),
  }));
  return {
    tone: sorted.some((a) => a.severity === "CRITICAL") ? "critical" : "warning",
    title: `${firing.length} alert${firing.length === 1 ? "" : "s"} firing`,
    lines,
    more: firing.length - lines.length,
  };
}

export interface RuleRow {
  id: string;
  name: string;
  description: string | null;
  severity: AlertSeverity;
  severityLabel: string;
  state: AlertState;
  /** "Firing", "OK", "Resolved", or "Not checked yet". */
  stateLabel: string;
  /** "since 14:05 (35 min ago)", null when never evaluated. */
  since: string | null;
  /** The last value in its unit, "no data" when none. */
  value: string;
  /** "above 5.0%" */
  firesWhen: string;
  /** "6.0% now; fires above 5.0%" */
  valueVsThreshold: string;
  /** What the last evaluation measured, in a sentence ("7 of 120 questions failed (5.8%)"). */
  detail: string | null;
  /** "Last 15 minutes", "Right now". */
  window: string;
  /** "20", or "–" for rules that do not count questions. */
  minQuestions: string;
  drillPath: string | null;
  drillLabel: string | null;
}

/** The rules table: each rule's state, its last value against its threshold, window and minimum questions, in words. */
export function ruleRows(rules: readonly AlertRuleState[], nowMs: number, timeZone: string): RuleRow[] {
  return rules.map((r) => {
    const evaluated = r.lastEvaluatedAt !== null;
    const value = formatMetricValue(r.metric, r.lastValue);
    const firesWhen = thresholdText(r.metric, r.comparison, r.threshold);
    const window = formatWindow(r.windowSeconds);
    return {
      id: r.id,
      name: r.name,
      description: r.description,
      severity: r.severity,
      severityLabel: severityLabel(r.severity),
      state: r.state,
      stateLabel: evaluated ? stateLabel(r.state) : "Not checked yet",
      since: evaluated && r.since ? sinceText(Date.parse(r.since), nowMs, timeZone) : null,
      value,
      firesWhen,
      valueVsThreshold: evaluated ? `${value} now; fires ${firesWhen}` : `Fires ${firesWhen}`,
      detail: r.lastDetail,
      window: r.windowSeconds ? `Last ${window}` : window,
      minQuestions: r.minQuestions === null ? "–" : String(r.minQuestions),
      drillPath: r.currentAlert?.drillDown.path ?? null,
      drillLabel: r.currentAlert ? drillLabel(r.currentAlert.drillDown.view) : null,
    };
  });
}

export interface DeliveryLine {
  id: string;
  status: "delivered" | "pending" | "failed";
  /** "Slack · Alert delivered at 14:06" */
  text: string;
  /** Why the last attempt failed (pending with retries, or failed). */
  error: string | null;
}

/** A notification's delivery in words, for support staff to trust that the team was told. */
export function deliveryLine(n: AlertNotification, timeZone: string): DeliveryLine {
  const what = `${CHANNEL_WORDS[n.channel] ?? n.channel} · ${KIND_WORDS[n.kind] ?? n.kind}`;
  const at = (iso: string | null): string => (iso ? formatDateTime(Date.parse(iso), timeZone) : "–");
  const tries = `${n.attempts} ${n.attempts === 1 ? "try" : "tries"}`;
  switch (n.status) {
    case "DELIVERED":
      return { id: n.id, status: "delivered", text: `${what} delivered at ${at(n.deliveredAt)}`, error: null };
    case "FAILED":
      return { id: n.id, status: "failed", text: `${what} not delivered: gave up after ${tries}`, error: n.lastError ?? "no reason recorded" };
    default:
      return n.attempts === 0
        ? { id: n.id, status: "pending", text: `${what} waiting to be sent`, error: null }
        : { id: n.id, status: "pending", text: `${what} not delivered yet (${tries}; next try ${at(n.nextAttemptAt)})`, error: n.lastError };
  }
}

export interface HistoryRow {
  id: string;
  ruleName: string;
  severity: AlertSeverity;
  severityLabel: string;
  state: "FIRING" | "RESOLVED";
  stateLabel: string;
  summary: string;
  started: string;
  /** The resolution time, or "Still firing". */
  resolved: string;
  /** How long it lasted, or has lasted so far. */
  duration: string;
  /** "6.0% (fires above 5.0%)" */
  value: string;
  /** "back to 2.1%" once resolved, "now 6.4%" while firing; null when unknown. */
  latest: string | null;
  drillPath: string;
  drillLabel: string;
  deliveries: DeliveryLine[];
  /** For the CSV: every delivery in one cell. */
  deliveryText: string;
  startedAt: string;
  resolvedAt: string;
}

/** The history table: each alert's times, duration, value and notifications, in words. */
export function historyRows(alerts: readonly Alert[], nowMs: number, timeZone: string): HistoryRow[] {
  return alerts.map((a) => {
    const startedMs = Date.parse(a.startedAt);
    const resolvedMs = a.resolvedAt ? Date.parse(a.resolvedAt) : null;
    const deliveries = (a.notifications ?? []).map((n) => deliveryLine(n, timeZone));
    const latest = a.lastValue === null ? null
      : a.state === "RESOLVED" ? `back to ${formatMetricValue(a.metric, a.lastValue)}`
      : a.lastValue !== a.value ? `now ${formatMetricValue(a.metric, a.lastValue)}` : null;
    return {
      id: a.id,
      ruleName: a.ruleName,
      severity: a.severity,
      severityLabel: severityLabel(a.severity),
      state: a.state,
      stateLabel: stateLabel(a.state),
      summary: a.summary,
      started: formatDateTime(startedMs, timeZone),
      resolved: resolvedMs === null ? "Still firing" : formatDateTime(resolvedMs, timeZone),
      duration: resolvedMs === null ? `${formatSpan(nowMs - startedMs)} so far` : formatSpan(resolvedMs - startedMs),
      value: `${formatMetricValue(a.metric, a.value)} (fires ${thresholdText(a.metric, a.comparison, a.threshold)})`,
      latest,
      drillPath: a.drillDown.path,
      drillLabel: drillLabel(a.drillDown.view),
      deliveries,
      deliveryText: deliveries.map((d) => (d.error ? `${d.text}: ${d.error}` : d.text)).join("; ") || "No notification sent",
      startedAt: a.startedAt,
      resolvedAt: a.resolvedAt ?? "",
    };
  });
}

/** True when none of these alerts was sent anywhere: no notification channel is configured (the page says how to set one). */
export function nobodyNotified(alerts: readonly Alert[]): boolean {
  return alerts.length > 0 && alerts.every((a) => (a.notifications ?? []).length === 0);
}
