import { describe, expect, it } from "vitest";
import { backoffDelay } from "../src/delivery";
import { decide, type RuleMemory } from "../src/evaluator";
import { questionReading } from "../src/metrics";
import { alertmanagerBody, alertmanagerEndpoint, channelsFrom, describeUrl, slackBody, webhookBody } from "../src/notify/channels";
import { drillDown, type AlertMessage } from "../src/notify/message";
import { parseRules } from "../src/rules";

const MIN = 60_000;
const opts = (nowMs: number) => ({ nowMs, repeatMs: 60 * MIN, holdMs: 15 * MIN });

describe("the state machine", () => {
  it("ok → firing notifies once; firing repeats only after the interval; clear resolves and notifies", () => {
    let m: RuleMemory | null = null;
    const step = (verdict: "breach" | "clear" | "unknown", nowMs: number) => {
      const t = decide(m, verdict, opts(nowMs));
      m = { state: t.state, sinceMs: t.sinceMs, lastNotifiedAtMs: t.notify ? nowMs : (m?.lastNotifiedAtMs ?? null) };
      return t;
    };
    expect(step("clear", 0)).toEqual({ state: "ok", sinceMs: 0, notify: null, episode: null });
    expect(step("breach", 1 * MIN)).toEqual({ state: "firing", sinceMs: MIN, notify: "firing", episode: "open" });
    expect(step("breach", 2 * MIN)).toEqual({ state: "firing", sinceMs: MIN, notify: null, episode: "update" });
    expect(step("breach", 60 * MIN)).toMatchObject({ notify: null });
    expect(step("breach", 61 * MIN)).toEqual({ state: "firing", sinceMs: MIN, notify: "repeat", episode: "update" });
    expect(step("breach", 62 * MIN)).toMatchObject({ notify: null });
    expect(step("breach", 121 * MIN)).toMatchObject({ notify: "repeat" });
    expect(step("clear", 122 * MIN)).toEqual({ state: "resolved", sinceMs: 122 * MIN, notify: "resolved", episode: "close" });
    expect(step("clear", 123 * MIN)).toEqual({ state: "resolved", sinceMs: 122 * MIN, notify: null, episode: null });
    // resolved → ok once clear for a whole window after resolving
    expect(step("clear", 137 * MIN)).toEqual({ state: "ok", sinceMs: 137 * MIN, notify: null, episode: null });
  });

  it("unknown (too few questions, no data) changes nothing and notifies nothing", () => {
    const firing: RuleMemory = { state: "firing", sinceMs: 0, lastNotifiedAtMs: 0 };
    expect(decide(firing, "unknown", opts(500 * MIN))).toEqual({ state: "firing", sinceMs: 0, notify: null, episode: null });
    expect(decide({ state: "ok", sinceMs: 0, lastNotifiedAtMs: null }, "unknown", opts(MIN))).toMatchObject({ state: "ok", notify: null });
    expect(decide(null, "unknown", opts(MIN))).toMatchObject({ state: "ok", notify: null });
  });

  it("a breach while resolved starts a new episode", () => {
    expect(decide({ state: "resolved", sinceMs: 0, lastNotifiedAtMs: 0 }, "breach", opts(MIN))).toEqual({ state: "firing", sinceMs: MIN, notify: "firing", episode: "open" });
  });
});

describe("metrics from totals", () => {
  const rules = parseRules(`rules:
  - { id: failed, name: Failed, metric: failed_share, window: 15m, threshold: 0.1, minQuestions: 10 }
  - { id: drop, name: Drop, metric: volume_ratio, window: 1h, threshold: 0.5, minQuestions: 10 }
  - { id: surge, name: Surge, metric: volume_ratio, window: 1h, comparison: above, threshold: 2, minQuestions: 10 }
`).rules;
  const totals = (questions: number, failed: number) => ({
    questions, answered: questions - failed, hedged: 0, failed, unfinished: 0, partial: 0, noDocuments: 0, slow: 0, reasked: 0,
    cacheHits: 0, cacheKnown: 0, conversations: 0, latencyN: 0, latencySum: 0, bins: new Map<number, number>(),
  });
  const w = { fromMs: 0, toMs: 15 * MIN };

  it("gates on the minimum number of questions", () => {
    expect(questionReading(rules[0]!, w, totals(2, 2), null)).toMatchObject({ value: 1, verdict: "unknown", questions: 2 });
    expect(questionReading(rules[0]!, w, totals(10, 2), null)).toMatchObject({ value: 0.2, verdict: "breach" });
    expect(questionReading(rules[0]!, w, totals(10, 1), null)).toMatchObject({ value: 0.1, verdict: "clear" });
    expect(questionReading(rules[0]!, w, null, null)).toMatchObject({ value: null, verdict: "unknown", questions: 0 });
  });

  it("volume: judged only on enough questions last week; a drop to nothing fires", () => {
    expect(questionReading(rules[1]!, w, totals(0, 0), 40)).toMatchObject({ value: 0, verdict: "breach", baseline: 40 });
    expect(questionReading(rules[1]!, w, totals(1, 0), 4)).toMatchObject({ verdict: "unknown" });
    expect(questionReading(rules[2]!, w, totals(5, 0), 2)).toMatchObject({ value: 2.5, verdict: "unknown" });
    expect(questionReading(rules[2]!, w, totals(30, 0), 10)).toMatchObject({ value: 3, verdict: "breach" });
    expect(questionReading(rules[2]!, w, totals(30, 0), 0)).toMatchObject({ value: null, verdict: "unknown" });
  });
});

describe("notification formats", () => {
  const message: AlertMessage = {
    kind: "firing", alertId: "7", ruleId: "failed-answers", ruleName: "Questions are <failing>", description: "Check & fix", severity: "critical",
    metric: "failed_share", comparison: "above", threshold: 0.05, state: "firing", value: 0.2, valueText: "20.0%", questions: 50, window: "15m",
    windowFrom: "2026-01-01T10:00:00.000Z", windowTo: "2026-01-01T10:15:00.000Z", startedAt: "2026-01-01T10:17:00.000Z", resolvedAt: null,
    summary: "Questions are <failing>: 20.0% (threshold: above 5.0%) over the last 15 minutes", detail: "10 of 50 questions failed (20.0%)",
    path: drillDown("failed_share", Date.parse("2026-01-01T10:00:00Z"), Date.parse("2026-01-01T10:15:00Z")).path,
  };
  const fmt = { dashboardUrl: "https://insights.example.com/", nowMs: Date.parse("2026-01-01T10:17:30Z"), repeatMs: 4 * 60 * MIN };

  it("links to the problems page with the window and the kind", () => {
    expect(message.path).toBe("/problems?from=2026-01-01T10%3A00%3A00.000Z&to=2026-01-01T10%3A15%3A00.000Z&kind=failed");
    expect(drillDown("p95_answer_ms", 0, 1)).toMatchObject({ view: "problems", problemKinds: ["slow"], outcomes: [] });
    expect(drillDown("ingest_lag_seconds", 0, 1)).toMatchObject({ view: "ingestion" });
  });

  it("generic webhook, Slack and Alertmanager bodies", () => {
    expect(webhookBody(message, fmt)).toMatchObject({ version: 1, kind: "firing", alert: { ruleId: "failed-answers", url: `https://insights.example.com${message.path}` } });
    const slack = slackBody(message, fmt);
    expect(slack.text).toContain("[CRITICAL] Questions are <failing>");
    expect(JSON.stringify(slack.blocks)).toContain("Questions are &lt;failing&gt;");
    expect(JSON.stringify(slack.blocks)).toContain("Check &amp; fix");
    const [am] = alertmanagerBody(message, fmt);
    expect(am).toEqual({
      labels: { alertname: "failed-answers", severity: "critical", metric: "failed_share", service: "log-insights" },
      annotations: expect.objectContaining({ summary: message.summary, value: "20.0%", threshold: "0.05" }),
      startsAt: message.startedAt,
      endsAt: new Date(fmt.nowMs + 8 * 60 * MIN).toISOString(),
      generatorURL: `https://insights.example.com${message.path}`,
    });
    expect(alertmanagerBody({ ...message, kind: "resolved", resolvedAt: "2026-01-01T11:00:00.000Z" }, fmt)[0]!.endsAt).toBe("2026-01-01T11:00:00.000Z");
    expect(alertmanagerBody(message, { ...fmt, dashboardUrl: null })[0]).not.toHaveProperty("generatorURL");
    expect(alertmanagerEndpoint("http://am:9093/")).toBe("http://am:9093/api/v2/alerts");
    expect(alertmanagerEndpoint("http://am:9093/api/v2/alerts")).toBe("http://am:9093/api/v2/alerts");
  });

  it("channels come from the environment, else the rules file; URLs are logged by origin only", () => {
    expect(channelsFrom({ ALERT_SLACK_WEBHOOK_URL: "https://hooks.slack.com/services/T/B/secret" }, { slack: "https://other", webhook: "https://w" }))
      .toEqual([{ name: "webhook", url: "https://w" }, { name: "slack", url: "https://hooks.slack.com/services/T/B/secret" }]);
    expect(describeUrl("https://hooks.slack.com/services/T/B/secret")).toBe("https://hooks.slack.com/…");
  });

  it("backs off exponentially, capped", () => {
    expect([1, 2, 3, 4].map((a) => backoffDelay(a))).toEqual([30_000, 60_000, 120_000, 240_000]);
    expect(backoffDelay(20)).toBe(30 * 60_000);
  });
});
