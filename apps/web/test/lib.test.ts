import { describe, expect, it } from "vitest";
import { csvFileName, toCsv } from "../src/lib/csv";
import { formatBucket, formatDuration, formatPercent } from "../src/lib/format";
import { splitRows, trendText } from "../src/lib/prepare/breakdown";
import { changeTone, latencySentence, overviewCards } from "../src/lib/prepare/overview";
import { countRows, isEmptySeries, latencyRows, outcomeShareRows } from "../src/lib/prepare/series";
import type { Overview } from "../src/lib/prepare/types";
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
