import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "@log-insights/config";
import { readOverview } from "@log-insights/store";
import { createTestDatabase, type TestDatabase } from "@log-insights/store/testing";
import { deliverPending } from "../src/delivery";
import { evaluateRules } from "../src/evaluate";
import { computeReadings } from "../src/metrics";
import type { Channel } from "../src/notify/channels";
import { parseRules } from "../src/rules";
import { startAlertSchedule } from "../src/schedule";
import { readAlertEvents, readAlertStates, readFiringAlerts } from "../src/state-store";
import { insertFile, insertQuestions, spread, startReceiver, type Receiver } from "./support";

// The alerts on a real PostgreSQL: metrics over controlled question rows
// (exact values known in advance, read through the same readers as the
// dashboard), the state machine's transitions with an injected clock, and
// the three notification formats received by real HTTP servers on loopback,
// including receivers that fail.

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;
const NOW = Date.parse("2026-03-10T12:00:00Z");
const silent = createLogger("alerts:test", "silent");

describe("metrics", () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
    // Last 15 minutes: 40 questions, 4 failed, 10 hedged, 2 unfinished; answer times 1..38 s (one per answered/hedged/failed question).
    const recent = spread(40, NOW - 15 * MIN, NOW).map((q, i) => ({
      ...q,
      outcome: i < 4 ? ("failed" as const) : i < 14 ? ("hedged" as const) : i < 16 ? ("unfinished" as const) : ("answered" as const),
      latencyMs: i >= 14 && i < 16 ? null : (i + 1) * 1_000,
    }));
    // Earlier today (15 min to 1 h ago): 20 answered, so the 1 h window holds 60.
    const earlier = spread(20, NOW - HOUR, NOW - 15 * MIN);
    // Yesterday (read from the day and hour rollups by a 1-day window): 30 failed of 100.
    const yesterday = spread(100, NOW - DAY + 30 * MIN, NOW - 2 * HOUR).map((q, i) => ({ ...q, outcome: i < 30 ? ("failed" as const) : ("answered" as const) }));
    // A week earlier, same hour: 24 questions.
    const lastWeek = spread(24, NOW - WEEK - HOUR, NOW - WEEK);
    await insertQuestions(db.pool, [...recent, ...earlier, ...yesterday, ...lastWeek]);
    await insertFile(db.pool, { key: "a.json.gz", status: "done", lastEntryAtMs: NOW - 10 * MIN, updatedAtMs: NOW - 9 * MIN });
    await insertFile(db.pool, { key: "b.json.gz", status: "done", lastEntryAtMs: NOW - 40 * MIN, updatedAtMs: NOW - 39 * MIN });
    await insertFile(db.pool, { key: "bad1.json.gz", status: "failed", updatedAtMs: NOW - 20 * MIN, error: "unexpected end of file" });
    await insertFile(db.pool, { key: "bad2.json.gz", status: "failed", updatedAtMs: NOW - 50 * MIN, error: "not gzip" });
    await insertFile(db.pool, { key: "bad3.json.gz", status: "failed", updatedAtMs: NOW - 3 * HOUR, error: "not gzip" });
  });
  afterAll(async () => {
    await db?.drop();
  });

  it("computes every metric on known data, through the store's readers", async () => {
    const { rules } = parseRules(`rules:
  - { id: failed, name: Failed, metric: failed_share, window: 15m, threshold: 0.05 }
  - { id: hedged, name: Hedged, metric: hedged_share, window: 15m, threshold: 0.5 }
  - { id: unfinished, name: Unfinished, metric: unfinished_share, window: 15m, threshold: 0.01 }
  - { id: p95, name: Slow, metric: p95_answer_ms, window: 15m, threshold: 30000 }
  - { id: volume, name: Volume, metric: volume_ratio, window: 1h, comparison: above, threshold: 2 }
  - { id: failed-day, name: Failed today, metric: failed_share, window: 1d, threshold: 0.25 }
  - { id: lag, name: Lag, metric: ingest_lag_seconds, threshold: 900 }
  - { id: files, name: Files, metric: failed_files, window: 1h, threshold: 1, comparison: at_least }
  - { id: delayed, name: Delayed, metric: failed_share, window: 15m, delay: 5m, threshold: 0.05 }
`);
    const r = await computeReadings(db.pool, rules, NOW);
    expect(r.get("failed")).toMatchObject({ value: 4 / 40, questions: 40, verdict: "breach", windowFromMs: NOW - 15 * MIN, windowToMs: NOW });
    expect(r.get("failed")!.detail).toBe("4 of 40 questions failed (10.0%)");
    expect(r.get("hedged")).toMatchObject({ value: 10 / 40, verdict: "clear" });
    expect(r.get("unfinished")).toMatchObject({ value: 2 / 40, verdict: "breach" });
    // 38 answer times, 1..14 s and 17..40 s (the two unfinished have none): the exact p95 (nearest rank, the 37th) is 39 s; the 4% histogram is within 2%.
    const p95 = r.get("p95")!.value!;
    expect(Math.abs(p95 - 39_000) / 39_000).toBeLessThanOrEqual(0.02);
    expect(r.get("p95")!.verdict).toBe("breach");
    expect(p95).toBe((await readOverview(db.pool, { fromMs: NOW - 15 * MIN, toMs: NOW })).latencyMs.p95);
    expect(r.get("volume")).toMatchObject({ value: 60 / 24, questions: 60, baseline: 24, verdict: "breach" });
    // A whole day: hour rollups and question rows at the edges, the same as the dashboard's overview.
    const day = await readOverview(db.pool, { fromMs: NOW - DAY, toMs: NOW });
    expect(day.questions).toBe(160);
    expect(r.get("failed-day")).toMatchObject({ value: day.failed / day.questions, questions: 160, verdict: "clear" });
    expect(r.get("failed-day")!.value).toBeCloseTo(34 / 160, 10);
    expect(r.get("lag")).toMatchObject({ value: 600, verdict: "clear", questions: null });
    expect(r.get("files")).toMatchObject({ value: 2, verdict: "breach" });
    expect(r.get("files")!.detail).toBe("2 files failed to ingest in the last 1 hour (3 failed in all)");
    // delay: the window ends 5 minutes before now.
    expect(r.get("delayed")).toMatchObject({ windowFromMs: NOW - 20 * MIN, windowToMs: NOW - 5 * MIN });
  });

  it("does not judge on too few questions (the minimum-questions gate), and says why", async () => {
    const { rules } = parseRules(`rules:
  - { id: few, name: Few, metric: failed_share, window: 15m, threshold: 0.05, minQuestions: 41 }
  - { id: enough, name: Enough, metric: failed_share, window: 15m, threshold: 0.05, minQuestions: 40 }
  - { id: volume-drop, name: Drop, metric: volume_ratio, window: 1h, threshold: 0.5, minQuestions: 61 }
`);
    const r = await computeReadings(db.pool, rules, NOW);
    expect(r.get("few")).toMatchObject({ value: 0.1, verdict: "unknown" });
    expect(r.get("few")!.detail).toMatch(/fewer than 41 questions, too few to judge/);
    expect(r.get("enough")).toMatchObject({ verdict: "breach" });
    expect(r.get("volume-drop")).toMatchObject({ verdict: "unknown" });
    const result = await evaluateRules(db.pool, rules, { nowMs: NOW, repeatMs: HOUR, channels: [], logger: silent });
    expect(result.outcomes.map((o) => [o.ruleId, o.to])).toEqual([["few", "ok"], ["enough", "firing"], ["volume-drop", "ok"]]);
    // With no channel configured, the history is still written; nothing is queued.
    expect(result.queued).toBe(0);
    expect((await readFiringAlerts(db.pool)).map((a) => a.ruleId)).toEqual(["enough"]);
  });

  it("an empty window is no data, not zero", async () => {
    const { rules } = parseRules(`rules:
  - { id: empty, name: Empty, metric: failed_share, window: 15m, threshold: 0.05, minQuestions: 0 }
  - { id: nolat, name: No latency, metric: p95_answer_ms, window: 15m, threshold: 1, minQuestions: 0 }
`);
    const r = await computeReadings(db.pool, rules, NOW + 2 * DAY);
    expect(r.get("empty")).toMatchObject({ value: null, questions: 0, verdict: "unknown" });
    expect(r.get("nolat")).toMatchObject({ value: null, verdict: "unknown" });
  });
});

describe("states, history and notifications", () => {
  let db: TestDatabase;
  let webhook: Receiver;
  let slack: Receiver;
  let alertmanager: Receiver;
  let channels: Channel[];
  const { rules } = parseRules(`rules:
  - id: failing
    name: Questions are failing
    description: Check the error groups.
    metric: failed_share
    window: 1d
    threshold: 0.05
    minQuestions: 10
    severity: critical
    repeat: 30m
`);
  const dashboardUrl = "https://insights.example.com";
  const evaluate = (nowMs: number) => evaluateRules(db.pool, rules, { nowMs, repeatMs: 4 * HOUR, channels: channels.map((c) => c.name), logger: silent });
  const deliver = (nowMs: number) => deliverPending(db.pool, { channels, nowMs, dashboardUrl, repeatMs: 30 * MIN, logger: silent });

  beforeAll(async () => {
    db = await createTestDatabase();
    [webhook, slack, alertmanager] = await Promise.all([startReceiver(), startReceiver(), startReceiver()]);
    channels = [
      { name: "webhook", url: `${webhook.url}/hooks/secret-token` },
      { name: "slack", url: `${slack.url}/services/T000/B000/secret` },
      { name: "alertmanager", url: alertmanager.url },
    ];
    // 4 failed of 40 in the last day: 10%, over 5%.
    await insertQuestions(db.pool, spread(40, NOW - 20 * HOUR, NOW - HOUR).map((q, i) => ({ ...q, outcome: i < 4 ? "failed" : "answered" })));
  });
  afterAll(async () => {
    await Promise.all([webhook, slack, alertmanager].map((r) => r?.close()));
    await db?.drop();
  });

  it("ok → firing → (repeat) → resolved → ok, one notification per transition and channel, delivered to real receivers", async () => {
    // Firing.
    const fired = await evaluate(NOW);
    expect(fired.outcomes).toEqual([expect.objectContaining({ ruleId: "failing", from: "ok", to: "firing", notify: "firing" })]);
    expect(fired.queued).toBe(3);
    expect(await deliver(NOW)).toEqual({ delivered: 3, retrying: 0, failed: 0 });
    expect([webhook.received.length, slack.received.length, alertmanager.received.length]).toEqual([1, 1, 1]);

    // Still firing, within the repeat interval: nothing new, however often it is evaluated.
    for (const t of [NOW + MIN, NOW + 10 * MIN, NOW + 29 * MIN]) {
      expect((await evaluate(t)).queued).toBe(0);
      expect(await deliver(t)).toEqual({ delivered: 0, retrying: 0, failed: 0 });
    }
    // The rule's repeat interval (30m) has passed: once more.
    expect((await evaluate(NOW + 30 * MIN)).outcomes[0]).toMatchObject({ to: "firing", notify: "repeat" });
    await deliver(NOW + 30 * MIN);
    expect((await evaluate(NOW + 31 * MIN)).queued).toBe(0);
    expect([webhook.received.length, slack.received.length, alertmanager.received.length]).toEqual([2, 2, 2]);

    // 100 good answers arrive: 4 of 140 is 2.9%, resolved.
    await insertQuestions(db.pool, spread(100, NOW - 50 * MIN, NOW));
    const resolved = await evaluate(NOW + 32 * MIN);
    expect(resolved.outcomes[0]).toMatchObject({ from: "firing", to: "resolved", notify: "resolved" });
    await deliver(NOW + 32 * MIN);
    expect([webhook.received.length, slack.received.length, alertmanager.received.length]).toEqual([3, 3, 3]);
    expect((await evaluate(NOW + 33 * MIN)).outcomes[0]).toMatchObject({ to: "resolved", notify: null });
    // OK again once clear for one more window (1d) after resolving.
    expect((await evaluate(NOW + 32 * MIN + DAY)).outcomes[0]).toMatchObject({ from: "resolved", to: "ok", notify: null });

    // The bodies, as each receiver got them.
    const [w1, w2, w3] = webhook.received.map((r) => r.body as { kind: string; alert: Record<string, unknown> });
    expect(webhook.received[0]!.path).toBe("/hooks/secret-token");
    expect(webhook.received[0]!.headers["content-type"]).toBe("application/json");
    expect([w1!.kind, w2!.kind, w3!.kind]).toEqual(["firing", "repeat", "resolved"]);
    expect(w1!.alert).toMatchObject({
      ruleId: "failing", ruleName: "Questions are failing", severity: "critical", metric: "failed_share", state: "firing", value: 0.1,
      valueText: "10.0%", questions: 40, threshold: 0.05, window: "1d", startedAt: new Date(NOW).toISOString(), resolvedAt: null,
      windowFrom: new Date(NOW - DAY).toISOString(), windowTo: new Date(NOW).toISOString(),
      summary: "Questions are failing: 10.0% (threshold: above 5.0%) over the last 1 day",
    });
    expect(w1!.alert.url).toBe(`${dashboardUrl}/problems?from=${encodeURIComponent(new Date(NOW - DAY).toISOString())}&to=${encodeURIComponent(new Date(NOW).toISOString())}&kind=failed`);
    expect(w3!.alert).toMatchObject({ state: "resolved", resolvedAt: new Date(NOW + 32 * MIN).toISOString(), value: 4 / 140 });

    for (const r of slack.received) {
      expect(r.path).toBe("/services/T000/B000/secret");
      expect(r.body).toEqual({ text: expect.any(String), blocks: expect.any(Array) });
    }
    expect((slack.received[0]!.body as { text: string }).text).toMatch(/^:rotating_light: Firing \[CRITICAL\] Questions are failing: 10\.0%/);
    expect((slack.received[2]!.body as { text: string }).text).toMatch(/^:white_check_mark: Resolved/);

    for (const r of alertmanager.received) {
      expect(r.path).toBe("/api/v2/alerts");
      const body = r.body as Record<string, unknown>[];
      expect(body).toHaveLength(1);
      expect(Object.keys(body[0]!).sort()).toEqual(["annotations", "endsAt", "generatorURL", "labels", "startsAt"]);
      expect(body[0]!.labels).toEqual({ alertname: "failing", severity: "critical", metric: "failed_share", service: "log-insights" });
      expect(body[0]!.startsAt).toBe(new Date(NOW).toISOString());
      expect(body[0]!.generatorURL).toMatch(/^https:\/\/insights\.example\.com\/problems\?from=/);
    }
    const [a1, , a3] = alertmanager.received.map((r) => (r.body as { endsAt: string; annotations: Record<string, string> }[])[0]!);
    expect(Date.parse(a1!.endsAt)).toBeGreaterThan(NOW + 30 * MIN);
    expect(a3!.endsAt).toBe(new Date(NOW + 32 * MIN).toISOString());
    expect(a1!.annotations).toMatchObject({ value: "10.0%", threshold: "0.05", description: "Check the error groups." });

    // The history: one episode, its 9 notifications delivered, and the state row.
    const page = await readAlertEvents(db.pool, { fromMs: NOW - DAY, toMs: NOW + 2 * DAY }, null);
    expect(page.totalCount).toBe(1);
    const event = page.nodes[0]!.node;
    expect(event).toMatchObject({
      ruleId: "failing", state: "resolved", value: 0.1, lastValue: 4 / 140, questions: 40, startedAtMs: NOW, resolvedAtMs: NOW + 32 * MIN,
      windowFromMs: NOW - DAY, windowToMs: NOW, lastWindowToMs: NOW + 31 * MIN,
      drillDown: { view: "problems", fromMs: NOW - DAY, toMs: NOW + 31 * MIN, outcomes: ["failed"], problemKinds: ["failed"] },
    });
    expect(event.notifications.map((n) => `${n.kind}:${n.channel}:${n.status}:${n.attempts}`)).toEqual([
      "firing:webhook:delivered:1", "firing:slack:delivered:1", "firing:alertmanager:delivered:1",
      "repeat:webhook:delivered:1", "repeat:slack:delivered:1", "repeat:alertmanager:delivered:1",
      "resolved:webhook:delivered:1", "resolved:slack:delivered:1", "resolved:alertmanager:delivered:1",
    ]);
    expect((await readAlertStates(db.pool)).get("failing")).toMatchObject({ state: "ok", eventId: event.id });
    expect(await readFiringAlerts(db.pool)).toEqual([]);
    // The range and state filters.
    expect((await readAlertEvents(db.pool, { fromMs: NOW - DAY, toMs: NOW + 2 * DAY }, "firing")).totalCount).toBe(0);
    expect((await readAlertEvents(db.pool, { fromMs: NOW + HOUR, toMs: NOW + 2 * HOUR }, null)).totalCount).toBe(0);
    expect((await readAlertEvents(db.pool, { fromMs: NOW - 2 * DAY, toMs: NOW }, null)).totalCount).toBe(0);
    expect((await readAlertEvents(db.pool, { fromMs: NOW + 31 * MIN, toMs: NOW + 40 * MIN }, "resolved")).totalCount).toBe(1);
  });

  it("a second episode is a new alert; a rule removed from the file while firing resolves", async () => {
    await insertQuestions(db.pool, spread(20, NOW + 2 * DAY - HOUR, NOW + 2 * DAY, { outcome: "failed" }));
    const t = NOW + 2 * DAY;
    expect((await evaluate(t)).outcomes[0]).toMatchObject({ from: "ok", to: "firing", notify: "firing" });
    const removed = await evaluateRules(db.pool, [], { nowMs: t + MIN, repeatMs: 4 * HOUR, channels: ["webhook"], logger: silent });
    expect(removed.outcomes).toEqual([expect.objectContaining({ ruleId: "failing", from: "firing", to: "resolved", notify: "resolved" })]);
    const page = await readAlertEvents(db.pool, { fromMs: NOW - DAY, toMs: NOW + 3 * DAY }, null, { first: 1 });
    expect(page.totalCount).toBe(2);
    expect(page.hasNextPage).toBe(true);
    expect(page.nodes[0]!.node).toMatchObject({ state: "resolved", startedAtMs: t, resolvedAtMs: t + MIN });
    const next = await readAlertEvents(db.pool, { fromMs: NOW - DAY, toMs: NOW + 3 * DAY }, null, { first: 1, after: page.endCursor });
    expect(next.nodes.map((n) => n.node.startedAtMs)).toEqual([NOW]);
    expect(next.hasNextPage).toBe(false);
    await expect(readAlertEvents(db.pool, { fromMs: NOW, toMs: NOW + 1 }, null, { after: "garbage" })).rejects.toMatchObject({ code: "BAD_CURSOR" });
    await deliver(t + MIN);
  });

  it("two evaluators at once: one evaluates, the other skips (the lock, or the minimum interval)", async () => {
    const t = NOW + 3 * DAY;
    await insertQuestions(db.pool, spread(20, t - HOUR, t, { outcome: "failed" }));
    const both = () => evaluateRules(db.pool, rules, { nowMs: t, repeatMs: 4 * HOUR, channels: channels.map((c) => c.name), minIntervalMs: 30_000, logger: silent });
    const [a, b] = await Promise.all([both(), both()]);
    expect([a.skipped, b.skipped].sort()).toEqual([false, true]);
    expect(a.queued + b.queued).toBe(3);
    // A schedule that ticks again within half an interval skips too.
    expect((await evaluateRules(db.pool, rules, { nowMs: t + 10_000, repeatMs: HOUR, channels: [], minIntervalMs: 30_000, logger: silent })).skipped).toBe(true);
    await deliver(t);
  });
});

describe("delivery to failing receivers", () => {
  let db: TestDatabase;
  const receivers: Receiver[] = [];
  const { rules } = parseRules(`rules:
  - { id: failing, name: Failing, metric: failed_share, window: 1h, threshold: 0.05, minQuestions: 5 }
`);

  beforeAll(async () => {
    db = await createTestDatabase();
    await insertQuestions(db.pool, spread(10, NOW - 30 * MIN, NOW, { outcome: "failed" }));
  });
  afterAll(async () => {
    await Promise.all(receivers.map((r) => r.close()));
    await db?.drop();
  });

  const receiver = async (respond: (n: number) => number | "hang") => {
    const r = await startReceiver(respond);
    receivers.push(r);
    return r;
  };
  const notificationRows = async () =>
    (await db.pool.query<{ channel: string; kind: string; status: string; attempts: number; last_error: string | null; next_attempt_at: Date }>(
      "SELECT channel, kind, status, attempts, last_error, next_attempt_at FROM alert_notifications ORDER BY id")).rows;

  it("retries a receiver that answers 500 with backoff and delivers once; gives up on one that always fails, recording why", async () => {
    const flaky = await receiver((n) => (n <= 2 ? 500 : 200));
    const broken = await receiver(() => 503);
    const channels: Channel[] = [
      { name: "webhook", url: `${flaky.url}/hook/secret-a` },
      { name: "slack", url: `${broken.url}/services/secret-b` },
    ];
    await evaluateRules(db.pool, rules, { nowMs: NOW, repeatMs: HOUR, channels: ["webhook", "slack"], logger: silent });
    const deliver = (nowMs: number) => deliverPending(db.pool, { channels, nowMs, repeatMs: HOUR, maxAttempts: 3, logger: silent });

    expect(await deliver(NOW)).toEqual({ delivered: 0, retrying: 2, failed: 0 });
    let rows = await notificationRows();
    expect(rows.map((r) => [r.status, r.attempts, r.next_attempt_at.getTime()])).toEqual([["pending", 1, NOW + 30_000], ["pending", 1, NOW + 30_000]]);
    expect(rows[0]!.last_error).toBe(`${flaky.url}/…: HTTP 500 receiver says no (500)`);
    // Not due yet: nothing is sent.
    expect(await deliver(NOW + 10_000)).toEqual({ delivered: 0, retrying: 0, failed: 0 });
    expect([flaky.requests, broken.requests]).toEqual([1, 1]);
    // Second attempt after 30 s, third after 60 s more.
    expect(await deliver(NOW + 30_000)).toEqual({ delivered: 0, retrying: 2, failed: 0 });
    expect(await deliver(NOW + 90_000)).toEqual({ delivered: 1, retrying: 0, failed: 1 });
    expect(await deliver(NOW + 3_600_000)).toEqual({ delivered: 0, retrying: 0, failed: 0 });
    expect([flaky.requests, broken.requests]).toEqual([3, 3]);
    expect(flaky.received).toHaveLength(1);
    rows = await notificationRows();
    expect(rows.map((r) => [r.channel, r.status, r.attempts])).toEqual([["webhook", "delivered", 3], ["slack", "failed", 3]]);
    expect(rows[1]!.last_error).toBe(`${broken.url}/…: HTTP 503 receiver says no (503)`);
    // Never the secret part of a URL.
    for (const r of rows) expect(r.last_error ?? "").not.toMatch(/secret/);
    // Visible with the alert.
    const [alert] = (await readAlertEvents(db.pool, { fromMs: NOW - HOUR, toMs: NOW + HOUR }, "firing")).nodes.map((n) => n.node);
    expect(alert!.notifications.map((n) => [n.channel, n.status, n.attempts, n.lastError])).toEqual([
      ["webhook", "delivered", 3, `${flaky.url}/…: HTTP 500 receiver says no (500)`],
      ["slack", "failed", 3, `${broken.url}/…: HTTP 503 receiver says no (503)`],
    ]);
  });

  it("fails at once on a 4xx, retries timeouts and refused connections, and keeps each rule's order on a channel", async () => {
    await db.pool.query("DELETE FROM alert_notifications");
    const gone = await receiver(() => 404);
    const slow = await receiver((n) => (n === 1 ? "hang" : 200));
    const closed = await receiver(() => 200);
    const closedUrl = closed.url;
    await closed.close();
    const channels: Channel[] = [
      { name: "webhook", url: gone.url },
      { name: "slack", url: slow.url },
      { name: "alertmanager", url: closedUrl },
    ];
    const t = NOW + 2 * HOUR;
    // Resolve (20 good answers in the last hour), then fire again: two notifications per channel, in order.
    await insertQuestions(db.pool, spread(20, t - 50 * MIN, t - MIN));
    await evaluateRules(db.pool, rules, { nowMs: t, repeatMs: HOUR, channels: ["webhook", "slack", "alertmanager"], logger: silent });
    await insertQuestions(db.pool, spread(10, t, t + 10 * MIN, { outcome: "failed" }));
    await evaluateRules(db.pool, rules, { nowMs: t + 10 * MIN, repeatMs: HOUR, channels: ["webhook", "slack", "alertmanager"], logger: silent });
    const started = Date.now();
    const result = await deliverPending(db.pool, { channels, nowMs: t + 10 * MIN, repeatMs: HOUR, timeoutMs: 300, logger: silent });
    expect(Date.now() - started).toBeLessThan(5_000);
    // webhook: both 404 → failed at once (the second is not held back by a failed one); slack and alertmanager: the
    // resolved one is retried and the firing one after it waits its turn.
    expect(result).toEqual({ delivered: 0, retrying: 2, failed: 2 });
    const rows = await notificationRows();
    expect(rows.map((r) => `${r.kind}:${r.channel}:${r.status}:${r.attempts}`)).toEqual([
      "resolved:webhook:failed:1", "resolved:slack:pending:1", "resolved:alertmanager:pending:1",
      "firing:webhook:failed:1", "firing:slack:pending:0", "firing:alertmanager:pending:0",
    ]);
    expect(rows[0]!.last_error).toMatch(/HTTP 404/);
    expect(rows[1]!.last_error).toMatch(/no answer within 300 ms/);
    expect(rows[2]!.last_error).toMatch(/ECONNREFUSED/);
    // The slow receiver answers now: resolved then firing, in that order.
    await deliverPending(db.pool, { channels, nowMs: t + 11 * MIN, repeatMs: HOUR, timeoutMs: 2_000, logger: silent });
    expect(slow.received.map((r) => (r.body as { blocks: unknown; text: string }).text.split(" ")[1])).toEqual(["Resolved", "Firing"]);
  });
});

describe("startAlertSchedule", () => {
  let db: TestDatabase;
  let dir: string;
  let hook: Receiver;
  beforeAll(async () => {
    db = await createTestDatabase();
    dir = await mkdtemp(path.join(tmpdir(), "li-alerts-"));
    hook = await startReceiver();
    await insertQuestions(db.pool, spread(30, NOW - 10 * MIN, NOW, { outcome: "failed" }));
  });
  afterAll(async () => {
    await hook?.close();
    await db?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it("loads the rules file, evaluates and delivers on its schedule, and stops on the signal", async () => {
    const file = path.join(dir, "rules.yaml");
    await writeFile(file, "rules:\n  - { id: failing, name: Failing, metric: failed_share, window: 15m, threshold: 0.05 }\n");
    const controller = new AbortController();
    let clock = NOW;
    const schedule = await startAlertSchedule(db.pool, {
      signal: controller.signal,
      env: { ALERT_RULES_FILE: file, ALERT_WEBHOOK_URL: hook.url, ALERT_EVAL_SECONDS: "60" },
      now: () => clock,
      logger: silent,
    });
    expect(schedule.rulesFile).toBe(file);
    // The first pass runs at start; wait for its delivery.
    for (let i = 0; i < 100 && hook.received.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(hook.received).toHaveLength(1);
    expect((await readAlertStates(db.pool)).get("failing")?.state).toBe("firing");
    clock += 20 * MIN;
    expect((await schedule.runOnce()).evaluation?.outcomes[0]).toMatchObject({ to: "firing" });
    controller.abort();
    await schedule.done;
    // An invalid rules file stops the start, naming the rule and field.
    await writeFile(file, "rules:\n  - { id: failing, name: Failing, metric: failed_share, window: 15m, threshold: 5 }\n");
    await expect(startAlertSchedule(db.pool, { env: { ALERT_RULES_FILE: file }, logger: silent })).rejects.toThrow(/rule "failing" \(rules\[0\]\) threshold/);
  });
});
