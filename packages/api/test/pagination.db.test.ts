import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "@log-insights/store/testing";
import { createLogger } from "@log-insights/config";
import { generatedBucket, ingest } from "../../ingest/test/support/harness";
import type { ApiHandler } from "../src/handler";
import { testApi } from "./support/access";
import { data, iso, walk } from "./support/api";

// Pagination walks that visit every row exactly once while new files are
// ingested between pages: the cursors are keyset positions, not offsets, so
// rows arriving before the cursor's position never shift a later page. The
// API's cache is on, and every ingest commit invalidates it (LISTEN), as in
// production.

const END = Date.parse("2026-10-29T00:00:00Z");
const DAY = 86_400_000;
const HOUR = 3_600_000;
const DAYS = 4;
const vars = { from: iso(END - DAYS * DAY), to: iso(END) };

describe("pagination walks under ingestion", () => {
  let db: TestDatabase;
  let api: ApiHandler;
  const buckets: { dir: string; cleanup(): Promise<void> }[] = [];
  let later: { dir: string };
  // The second bucket lands in 6-hour slices between pages, so every walk sees new rows arrive inside its range.
  let slice = 0;
  const ingestNextSlice = async (): Promise<void> => {
    const sinceMs = END - DAYS * DAY + slice * 6 * HOUR;
    slice++;
    if (sinceMs >= END) return;
    await ingest(db.pool, later.dir, { filter: { sinceMs, untilMs: sinceMs + 6 * HOUR } });
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    const first = await generatedBucket({ seed: 31, days: DAYS, sessionsPerDay: 25, end: new Date(END) });
    const second = await generatedBucket({ seed: 32, days: DAYS, sessionsPerDay: 25, end: new Date(END) });
    buckets.push(first, second);
    later = second;
    await ingest(db.pool, first.dir);
    api = testApi({ pool: db.pool, logger: createLogger("test", "silent") });
    await api.started;
  });
  afterAll(async () => {
    await api?.close();
    await db?.drop();
    for (const b of buckets) await b.cleanup();
  });

  async function ids(sql: string): Promise<string[]> {
    return (await db.pool.query<{ id: string }>(sql)).rows.map((r) => r.id);
  }

  function expectOnce(visited: string[], expected: string[]): void {
    expect(new Set(visited).size, "a row was visited twice").toBe(visited.length);
    const seen = new Set(visited);
    const missing = expected.filter((id) => !seen.has(id));
    expect(missing, "rows present before the walk were skipped").toEqual([]);
  }

  it("logEntries: every entry once, newest first, while files land", async () => {
    const before = await ids(`SELECT file_id || ':' || idx AS id FROM log_entries WHERE ts >= '${vars.from}' AND ts < '${vars.to}'`);
    const { nodes, pages, totals } = await walk<{ id: string; time: string }>(
      async (after) => (await data(api, `query($from: DateTime!, $to: DateTime!, $after: String) {
        logEntries(from: $from, to: $to, first: 100, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id time } } } }`,
      { ...vars, after })).logEntries,
      async (page) => { if (page <= 3) await ingestNextSlice(); },
    );
    expect(pages).toBeGreaterThan(30);
    expectOnce(nodes.map((n) => n.id), before);
    for (let i = 1; i < nodes.length; i++) expect(nodes[i]!.time <= nodes[i - 1]!.time).toBe(true);
    expect(totals[totals.length - 1]).toBeGreaterThan(totals[0]!); // new entries arrived during the walk
  });

  it("searchQuestions: every match once while files land", async () => {
    const before = await ids(`SELECT id FROM bot_questions b WHERE merged_into IS NULL AND asked_at >= '${vars.from}' AND asked_at < '${vars.to}'
      AND (b.search @@ websearch_to_tsquery('english', 'fund') OR b.question ILIKE '%fund%')`);
    const { nodes, totals } = await walk<{ id: string }>(
      async (after) => (await data(api, `query($from: DateTime!, $to: DateTime!, $after: String) {
        searchQuestions(text: "fund", from: $from, to: $to, first: 25, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id } } } }`,
      { ...vars, after })).searchQuestions,
      async (page) => { if (page <= 3) await ingestNextSlice(); },
    );
    expect(before.length).toBeGreaterThan(100);
    expectOnce(nodes.map((n) => n.id), before);
    expect(totals[totals.length - 1]).toBeGreaterThan(totals[0]!);
  });

  it("problemQuestions and conversations: every row once while files land", async () => {
    // The sort keys: attention (from the flags) and time for questions, start time for conversations. A new
    // file can change an existing row's key (a re-ask flagged, a conversation extended back); those rows may
    // move, every other row must be visited exactly once.
    const keyOf = `SELECT id, (outcome, partial, no_documents, slow, reasked)::text AS k FROM bot_questions WHERE merged_into IS NULL
      AND asked_at >= '${vars.from}' AND asked_at < '${vars.to}' AND (outcome <> 'answered' OR no_documents OR slow OR reasked)`;
    const convKey = `SELECT id, started_at::text AS k FROM conversations WHERE started_at >= '${vars.from}' AND started_at < '${vars.to}'`;
    const snapshot = async (sql: string) => new Map((await db.pool.query<{ id: string; k: string }>(sql)).rows.map((r) => [r.id, r.k]));
    const questionsBefore = await snapshot(keyOf);
    const conversationsBefore = await snapshot(convKey);

    const problems = await walk<{ id: string }>(
      async (after) => (await data(api, `query($from: DateTime!, $to: DateTime!, $after: String) {
        problemQuestions(from: $from, to: $to, first: 20, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id } } } }`,
      { ...vars, after })).problemQuestions,
      async (page) => { if (page <= 3) await ingestNextSlice(); },
    );
    const conversations = await walk<{ id: string }>(
      async (after) => (await data(api, `query($from: DateTime!, $to: DateTime!, $after: String) {
        conversations(from: $from, to: $to, first: 10, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id } } } }`,
      { ...vars, after })).conversations,
      async (page) => { if (page <= 3) await ingestNextSlice(); },
    );

    const questionsAfter = await snapshot(keyOf);
    const conversationsAfter = await snapshot(convKey);
    const stable = (before: Map<string, string>, after: Map<string, string>) => [...before].filter(([id, k]) => after.get(id) === k).map(([id]) => id);
    const stableQuestions = stable(questionsBefore, questionsAfter);
    const stableConversations = stable(conversationsBefore, conversationsAfter);
    expect(stableQuestions.length).toBeGreaterThan(questionsBefore.size * 0.95);
    expect(stableConversations.length).toBeGreaterThan(conversationsBefore.size * 0.95);
    expectOnce(problems.nodes.map((n) => n.id), stableQuestions);
    expectOnce(conversations.nodes.map((n) => n.id), stableConversations);
    expect(problems.totals[problems.totals.length - 1]).toBeGreaterThan(problems.totals[0]!);
    expect(conversations.totals[conversations.totals.length - 1]).toBeGreaterThan(conversations.totals[0]!);
    expect(slice).toBeGreaterThan(8);
  });
});
