import {
  AlertRulesError, readAlertEvents, readAlertEventsByIds, readAlertStates, readFiringAlerts,
  type AlertEvent, type AlertNotification, type AlertRule, type AlertStateRow, type DrillDown, type RuleSet,
} from "@log-insights/alerts";
import { apiError } from "../errors";
import type { ApiContext } from "../context";
import { builder } from "./builder";
import { connectionType, pageShape } from "./connection";
import { Outcome, ProblemKind } from "./enums";
import { pageArgs, range, rangeArgs } from "./inputs";

// Alerts: the rules (from the rules file) with each one's current state, and
// the history of episodes. The API only reads what the worker's evaluator
// wrote (packages/alerts); it never evaluates a rule. Results are cached for
// 5 s at most: alert states change on the worker's schedule, not on ingest
// commits, so the ingest NOTIFY that clears the cache does not cover them,
// and a firing alert must not be hidden behind a 5-minute cache.

const ALERT_TTL_MS = 5_000;

export const AlertState = builder.enumType("AlertState", {
  description: "A rule's state: OK (not firing), FIRING, RESOLVED (fired, now back within the threshold; OK again after one more clear window). An alert (episode) is FIRING or RESOLVED.",
  values: { OK: { value: "ok" }, FIRING: { value: "firing" }, RESOLVED: { value: "resolved" } } as const,
});

const AlertMetric = builder.enumType("AlertMetric", {
  description: "What a rule measures: shares of the window's questions (0-1), the 95th percentile answer time (ms), questions against the same window a week earlier (ratio), how old the newest stored log entry is (s), files that failed to ingest in the window.",
  values: {
    FAILED_SHARE: { value: "failed_share" },
    HEDGED_SHARE: { value: "hedged_share" },
    UNFINISHED_SHARE: { value: "unfinished_share" },
    P95_ANSWER_MS: { value: "p95_answer_ms" },
    VOLUME_RATIO: { value: "volume_ratio" },
    INGEST_LAG_SECONDS: { value: "ingest_lag_seconds" },
    FAILED_FILES: { value: "failed_files" },
  } as const,
});

const AlertComparison = builder.enumType("AlertComparison", {
  description: "How a rule's value is compared with its threshold to fire.",
  values: { ABOVE: { value: "above" }, AT_LEAST: { value: "at_least" }, BELOW: { value: "below" }, AT_MOST: { value: "at_most" } } as const,
});

const AlertSeverity = builder.enumType("AlertSeverity", {
  values: { WARNING: { value: "warning" }, CRITICAL: { value: "critical" } } as const,
});

const AlertView = builder.enumType("AlertView", {
  description: "The dashboard page that shows what an alert is about.",
  values: { PROBLEMS: { value: "problems" }, QUESTIONS: { value: "questions" }, INGESTION: { value: "ingestion" } } as const,
});

const AlertChannel = builder.enumType("AlertChannel", {
  values: { WEBHOOK: { value: "webhook" }, SLACK: { value: "slack" }, ALERTMANAGER: { value: "alertmanager" } } as const,
});

const AlertNotificationKind = builder.enumType("AlertNotificationKind", {
  description: "FIRING when an alert starts, REPEAT while it goes on (every repeat interval), RESOLVED when it ends.",
  values: { FIRING: { value: "firing" }, REPEAT: { value: "repeat" }, RESOLVED: { value: "resolved" } } as const,
});

const AlertDeliveryStatus = builder.enumType("AlertDeliveryStatus", {
  description: "PENDING: not delivered yet (being retried when attempts > 0); DELIVERED; FAILED: given up, see lastError.",
  values: { PENDING: { value: "pending" }, DELIVERED: { value: "delivered" }, FAILED: { value: "failed" } } as const,
});

const AlertNotificationRef = builder.objectRef<AlertNotification>("AlertNotification").implement({
  authScopes: { role: "admin" },
  description: "A notification of an alert on one channel, and how its delivery went.",
  fields: (t) => ({
    id: t.exposeID("id"),
    channel: t.field({ type: AlertChannel, resolve: (n) => n.channel }),
    kind: t.field({ type: AlertNotificationKind, resolve: (n) => n.kind }),
    status: t.field({ type: AlertDeliveryStatus, resolve: (n) => n.status }),
    attempts: t.exposeInt("attempts"),
    lastError: t.exposeString("lastError", { nullable: true, description: "Why the last attempt failed (the receiver's origin, never its full URL)." }),
    createdAt: t.field({ type: "DateTime", resolve: (n) => n.createdAtMs }),
    nextAttemptAt: t.field({ type: "DateTime", nullable: true, description: "When it is tried again (pending only).", resolve: (n) => n.nextAttemptAtMs }),
    deliveredAt: t.field({ type: "DateTime", nullable: true, resolve: (n) => n.deliveredAtMs }),
  }),
});

const AlertDrillDownRef = builder.objectRef<DrillDown>("AlertDrillDown").implement({
  authScopes: { role: "viewer" },
  description: "The questions (or files) behind an alert: pass from, to and outcomes to questionCounts/conversations (filter.outcomes), or problemKinds to problemQuestions(kinds:).",
  fields: (t) => ({
    view: t.field({ type: AlertView, resolve: (d) => d.view }),
    from: t.field({ type: "DateTime", description: "Start of the first window over the threshold.", resolve: (d) => d.fromMs }),
    to: t.field({ type: "DateTime", description: "End of the latest window over the threshold.", resolve: (d) => d.toMs }),
    outcomes: t.field({ type: [Outcome], description: "For QuestionFilter.outcomes; empty: every outcome.", resolve: (d) => d.outcomes }),
    problemKinds: t.field({ type: [ProblemKind], description: "For problemQuestions(kinds:); empty: not a problem-question alert.", resolve: (d) => d.problemKinds }),
    path: t.exposeString("path", { description: "The dashboard page with this range and filter, e.g. /problems?from=…&to=…&kind=failed." }),
  }),
});

const AlertRef = builder.objectRef<AlertEvent>("Alert").implement({
  authScopes: { role: "viewer" },
  description: "One episode of a rule: fired at startedAt, resolved at resolvedAt (null while firing). The rule's fields are as they were when it fired.",
  fields: (t) => ({
    id: t.exposeID("id"),
    ruleId: t.exposeString("ruleId"),
    ruleName: t.exposeString("ruleName"),
    description: t.exposeString("description", { nullable: true }),
    severity: t.field({ type: AlertSeverity, resolve: (a) => a.severity }),
    metric: t.field({ type: AlertMetric, resolve: (a) => a.metric }),
    comparison: t.field({ type: AlertComparison, resolve: (a) => a.comparison }),
    threshold: t.exposeFloat("threshold"),
    state: t.field({ type: AlertState, resolve: (a) => a.state }),
    value: t.exposeFloat("value", { nullable: true, description: "The value that fired it." }),
    lastValue: t.exposeFloat("lastValue", { nullable: true, description: "The latest value while firing; once resolved, the value that resolved it." }),
    questions: t.exposeInt("questions", { nullable: true, description: "Questions in the window that fired it (question metrics)." }),
    windowSeconds: t.exposeInt("windowSeconds", { nullable: true }),
    windowFrom: t.field({ type: "DateTime", description: "The window that fired it.", resolve: (a) => a.windowFromMs }),
    windowTo: t.field({ type: "DateTime", resolve: (a) => a.windowToMs }),
    startedAt: t.field({ type: "DateTime", resolve: (a) => a.startedAtMs }),
    resolvedAt: t.field({ type: "DateTime", nullable: true, resolve: (a) => a.resolvedAtMs }),
    summary: t.exposeString("summary", { description: "One sentence: the rule, the value, the threshold and the window." }),
    drillDown: t.field({ type: AlertDrillDownRef, resolve: (a) => a.drillDown }),
    notifications: t.field({ type: [AlertNotificationRef], authScopes: { role: "admin" }, description: "Its notifications on every channel, oldest first (admin only).", resolve: (a) => a.notifications }),
  }),
});

const AlertConnection = connectionType("Alert", AlertRef, "A page of alerts, newest first.");

interface RuleShape {
  rule: AlertRule;
  status: AlertStateRow | null;
  current: AlertEvent | null;
}

const AlertRuleRef = builder.objectRef<RuleShape>("AlertRule").implement({
  authScopes: { role: "admin" },
  description: "A rule of the rules file (ALERT_RULES_FILE) and its current state, as the worker last evaluated it.",
  fields: (t) => ({
    id: t.string({ description: "Stable slug.", resolve: (r) => r.rule.id }),
    name: t.string({ resolve: (r) => r.rule.name }),
    description: t.string({ nullable: true, resolve: (r) => r.rule.description }),
    metric: t.field({ type: AlertMetric, resolve: (r) => r.rule.metric }),
    window: t.string({ nullable: true, description: "As written in the file (15m, 1h); null for INGEST_LAG_SECONDS.", resolve: (r) => r.rule.window }),
    windowSeconds: t.int({ nullable: true, resolve: (r) => (r.rule.windowMs === null ? null : r.rule.windowMs / 1000) }),
    threshold: t.float({ resolve: (r) => r.rule.threshold }),
    comparison: t.field({ type: AlertComparison, resolve: (r) => r.rule.comparison }),
    minQuestions: t.int({ nullable: true, description: "Fewer questions in the window and the rule does not judge (question metrics only).", resolve: (r) => r.rule.minQuestions }),
    severity: t.field({ type: AlertSeverity, resolve: (r) => r.rule.severity }),
    repeatSeconds: t.int({ nullable: true, description: "The rule's own repeat interval; null: the worker's (ALERT_REPEAT_MINUTES).", resolve: (r) => (r.rule.repeatMs === null ? null : r.rule.repeatMs / 1000) }),
    state: t.field({ type: AlertState, description: "OK when never evaluated.", resolve: (r) => r.status?.state ?? "ok" }),
    since: t.field({ type: "DateTime", nullable: true, description: "When it entered its state.", resolve: (r) => r.status?.sinceMs ?? null }),
    lastValue: t.float({ nullable: true, description: "The value at the last evaluation (null: no data, or too few questions).", resolve: (r) => r.status?.lastValue ?? null }),
    lastDetail: t.string({ nullable: true, description: "What the last evaluation measured, in one sentence.", resolve: (r) => r.status?.lastDetail ?? null }),
    lastEvaluatedAt: t.field({ type: "DateTime", nullable: true, resolve: (r) => r.status?.lastEvaluatedAtMs ?? null }),
    currentAlert: t.field({ type: AlertRef, nullable: true, description: "The firing (or just resolved) alert; null when OK.", resolve: (r) => r.current }),
  }),
});

async function rulesOf(ctx: ApiContext): Promise<RuleSet> {
  try {
    return await ctx.alertRules();
  } catch (err) {
    if (err instanceof AlertRulesError) throw apiError("ALERT_RULES_INVALID", "the alert rules file cannot be used; the server's log says why");
    throw err;
  }
}

builder.queryFields((t) => ({
  alertRules: t.field({
    authScopes: { role: "admin" },
    type: [AlertRuleRef],
    description: "Every alert rule of the rules file, in file order, with its current state (cached 5 s at most).",
    resolve: async (_root, _args, ctx) => {
      const { rules } = await rulesOf(ctx);
      const read = async () => {
        const states = await readAlertStates(ctx.db);
        const currentIds = [...states.values()].filter((s) => s.state !== "ok" && s.eventId !== null).map((s) => s.eventId!);
        const events = await readAlertEventsByIds(ctx.db, currentIds);
        return Object.fromEntries([...states.values()].map((s) => [s.ruleId, { status: s, current: s.state !== "ok" && s.eventId ? (events.get(s.eventId) ?? null) : null }]));
      };
      const byRule = await ctx.cache.get("alertStates", {}, read, ALERT_TTL_MS);
      return rules.map((rule) => ({ rule, status: byRule[rule.id]?.status ?? null, current: byRule[rule.id]?.current ?? null }));
    },
  }),
  alerts: t.field({
    authScopes: { role: "admin" },
    type: AlertConnection,
    description: "Alerts (episodes) overlapping [from, to): fired before `to` and not resolved before `from`, newest first; `state` keeps only FIRING or RESOLVED ones.",
    args: { ...rangeArgs(t.arg), state: t.arg({ type: AlertState }), ...pageArgs(t.arg) },
    resolve: async (_root, args, ctx) => {
      const page = { first: args.first, after: args.after };
      const state = args.state ?? null;
      const result = await ctx.cache.get("alerts", { from: args.from, to: args.to, state, page }, () => readAlertEvents(ctx.db, range(args), state, page), ALERT_TTL_MS);
      return pageShape(result, args.after);
    },
  }),
  firingAlerts: t.field({
    authScopes: { role: "viewer" },
    type: [AlertRef],
    description: "Every alert firing now, newest first (cached 5 s at most): the dashboard's banner.",
    resolve: (_root, _args, ctx) => ctx.cache.get("firingAlerts", {}, () => readFiringAlerts(ctx.db), ALERT_TTL_MS),
  }),
}));
