import { checkRange, ReadError, type Page, type PageArgs, type Queryable, type TimeRange } from "@log-insights/store";
import type { AlertStateName, NotificationKind } from "./evaluator";
import type { ChannelName } from "./notify/channels";
import { drillDown, type DrillDown } from "./notify/message";
import type { Comparison, Metric, Severity } from "./rules";

// The SQL of alerts (migration 0004_alerts.sql): what the evaluator writes
// in its transaction, and what the API reads. Every time written comes from
// the evaluator's clock, not the database's now(), so tests drive time.

/** A rule's remembered state (alert_state). */
export interface AlertStateRow {
  ruleId: string;
  state: AlertStateName;
  sinceMs: number;
  eventId: string | null;
  lastValue: number | null;
  lastQuestions: number | null;
  lastDetail: string | null;
  lastEvaluatedAtMs: number | null;
  lastNotifiedAtMs: number | null;
}

/** One episode of a rule: fired at startedAt, resolved at resolvedAt (alert_events). */
export interface AlertEvent {
  id: string;
  ruleId: string;
  ruleName: string;
  description: string | null;
  severity: Severity;
  metric: Metric;
  comparison: Comparison;
  threshold: number;
  windowSeconds: number | null;
  state: "firing" | "resolved";
  /** The value that fired it. */
  value: number | null;
  questions: number | null;
  /** The latest value while firing; after resolving, the value that resolved it. */
  lastValue: number | null;
  /** The window that fired it. */
  windowFromMs: number;
  windowToMs: number;
  /** End of the latest window still over the threshold. */
  lastWindowToMs: number;
  startedAtMs: number;
  resolvedAtMs: number | null;
  summary: string;
  /** The questions (or files) behind it: from the first window's start to the last breaching window's end. */
  drillDown: DrillDown;
  notifications: AlertNotification[];
}

export type DeliveryStatus = "pending" | "delivered" | "failed";

/** A notification of an episode on one channel, and how its delivery went (alert_notifications). */
export interface AlertNotification {
  id: string;
  channel: ChannelName;
  kind: NotificationKind;
  status: DeliveryStatus;
  attempts: number;
  lastError: string | null;
  createdAtMs: number;
  nextAttemptAtMs: number | null;
  deliveredAtMs: number | null;
}

interface StateDbRow {
  rule_id: string;
  state: AlertStateName;
  since: Date;
  event_id: string | null;
  last_value: number | null;
  last_questions: number | null;
  last_detail: string | null;
  last_evaluated_at: Date | null;
  last_notified_at: Date | null;
}

export interface EventDbRow {
  id: string;
  rule_id: string;
  rule_name: string;
  description: string | null;
  severity: Severity;
  metric: Metric;
  comparison: Comparison;
  threshold: number;
  window_seconds: number | null;
  state: "firing" | "resolved";
  value: number | null;
  questions: number | null;
  last_value: number | null;
  window_from: Date;
  window_to: Date;
  last_window_to: Date;
  started_at: Date;
  resolved_at: Date | null;
  summary: string;
}

interface NotificationDbRow {
  id: string;
  event_id: string;
  channel: ChannelName;
  kind: NotificationKind;
  status: DeliveryStatus;
  attempts: number;
  last_error: string | null;
  created_at: Date;
  next_attempt_at: Date;
  delivered_at: Date | null;
}

const ms = (d: Date | null): number | null => (d === null ? null : d.getTime());

function toState(r: StateDbRow): AlertStateRow {
  return {
    ruleId: r.rule_id,
    state: r.state,
    sinceMs: r.since.getTime(),
    eventId: r.event_id,
    lastValue: r.last_value,
    lastQuestions: r.last_questions,
    lastDetail: r.last_detail,
    lastEvaluatedAtMs: ms(r.last_evaluated_at),
    lastNotifiedAtMs: ms(r.last_notified_at),
  };
}

export function toEvent(r: EventDbRow, notifications: AlertNotification[] = []): AlertEvent {
  return {
    id: r.id,
    ruleId: r.rule_id,
    ruleName: r.rule_name,
    description: r.description,
    severity: r.severity,
    metric: r.metric,
    comparison: r.comparison,
    threshold: r.threshold,
    windowSeconds: r.window_seconds,
    state: r.state,
    value: r.value,
    questions: r.questions,
    lastValue: r.last_value,
    windowFromMs: r.window_from.getTime(),
    windowToMs: r.window_to.getTime(),
    lastWindowToMs: r.last_window_to.getTime(),
    startedAtMs: r.started_at.getTime(),
    resolvedAtMs: ms(r.resolved_at),
    summary: r.summary,
    drillDown: drillDown(r.metric, r.window_from.getTime(), r.last_window_to.getTime()),
    notifications,
  };
}

function toNotification(r: NotificationDbRow): AlertNotification {
  return {
    id: r.id,
    channel: r.channel,
    kind: r.kind,
    status: r.status,
    attempts: r.attempts,
    lastError: r.last_error,
    createdAtMs: r.created_at.getTime(),
    nextAttemptAtMs: r.status === "pending" ? r.next_attempt_at.getTime() : null,
    deliveredAtMs: ms(r.delivered_at),
  };
}

/** Every rule's remembered state, by rule id (rules never evaluated have none). */
export async function readAlertStates(db: Queryable, options: { forUpdate?: boolean } = {}): Promise<Map<string, AlertStateRow>> {
  const { rows } = await db.query<StateDbRow>(`SELECT rule_id, state, since, event_id, last_value, last_questions, last_detail,
      last_evaluated_at, last_notified_at FROM alert_state ORDER BY rule_id${options.forUpdate ? " FOR UPDATE" : ""}`);
  return new Map(rows.map((r) => [r.rule_id, toState(r)]));
}

/** Writes a rule's state (insert or replace). */
export async function saveAlertState(db: Queryable, s: AlertStateRow, nowMs: number): Promise<void> {
  await db.query(
    `INSERT INTO alert_state (rule_id, state, since, event_id, last_value, last_questions, last_detail, last_evaluated_at, last_notified_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
     ON CONFLICT (rule_id) DO UPDATE SET state = excluded.state, since = excluded.since, event_id = excluded.event_id,
       last_value = excluded.last_value, last_questions = excluded.last_questions, last_detail = excluded.last_detail,
       last_evaluated_at = excluded.last_evaluated_at, last_notified_at = excluded.last_notified_at, updated_at = excluded.updated_at`,
    [s.ruleId, s.state, new Date(s.sinceMs), s.eventId, s.lastValue, s.lastQuestions, s.lastDetail,
      s.lastEvaluatedAtMs === null ? null : new Date(s.lastEvaluatedAtMs), s.lastNotifiedAtMs === null ? null : new Date(s.lastNotifiedAtMs), new Date(nowMs)],
  );
}

const EVENT_COLUMNS = `id, rule_id, rule_name, description, severity, metric, comparison, threshold, window_seconds, state, value, questions,
  last_value, window_from, window_to, last_window_to, started_at, resolved_at, summary`;

export interface NewEvent {
  ruleId: string;
  ruleName: string;
  description: string | null;
  severity: Severity;
  metric: Metric;
  comparison: Comparison;
  threshold: number;
  windowSeconds: number | null;
  value: number | null;
  questions: number | null;
  windowFromMs: number;
  windowToMs: number;
  startedAtMs: number;
  summary: string;
}

export async function openEvent(db: Queryable, e: NewEvent): Promise<EventDbRow> {
  const { rows } = await db.query<EventDbRow>(
    `INSERT INTO alert_events (rule_id, rule_name, description, severity, metric, comparison, threshold, window_seconds, state, value, questions,
       last_value, window_from, window_to, last_window_to, started_at, summary)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'firing', $9, $10, $9, $11, $12, $12, $13, $14) RETURNING ${EVENT_COLUMNS}`,
    [e.ruleId, e.ruleName, e.description, e.severity, e.metric, e.comparison, e.threshold, e.windowSeconds, e.value, e.questions,
      new Date(e.windowFromMs), new Date(e.windowToMs), new Date(e.startedAtMs), e.summary],
  );
  return rows[0]!;
}

/** A firing episode goes on: its latest value and the end of its latest breaching window. */
export async function updateEvent(db: Queryable, id: string, value: number | null, windowToMs: number): Promise<EventDbRow | null> {
  const { rows } = await db.query<EventDbRow>(
    `UPDATE alert_events SET last_value = coalesce($2, last_value), last_window_to = greatest(last_window_to, $3) WHERE id = $1 RETURNING ${EVENT_COLUMNS}`,
    [id, value, new Date(windowToMs)],
  );
  return rows[0] ?? null;
}

export async function closeEvent(db: Queryable, id: string, value: number | null, resolvedAtMs: number): Promise<EventDbRow | null> {
  const { rows } = await db.query<EventDbRow>(
    `UPDATE alert_events SET state = 'resolved', resolved_at = $3, last_value = $2 WHERE id = $1 AND state = 'firing' RETURNING ${EVENT_COLUMNS}`,
    [id, value, new Date(resolvedAtMs)],
  );
  return rows[0] ?? null;
}

/** Queues a notification (the outbox): called in the transaction that changed the state. */
export async function queueNotification(
  db: Queryable,
  n: { eventId: string; ruleId: string; channel: ChannelName; kind: NotificationKind; payload: unknown; nowMs: number },
): Promise<void> {
  await db.query(
    `INSERT INTO alert_notifications (event_id, rule_id, channel, kind, payload, next_attempt_at, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $6, $6)`,
    [n.eventId, n.ruleId, n.channel, n.kind, JSON.stringify(n.payload), new Date(n.nowMs)],
  );
}

const COUNT_LIMIT = 10_000;
const DEFAULT_PAGE = 25;
const MAX_PAGE = 100;

function cursorOf(e: EventDbRow): string {
  return Buffer.from(JSON.stringify([e.started_at.getTime(), e.id])).toString("base64url");
}

function decodeCursor(after: string | null | undefined): [number, string] | null {
  if (after === undefined || after === null || after === "") return null;
  try {
    const v = JSON.parse(Buffer.from(after, "base64url").toString("utf8")) as unknown;
    if (Array.isArray(v) && v.length === 2 && Number.isFinite(v[0]) && typeof v[1] === "string" && /^\d{1,19}$/.test(v[1])) return [v[0] as number, v[1]];
  } catch {
    // fall through
  }
  throw new ReadError("BAD_CURSOR", "the cursor is not one this API returned");
}

/**
 * Episodes that overlap [from, to) (fired before `to`, and still firing or
 * resolved after `from`), newest first, optionally only firing or resolved
 * ones; keyset pages of (started_at, id), with each episode's notifications.
 */
export async function readAlertEvents(
  db: Queryable,
  range: TimeRange,
  state: AlertStateName | null,
  page: PageArgs = {},
): Promise<Page<AlertEvent>> {
  const { fromMs, toMs } = checkRange(range);
  const first = page.first ?? DEFAULT_PAGE;
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE) throw new ReadError("PAGE_TOO_LARGE", `first must be between 1 and ${MAX_PAGE}`);
  const after = decodeCursor(page.after);
  // state 'ok' is no episode at all: nothing matches.
  const stateFilter = state === null ? null : state;
  const where = `started_at < $1 AND (resolved_at IS NULL OR resolved_at >= $2) AND ($3::text IS NULL OR state = $3)`;
  const values: unknown[] = [new Date(toMs), new Date(fromMs), stateFilter];
  const [rows, counted] = await Promise.all([
    db.query<EventDbRow>(
      `SELECT ${EVENT_COLUMNS} FROM alert_events WHERE ${where}
         AND ($4::timestamptz IS NULL OR (started_at, id) < ($4, $5::bigint))
       ORDER BY started_at DESC, id DESC LIMIT $6`,
      [...values, after ? new Date(after[0]) : null, after ? after[1] : null, first + 1],
    ),
    db.query<{ n: string }>(`SELECT count(*) AS n FROM (SELECT 1 FROM alert_events WHERE ${where} LIMIT ${COUNT_LIMIT + 1}) c`, values),
  ]);
  const found = rows.rows.slice(0, first);
  const notifications = await readNotifications(db, found.map((r) => r.id));
  const total = Number(counted.rows[0]?.n ?? 0);
  return {
    nodes: found.map((r) => ({ cursor: cursorOf(r), node: toEvent(r, notifications.get(r.id) ?? []) })),
    totalCount: Math.min(total, COUNT_LIMIT),
    totalCountIsExact: total <= COUNT_LIMIT,
    endCursor: found.length > 0 ? cursorOf(found[found.length - 1]!) : null,
    hasNextPage: rows.rows.length > first,
  };
}

/** Every episode firing now, newest first (the dashboard's banner). */
export async function readFiringAlerts(db: Queryable): Promise<AlertEvent[]> {
  const { rows } = await db.query<EventDbRow>(`SELECT ${EVENT_COLUMNS} FROM alert_events WHERE state = 'firing' ORDER BY started_at DESC, id DESC LIMIT 500`);
  const notifications = await readNotifications(db, rows.map((r) => r.id));
  return rows.map((r) => toEvent(r, notifications.get(r.id) ?? []));
}

/** Episodes by id (the rules' current episodes), with their notifications. */
export async function readAlertEventsByIds(db: Queryable, ids: readonly string[]): Promise<Map<string, AlertEvent>> {
  if (ids.length === 0) return new Map();
  const { rows } = await db.query<EventDbRow>(`SELECT ${EVENT_COLUMNS} FROM alert_events WHERE id = ANY($1::bigint[])`, [ids]);
  const notifications = await readNotifications(db, rows.map((r) => r.id));
  return new Map(rows.map((r) => [r.id, toEvent(r, notifications.get(r.id) ?? [])]));
}

/** The notifications of some episodes, oldest first, in one query. */
export async function readNotifications(db: Queryable, eventIds: readonly string[]): Promise<Map<string, AlertNotification[]>> {
  const out = new Map<string, AlertNotification[]>();
  if (eventIds.length === 0) return out;
  const { rows } = await db.query<NotificationDbRow>(
    `SELECT id, event_id, channel, kind, status, attempts, last_error, created_at, next_attempt_at, delivered_at
     FROM alert_notifications WHERE event_id = ANY($1::bigint[]) ORDER BY event_id, id`,
    [eventIds],
  );
  for (const r of rows) out.set(r.event_id, [...(out.get(r.event_id) ?? []), toNotification(r)]);
  return out;
}
