import { describe, expect, it } from "vitest";
import { csvFileName, toCsv } from "../src/lib/csv";
import { formatBucket, formatDuration, formatMetricValue, formatPercent, formatSpan, formatWindow } from "../src/lib/format";
import { bannerOf, deliveryLine, drillHref, historyRange, historyRows, nobodyNotified, ruleRows, thresholdText } from "../src/lib/prepare/alerts";
import { splitRows, trendText } from "../src/lib/prepare/breakdown";
import { changeTone, latencySentence, overviewCards } from "../src/lib/prepare/overview";
import { countRows, isEmptySeries, latencyRows, outcomeShareRows } from "../src/lib/prepare/series";
import type { Alert, AlertNotification, AlertRuleState, Overview } from "../src/lib/prepare/types";
import { allowedIntervals, defaultInterval, readTimeRange } from "../src/lib/time-range";
import { activeFilterCount, contextParams, filterParams, readFilter, withParams } from "../src/lib/url-state";

const DAY = 86_400_000;
const NOW = Date.parse("2026-11-28T10:00:30Z");

describe("time range in the URL", () => {
  it("defaults to the last 30 days, ending at the next whole minute", () => {
    const r = readTimeRange(new URLSearchParams(), NOW);
    expect(r.preset).toBe("30d");
    expect(new Date(r.toMs).toISOString()).toBe("2026-11-28T10:01:00.000Z");
    expect(r.toMs - r.fromMs).toBe(30 * DAY);
  });
  it("reads presets and custom ranges, and ignores broken ones", () => {
    expect(readTimeRange(new URLSearchParams("range=7d"), NOW).toMs - readTimeRange(new URLSearchParams("range=7d"), NOW).fromMs).toBe(7 * DAY);
    const c = readTimeRange(new URLSearchParams("from=2026-10-01T00:00:00Z&to=2026-10-08T00:00:00Z"), NOW);
    expect(c).toMatchObject({ preset: "custom", fromMs: Date.parse("2026-10-01T00:00:00Z") });
    expect(readTimeRange(new URLSearchParams("from=2026-10-08&to=2026-10-01"), NOW).preset).toBe("30d");
    expect(readTimeRange(new URLSearchParams("range=<script>"), NOW).preset).toBe("30d");
  });
  it("picks a readable interval and offers only sensible ones", () => {
    expect(defaultInterval({ fromMs: 0, toMs: DAY })).toBe("HOUR");
    expect(defaultInterval({ fromMs: 0, toMs: 30 * DAY })).toBe("DAY");
    expect(defaultInterval({ fromMs: 0, toMs: 365 * DAY })).toBe("WEEK");
    expect(allowedIntervals({ fromMs: 0, toMs: 365 * DAY })).toEqual(["DAY", "WEEK", "MONTH"]);
    expect(allowedIntervals({ fromMs: 0, toMs: DAY })).toEqual(["HOUR", "DAY"]);
  });
});

describe("filters in the URL", () => {
  it("round-trips and drops junk", () => {
    const f = readFilter(new URLSearchParams("user=42&fund=EIS%20Fund&outcome=hedged,FAILED,bogus&topic=&version=2.1.0"));
    expect(f).toEqual({ userId: 42, fund: "EIS Fund", outcomes: ["HEDGED", "FAILED"], appVersion: "2.1.0" });
    expect(readFilter(new URLSearchParams(filterParams(f)))).toEqual(f);
    expect(activeFilterCount(f)).toBe(4);
    expect(readFilter(new URLSearchParams("user=1;DROP&deal=" + "x".repeat(201)))).toEqual({});
  });
  it("changes some keys and keeps the rest, sorted", () => {
    expect(withParams("range=7d&fund=A", { topic: "fees", fund: null })).toBe("?range=7d&topic=fees");
    expect(withParams("", {})).toBe("");
    expect(contextParams("range=7d&fund=A&q=hello&page=2").toString()).toBe("range=7d&fund=A");
  });
});

describe("CSV export", () => {
  it("quotes, escapes and defuses formulas", () => {
    const csv = toCsv([{ key: "a", label: "Question" }, { key: "n", label: "Count" }], [
      { a: 'He said "hi", then left', n: 3 },
      { a: "=HYPERLINK(\"x\")", n: null },
      { a: "line\nbreak", n: Number.NaN },
    ]);
    expect(csv).toBe('Question,Count\r\n"He said ""hi"", then left",3\r\n"\'=HYPERLINK(""x"")",\r\n"line\nbreak",\r\n');
    expect(csvFileName("Questions over time!", 0, DAY)).toBe("questions-over-time_1970-01-01_1970-01-02.csv");
  });
});

describe("formatting", () => {
  it("says times and shares in plain words", () => {
    expect(formatDuration(850)).toBe("850 ms");
    expect(formatDuration(6_234)).toBe("6.2 s");
    expect(formatDuration(72_000)).toBe("1 min 12 s");
    expect(formatDuration(null)).toBe("–");
    expect(formatPercent(0.456)).toBe("46%");
    expect(formatBucket(Date.parse("2026-10-25T23:00:00Z"), "DAY", "Europe/London")).toBe("25 Oct");
    expect(formatBucket(Date.parse("2026-10-26T00:00:00Z"), "WEEK", "UTC")).toBe("w/c 26 Oct");
  });
});

const overview: Overview = {
  questions: 120, users: 30, conversations: 40, answered: 90, hedged: 24, failed: 4, unfinished: 2, cacheHitRate: 0.5,
  latencyMs: { mean: 4000, p50: 3600, p90: 5900, p95: 6200, p99: 15000 },
  previous: {
    questions: 100, users: 30, conversations: 0, answered: 80, hedged: 15, failed: 3, unfinished: 2, cacheHitRate: null,
    latencyMs: { mean: 4000, p50: 3000, p90: 5000, p95: 6000, p99: 9000 },
  },
};

describe("overview cards", () => {
  it("gives each number its change and whether that is good news", () => {
    const cards = overviewCards(overview, "30 days");
    const by = Object.fromEntries(cards.map((c) => [c.id, c]));
    expect(by.questions).toMatchObject({ value: "120", change: 0.2, changeText: "+20% vs previous 30 days" });
    expect(changeTone(by.questions!)).toBe("good");
    expect(by.users!.changeText).toBe("same as the previous 30 days");
    expect(by.conversations!.change).toBeNull();
    expect(by.p50).toMatchObject({ value: "3.6 s" });
    expect(changeTone(by.p50!)).toBe("bad");
    expect(by.p95!.hint).toBe("95% of answers arrive within 6.2 s.");
    expect(by.cache!.changeText).toBe("no data for the previous 30 days");
    expect(latencySentence(overview.latencyMs)).toBe("95% of answers arrive within 6.2 s; half within 3.6 s.");
    expect(latencySentence({ p50: null, p95: null })).toBe("No answers in this period.");
  });
});

describe("series", () => {
  it("keeps zero buckets as zero counts and empty buckets as gaps in shares and times", () => {
    const rows = countRows([
      { start: "2026-10-25T00:00:00.000Z", count: 4, answered: 2, hedged: 1, failed: 1, unfinished: 0 },
      { start: "2026-10-26T00:00:00.000Z", count: 0, answered: 0, hedged: 0, failed: 0, unfinished: 0 },
    ], "DAY", "UTC");
    expect(rows.map((r) => [r.label, r.total])).toEqual([["25 Oct", 4], ["26 Oct", 0]]);
    expect(outcomeShareRows(rows)).toEqual([
      { startMs: rows[0]!.startMs, label: "25 Oct", answered: 50, hedged: 25, failed: 25, unfinished: 0 },
      { startMs: rows[1]!.startMs, label: "26 Oct", answered: null, hedged: null, failed: null, unfinished: null },
    ]);
    expect(isEmptySeries(rows)).toBe(false);
    expect(isEmptySeries([rows[1]!])).toBe(true);
    const lat = latencyRows([{ start: "2026-10-25T00:00:00.000Z", count: 3, mean: 4000, p50: 3649, p95: 6210, p99: 7000 },
      { start: "2026-10-26T00:00:00.000Z", count: 0, mean: null, p50: null, p95: null, p99: null }], "DAY", "UTC");
    expect(lat.map((l) => [l.typical, l.slowest])).toEqual([[3.6, 6.2], [null, null]]);
  });
});

describe("breakdowns", () => {
  it("pools the long tail, names unknowns and gives trends", () => {
    const rows = splitRows([
      { value: "a", count: 50, share: 0.5, previousCount: 25 },
      { value: null, count: 30, share: 0.3, previousCount: 0 },
      { value: "b", count: 15, share: 0.15, previousCount: 15 },
      { value: "c", count: 5, share: 0.05, previousCount: 10 },
    ], 2, "Not named", (v) => v.toUpperCase());
    expect(rows.map((r) => [r.label, r.count, r.percent, r.change])).toEqual([["A", 50, 50, 1], ["Not named", 30, 30, null], ["2 others", 20, 20, -0.2]]);
    expect(trendText(10, 0)).toBe("new");
    expect(trendText(14, 10)).toBe("↑ 40%");
    expect(trendText(9, 10)).toBe("↓ 10%");
    expect(trendText(10, 10)).toBe("steady");
  });
});

describe("topic labels", () => {
  it("match the taxonomy's labels", async () => {
    const { TAXONOMY } = await import("@log-insights/logs");
    const { topicLabel } = await import("../src/lib/topics");
    for (const t of TAXONOMY) expect(topicLabel(t.id)).toBe(t.label);
    expect(topicLabel(null)).toBe("Unclassified");
  });
});

describe("alerts", () => {
  const now = Date.parse("2026-11-28T14:40:00Z");
  const alert = (over: Partial<Alert>): Alert => ({
    id: "1", ruleId: "failed-answers", ruleName: "Questions are failing", severity: "WARNING", metric: "FAILED_SHARE", comparison: "ABOVE",
    threshold: 0.05, state: "FIRING", value: 0.06, lastValue: 0.06, startedAt: "2026-11-28T14:05:00.000Z", resolvedAt: null,
    summary: "Questions are failing: 6.0% (threshold: above 5.0%) over the last 15 minutes",
    drillDown: { view: "PROBLEMS", path: "/problems?from=2026-11-28T13%3A50%3A00.000Z&to=2026-11-28T14%3A05%3A00.000Z&kind=failed" },
    ...over,
  });
  const note = (over: Partial<AlertNotification>): AlertNotification => ({
    id: "n1", channel: "SLACK", kind: "FIRING", status: "DELIVERED", attempts: 1, lastError: null,
    createdAt: "2026-11-28T14:05:00.000Z", nextAttemptAt: null, deliveredAt: "2026-11-28T14:06:00.000Z", ...over,
  });

  it("says metric values in their units, and windows and spans in words", () => {
    expect(formatMetricValue("FAILED_SHARE", 0.0583)).toBe("5.8%");
    expect(formatMetricValue("P95_ANSWER_MS", 12_400)).toBe("12.4 s");
    expect(formatMetricValue("P95_ANSWER_MS", 850)).toBe("850 ms");
    expect(formatMetricValue("VOLUME_RATIO", 0.25)).toBe("0.25×");
    expect(formatMetricValue("INGEST_LAG_SECONDS", 2_100)).toBe("35 min");
    expect(formatMetricValue("FAILED_FILES", 1)).toBe("1 file");
    expect(formatMetricValue("FAILED_FILES", 3)).toBe("3 files");
    expect(formatMetricValue("HEDGED_SHARE", null)).toBe("no data");
    expect(thresholdText("VOLUME_RATIO", "BELOW", 0.3)).toBe("below 0.30×");
    expect(thresholdText("FAILED_FILES", "AT_LEAST", 1)).toBe("at least 1 file");
    expect(formatWindow(900)).toBe("15 minutes");
    expect(formatWindow(3_600)).toBe("1 hour");
    expect(formatWindow(86_400)).toBe("1 day");
    expect(formatWindow(null)).toBe("Right now");
    expect(formatSpan(45_000)).toBe("45 s");
    expect(formatSpan(35 * 60_000)).toBe("35 min");
    expect(formatSpan(200 * 60_000)).toBe("3 h 20 min");
    expect(formatSpan(52 * 3_600_000)).toBe("2 days 4 h");
    expect(formatSpan(-1)).toBe("–");
  });

  it("builds the banner: nothing when nothing fires, critical first, then the newest", () => {
    expect(bannerOf([], now, "UTC")).toBeNull();
    expect(bannerOf([alert({ state: "RESOLVED" })], now, "UTC")).toBeNull();
    const b = bannerOf([
      alert({ id: "a" }),
      alert({ id: "b", severity: "CRITICAL", startedAt: "2026-11-27T09:00:00.000Z", drillDown: { view: "INGESTION", path: "/ingestion" } }),
      alert({ id: "c", startedAt: "2026-11-28T14:30:00.000Z" }),
      alert({ id: "d", startedAt: "2026-11-28T10:00:00.000Z" }),
    ], now, "UTC")!;
    expect(b.tone).toBe("critical");
    expect(b.title).toBe("4 alerts firing");
    expect(b.lines.map((l) => l.id)).toEqual(["b", "c", "a"]);
    expect(b.more).toBe(1);
    expect(b.lines[0]).toMatchObject({ severityLabel: "Critical", drillLabel: "See the files", since: "since 27 Nov 2026, 09:00 (30 h ago)" });
    expect(b.lines[2]).toMatchObject({ drillLabel: "See the questions", since: "since 14:05 (35 min ago)", summary: alert({}).summary });
    expect(bannerOf([alert({})], now, "UTC")).toMatchObject({ tone: "warning", title: "1 alert firing", more: 0 });
  });

  it("links to the alert's questions in the reader's time zone, never with the page's filters", () => {
    const path = "/problems?from=2026-11-28T13%3A50%3A00.000Z&to=2026-11-28T14%3A05%3A00.000Z&kind=failed";
    expect(drillHref(path, "range=7d&fund=A")).toBe(path);
    const withTz = drillHref(path, "tz=Europe%2FLondon&fund=A");
    expect(new URLSearchParams(withTz.split("?")[1]).get("tz")).toBe("Europe/London");
    expect(new URLSearchParams(withTz.split("?")[1]).get("kind")).toBe("failed");
    expect(withTz.startsWith("/problems?")).toBe(true);
    expect(drillHref("/ingestion", "tz=UTC")).toBe("/ingestion?tz=UTC");
  });

  it("lists the history up to the current minute for a preset, exactly the range for a custom one", () => {
    const preset = readTimeRange(new URLSearchParams("range=7d"), now);
    expect(historyRange(preset)).toEqual({ from: new Date(preset.fromMs).toISOString(), to: "2026-11-28T14:41:00.000Z" });
    const custom = readTimeRange(new URLSearchParams("from=2026-11-01T00:00:00Z&to=2026-11-02T00:00:00Z"), now);
    expect(historyRange(custom)).toEqual({ from: "2026-11-01T00:00:00.000Z", to: "2026-11-02T00:00:00.000Z" });
  });

  it("puts each rule's state, value against threshold, window and minimum in words", () => {
    const rule: AlertRuleState = {
      id: "failed-answers", name: "Questions are failing", description: "Check the Problems page.", metric: "FAILED_SHARE", window: "15m", windowSeconds: 900,
      threshold: 0.05, comparison: "ABOVE", minQuestions: 20, severity: "CRITICAL", state: "FIRING", since: "2026-11-28T14:05:00.000Z", lastValue: 0.0583,
      lastDetail: "7 of 120 questions failed (5.8%)", lastEvaluatedAt: "2026-11-28T14:39:00.000Z",
      currentAlert: { id: "1", startedAt: "2026-11-28T14:05:00.000Z", summary: "x", drillDown: { view: "PROBLEMS", path: "/problems?kind=failed" } },
    };
    const [firing, never, lag] = ruleRows([
      rule,
      { ...rule, id: "slow", metric: "P95_ANSWER_MS", threshold: 15_000, state: "OK", since: null, lastValue: null, lastDetail: null, lastEvaluatedAt: null, currentAlert: null, severity: "WARNING" },
      { ...rule, id: "lag", metric: "INGEST_LAG_SECONDS", window: null, windowSeconds: null, minQuestions: null, threshold: 1800, state: "OK", lastValue: 120, currentAlert: null },
    ], now, "UTC");
    expect(firing).toMatchObject({
      stateLabel: "Firing", since: "since 14:05 (35 min ago)", valueVsThreshold: "5.8% now; fires above 5.0%", window: "Last 15 minutes", minQuestions: "20",
      drillPath: "/problems?kind=failed", drillLabel: "See the questions", severityLabel: "Critical", detail: "7 of 120 questions failed (5.8%)",
    });
    expect(never).toMatchObject({ stateLabel: "Not checked yet", since: null, valueVsThreshold: "Fires above 15.0 s", drillPath: null });
    expect(lag).toMatchObject({ stateLabel: "OK", valueVsThreshold: "2 min now; fires above 30 min", window: "Right now", minQuestions: "–" });
  });

  it("says whether each notification reached the team, with the error when not", () => {
    expect(deliveryLine(note({}), "UTC")).toEqual({ id: "n1", status: "delivered", text: "Slack · Alert delivered at 28 Nov 2026, 14:06", error: null });
    expect(deliveryLine(note({ channel: "WEBHOOK", status: "FAILED", attempts: 8, lastError: "https://hooks.example: 500 receiver says no", deliveredAt: null }), "UTC"))
      .toMatchObject({ status: "failed", text: "Webhook · Alert not delivered: gave up after 8 tries", error: "https://hooks.example: 500 receiver says no" });
    expect(deliveryLine(note({ status: "PENDING", attempts: 0, deliveredAt: null }), "UTC")).toMatchObject({ status: "pending", text: "Slack · Alert waiting to be sent", error: null });
    expect(deliveryLine(note({ kind: "RESOLVED", channel: "ALERTMANAGER", status: "PENDING", attempts: 2, lastError: "timeout", nextAttemptAt: "2026-11-28T14:10:00.000Z", deliveredAt: null }), "UTC"))
      .toMatchObject({ status: "pending", text: "Alertmanager · All-clear not delivered yet (2 tries; next try 28 Nov 2026, 14:10)", error: "timeout" });
  });

  it("gives each alert of the history its times, duration, value and deliveries", () => {
    const [resolved, firing] = historyRows([
      alert({ id: "r", state: "RESOLVED", resolvedAt: "2026-11-28T16:25:00.000Z", startedAt: "2026-11-28T14:05:00.000Z", lastValue: 0.021,
        notifications: [note({}), note({ id: "n2", kind: "RESOLVED", status: "FAILED", attempts: 3, lastError: "404", deliveredAt: null })] }),
      alert({ id: "f", lastValue: 0.064, notifications: [] }),
    ], Date.parse("2026-11-28T18:00:00Z"), "UTC");
    expect(resolved).toMatchObject({
      started: "28 Nov 2026, 14:05", resolved: "28 Nov 2026, 16:25", duration: "2 h 20 min", value: "6.0% (fires above 5.0%)", latest: "back to 2.1%",
      stateLabel: "Resolved", drillLabel: "See the questions",
      deliveryText: "Slack · Alert delivered at 28 Nov 2026, 14:06; Slack · All-clear not delivered: gave up after 3 tries: 404",
    });
    expect(resolved!.deliveries.map((d) => d.status)).toEqual(["delivered", "failed"]);
    expect(firing).toMatchObject({ resolved: "Still firing", duration: "3 h 55 min so far", latest: "now 6.4%", deliveryText: "No notification sent", resolvedAt: "" });
    expect(nobodyNotified([alert({ notifications: [] })])).toBe(true);
    expect(nobodyNotified([alert({ notifications: [note({})] })])).toBe(false);
    expect(nobodyNotified([])).toBe(false);
  });
});
