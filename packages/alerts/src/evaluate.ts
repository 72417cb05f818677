import type pg from "pg";
import { createLogger, type Logger } from "@log-insights/config";
import { decide, type AlertStateName, type NotificationKind } from "./evaluator";
import { computeReadings, formatValue, summarize, type Reading } from "./metrics";
import type { ChannelName } from "./notify/channels";
import { drillDown, type AlertMessage } from "./notify/message";
import { formatDuration, type AlertRule } from "./rules";
import {
  closeEvent, openEvent, queueNotification, readAlertStates, saveAlertState, updateEvent,
  type AlertStateRow, type EventDbRow,
} from "./state-store";

// One evaluation pass: read every rule's metric, run each rule's state
// machine, and write the new states, the history and the notifications to
// send, all in ONE transaction (the outbox pattern: a state change and its
// notifications commit together or not at all; sending happens later, in
// delivery.ts, outside any transaction). Several workers may run the
// schedule: a transaction-level advisory lock lets one evaluate at a time,
// and the others skip that tick instead of queueing behind it.

/** pg_try_advisory_xact_lock key of an evaluation pass: a fixed random bigint. */
const EVALUATION_LOCK_KEY = "7206114923315577913";

export interface EvaluateOptions {
  /** The evaluation's clock (ms). */
  nowMs: number;
  /** Notify a still-firing rule again after this long (a rule's own `repeat` wins). */
  repeatMs: number;
  /** Channels to queue a notification for at each transition (none: states and history only). */
  channels: readonly ChannelName[];
  /** Skip the pass when any rule was evaluated less than this long ago (another worker just did it). */
  minIntervalMs?: number;
  logger?: Logger;
}

export interface RuleOutcome {
  ruleId: string;
  from: AlertStateName;
  to: AlertStateName;
  notify: NotificationKind | null;
  reading: Reading | null;
}

export interface EvaluationResult {
  /** true when another process held the lock or had just evaluated. */
  skipped: boolean;
  outcomes: RuleOutcome[];
  /** Notification rows written (transitions × channels). */
  queued: number;
}

export async function evaluateRules(pool: pg.Pool, rules: readonly AlertRule[], options: EvaluateOptions): Promise<EvaluationResult> {
  const logger = options.logger ?? createLogger("alerts");
  const { nowMs } = options;
  // The metrics are read first, through the pool (the readers run their queries in parallel, which a
  // single transaction's connection cannot), and no connection is held while they run.
  const readings = await computeReadings(pool, rules, nowMs);
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    try {
      const locked = await client.query<{ ok: boolean }>("SELECT pg_try_advisory_xact_lock($1::bigint) AS ok", [EVALUATION_LOCK_KEY]);
      if (!locked.rows[0]?.ok) {
        await client.query("ROLLBACK");
        return { skipped: true, outcomes: [], queued: 0 };
      }
      const states = await readAlertStates(client, { forUpdate: true });
      if (options.minIntervalMs && [...states.values()].some((s) => s.lastEvaluatedAtMs !== null && nowMs - s.lastEvaluatedAtMs < options.minIntervalMs! && nowMs >= s.lastEvaluatedAtMs)) {
        await client.query("ROLLBACK");
        return { skipped: true, outcomes: [], queued: 0 };
      }
      const outcomes: RuleOutcome[] = [];
      let queued = 0;
      const notify = async (event: EventDbRow, kind: NotificationKind, reading: Reading | null): Promise<void> => {
        const payload = messageOf(event, kind, reading);
        for (const channel of options.channels) {
          await queueNotification(client, { eventId: event.id, ruleId: event.rule_id, channel, kind, payload, nowMs });
          queued++;
        }
      };

      for (const rule of rules) {
        const reading = readings.get(rule.id)!;
        const before = states.get(rule.id) ?? null;
        const t = decide(before, reading.verdict, { nowMs, repeatMs: rule.repeatMs ?? options.repeatMs, holdMs: rule.windowMs ?? 0 });
        let eventId = before?.eventId ?? null;
        let event: EventDbRow | null = null;
        if (t.episode === "open") {
          event = await openEvent(client, {
            ruleId: rule.id,
            ruleName: rule.name,
            description: rule.description,
            severity: rule.severity,
            metric: rule.metric,
            comparison: rule.comparison,
            threshold: rule.threshold,
            windowSeconds: rule.windowMs === null ? null : rule.windowMs / 1000,
            value: reading.value,
            questions: reading.questions,
            windowFromMs: reading.windowFromMs,
            windowToMs: reading.windowToMs,
            startedAtMs: nowMs,
            summary: summarize(rule, reading.value),
          });
          eventId = event.id;
        } else if (t.episode === "update" && eventId !== null) {
          event = await updateEvent(client, eventId, reading.value, reading.windowToMs);
        } else if (t.episode === "close" && eventId !== null) {
          event = await closeEvent(client, eventId, reading.value, nowMs);
        }
        if (t.notify && event) await notify(event, t.notify, reading);
        const next: AlertStateRow = {
          ruleId: rule.id,
          state: t.state,
          sinceMs: t.sinceMs,
          eventId,
          lastValue: reading.value,
          lastQuestions: reading.questions,
          lastDetail: reading.detail,
          lastEvaluatedAtMs: nowMs,
          lastNotifiedAtMs: t.notify && event ? nowMs : (before?.lastNotifiedAtMs ?? null),
        };
        await saveAlertState(client, next, nowMs);
        if (t.state !== (before?.state ?? "ok")) {
          logger.info({ rule: rule.id, from: before?.state ?? "ok", to: t.state, value: reading.value, detail: reading.detail }, `alert ${t.state}`);
        }
        outcomes.push({ ruleId: rule.id, from: before?.state ?? "ok", to: t.state, notify: t.notify, reading });
      }

      // A rule taken out of the file while firing resolves (receivers such as Alertmanager would otherwise show it forever).
      const known = new Set(rules.map((r) => r.id));
      for (const [ruleId, s] of states) {
        if (known.has(ruleId) || s.state !== "firing") continue;
        const event = s.eventId === null ? null : await closeEvent(client, s.eventId, null, nowMs);
        if (event) await notify(event, "resolved", null);
        await saveAlertState(client, { ...s, state: "resolved", sinceMs: nowMs, lastDetail: "the rule was removed from the rules file", lastEvaluatedAtMs: nowMs,
          lastNotifiedAtMs: event ? nowMs : s.lastNotifiedAtMs }, nowMs);
        logger.info({ rule: ruleId }, "alert resolved: its rule was removed from the rules file");
        outcomes.push({ ruleId, from: "firing", to: "resolved", notify: event ? "resolved" : null, reading: null });
      }
      await client.query("COMMIT");
      return { skipped: false, outcomes, queued };
    } catch (err) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw err;
    }
  } finally {
    client.release();
  }
}

/** The outbox payload of a notification: the episode as it stands, with this evaluation's value. */
export function messageOf(event: EventDbRow, kind: NotificationKind, reading: Reading | null): AlertMessage {
  const value = kind === "firing" ? event.value : (reading?.value ?? event.last_value);
  const iso = (d: Date) => d.toISOString();
  return {
    kind,
    alertId: event.id,
    ruleId: event.rule_id,
    ruleName: event.rule_name,
    description: event.description,
    severity: event.severity,
    metric: event.metric,
    comparison: event.comparison,
    threshold: event.threshold,
    state: event.state,
    value,
    valueText: value === null ? "no data" : formatValue(event.metric, value),
    questions: reading?.questions ?? event.questions,
    window: event.window_seconds === null ? null : formatDuration(event.window_seconds * 1000),
    windowFrom: new Date(reading?.windowFromMs ?? event.window_from.getTime()).toISOString(),
    windowTo: new Date(reading?.windowToMs ?? event.window_to.getTime()).toISOString(),
    startedAt: iso(event.started_at),
    resolvedAt: event.resolved_at ? iso(event.resolved_at) : null,
    summary: kind === "firing"
      ? event.summary
      : `${event.rule_name}: ${value === null ? "no data" : formatValue(event.metric, value)}, ${kind === "resolved" ? "back within" : "still beyond"} the threshold (${formatValue(event.metric, event.threshold)})`,
    detail: reading?.detail ?? (kind === "resolved" ? "the rule was removed from the rules file" : event.summary),
    path: drillDown(event.metric, event.window_from.getTime(), event.last_window_to.getTime()).path,
  };
}
