import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  readBreakdown, readCommonQuestions, readConversation, readConversations, readErrorGroups, readIngestionStatus, readKnowledgeGaps,
  readLogCounts, readLogEntries, readOverview, readProblemQuestions, readQuestion, readQuestionCounts, readQuestionEntries,
  readResponseTimes, searchQuestions,
} from "@log-insights/store";
import { createTestDatabase, type TestDatabase } from "@log-insights/store/testing";
import type { Truth } from "../../../tools/src/generate/index";
import { count, generatedBucket, ingest, realSampleDir } from "../../ingest/test/support/harness";
import type { ApiHandler } from "../src/handler";
import { readsData, testApi } from "./support/access";
import { knowledgeGapCursor } from "../src/schema/questions";
import { asApi, data, iso, type Json } from "./support/api";

// Every field of the schema against a real PostgreSQL loaded with a
// generated bucket: headline numbers against the generator's truth, lists
// against direct SQL, and every field of every type against the store's
// reader (itself tested against the truth in packages/ingest/test/readers.db.test.ts),
// so a field wired to the wrong value or dropped fails here.

const END = Date.parse("2026-10-29T00:00:00Z");
const DAY = 86_400_000;
const DAYS = 8;
const range = { fromMs: END - DAYS * DAY, toMs: END };
const vars = { from: iso(range.fromMs), to: iso(range.toMs) };

const BOT_QUESTION = `id askedAt answeredAt userId dealId fund topic text answer outcome signals reason attention latencyMs cacheHit
  documentCount conversationId platform appVersion errorMessage model`;
const LOG_ENTRY = "id time level levelName context message userId dealId requestId platform appVersion latencyMs data";
const PERIOD = `from to questions users conversations answered hedged failed unfinished partial noDocuments slow reasked answeredRate cacheHitRate
  latencyMs { count mean p50 p90 p95 p99 }`;
const PAGE = "totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }";

describe("every field over a generated bucket", () => {
  let db: TestDatabase;
  let bucket: { dir: string; truth: Truth; cleanup(): Promise<void> };
  let truth: Truth;
  let api: ApiHandler;
  let queries = 0;

  beforeAll(async () => {
    db = await createTestDatabase();
    bucket = await generatedBucket({ seed: 21, days: DAYS, sessionsPerDay: 30, end: new Date(END) });
    truth = bucket.truth;
    await ingest(db.pool, bucket.dir);
    // The real pool, counting the queries the API sends through it (for the batching test).
    const counted = new Proxy(db.pool, {
      get(target, prop, receiver) {
        if (prop === "query") return (...args: unknown[]) => (readsData(args[0]) && queries++, (target.query as (...a: unknown[]) => unknown)(...args));
        const v = Reflect.get(target, prop, receiver) as unknown;
        return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
    api = testApi({ pool: counted, cache: { ttlSeconds: 300 } });
    await api.started;
  });
  afterAll(async () => {
    await api?.close();
    await db?.drop();
    await bucket?.cleanup();
  });

  it("overview: every number, this period and the previous one, equals the truth and the reader", async () => {
    const d = await data(api, `query($from: DateTime!, $to: DateTime!) { overview(from: $from, to: $to, timeZone: "Europe/London") { ${PERIOD} previous { ${PERIOD} } } }`, vars);
    const o = d.overview;
    expect(o.questions).toBe(truth.questionsTotal);
    expect(o.failed).toBe(truth.outcomes.failed);
    expect(o.unfinished).toBe(truth.outcomes.unfinished);
    expect(o.answered + o.hedged).toBe(truth.outcomes.answered + truth.outcomes.hedged);
    expect(o.users).toBe(truth.users.bot);
    expect(o.latencyMs.count).toBe(truth.latency!.count);
    expect(Math.abs(o.latencyMs.p50 - truth.latency!.p50) / truth.latency!.p50).toBeLessThanOrEqual(0.02);
    expect(o.conversations).toBe(await count(db.pool, "SELECT count(*) AS n FROM conversations"));
    expect(o.previous.questions).toBe(0);
    expect(o.from).toBe(vars.from);
    expect(o.previous.to).toBe(vars.from);
    expect(o).toEqual(asApi(await readOverview(db.pool, range)));
    // With a filter.
    const f = await data(api, `query($from: DateTime!, $to: DateTime!) { overview(from: $from, to: $to, filter: { platform: "iOS", outcomes: [FAILED, HEDGED] }) { ${PERIOD} } }`, vars);
    const { previous: _p, ...filtered } = await readOverview(db.pool, range, { platform: "iOS", outcomes: ["failed", "hedged"] });
    expect(f.overview).toEqual(asApi(filtered));
    expect(f.overview.questions).toBe(await count(db.pool,
      "SELECT count(*) AS n FROM bot_questions WHERE merged_into IS NULL AND platform = 'iOS' AND outcome IN ('failed', 'hedged')"));
  });

  it("questionCounts and responseTimes: zero-filled buckets per interval and time zone", async () => {
    const d = await data(api, `query($from: DateTime!, $to: DateTime!) {
      utc: questionCounts(from: $from, to: $to, interval: DAY) { start end count answered hedged failed unfinished }
      london: questionCounts(from: $from, to: $to, interval: WEEK, timeZone: "Europe/London") { start end count answered hedged failed unfinished }
      hours: questionCounts(from: $from, to: $to, interval: HOUR, filter: { topic: "fees" }) { start count }
      months: questionCounts(from: $from, to: $to, interval: MONTH) { start count }
      times: responseTimes(from: $from, to: $to, interval: DAY) { start end count mean p50 p90 p95 p99 }
      timesKolkata: responseTimes(from: $from, to: $to, interval: DAY, timeZone: "Asia/Kolkata", filter: { fund: "EIS Fund" }) { start end count mean p50 p90 p95 p99 }
    }`, vars);
    expect(d.utc).toHaveLength(DAYS);
    const perDay = Object.fromEntries(d.utc.filter((b: { count: number }) => b.count > 0).map((b: { start: string; count: number }) => [b.start.slice(0, 10), b.count]));
    expect(perDay).toEqual(truth.questionsPerUtcDay);
    expect(d.utc).toEqual(asApi(await readQuestionCounts(db.pool, { ...range, interval: "day" })));
    expect(d.london).toEqual(asApi(await readQuestionCounts(db.pool, { ...range, interval: "week", timeZone: "Europe/London" })));
    expect(d.hours).toHaveLength(DAYS * 24);
    expect(d.hours.reduce((n: number, b: { count: number }) => n + b.count, 0)).toBe(
      await count(db.pool, "SELECT count(*) AS n FROM bot_questions WHERE merged_into IS NULL AND topic = 'fees'"));
    expect(d.months.reduce((n: number, b: { count: number }) => n + b.count, 0)).toBe(truth.questionsTotal);
    expect(d.times).toEqual(asApi(await readResponseTimes(db.pool, { ...range, interval: "day" })));
    expect(d.timesKolkata).toEqual(asApi(await readResponseTimes(db.pool, { ...range, interval: "day", timeZone: "Asia/Kolkata" }, { fund: "EIS Fund" })));
    expect(d.times.reduce((n: number, b: { count: number }) => n + b.count, 0)).toBe(truth.latency!.count);
  });

  it("topics and breakdowns by fund, platform and app version add up to the questions", async () => {
    const rows = "count share answered hedged failed unfinished previousCount";
    const d = await data(api, `query($from: DateTime!, $to: DateTime!) {
      topics(from: $from, to: $to) { topic label ${rows} }
      TOPIC: breakdown(dimension: TOPIC, from: $from, to: $to) { value ${rows} }
      FUND: breakdown(dimension: FUND, from: $from, to: $to) { value ${rows} }
      PLATFORM: breakdown(dimension: PLATFORM, from: $from, to: $to) { value ${rows} }
      APP_VERSION: breakdown(dimension: APP_VERSION, from: $from, to: $to) { value ${rows} }
      iosTopics: topics(from: $from, to: $to, filter: { platform: "iOS" }) { topic count }
    }`, vars);
    for (const [dim, name] of [["topic", "TOPIC"], ["fund", "FUND"], ["platform", "PLATFORM"], ["appVersion", "APP_VERSION"]] as const) {
      expect(d[name].reduce((n: number, r: { count: number }) => n + r.count, 0)).toBe(truth.questionsTotal);
      expect(d[name]).toEqual(asApi(await readBreakdown(db.pool, dim, range)));
    }
    expect(d.topics.map(({ topic, label: _l, ...r }: { topic: string | null; label: string }) => ({ value: topic, ...r }))).toEqual(d.TOPIC);
    expect(d.topics.find((t: { topic: string }) => t.topic === "fees")?.label).toBe("Fees & charges");
    expect(d.PLATFORM.map((p: { value: string }) => p.value).sort()).toEqual(["Android", "iOS"]);
    const sql = await db.pool.query<{ topic: string | null; n: string }>(
      "SELECT topic, count(*) AS n FROM bot_questions WHERE merged_into IS NULL AND platform = 'iOS' GROUP BY topic");
    expect(Object.fromEntries(d.iosTopics.map((t: { topic: string | null; count: number }) => [t.topic, t.count])))
      .toEqual(Object.fromEntries(sql.rows.map((r) => [r.topic, Number(r.n)])));
  });

  it("commonQuestions: every field, pages, and the questions add up to the truth", async () => {
    const q = `query($from: DateTime!, $to: DateTime!, $after: String) { commonQuestions(from: $from, to: $to, first: 100, after: $after) {
      ${PAGE} edges { cursor node { id text count share hedged firstAskedAt lastAskedAt previousCount } } } }`;
    let after: string | null = null;
    let total = 0;
    const ids = new Set<string>();
    for (;;) {
      const page: Json = (await data(api, q, { ...vars, after })).commonQuestions;
      const reader = await readCommonQuestions(db.pool, range, {}, { first: 100, after });
      expect(page.edges).toEqual(asApi(reader.nodes));
      expect(page.totalCount).toBe(reader.totalCount);
      expect(page.pageInfo).toEqual({ hasNextPage: reader.hasNextPage, hasPreviousPage: after !== null, startCursor: reader.nodes[0]?.cursor ?? null, endCursor: reader.endCursor });
      for (const e of page.edges) {
        expect(ids.has(e.node.id)).toBe(false);
        ids.add(e.node.id);
        total += e.node.count;
      }
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(total).toBe(truth.questionsTotal);
  });

  it("knowledgeGaps: every field, example questions loaded, edge cursors resume the walk", async () => {
    const q = `query($from: DateTime!, $to: DateTime!, $after: String) { knowledgeGaps(from: $from, to: $to, first: 5, after: $after) {
      ${PAGE} edges { cursor node { id fund topic topicLabel hedged partial questions hedgedShare lastAskedAt summary
        examples { id text askedAt question { id outcome fund topic } } } } } }`;
    let after: string | null = null;
    let hedged = 0;
    for (;;) {
      const page: Json = (await data(api, q, { ...vars, after })).knowledgeGaps;
      const reader = await readKnowledgeGaps(db.pool, range, { first: 5, after });
      expect(page.edges.map((e: { node: unknown }) => e.node)).toMatchObject(asApi(reader.gaps) as object[]);
      expect(page.pageInfo.endCursor).toBe(reader.endCursor);
      // The edge cursors the API computes follow the reader's cursor format: the last is its endCursor,
      // and resuming from any edge gives the rows after it.
      if (reader.gaps.length > 0) expect(knowledgeGapCursor(reader.gaps[reader.gaps.length - 1]!)).toBe(reader.endCursor);
      if (page.edges.length > 1) {
        const resumed = await readKnowledgeGaps(db.pool, range, { first: 1, after: page.edges[0].cursor });
        expect(resumed.gaps[0]!.id).toBe(page.edges[1].node.id);
      }
      for (const e of page.edges) {
        hedged += e.node.hedged;
        for (const ex of e.node.examples) expect(ex.question).toMatchObject({ id: ex.id, outcome: "HEDGED", fund: e.node.fund, topic: e.node.topic });
      }
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(hedged).toBe(await count(db.pool, "SELECT count(*) AS n FROM bot_questions WHERE merged_into IS NULL AND outcome = 'hedged'"));
  });

  it("problemQuestions: every BotQuestion field, each kind alone equals SQL", async () => {
    const q = `query($from: DateTime!, $to: DateTime!, $kinds: [ProblemKind!], $filter: QuestionFilter) {
      problemQuestions(from: $from, to: $to, kinds: $kinds, first: 100, filter: $filter) { ${PAGE} edges { cursor node { ${BOT_QUESTION} } } } }`;
    const all: Json = (await data(api, q, vars)).problemQuestions;
    const reader = await readProblemQuestions(db.pool, range, null, {}, { first: 100 });
    expect(all.edges).toEqual(asApi(reader.nodes));
    expect(all.totalCount).toBe(await count(db.pool, `SELECT count(*) AS n FROM bot_questions WHERE merged_into IS NULL
      AND (outcome <> 'answered' OR no_documents OR slow OR reasked)`));
    const conditions = { FAILED: "outcome = 'failed'", UNFINISHED: "outcome = 'unfinished'", HEDGED: "outcome = 'hedged'", NO_DOCUMENTS: "no_documents", SLOW: "slow", REASKED: "reasked" };
    for (const [kind, cond] of Object.entries(conditions)) {
      const page: Json = (await data(api, q, { ...vars, kinds: [kind] })).problemQuestions;
      expect(page.totalCount, kind).toBe(await count(db.pool, `SELECT count(*) AS n FROM bot_questions WHERE merged_into IS NULL AND ${cond}`));
    }
    expect((await data(api, q, { ...vars, kinds: ["FAILED"] })).problemQuestions.totalCount).toBe(truth.outcomes.failed);
    const filtered: Json = (await data(api, q, { ...vars, filter: { fund: "EIS Fund", platform: "Android" } })).problemQuestions;
    expect(filtered.edges.every((e: Json) => e.node.fund === "EIS Fund" && e.node.platform === "Android")).toBe(true);
    expect(filtered.totalCount).toBe((await readProblemQuestions(db.pool, range, null, { fund: "EIS Fund", platform: "Android" })).totalCount);
  });

  it("searchQuestions: question and answer matches, the search terms, and the default range", async () => {
    const q = `query($text: String!, $from: DateTime, $to: DateTime) { searchQuestions(text: $text, from: $from, to: $to, first: 50) {
      ${PAGE} searchTerms edges { cursor node { ${BOT_QUESTION} } } } }`;
    const d: Json = (await data(api, q, { text: "fees", ...vars })).searchQuestions;
    const reader = await searchQuestions(db.pool, "fees", range, {}, { first: 50 });
    expect(d.edges).toEqual(asApi(reader.nodes));
    expect(d.totalCount).toBe(reader.totalCount);
    expect(d.searchTerms).toEqual(["fees"]);
    for (const e of d.edges) expect(`${e.node.text} ${e.node.answer ?? ""}`.toLowerCase()).toMatch(/fee/);
    // No range: the reader's default (the last year up to now) — the bucket is in the future of no one, so compare with the reader.
    const open: Json = (await data(api, q, { text: "EIS Fund" })).searchQuestions;
    expect(open.totalCount).toBe((await searchQuestions(db.pool, "EIS Fund", {})).totalCount);
    const other = await data(api, `{ problemQuestions(from: "${vars.from}", to: "${vars.to}", first: 1) { searchTerms } }`);
    expect(other.problemQuestions.searchTerms).toBeNull();
  });

  it("question: one question with its log entries; conversation: its questions in order", async () => {
    const [row] = (await db.pool.query<{ id: string; conversation_id: string }>(
      "SELECT id, conversation_id FROM bot_questions WHERE merged_into IS NULL AND outcome = 'failed' ORDER BY asked_at LIMIT 1")).rows;
    const d = await data(api, `query($id: ID!, $c: ID!) {
      question(id: $id) { ${BOT_QUESTION} logEntries { ${LOG_ENTRY} } conversation { id questionCount questions { id } } }
      conversation(id: $c) { id userId dealId startedAt endedAt questionCount problemCount firstQuestion questions { ${BOT_QUESTION} } }
      missing: question(id: "12345") { id }
      noConversation: conversation(id: "12345") { id }
    }`, { id: row!.id, c: row!.conversation_id });
    const { logEntries, conversation, ...question } = d.question;
    expect(question).toEqual(asApi(await readQuestion(db.pool, row!.id)));
    expect(logEntries).toEqual(asApi(await readQuestionEntries(db.pool, row!.id)));
    expect(logEntries.length).toBeGreaterThan(1);
    expect(logEntries[0].message).toBe("Processing deal bot query");
    expect(logEntries.some((e: { level: number }) => e.level >= 50)).toBe(true);
    expect(conversation.id).toBe(row!.conversation_id);
    expect(conversation.questions.map((x: { id: string }) => x.id)).toContain(row!.id);
    expect(d.conversation).toEqual(asApi(await readConversation(db.pool, row!.conversation_id)));
    expect(d.conversation.questions).toHaveLength(d.conversation.questionCount);
    expect(d.missing).toBeNull();
    expect(d.noConversation).toBeNull();
  });

  it("conversations: every field, the list's questions loaded, the total equals SQL", async () => {
    const d: Json = await data(api, `query($from: DateTime!, $to: DateTime!) {
      conversations(from: $from, to: $to, first: 20) { ${PAGE} edges { cursor node { id userId dealId startedAt endedAt questionCount problemCount firstQuestion questions { id askedAt } } } }
      fees: conversations(from: $from, to: $to, filter: { topic: "fees" }) { totalCount }
    }`, vars);
    const reader = await readConversations(db.pool, range, {}, { first: 20 });
    expect(d.conversations.edges.map((e: Json) => { const { questions: _q, ...n } = e.node; return { cursor: e.cursor, node: n }; })).toEqual(asApi(reader.nodes));
    expect(d.conversations.totalCount).toBe(await count(db.pool, "SELECT count(*) AS n FROM conversations"));
    for (const e of d.conversations.edges) {
      expect(e.node.questions).toHaveLength(e.node.questionCount);
      expect(e.node.questions[0].id).toBe(e.node.id);
    }
    expect(d.fees.totalCount).toBe((await readConversations(db.pool, range, { topic: "fees" })).totalCount);
  });

  it("logEntries, logCounts and errorGroups: every entry, filters, and equal to SQL", async () => {
    const d: Json = await data(api, `query($from: DateTime!, $to: DateTime!) {
      all: logEntries(from: $from, to: $to, first: 100) { ${PAGE} totalCountIsExact edges { cursor node { ${LOG_ENTRY} } } }
      errors: logEntries(from: $from, to: $to, levels: ["error", "60"]) { totalCount edges { node { level } } }
      bot: logEntries(from: $from, to: $to, context: "DealBotService", text: "processing deal bot") { totalCount edges { node { message context } } }
      counts: logCounts(from: $from, to: $to, interval: DAY) { start end count errors }
      countsLondon: logCounts(from: $from, to: $to, interval: HOUR, timeZone: "Europe/London", levels: ["warn"]) { start count errors }
      groups: errorGroups(from: $from, to: $to) { context message count firstSeenAt lastSeenAt sampleEntryId }
      top: errorGroups(from: $from, to: $to, limit: 2) { count }
    }`, vars);
    const stored = await count(db.pool, "SELECT count(*) AS n FROM log_entries");
    // Lists count up to 10,000 rows, then say "more" (totalCountIsExact false).
    expect(stored).toBeGreaterThan(10_000);
    expect(d.all.totalCount).toBe(10_000);
    expect(d.all.totalCountIsExact).toBe(false);
    expect(stored).toBe(truth.entries.valid);
    expect(d.all.edges).toEqual(asApi((await readLogEntries(db.pool, range, {}, { first: 100 })).nodes));
    expect(d.errors.totalCount).toBe(await count(db.pool, "SELECT count(*) AS n FROM log_entries WHERE level IN (50, 60)"));
    expect(d.errors.edges.every((e: Json) => e.node.level >= 50)).toBe(true);
    expect(d.bot.totalCount).toBe(await count(db.pool,
      "SELECT count(*) AS n FROM log_entries WHERE context = 'DealBotService' AND message ILIKE '%processing deal bot%'"));
    expect(d.bot.totalCount).toBe(Object.entries(truth.entries.byContextMessage)
      .filter(([k]) => k.startsWith("DealBotService|") && k.toLowerCase().includes("processing deal bot"))
      .reduce((n, [, v]) => n + v, 0));
    expect(d.counts.reduce((n: number, b: Json) => n + b.count, 0)).toBe(stored);
    expect(d.counts).toEqual(asApi(await readLogCounts(db.pool, { ...range, interval: "day" })));
    expect(d.countsLondon).toHaveLength(DAYS * 24); // London hours start on UTC hours
    expect(d.countsLondon).toEqual(asApi((await readLogCounts(db.pool, { ...range, interval: "hour", timeZone: "Europe/London" }, { levels: ["warn"] }))
      .map(({ endMs: _e, ...b }) => b)));
    expect(d.countsLondon.reduce((n: number, b: Json) => n + b.count, 0)).toBe(await count(db.pool, "SELECT count(*) AS n FROM log_entries WHERE level = 40"));
    expect(d.groups).toEqual(asApi(await readErrorGroups(db.pool, range)));
    expect(d.groups.reduce((n: number, g: Json) => n + g.count, 0)).toBe(await count(db.pool, "SELECT count(*) AS n FROM log_entries WHERE level >= 50"));
    expect(d.top).toHaveLength(2);
  });

  it("ingestion: files, last file, lag and failures equal the ledger", async () => {
    const d: Json = await data(api, `{ ingestion { files { pending done failed skipped } lastFileKey lastFileAt lastIngestedAt lagSeconds
      entriesPerMinute { start count } failedFiles { key error attempts updatedAt } } }`);
    const s = await readIngestionStatus(db.pool);
    expect(d.ingestion.files).toEqual(s.files);
    expect(d.ingestion.files.done).toBe(await count(db.pool, "SELECT count(*) AS n FROM ingest_files WHERE status = 'done'"));
    expect(d.ingestion.files.done).toBe(truth.files.total);
    expect(d.ingestion.lastFileKey).toBe(s.lastFileKey);
    expect(d.ingestion.lastFileAt).toBe(iso(s.lastFileAtMs!));
    expect(Math.abs(d.ingestion.lagSeconds - s.lagSeconds!)).toBeLessThanOrEqual(2);
    expect(d.ingestion.entriesPerMinute).toHaveLength(60);
    expect(d.ingestion.failedFiles).toEqual([]);
  });

  it("nested fields are batched: one batch read for a page's conversations, none when cached", async () => {
    const page = `first: 100, kinds: [FAILED, UNFINISHED, REASKED]) { edges { node { id conversationId`;
    const queriesOf = async (q: string, v: Record<string, unknown> = vars): Promise<number> => {
      await api.invalidate();
      queries = 0;
      await data(api, q, v);
      return queries;
    };
    // What the page alone and a batch of conversations cost in queries.
    const pageAlone = await queriesOf(`query($from: DateTime!, $to: DateTime!) { problemQuestions(from: $from, to: $to, ${page} } } } }`);
    const two = (await db.pool.query<{ id: string }>("SELECT id FROM conversations LIMIT 2")).rows.map((r) => r.id);
    const twoConversations = await queriesOf(`query($a: ID!, $b: ID!) { a: conversation(id: $a) { id questions { id } } b: conversation(id: $b) { id questions { id } } }`,
      { a: two[0], b: two[1] });
    expect(twoConversations).toBeGreaterThan(0);

    const q = `query($from: DateTime!, $to: DateTime!) { problemQuestions(from: $from, to: $to, ${page} conversation { id questions { id } } } } } }`;
    const total = await queriesOf(q);
    const d: Json = await data(api, q, vars);
    const distinct = new Set(d.problemQuestions.edges.map((e: Json) => e.node.conversationId));
    expect(d.problemQuestions.edges.length).toBeGreaterThan(distinct.size);
    expect(distinct.size).toBeGreaterThan(10);
    // One batch for all the page's conversations: as many queries as for two.
    expect(total).toBe(pageAlone + twoConversations);
    for (const e of d.problemQuestions.edges) expect(e.node.conversation.id).toBe(e.node.conversationId);
    // Cached: no query at all.
    queries = 0;
    expect(await data(api, q, vars)).toEqual(d);
    expect(queries).toBe(0);
  });
});

describe.skipIf(!existsSync(realSampleDir))("the real sample files", () => {
  let db: TestDatabase;
  let api: ApiHandler;
  beforeAll(async () => {
    db = await createTestDatabase();
    await ingest(db.pool, realSampleDir);
    api = testApi({ pool: db.pool, listen: false });
  });
  afterAll(async () => {
    await api?.close();
    await db?.drop();
  });

  it("give the sample's truths from log-format.md", async () => {
    const d: Json = await data(api, `{
      overview(from: "2025-04-01", to: "2025-05-03") { questions users latencyMs { p50 } }
      questionCounts(from: "2025-04-01", to: "2025-05-03", interval: DAY) { start count }
      knowledgeGaps(from: "2025-04-01", to: "2025-05-03") { totalCount edges { node { hedged } } }
      problemQuestions(from: "2025-04-01", to: "2025-05-03", first: 100) { totalCount edges { node { reason logEntries { id } } } }
    }`);
    expect(d.overview.questions).toBe(65);
    expect(d.overview.users).toBe(7);
    expect(Math.abs(d.overview.latencyMs.p50 - 3604) / 3604).toBeLessThanOrEqual(0.02);
    expect(d.questionCounts).toHaveLength(32);
    expect(d.questionCounts.filter((b: Json) => b.count > 0).map((b: Json) => [b.start.slice(0, 10), b.count]))
      .toEqual([["2025-04-01", 8], ["2025-04-02", 35], ["2025-05-02", 22]]);
    for (const e of d.problemQuestions.edges) {
      expect(e.node.reason).toBeTruthy();
      expect(e.node.logEntries.length).toBeGreaterThan(0);
    }
  });
});
