import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deliverPending, evaluateRules, loadRules, readAlertEvents, type Channel } from "@log-insights/alerts";
import { createLogger } from "@log-insights/config";
import { createTestDatabase, type TestDatabase } from "@log-insights/store/testing";
import { insertQuestions, spread, startReceiver, type Receiver } from "../../alerts/test/support";
import type { ApiHandler } from "../src/handler";
import { testApi } from "./support/access";
import { codes, data, iso } from "./support/api";

// The alert fields (alertRules, alerts, firingAlerts) over a real database
// whose alerts were written by the evaluator (packages/alerts), compared with
// the rules file and the store's own reads; the API itself never evaluates.

const MIN = 60_000;
const HOUR = 60 * MIN;
const NOW = Date.parse("2026-03-10T12:00:00Z");
const silent = createLogger("alerts:test", "silent");

const RULES = `rules:
  - id: failing
    name: Questions are failing
    description: Check the error groups.
    metric: failed_share
    window: 1h
    threshold: 0.05
    minQuestions: 10
    severity: critical
  - id: slow
    name: Answers are slow
    metric: p95_answer_ms
    window: 1h
    threshold: 60000
    repeat: 2h
  - id: lag
    name: Logs are not arriving
    metric: ingest_lag_seconds
    threshold: 1800
`;

const ALERT = `id ruleId ruleName description severity metric comparison threshold state value lastValue questions windowSeconds windowFrom windowTo
  startedAt resolvedAt summary drillDown { view from to outcomes problemKinds path }
  notifications { id channel kind status attempts lastError createdAt nextAttemptAt deliveredAt }`;

describe("alert fields", () => {
  let db: TestDatabase;
  let dir: string;
  let file: string;
  let api: ApiHandler;
  let failing: Receiver;

  beforeAll(async () => {
    db = await createTestDatabase();
    dir = await mkdtemp(path.join(tmpdir(), "li-api-alerts-"));
    file = path.join(dir, "rules.yaml");
    await writeFile(file, RULES);
    failing = await startReceiver(() => 500);
    api = testApi({ pool: db.pool, cache: { ttlSeconds: 300 }, alertRulesFile: file, listen: false });
    await api.started;
  });
  afterAll(async () => {
    await api?.close();
    await failing?.close();
    await db?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it("alertRules lists the file's rules; OK before the worker evaluated them", async () => {
    // Uncached, so the later tests do not see these results from the cache.
    const uncached = testApi({ pool: db.pool, cache: false, alertRulesFile: file, listen: false });
    const d = await data(uncached, `{ alertRules { id name description metric window windowSeconds threshold comparison minQuestions severity repeatSeconds
      state since lastValue lastDetail lastEvaluatedAt currentAlert { id } } }`);
    expect(d.alertRules).toEqual([
      { id: "failing", name: "Questions are failing", description: "Check the error groups.", metric: "FAILED_SHARE", window: "1h", windowSeconds: 3600,
        threshold: 0.05, comparison: "ABOVE", minQuestions: 10, severity: "CRITICAL", repeatSeconds: null, state: "OK", since: null, lastValue: null,
        lastDetail: null, lastEvaluatedAt: null, currentAlert: null },
      { id: "slow", name: "Answers are slow", description: null, metric: "P95_ANSWER_MS", window: "1h", windowSeconds: 3600, threshold: 60000,
        comparison: "ABOVE", minQuestions: 20, severity: "WARNING", repeatSeconds: 7200, state: "OK", since: null, lastValue: null, lastDetail: null,
        lastEvaluatedAt: null, currentAlert: null },
      { id: "lag", name: "Logs are not arriving", description: null, metric: "INGEST_LAG_SECONDS", window: null, windowSeconds: null, threshold: 1800,
        comparison: "ABOVE", minQuestions: null, severity: "WARNING", repeatSeconds: null, state: "OK", since: null, lastValue: null, lastDetail: null,
        lastEvaluatedAt: null, currentAlert: null },
    ]);
    expect(await data(uncached, "{ firingAlerts { id } }")).toEqual({ firingAlerts: [] });
    await uncached.close();
  });

  it("alertRules, alerts and firingAlerts show what the evaluator wrote, with the drill-down to the questions behind each alert", async () => {
    const { rules } = await loadRules(file);
    const channels: Channel[] = [{ name: "webhook", url: `${failing.url}/secret` }];
    // An episode that fired and resolved, then one still firing.
    await insertQuestions(db.pool, spread(20, NOW - 50 * MIN, NOW, { outcome: "failed" }));
    await evaluateRules(db.pool, rules, { nowMs: NOW, repeatMs: 4 * HOUR, channels: ["webhook"], logger: silent });
    await insertQuestions(db.pool, spread(400, NOW + 10 * MIN, NOW + 70 * MIN));
    await evaluateRules(db.pool, rules, { nowMs: NOW + 70 * MIN, repeatMs: 4 * HOUR, channels: ["webhook"], logger: silent });
    await insertQuestions(db.pool, spread(400, NOW + 120 * MIN, NOW + 130 * MIN, { outcome: "failed" }));
    await evaluateRules(db.pool, rules, { nowMs: NOW + 130 * MIN, repeatMs: 4 * HOUR, channels: ["webhook"], logger: silent });
    await deliverPending(db.pool, { channels, nowMs: NOW + 130 * MIN, repeatMs: 4 * HOUR, maxAttempts: 1, logger: silent });

    const vars = { from: iso(NOW - HOUR), to: iso(NOW + 3 * HOUR) };
    const d = await data(api, `query($from: DateTime!, $to: DateTime!) {
      all: alerts(from: $from, to: $to) { totalCount totalCountIsExact pageInfo { hasNextPage endCursor } edges { cursor node { ${ALERT} } } }
      firing: alerts(from: $from, to: $to, state: FIRING) { totalCount edges { node { id } } }
      resolved: alerts(from: $from, to: $to, state: RESOLVED) { totalCount edges { node { id } } }
      firingAlerts { id ruleId state }
      alertRules { id state since lastValue lastDetail lastEvaluatedAt currentAlert { id state } }
    }`, vars);
    const store = await readAlertEvents(db.pool, { fromMs: NOW - HOUR, toMs: NOW + 3 * HOUR }, null);
    expect(d.all.totalCount).toBe(2);
    expect(d.all.edges.map((e: { cursor: string }) => e.cursor)).toEqual(store.nodes.map((n) => n.cursor));
    const [latest, first] = d.all.edges.map((e: { node: unknown }) => e.node);
    expect(first).toMatchObject({
      ruleId: "failing", ruleName: "Questions are failing", severity: "CRITICAL", metric: "FAILED_SHARE", comparison: "ABOVE", threshold: 0.05,
      state: "RESOLVED", value: 1, questions: 20, windowSeconds: 3600, windowFrom: iso(NOW - HOUR), windowTo: iso(NOW), startedAt: iso(NOW),
      resolvedAt: iso(NOW + 70 * MIN), summary: "Questions are failing: 100.0% (threshold: above 5.0%) over the last 1 hour",
      drillDown: {
        view: "PROBLEMS", from: iso(NOW - HOUR), to: iso(NOW), outcomes: ["FAILED"], problemKinds: ["FAILED"],
        path: `/problems?from=${encodeURIComponent(iso(NOW - HOUR))}&to=${encodeURIComponent(iso(NOW))}&kind=failed`,
      },
    });
    // Delivery failed (maxAttempts 1): visible with the error, never the secret path.
    expect(first.notifications.map((n: { kind: string; status: string; attempts: number }) => [n.kind, n.status, n.attempts])).toEqual([
      ["FIRING", "FAILED", 1], ["RESOLVED", "FAILED", 1],
    ]);
    expect(first.notifications[0].lastError).toBe(`${failing.url}/…: HTTP 500 receiver says no (500)`);
    expect(latest).toMatchObject({ ruleId: "failing", state: "FIRING", startedAt: iso(NOW + 130 * MIN), resolvedAt: null });
    expect(d.firing.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual([latest.id]);
    expect(d.resolved.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual([first.id]);
    expect(d.firingAlerts).toEqual([{ id: latest.id, ruleId: "failing", state: "FIRING" }]);
    const failingRule = d.alertRules.find((r: { id: string }) => r.id === "failing");
    expect(failingRule).toMatchObject({ state: "FIRING", since: iso(NOW + 130 * MIN), lastEvaluatedAt: iso(NOW + 130 * MIN), currentAlert: { id: latest.id, state: "FIRING" } });
    expect(failingRule.lastValue).toBe(1);
    expect(failingRule.lastDetail).toBe("400 of 400 questions failed (100.0%)");
    expect(d.alertRules.find((r: { id: string }) => r.id === "lag")).toMatchObject({ state: "OK", lastValue: null, lastDetail: "no log entry is stored yet" });

    // Paging: one at a time, in the same order.
    const p1 = await data(api, `query($from: DateTime!, $to: DateTime!) { alerts(from: $from, to: $to, first: 1) { pageInfo { hasNextPage endCursor } edges { node { id } } } }`, vars);
    expect(p1.alerts.pageInfo.hasNextPage).toBe(true);
    const p2 = await data(api, `query($from: DateTime!, $to: DateTime!, $after: String) { alerts(from: $from, to: $to, first: 1, after: $after) { pageInfo { hasNextPage hasPreviousPage } edges { node { id } } } }`,
      { ...vars, after: p1.alerts.pageInfo.endCursor });
    expect([p1.alerts.edges[0].node.id, p2.alerts.edges[0].node.id]).toEqual([latest.id, first.id]);
    expect(p2.alerts.pageInfo).toEqual({ hasNextPage: false, hasPreviousPage: true });
  });

  it("refuses bad arguments with the usual codes", async () => {
    const q = (args: string) => `{ alerts(${args}) { totalCount } }`;
    expect(await codes(api, q(`from: "2026-03-10", to: "2026-03-09"`))).toEqual(["BAD_RANGE"]);
    expect(await codes(api, q(`from: "2026-03-10T00:00:00", to: "2026-03-11"`))).toEqual(["BAD_DATE"]);
    expect(await codes(api, q(`from: "2026-03-10", to: "2026-03-11", first: 101`))).toEqual(["PAGE_TOO_LARGE"]);
    expect(await codes(api, q(`from: "2026-03-10", to: "2026-03-11", after: "nope"`))).toEqual(["BAD_CURSOR"]);
    expect(await codes(api, q(`from: "2026-03-10", to: "2026-03-11", state: PAUSED`))).toEqual(["GRAPHQL_VALIDATION_FAILED"]);
  });

  it("a state change shows within 5 s even though the cache keeps other results for minutes", async () => {
    const before = await data(api, "{ firingAlerts { id } }");
    expect(before.firingAlerts).toHaveLength(1);
    await insertQuestions(db.pool, spread(400, NOW + 140 * MIN, NOW + 190 * MIN));
    const { rules } = await loadRules(file);
    await evaluateRules(db.pool, rules, { nowMs: NOW + 190 * MIN, repeatMs: 4 * HOUR, channels: [], logger: silent });
    await new Promise((r) => setTimeout(r, 5_100));
    expect((await data(api, "{ firingAlerts { id } }")).firingAlerts).toEqual([]);
  });

  it("an invalid rules file is ALERT_RULES_INVALID (details in the server's log, not the response)", async () => {
    const bad = path.join(dir, "bad.yaml");
    await writeFile(bad, "rules:\n  - { id: x, name: X, metric: failed_share, window: 1h, threshold: 3 }\n");
    const other = testApi({ pool: db.pool, cache: false, alertRulesFile: bad, listen: false, logger: silent });
    try {
      const res = await other.fetch(new Request("http://api.test/graphql", {
        method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: "{ alertRules { id } }" }),
      }));
      const body = (await res.json()) as { errors: { message: string; extensions: { code: string } }[] };
      expect(body.errors.map((e) => e.extensions.code)).toEqual(["ALERT_RULES_INVALID"]);
      expect(body.errors[0]!.message).not.toContain(dir);
    } finally {
      await other.close();
    }
  });
});
