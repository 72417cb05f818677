import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { buildSchema as fromSdl, isEnumType, isInputObjectType, isObjectType, parse } from "graphql";
import { describe, expect, it } from "vitest";
import { cacheKey, stableJson } from "../src/cache/key";
import { loadEnv } from "@log-insights/config";
import { parseChange } from "../src/live/ingest-listener";
import { operationCost } from "../src/protection";
import { buildSchema, printSchemaSdl } from "../src/schema";
import { parseDateTime } from "../src/schema/scalars";

const SCHEMA_FILE = fileURLToPath(new URL("../schema.graphql", import.meta.url));

describe("the committed schema", () => {
  it("packages/api/schema.graphql is the schema the code builds (run `npm run schema:print` after a change)", () => {
    expect(readFileSync(SCHEMA_FILE, "utf8")).toBe(printSchemaSdl());
  });

  it("has every type, field and argument issue 5 names", () => {
    const schema = fromSdl(readFileSync(SCHEMA_FILE, "utf8"));
    const enumValues = (name: string) => {
      const t = schema.getType(name);
      if (!isEnumType(t)) throw new Error(`${name} is not an enum`);
      return t.getValues().map((v) => v.name);
    };
    expect(enumValues("Interval")).toEqual(expect.arrayContaining(["HOUR", "DAY", "WEEK", "MONTH"]));
    expect(enumValues("Outcome")).toEqual(expect.arrayContaining(["ANSWERED", "HEDGED", "FAILED", "UNFINISHED"]));
    expect(enumValues("ProblemKind")).toEqual(expect.arrayContaining(["FAILED", "UNFINISHED", "HEDGED", "NO_DOCUMENTS", "SLOW", "REASKED"]));
    const filter = schema.getType("QuestionFilter");
    if (!isInputObjectType(filter)) throw new Error("QuestionFilter");
    expect(Object.fromEntries(Object.values(filter.getFields()).map((f) => [f.name, String(f.type)]))).toEqual({
      userId: "Int", dealId: "String", fund: "String", topic: "String", platform: "String", appVersion: "String", outcomes: "[Outcome!]",
    });
    const query = schema.getQueryType()!.getFields();
    const signature = (name: string) => `${Object.values(query[name]!.args).map((a) => `${a.name}: ${String(a.type)}${a.defaultValue !== undefined ? ` = ${JSON.stringify(a.defaultValue)}` : ""}`).sort().join(", ")} -> ${String(query[name]!.type)}`;
    const expected: Record<string, string[]> = {
      overview: ["from: DateTime!", "to: DateTime!", 'timeZone: String = "UTC"', "filter: QuestionFilter", "-> Overview!"],
      questionCounts: ["from: DateTime!", "to: DateTime!", "interval: Interval!", 'timeZone: String = "UTC"', "filter: QuestionFilter", "-> [CountBucket!]!"],
      responseTimes: ["from: DateTime!", "to: DateTime!", "interval: Interval!", 'timeZone: String = "UTC"', "filter: QuestionFilter", "-> [LatencyBucket!]!"],
      commonQuestions: ["from: DateTime!", "to: DateTime!", "first: Int", "after: String", "filter: QuestionFilter", "-> QuestionGroupConnection!"],
      topics: ["from: DateTime!", "to: DateTime!", "filter: QuestionFilter", "-> [TopicCount!]!"],
      knowledgeGaps: ["from: DateTime!", "to: DateTime!", "first: Int", "after: String", "-> KnowledgeGapConnection!"],
      problemQuestions: ["from: DateTime!", "to: DateTime!", "kinds: [ProblemKind!]", "first: Int", "after: String", "filter: QuestionFilter", "-> BotQuestionConnection!"],
      searchQuestions: ["text: String!", "from: DateTime", "to: DateTime", "first: Int", "after: String", "filter: QuestionFilter", "-> BotQuestionConnection!"],
      conversations: ["from: DateTime!", "to: DateTime!", "first: Int", "after: String", "filter: QuestionFilter", "-> ConversationConnection!"],
      conversation: ["id: ID!", "-> Conversation"],
      question: ["id: ID!", "-> BotQuestion"],
      logEntries: ["from: DateTime!", "to: DateTime!", "levels: [String!]", "context: String", "text: String", "first: Int", "after: String", "-> LogEntryConnection!"],
      errorGroups: ["from: DateTime!", "to: DateTime!", "-> [ErrorGroup!]!"],
      ingestion: ["-> IngestionStatus!"],
    };
    for (const [name, parts] of Object.entries(expected)) {
      expect(query[name], name).toBeDefined();
      for (const part of parts) expect(signature(name), name).toContain(part);
    }
    const fieldsOf = (name: string) => {
      const t = schema.getType(name);
      if (!isObjectType(t)) throw new Error(`${name} is not an object type`);
      return Object.keys(t.getFields());
    };
    expect(fieldsOf("Overview")).toEqual(expect.arrayContaining(["questions", "users", "conversations", "answered", "hedged", "failed", "unfinished", "cacheHitRate", "latencyMs", "previous"]));
    expect(fieldsOf("LatencySummary")).toEqual(expect.arrayContaining(["mean", "p50", "p90", "p95", "p99"]));
    expect(fieldsOf("CountBucket")).toEqual(expect.arrayContaining(["start", "count"]));
    expect(fieldsOf("LatencyBucket")).toEqual(expect.arrayContaining(["start", "count", "mean", "p50", "p95", "p99"]));
    expect(fieldsOf("QuestionGroup")).toEqual(expect.arrayContaining(["id", "text", "count", "share", "lastAskedAt"]));
    expect(fieldsOf("BotQuestion")).toEqual(expect.arrayContaining(["id", "askedAt", "userId", "dealId", "fund", "topic", "text", "answer", "outcome", "signals",
      "latencyMs", "cacheHit", "documentCount", "conversationId", "reason", "attention", "conversation", "logEntries"]));
    for (const c of ["QuestionGroupConnection", "KnowledgeGapConnection", "BotQuestionConnection", "ConversationConnection", "LogEntryConnection"]) {
      expect(fieldsOf(c)).toEqual(expect.arrayContaining(["edges", "pageInfo", "totalCount"]));
      expect(fieldsOf(c.replace("Connection", "Edge"))).toEqual(["cursor", "node"]);
    }
    expect(fieldsOf("PageInfo")).toEqual(expect.arrayContaining(["hasNextPage", "endCursor"]));
    expect(Object.keys(schema.getSubscriptionType()!.getFields())).toEqual(["dataChanged"]);
    expect(String(schema.getSubscriptionType()!.getFields().dataChanged!.type)).toBe("DataChange!");
    // For the dashboard: breakdowns, the log histogram.
    expect(query.breakdown).toBeDefined();
    expect(enumValues("Dimension")).toEqual(expect.arrayContaining(["TOPIC", "FUND", "PLATFORM", "APP_VERSION"]));
    expect(query.logCounts).toBeDefined();
  });

  it("builds once", () => {
    expect(buildSchema()).toBe(buildSchema());
  });
});

describe("DateTime", () => {
  it("accepts ISO-8601 with a zone, or a date alone (UTC midnight)", () => {
    expect(parseDateTime("2025-04-01T09:30:00Z")).toBe(Date.UTC(2025, 3, 1, 9, 30));
    expect(parseDateTime("2025-04-01T09:30:00.123Z")).toBe(Date.UTC(2025, 3, 1, 9, 30, 0, 123));
    expect(parseDateTime("2025-04-01T11:30+02:00")).toBe(Date.UTC(2025, 3, 1, 9, 30));
    expect(parseDateTime("2025-04-01T04:30:00-0500")).toBe(Date.UTC(2025, 3, 1, 9, 30));
    expect(parseDateTime("2025-04-01")).toBe(Date.UTC(2025, 3, 1));
    expect(parseDateTime("2024-02-29")).toBe(Date.UTC(2024, 1, 29));
  });

  it("refuses anything else with BAD_DATE", () => {
    for (const bad of ["2025-04-01T09:30:00", "2025-02-29", "2025-04-31", "2025-04-01T24:00Z", "2025-04-01T09:60Z", "2025-04-01T09:30:60Z",
      "April 1st", "", " 2025-04-01", "2025-4-1", "1743500000000", "2025-04-01T09:30:00+24:00", "2025-04-01T09:30Z junk"]) {
      expect(() => parseDateTime(bad), bad).toThrow(expect.objectContaining({ extensions: { code: "BAD_DATE" } }));
    }
    for (const bad of [1_743_500_000_000, null, {}, true]) {
      expect(() => parseDateTime(bad)).toThrow(expect.objectContaining({ extensions: { code: "BAD_DATE" } }));
    }
  });
});

describe("query cost", () => {
  const schema = buildSchema();
  const cost = (q: string, variables?: Record<string, unknown>) => operationCost(schema, parse(q), undefined, variables);
  const range = 'from: "2025-04-01", to: "2025-05-01"';

  it("a dashboard's queries are cheap; nested lists of reader calls on big pages are not", () => {
    const dashboard = `{ overview(${range}) { questions latencyMs { p50 } previous { questions } }
      questionCounts(${range}, interval: DAY) { start count } responseTimes(${range}, interval: DAY) { start p50 }
      topics(${range}) { topic count } breakdown(dimension: FUND, ${range}) { value count }
      problemQuestions(${range}, first: 25) { totalCount edges { node { id text reason signals } } }
      commonQuestions(${range}, first: 10) { edges { node { text count } } }
      knowledgeGaps(${range}, first: 10) { edges { node { summary examples { text } } } } ingestion { lagSeconds } }`;
    expect(cost(dashboard)).toBeLessThan(500);
    expect(cost(`{ conversations(${range}, first: 100) { edges { node { questions { logEntries { id } } } } } }`)).toBeGreaterThan(5_000);
    // Page sizes count, from literals and variables; a page above the cap is priced at the cap (the reader refuses it).
    const q = `query($n: Int) { problemQuestions(${range}, first: $n) { edges { node { conversation { id } } } } }`;
    expect(cost(q, { n: 100 })).toBeGreaterThan(cost(q, { n: 10 }) * 5);
    expect(cost(q, { n: 1_000_000 })).toBe(cost(q, { n: 100 }));
    // Fragments are counted where they are spread.
    const withFragment = `{ problemQuestions(${range}, first: 100) { edges { node { ...Q } } } } fragment Q on BotQuestion { logEntries { id } }`;
    expect(cost(withFragment)).toBe(cost(`{ problemQuestions(${range}, first: 100) { edges { node { logEntries { id } } } } }`));
  });
});

describe("cache keys", () => {
  it("equal arguments make equal keys whatever the order, null fields do not count", () => {
    expect(stableJson({ b: 1, a: { y: [1, 2], x: null } })).toBe('{"a":{"y":[1,2]},"b":1}');
    expect(cacheKey("overview", { from: 1, to: 2, filter: { fund: "EIS Fund", topic: null } })).toBe(cacheKey("overview", { filter: { fund: "EIS Fund" }, to: 2, from: 1 }));
    expect(cacheKey("overview", { from: 1, to: 2 })).not.toBe(cacheKey("overview", { from: 1, to: 3 }));
    expect(cacheKey("overview", { from: 1 })).not.toBe(cacheKey("topics", { from: 1 }));
    expect(cacheKey("x", { outcomes: ["failed", "hedged"] })).not.toBe(cacheKey("x", { outcomes: ["failedhedged"] }));
  });
});

describe("ingest notifications", () => {
  it("parse the worker's payload; anything else still means 'changed'", () => {
    const now = Date.UTC(2026, 0, 1);
    expect(parseChange(JSON.stringify({ source: "folder:/x", files: 3, entries: 120, questions: 9, from: "2025-04-01T00:00:00.000Z", to: "2025-04-01T00:05:00.000Z" }), now))
      .toEqual({ atMs: now, source: "folder:/x", files: 3, entries: 120, questions: 9, fromMs: Date.UTC(2025, 3, 1), toMs: Date.UTC(2025, 3, 1, 0, 5) });
    expect(parseChange("not json", now)).toEqual({ atMs: now, source: null, files: 0, entries: 0, questions: 0, fromMs: null, toMs: null });
    expect(parseChange(undefined, now).files).toBe(0);
    expect(parseChange(JSON.stringify({ files: -1, from: "garbage" }), now)).toMatchObject({ files: 0, fromMs: null });
  });
});

describe("configuration", () => {
  it("has defaults and names a bad variable", () => {
    expect(loadEnv({})).toMatchObject({ API_CACHE_TTL_SECONDS: 300, API_CORS_ORIGINS: [], API_STATEMENT_TIMEOUT_MS: 5_000, API_MAX_DEPTH: 8, API_MAX_COST: 5_000 });
    expect(loadEnv({}).PORT).toBeUndefined();
    expect(loadEnv({ API_CORS_ORIGINS: "https://a.example, https://b.example", PORT: "0", REDIS_URL: "redis://127.0.0.1:6379" }))
      .toMatchObject({ API_CORS_ORIGINS: ["https://a.example", "https://b.example"], PORT: 0, REDIS_URL: "redis://127.0.0.1:6379" });
    expect(() => loadEnv({ PORT: "http" })).toThrow(/PORT/);
    expect(() => loadEnv({ REDIS_URL: "not a url" })).toThrow(/REDIS_URL/);
  });
});
