import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DIMENSIONS, readBreakdown, readErrorGroups, readIngestionStatus, readLogCounts, readLogEntries, readQuestionEntries, readCommonQuestions, readConversation, readConversations, readKnowledgeGaps, readOverview,
  readOtherTopics, readProblemQuestions, readQuestion, readQuestionsByIds, readConversationsByIds, readQuestionCounts, readResponseTimes, ReadError, searchQuestions,
  type QuestionFilter,
} from "@log-insights/store";
import { createTestDatabase, type TestDatabase } from "@log-insights/store/testing";
import type { Truth } from "../../../tools/src/generate/index";
import { nearestRank } from "../../../tools/src/generate/truth";
import { count, generatedBucket, ingest, realSampleDir } from "./support/harness";

// Readers against the generator's truth on a real PostgreSQL. The bucket
// spans the end of British Summer Time (2026-10-25, a 25-hour day in London).
const END = new Date("2026-10-29T00:00:00Z");
const DAYS = 8;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const londonDate = new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/London", year: "numeric", month: "2-digit", day: "2-digit" });
const londonWeekday = new Intl.DateTimeFormat("en-GB", { timeZone: "Europe/London", weekday: "short" });
const WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/** The local London date (YYYY-MM-DD) of the Monday starting the week of a time. */
function londonWeek(ms: number): string {
  const back = WEEKDAYS.indexOf(londonWeekday.format(ms));
  // Noon local of the same date, minus whole days: never crosses a DST edge into the wrong date.
  const noon = Date.parse(`${londonDate.format(ms)}T12:00:00Z`);
  return new Date(noon - back * DAY).toISOString().slice(0, 10);
}

function tally(keys: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of keys) out[k] = (out[k] ?? 0) + 1;
  return out;
}

describe("readers over a generated bucket", () => {
  let db: TestDatabase;
  let bucket: { dir: string; truth: Truth; cleanup(): Promise<void> };
  let truth: Truth;
  const range = { fromMs: END.getTime() - DAYS * DAY, toMs: END.getTime() };

  beforeAll(async () => {
    db = await createTestDatabase();
    bucket = await generatedBucket({ seed: 21, days: DAYS, sessionsPerDay: 30, end: END });
    truth = bucket.truth;
    await ingest(db.pool, bucket.dir);
  });
  afterAll(async () => {
    await db?.drop();
    await bucket?.cleanup();
  });

  it("overview: questions, outcomes, users and answer times match the truth", async () => {
    const o = await readOverview(db.pool, range);
    expect(o.questions).toBe(truth.questionsTotal);
    expect(o.failed).toBe(truth.outcomes.failed);
    expect(o.unfinished).toBe(truth.outcomes.unfinished);
    expect(o.answered + o.hedged).toBe(truth.outcomes.answered + truth.outcomes.hedged);
    expect(o.users).toBe(truth.users.bot);
    expect(o.previous.questions).toBe(0);
    const lat = truth.latency!;
    expect(o.latencyMs.count).toBe(lat.count);
    expect(o.latencyMs.mean).toBeCloseTo(lat.mean, 0);
    for (const p of ["p50", "p95", "p99"] as const) {
      expect(Math.abs(o.latencyMs[p]! - lat[p]) / lat[p]).toBeLessThanOrEqual(0.02);
    }
    expect(o.conversations).toBe(await count(db.pool, "SELECT count(*) AS n FROM conversations"));
    // Cache hits equal the truth; misses can be unknown in the logs where the truth knows them (a failure before the lookup was logged).
    expect(await count(db.pool, "SELECT count(*) AS n FROM bot_questions WHERE cache_hit AND merged_into IS NULL")).toBe(truth.cacheHits);
    expect(o.cacheHitRate).toBeCloseTo(truth.cacheHits /
      await count(db.pool, "SELECT count(cache_hit) AS n FROM bot_questions WHERE merged_into IS NULL"), 9);
  });

  it("question counts per UTC day equal the truth, every day present", async () => {
    const buckets = await readQuestionCounts(db.pool, { ...range, interval: "day" });
    expect(buckets).toHaveLength(DAYS);
    const got = Object.fromEntries(buckets.filter((b) => b.count > 0).map((b) => [new Date(b.startMs).toISOString().slice(0, 10), b.count]));
    expect(got).toEqual(truth.questionsPerUtcDay);
    for (const b of buckets) expect(b.answered + b.hedged + b.failed + b.unfinished).toBe(b.count);
  });

  it("question counts per day and per week in Europe/London, across the end of summer time", async () => {
    const asked = truth.questions.map((q) => Date.parse(q.askedAt));
    const days = await readQuestionCounts(db.pool, { ...range, interval: "day", timeZone: "Europe/London" });
    const byDay = Object.fromEntries(days.filter((b) => b.count > 0).map((b) => [londonDate.format(b.startMs), b.count]));
    expect(byDay).toEqual(tally(asked.map((t) => londonDate.format(t))));
    // Local midnight boundaries: the 25th is 25 hours long, its neighbours 24.
    const lengths = Object.fromEntries(days.map((b) => [londonDate.format(b.startMs), (b.endMs - b.startMs) / HOUR]));
    expect(lengths["2026-10-24"]).toBe(24);
    expect(lengths["2026-10-25"]).toBe(25);
    expect(lengths["2026-10-26"]).toBe(24);
    // The first bucket starts at London midnight (23:00 UTC in summer), before the range: it is labelled, then clipped.
    expect(new Date(days[0]!.startMs).toISOString()).toBe("2026-10-20T23:00:00.000Z");

    const weeks = await readQuestionCounts(db.pool, { ...range, interval: "week", timeZone: "Europe/London" });
    const byWeek = Object.fromEntries(weeks.filter((b) => b.count > 0).map((b) => [londonDate.format(b.startMs), b.count]));
    expect(byWeek).toEqual(tally(asked.map(londonWeek)));
    for (const w of weeks) expect(londonWeekday.format(w.startMs)).toBe("Mon");
    const utcWeeks = await readQuestionCounts(db.pool, { ...range, interval: "week" });
    expect(utcWeeks.reduce((n, b) => n + b.count, 0)).toBe(truth.questionsTotal);
    for (const w of utcWeeks) expect(new Date(w.startMs).getUTCDay()).toBe(1);
  });

  it("response times per day: count, mean and percentiles within 2% of the exact values", async () => {
    const buckets = await readResponseTimes(db.pool, { ...range, interval: "day" });
    const byDay = new Map<string, number[]>();
    for (const q of truth.questions) {
      if (q.latencyMs === null) continue;
      const day = q.askedAt.slice(0, 10);
      byDay.set(day, [...(byDay.get(day) ?? []), q.latencyMs]);
    }
    let checked = 0;
    for (const b of buckets) {
      const values = (byDay.get(new Date(b.startMs).toISOString().slice(0, 10)) ?? []).sort((x, y) => x - y);
      expect(b.count).toBe(values.length);
      if (values.length === 0) {
        expect(b.p50).toBeNull();
        continue;
      }
      expect(b.mean).toBeCloseTo(values.reduce((s, v) => s + v, 0) / values.length, 0);
      for (const [p, key] of [[50, "p50"], [95, "p95"], [99, "p99"]] as const) {
        const exact = nearestRank(values, p);
        expect(Math.abs(b[key]! - exact) / exact).toBeLessThanOrEqual(0.02);
      }
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(DAYS - 1);
  });

  const filters: QuestionFilter[] = [
    {}, { topic: "fees" }, { fund: "EIS Fund" }, { platform: "iOS" }, { fund: "EIS Fund", topic: "returns" },
    { outcomes: ["hedged", "failed"] }, { platform: "Android", topic: "risk" },
  ];
  // Ranges with whole days, hour edges and minute edges: the picker mixes day, hour and raw reads.
  const ranges = [
    { fromMs: END.getTime() - DAYS * DAY, toMs: END.getTime() },
    // Across the month boundary with whole months, days and hours on either side (users read from month, day and hour tables).
    { fromMs: Date.parse("2026-09-01T00:00:00Z"), toMs: Date.parse("2026-10-27T13:00:00Z") },
    { fromMs: END.getTime() - 5 * DAY + 10 * HOUR + 15 * 60_000, toMs: END.getTime() - DAY + 13 * HOUR + 40 * 60_000 },
    { fromMs: END.getTime() - 3 * DAY + 7 * HOUR, toMs: END.getTime() - 3 * DAY + 9 * HOUR + 30 * 60_000 },
  ];

  it("rollups and question rows give the same answers, for every filter and range", async () => {
    for (const filter of filters) {
      for (const r of ranges) {
        const opts = { forceRaw: true };
        expect(await readOverview(db.pool, r, filter)).toEqual(await readOverview(db.pool, r, filter, opts));
        for (const timeZone of ["UTC", "Europe/London", "Asia/Kolkata"]) {
          const s = { ...r, interval: "day" as const, timeZone };
          expect(await readQuestionCounts(db.pool, s, filter)).toEqual(await readQuestionCounts(db.pool, s, filter, opts));
          expect(await readResponseTimes(db.pool, s, filter)).toEqual(await readResponseTimes(db.pool, s, filter, opts));
        }
        for (const dim of DIMENSIONS) {
          expect(await readBreakdown(db.pool, dim, r, filter)).toEqual(await readBreakdown(db.pool, dim, r, filter, opts));
        }
      }
    }
  });

  it("rollups maintained file by file equal rollups rebuilt from scratch", async () => {
    const snapshot = async (): Promise<unknown[][]> => Promise.all([
      "SELECT * FROM question_rollups ORDER BY grain, dimset, bucket, topic, fund, platform, app_version",
      "SELECT * FROM question_user_hours ORDER BY hour, user_id",
      "SELECT * FROM question_user_days ORDER BY day, user_id",
      "SELECT * FROM question_user_months ORDER BY month, user_id",
      "SELECT * FROM question_fingerprint_days ORDER BY day, fingerprint, topic, fund",
    ].map(async (q) => (await db.pool.query(q)).rows));
    const incremental = await snapshot();
    expect(incremental[0]!.length).toBeGreaterThan(100);
    await db.pool.query(`SELECT refresh_question_rollups('2026-01-01', '2026-12-31')`);
    expect(await snapshot()).toEqual(incremental);
    // A month's users are the distinct users of its questions.
    expect(await count(db.pool, "SELECT count(*) AS n FROM question_user_months WHERE month = '2026-10-01'")).toBe(
      await count(db.pool, "SELECT count(DISTINCT user_id) AS n FROM bot_questions WHERE merged_into IS NULL AND asked_at >= '2026-10-01' AND asked_at < '2026-11-01'"));
    const october = await readOverview(db.pool, { fromMs: Date.parse("2026-10-01T00:00:00Z"), toMs: Date.parse("2026-11-01T00:00:00Z") });
    expect(october.users).toBe(await count(db.pool, "SELECT count(*) AS n FROM question_user_months WHERE month = '2026-10-01'"));
  });

  it("topics, funds, platforms and app versions add up to the questions", async () => {
    for (const dim of DIMENSIONS) {
      const rows = await readBreakdown(db.pool, dim, range);
      expect(rows.reduce((n, r) => n + r.count, 0)).toBe(truth.questionsTotal);
      expect(rows.reduce((n, r) => n + r.share, 0)).toBeCloseTo(1, 9);
      for (let i = 1; i < rows.length; i++) expect(rows[i - 1]!.count).toBeGreaterThanOrEqual(rows[i]!.count);
    }
    const platforms = await readBreakdown(db.pool, "platform", range);
    const truthPlatforms = new Set(platforms.map((p) => p.value));
    expect([...truthPlatforms].sort()).toEqual(["Android", "iOS"]);
    const funds = await readBreakdown(db.pool, "fund", range);
    for (const f of truth.funds.filter((x) => x.questions > 20)) {
      expect(funds.find((r) => r.value === f.name), f.name).toBeDefined();
    }
  });

  it("common questions: every question in exactly one group, paged without repeats", async () => {
    const seen = new Set<string>();
    let total = 0;
    let after: string | null = null;
    let pages = 0;
    let last = Infinity;
    for (;;) {
      const page = await readCommonQuestions(db.pool, range, {}, { first: 100, after });
      for (const { node } of page.nodes) {
        expect(seen.has(node.id)).toBe(false);
        seen.add(node.id);
        total += node.count;
        expect(node.count).toBeLessThanOrEqual(last);
        last = node.count;
        expect(node.id).toMatch(/^qg_/);
      }
      pages++;
      if (!page.hasNextPage) {
        expect(page.totalCount).toBe(seen.size);
        break;
      }
      after = page.endCursor;
    }
    expect(pages).toBeGreaterThan(1);
    expect(total).toBe(truth.questionsTotal);
    // Near-duplicates merged: fewer groups than distinct texts.
    expect(seen.size).toBeLessThan(await count(db.pool, "SELECT count(DISTINCT fingerprint) AS n FROM bot_questions WHERE merged_into IS NULL"));
    const top = (await readCommonQuestions(db.pool, range, { topic: "fees" }, { first: 5 })).nodes;
    expect(top.length).toBeGreaterThan(0);
    const sub = { ...ranges[1]!, };
    const edges = await readCommonQuestions(db.pool, sub, {}, { first: 100 });
    const raw = await count(db.pool, "SELECT count(*) AS n FROM bot_questions WHERE merged_into IS NULL AND asked_at >= $1 AND asked_at < $2",
      [new Date(sub.fromMs), new Date(sub.toMs)]);
    expect(edges.nodes[0]!.node.share).toBeCloseTo(edges.nodes[0]!.node.count / raw, 9);
  });

  it("questions the taxonomy calls other are clustered and labelled by their distinctive terms", async () => {
    const others = await readOtherTopics(db.pool, range);
    const total = await count(db.pool, "SELECT count(*) AS n FROM bot_questions WHERE topic = 'other' AND merged_into IS NULL");
    expect(total).toBeGreaterThan(0);
    expect(others.reduce((n, c) => n + c.count, 0)).toBe(total);
    expect(others[0]!.label).not.toBe("");
    for (const c of others) expect(c.examples.length).toBeGreaterThan(0);
  });

  it("knowledge gaps: hedged answers by fund and topic, with examples", async () => {
    const o = await readOverview(db.pool, range);
    let hedged = 0;
    let after: string | null = null;
    const ids = new Set<string>();
    for (;;) {
      const page = await readKnowledgeGaps(db.pool, range, { first: 7, after });
      for (const g of page.gaps) {
        expect(ids.has(g.id)).toBe(false);
        ids.add(g.id);
        hedged += g.hedged;
        expect(g.examples.length).toBeGreaterThan(0);
        expect(g.summary).toContain(`${g.hedged} time`);
        const ex = await readQuestion(db.pool, g.examples[0]!.id);
        expect(ex).toMatchObject({ outcome: "hedged", fund: g.fund, topic: g.topic });
      }
      if (!page.hasNextPage) break;
      after = page.endCursor;
    }
    expect(hedged).toBe(o.hedged);
  });

  it("problem questions: worst first, every problem exactly once across pages", async () => {
    const expected = await count(db.pool, `SELECT count(*) AS n FROM bot_questions WHERE merged_into IS NULL
      AND (outcome <> 'answered' OR no_documents OR slow OR reasked)`);
    const seen = new Set<string>();
    let after: string | null = null;
    let lastScore = Infinity;
    for (;;) {
      const page = await readProblemQuestions(db.pool, range, null, {}, { first: 100, after });
      expect(page.totalCount).toBe(expected);
      for (const { node } of page.nodes) {
        expect(seen.has(node.id)).toBe(false);
        seen.add(node.id);
        expect(node.attention).toBeLessThanOrEqual(lastScore);
        lastScore = node.attention;
        expect(node.signals.length).toBeGreaterThan(0);
        expect(node.reason).toBeTruthy();
      }
      if (!page.hasNextPage) break;
      after = page.endCursor;
    }
    expect(seen.size).toBe(expected);
    const capped = await readProblemQuestions(db.pool, range, null, {}, { first: 5, countLimit: 10 });
    expect(capped).toMatchObject({ totalCount: 10, totalCountIsExact: false, hasNextPage: true });
    expect((await readProblemQuestions(db.pool, range, null, {}, { first: 5 })).totalCountIsExact).toBe(true);
    const failed = await readProblemQuestions(db.pool, range, ["failed"], {}, { first: 100 });
    expect(failed.totalCount).toBe(truth.outcomes.failed);
    expect(failed.nodes.every((n) => n.node.outcome === "failed")).toBe(true);
  });

  it("search matches question and answer text, and pages", async () => {
    const hits = await searchQuestions(db.pool, "fees", range, {}, { first: 50 });
    expect(hits.totalCount).toBeGreaterThan(10);
    for (const { node } of hits.nodes) expect(`${node.text} ${node.answer ?? ""}`.toLowerCase()).toMatch(/fee/);
    expect(hits.terms).toEqual(["fees"]);
    // A literal inside the question only (trigram): a fund name.
    const eis = await searchQuestions(db.pool, "EIS Fund", range, {}, { first: 5 });
    expect(eis.totalCount).toBeGreaterThan(0);
    const withFilter = await searchQuestions(db.pool, "fees", range, { platform: "iOS" }, { first: 100 });
    expect(withFilter.nodes.every((n) => n.node.platform === "iOS")).toBe(true);
  });

  it("conversations: paged list and each conversation's questions in order", async () => {
    const total = await count(db.pool, "SELECT count(*) AS n FROM conversations");
    const seen = new Set<string>();
    let after: string | null = null;
    for (;;) {
      const page = await readConversations(db.pool, range, {}, { first: 100, after });
      expect(page.totalCount).toBe(total);
      for (const { node } of page.nodes) {
        expect(seen.has(node.id)).toBe(false);
        seen.add(node.id);
      }
      if (!page.hasNextPage) break;
      after = page.endCursor;
    }
    expect(seen.size).toBe(total);
    const first = [...seen][0]!;
    const conv = await readConversation(db.pool, first);
    expect(conv!.questions).toHaveLength(conv!.questionCount);
    for (let i = 1; i < conv!.questions.length; i++) {
      expect(conv!.questions[i]!.askedAtMs).toBeGreaterThanOrEqual(conv!.questions[i - 1]!.askedAtMs);
    }
    const fees = await readConversations(db.pool, range, { topic: "fees" }, { first: 5 });
    expect(fees.totalCount).toBeLessThan(total);
    expect(fees.totalCount).toBeGreaterThan(0);
  });

  it("log entries: every entry once across pages, level, context and text filters, histogram and error groups", async () => {
    const total = await count(db.pool, "SELECT count(*) AS n FROM log_entries");
    expect(total).toBe(truth.entries.valid);
    const ids = new Set<string>();
    let after: string | null = null;
    let lastTs = Infinity;
    for (;;) {
      const page = await readLogEntries(db.pool, range, { levels: ["error", "50", "fatal"] }, { first: 100, after });
      for (const { node } of page.nodes) {
        expect(ids.has(node.id)).toBe(false);
        ids.add(node.id);
        expect(node.level).toBeGreaterThanOrEqual(50);
        expect(node.tsMs).toBeLessThanOrEqual(lastTs);
        lastTs = node.tsMs;
      }
      if (!page.hasNextPage) break;
      after = page.endCursor;
    }
    const errors = await count(db.pool, "SELECT count(*) AS n FROM log_entries WHERE level >= 50");
    expect(ids.size).toBe(errors);
    const bot = await readLogEntries(db.pool, range, { context: "DealBotService", text: "processing deal bot" }, { first: 5 });
    expect(bot.totalCount).toBe(await count(db.pool, "SELECT count(*) AS n FROM log_entries WHERE context = 'DealBotService' AND message ILIKE '%processing deal bot%'"));
    expect(bot.nodes[0]!.node.levelName).toBe("info");
    await expect(readLogEntries(db.pool, range, { levels: ["loud"] })).rejects.toMatchObject({ code: "BAD_FILTER" });

    const hist = await readLogCounts(db.pool, { ...range, interval: "day", timeZone: "Europe/London" });
    expect(hist.reduce((n, b) => n + b.count, 0)).toBe(total);
    expect(hist.reduce((n, b) => n + b.errors, 0)).toBe(errors);
    const groups = await readErrorGroups(db.pool, range);
    expect(groups.reduce((n, g) => n + g.count, 0)).toBe(errors);
    for (let i = 1; i < groups.length; i++) expect(groups[i - 1]!.count).toBeGreaterThanOrEqual(groups[i]!.count);
  });

  it("a question's own log lines, including an outcome joined from the next file", async () => {
    const { rows } = await db.pool.query<{ id: string; orphan: string }>(
      "SELECT b.id, b.joined_from AS orphan FROM bot_questions b WHERE b.joined_from IS NOT NULL LIMIT 1");
    expect(rows.length).toBe(1);
    const entries = await readQuestionEntries(db.pool, rows[0]!.id);
    const messages = entries.map((e) => e.message);
    expect(messages).toContain("Processing deal bot query");
    expect(messages).toContain("Query processed successfully");
    expect(new Set(entries.map((e) => e.id.split(":")[0])).size).toBe(2);
    // The hidden orphan's id leads to the same question and lines.
    expect((await readQuestion(db.pool, rows[0]!.orphan))!.id).toBe(rows[0]!.id);
    expect(await readQuestionEntries(db.pool, rows[0]!.orphan)).toEqual(entries);
    expect(await readQuestionEntries(db.pool, "1; DROP TABLE log_entries")).toEqual([]);
  });

  it("batch readers (for DataLoader) give what the one-id readers give", async () => {
    const { rows } = await db.pool.query<{ id: string; conversation_id: string }>(
      "SELECT id, conversation_id FROM bot_questions WHERE merged_into IS NULL ORDER BY asked_at LIMIT 40");
    const hidden = (await db.pool.query<{ id: string }>("SELECT id FROM bot_questions WHERE merged_into IS NOT NULL LIMIT 1")).rows[0]!.id;
    const ids = [...rows.map((r) => r.id), hidden, "404", "not-an-id"];
    const byId = await readQuestionsByIds(db.pool, ids);
    for (const id of ids) expect(byId.get(id) ?? null).toEqual(await readQuestion(db.pool, id));
    const convIds = [...new Set(rows.map((r) => r.conversation_id))];
    expect(convIds.length).toBeGreaterThan(1);
    const convs = await readConversationsByIds(db.pool, [...convIds, "404"]);
    expect(convs.size).toBe(convIds.length);
    for (const id of convIds) expect(convs.get(id)).toEqual(await readConversation(db.pool, id));
  });

  it("ingestion status: the ledger's counts, the newest file and freshness", async () => {
    const status = await readIngestionStatus(db.pool, END.getTime() + HOUR);
    expect(status.files).toEqual({ pending: 0, done: truth.files.total, failed: 0, skipped: 0 });
    expect(status.lastFileKey).toMatch(/^2026\/10\/2[78]\//);
    expect(status.lagSeconds).toBeGreaterThanOrEqual(3600);
    expect(status.lagSeconds).toBeLessThan(3 * 3600);
    expect(status.entriesPerMinute).toHaveLength(60);
    expect(status.failedFiles).toEqual([]);
  });

  const INJECTIONS = [
    "' OR '1'='1", "'; DROP TABLE bot_questions; --", "\\'; SELECT pg_sleep(5); --", "fees' UNION SELECT * FROM ingest_files --",
    "%", "_", "\u0000",
  ];

  it("SQL injection in every string filter, search and time zone changes nothing and finds nothing", async () => {
    for (const evil of INJECTIONS) {
      for (const key of ["dealId", "fund", "topic", "platform", "appVersion"] as const) {
        const filter = { [key]: evil.replace("\u0000", "x") };
        const o = await readOverview(db.pool, range, filter);
        expect(o.questions, `${key}=${evil}`).toBe(0);
        const c = await readQuestionCounts(db.pool, { ...range, interval: "day" }, filter);
        expect(c.reduce((n, b) => n + b.count, 0)).toBe(0);
        expect((await readProblemQuestions(db.pool, range, null, filter)).totalCount).toBe(0);
        expect((await readConversations(db.pool, range, filter)).totalCount).toBe(0);
        expect((await readCommonQuestions(db.pool, range, filter)).totalCount, `${key}=${evil}`).toBe(0);
        expect(await readBreakdown(db.pool, "topic", range, filter)).toEqual([]);
      }
      const search = evil.replace("\u0000", "x");
      const s: Awaited<ReturnType<typeof searchQuestions>> | Error = await searchQuestions(db.pool, search, range).catch((e: unknown) => e as Error);
      if (s instanceof Error) expect(s).toBeInstanceOf(ReadError);
      else {
        // Searched as words ("fees", "1"), never run: whatever matches holds one of the words.
        for (const n of s.nodes) {
          const text = `${n.node.text} ${n.node.answer ?? ""}`.toLowerCase();
          expect(text.includes(search.toLowerCase()) || s.terms.some((t) => text.includes(t.replace(/s$/, ""))), `${evil}: ${text}`).toBe(true);
        }
      }
      await expect(readQuestionCounts(db.pool, { ...range, interval: "day", timeZone: evil })).rejects.toMatchObject({ code: "BAD_TIME_ZONE" });
      expect(await readQuestion(db.pool, evil)).toBeNull();
      expect(await readConversation(db.pool, evil)).toBeNull();
    }
    // "%" and "_" are literal characters in a search, not wildcards.
    expect((await searchQuestions(db.pool, "%", range)).totalCount).toBe(
      await count(db.pool, "SELECT count(*) AS n FROM bot_questions WHERE merged_into IS NULL AND question LIKE '%\\%%'"));
    expect(await count(db.pool, "SELECT count(*) AS n FROM bot_questions")).toBeGreaterThan(0);
  });

  it("refuses bad input with a clear error code", async () => {
    const bad = async (p: Promise<unknown>, code: string): Promise<void> => {
      await expect(p).rejects.toBeInstanceOf(ReadError);
      await expect(p).rejects.toMatchObject({ code });
    };
    await bad(readOverview(db.pool, { fromMs: range.toMs, toMs: range.fromMs }), "BAD_RANGE");
    await bad(readOverview(db.pool, { fromMs: Number.NaN, toMs: range.toMs }), "BAD_RANGE");
    await bad(readOverview(db.pool, { fromMs: 0, toMs: range.toMs }), "BAD_RANGE");
    await bad(readQuestionCounts(db.pool, { ...range, interval: "day", timeZone: "Mars/Olympus" }), "BAD_TIME_ZONE");
    await bad(readQuestionCounts(db.pool, { fromMs: range.toMs - 4 * 365 * DAY, toMs: range.toMs, interval: "hour" }), "TOO_MANY_BUCKETS");
    await bad(readProblemQuestions(db.pool, range, null, {}, { first: 101 }), "PAGE_TOO_LARGE");
    await bad(readProblemQuestions(db.pool, range, null, {}, { after: "not-a-cursor" }), "BAD_CURSOR");
    await bad(readConversations(db.pool, range, {}, { after: Buffer.from('["x"]').toString("base64url") }), "BAD_CURSOR");
    await bad(searchQuestions(db.pool, "   ", range), "BAD_SEARCH");
    await bad(searchQuestions(db.pool, "x".repeat(201), range), "BAD_SEARCH");
    await bad(readOverview(db.pool, range, { fund: "x".repeat(201) }), "BAD_FILTER");
    await bad(readOverview(db.pool, range, { outcomes: ["great" as "answered"] }), "BAD_FILTER");
    await bad(readProblemQuestions(db.pool, range, ["bad" as "failed"]), "BAD_FILTER");
  });
});

describe.skipIf(!existsSync(realSampleDir))("readers over the real sample files", () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
    await ingest(db.pool, realSampleDir);
  });
  afterAll(async () => {
    await db?.drop();
  });

  it("gives the sample's truths from log-format.md", async () => {
    const range = { fromMs: Date.parse("2025-04-01T00:00:00Z"), toMs: Date.parse("2025-05-03T00:00:00Z") };
    const o = await readOverview(db.pool, range);
    expect(o.questions).toBe(65);
    expect(o.users).toBe(7);
    expect(Math.abs(o.latencyMs.p50! - 3604) / 3604).toBeLessThanOrEqual(0.02);
    const days = await readQuestionCounts(db.pool, { ...range, interval: "day" });
    expect(days).toHaveLength(32);
    expect(days.filter((d) => d.count > 0).map((d) => [new Date(d.startMs).toISOString().slice(0, 10), d.count]))
      .toEqual([["2025-04-01", 8], ["2025-04-02", 35], ["2025-05-02", 22]]);
    expect(await readOverview(db.pool, range)).toEqual(await readOverview(db.pool, range, {}, { forceRaw: true }));
    const gaps = await readKnowledgeGaps(db.pool, range);
    expect(gaps.gaps.reduce((n, g) => n + g.hedged, 0)).toBe(o.hedged);
  });
});
