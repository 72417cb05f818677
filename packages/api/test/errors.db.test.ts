import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPool } from "@log-insights/store";
import { createTestDatabase, type TestDatabase } from "@log-insights/store/testing";
import { createLogger } from "@log-insights/config";
import { count, generatedBucket, ingest, tableCounts } from "../../ingest/test/support/harness";
import type { ApiHandler } from "../src/handler";
import { testApi } from "./support/access";
import { codes, data, gql, iso, type Json } from "./support/api";

// Every way a client can get it wrong, each with its code and a message a
// person can act on; what the server gets wrong is masked; SQL-injection
// strings in every string argument find nothing and change nothing.

const END = Date.parse("2026-10-29T00:00:00Z");
const DAY = 86_400_000;
const FROM = iso(END - 2 * DAY);
const TO = iso(END);
const silent = createLogger("test", "silent");

describe("bad input, masked errors, injection", () => {
  let db: TestDatabase;
  let api: ApiHandler;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    db = await createTestDatabase();
    const bucket = await generatedBucket({ seed: 5, days: 2, sessionsPerDay: 25, end: new Date(END) });
    cleanup = bucket.cleanup;
    await ingest(db.pool, bucket.dir);
    api = testApi({ pool: db.pool, logger: silent, listen: false });
  });
  afterAll(async () => {
    await api?.close();
    await db?.drop();
    await cleanup?.();
  });

  const overview = (from: string, to: string, extra = "") => `{ overview(from: ${JSON.stringify(from)}, to: ${JSON.stringify(to)}${extra}) { questions } }`;

  it("BAD_DATE: not ISO-8601, no zone, impossible dates, not a string; in literals and variables", async () => {
    for (const bad of ["yesterday", "2026-10-01T00:00:00", "2026-02-30", "2026-10-01T25:00:00Z", "2026-10-01T10:61Z", "2026-13-01", "1/10/2026", "", "2026-10-01T00:00:00+25:00"]) {
      const r = await gql(api, overview(bad, TO));
      expect(r.errors?.map((e) => e.extensions?.code), bad).toEqual(["BAD_DATE"]);
      expect(r.errors![0]!.message).toMatch(/ISO-8601|not a real date/);
      expect(await codes(api, `query($f: DateTime!) { overview(from: $f, to: "${TO}") { questions } }`, { f: bad }), bad).toEqual(["BAD_DATE"]);
    }
    expect(await codes(api, `query($f: DateTime!) { overview(from: $f, to: "${TO}") { questions } }`, { f: 1_700_000_000_000 })).toEqual(["BAD_DATE"]);
    expect(await codes(api, `{ overview(from: 1700000000000, to: "${TO}") { questions } }`)).toEqual(["BAD_DATE"]);
    // Accepted forms: Z, offsets with and without a colon, fractions, a date alone.
    for (const good of ["2026-10-27T00:00:00Z", "2026-10-27T02:00:00+02:00", "2026-10-27T02:00+0200", "2026-10-27T00:00:00.000Z", "2026-10-27"]) {
      expect((await data(api, `{ overview(from: "${good}", to: "${TO}") { from } }`)).overview.from, good).toBe("2026-10-27T00:00:00.000Z");
    }
  });

  it("BAD_RANGE: from after to, empty, longer than 5 years", async () => {
    const r = await gql(api, overview(TO, FROM));
    expect(r.errors?.[0]?.extensions?.code).toBe("BAD_RANGE");
    expect(r.errors?.[0]?.message).toBe("from must be before to");
    expect(await codes(api, overview(TO, TO))).toEqual(["BAD_RANGE"]);
    expect(await codes(api, overview("2010-01-01", TO))).toEqual(["BAD_RANGE"]);
    for (const field of ["questionCounts(interval: DAY, ", "responseTimes(interval: DAY, ", "topics(", "commonQuestions(", "knowledgeGaps(", "problemQuestions(",
      "conversations(", "logEntries(", "logCounts(interval: DAY, ", "errorGroups("]) {
      const q = `{ x: ${field}from: "${TO}", to: "${FROM}") { __typename } }`;
      expect(await codes(api, q), field).toEqual(["BAD_RANGE"]);
    }
    expect(await codes(api, `{ searchQuestions(text: "fees", from: "${TO}", to: "${FROM}") { totalCount } }`)).toEqual(["BAD_RANGE"]);
  });

  it("BAD_TIME_ZONE and TOO_MANY_BUCKETS", async () => {
    for (const field of ["overview(", "questionCounts(interval: DAY, ", "responseTimes(interval: DAY, ", "logCounts(interval: DAY, "]) {
      const r = await gql(api, `{ x: ${field}from: "${FROM}", to: "${TO}", timeZone: "Mars/Olympus") { __typename } }`);
      expect(r.errors?.map((e) => e.extensions?.code), field).toEqual(["BAD_TIME_ZONE"]);
      expect(r.errors![0]!.message).toMatch(/time zone/);
    }
    expect(await codes(api, `{ questionCounts(from: "2022-01-01", to: "${TO}", interval: HOUR) { count } }`)).toEqual(["TOO_MANY_BUCKETS"]);
    expect(await codes(api, `{ logCounts(from: "2022-01-01", to: "${TO}", interval: HOUR) { count } }`)).toEqual(["TOO_MANY_BUCKETS"]);
  });

  it("PAGE_TOO_LARGE and BAD_CURSOR on every connection", async () => {
    const connections = ["commonQuestions(", "knowledgeGaps(", "problemQuestions(", "conversations(", "logEntries(", 'searchQuestions(text: "fees", '];
    for (const c of connections) {
      const r = await gql(api, `{ x: ${c}from: "${FROM}", to: "${TO}", first: 101) { totalCount } }`);
      expect(r.errors?.map((e) => e.extensions?.code), c).toEqual(["PAGE_TOO_LARGE"]);
      expect(r.errors![0]!.message).toBe("first may be at most 100");
      expect(await codes(api, `{ x: ${c}from: "${FROM}", to: "${TO}", first: 0) { totalCount } }`), c).toEqual(["PAGE_TOO_LARGE"]);
      for (const after of ["not-a-cursor", Buffer.from('["x"]').toString("base64url"), Buffer.from("[1e999,2,3]").toString("base64url")]) {
        expect(await codes(api, `{ x: ${c}from: "${FROM}", to: "${TO}", after: ${JSON.stringify(after)}) { totalCount } }`), `${c} ${after}`).toEqual(["BAD_CURSOR"]);
      }
    }
    expect(await codes(api, `{ errorGroups(from: "${FROM}", to: "${TO}", limit: 501) { count } }`)).toEqual(["PAGE_TOO_LARGE"]);
    expect(await codes(api, `{ errorGroups(from: "${FROM}", to: "${TO}", limit: 0) { count } }`)).toEqual(["PAGE_TOO_LARGE"]);
  });

  it("BAD_SEARCH and BAD_FILTER", async () => {
    const long = "x".repeat(201);
    const r = await gql(api, `{ searchQuestions(text: "${long}") { totalCount } }`);
    expect(r.errors?.map((e) => e.extensions?.code)).toEqual(["BAD_SEARCH"]);
    expect(r.errors![0]!.message).toBe("the search text may have at most 200 characters");
    expect(await codes(api, `{ searchQuestions(text: "   ") { totalCount } }`)).toEqual(["BAD_SEARCH"]);
    expect(await codes(api, `{ logEntries(from: "${FROM}", to: "${TO}", text: "${long}") { totalCount } }`)).toEqual(["BAD_SEARCH"]);
    expect(await codes(api, overview(FROM, TO, `, filter: { fund: "${long}" }`))).toEqual(["BAD_FILTER"]);
    expect(await codes(api, `{ logEntries(from: "${FROM}", to: "${TO}", levels: ["loud"]) { totalCount } }`)).toEqual(["BAD_FILTER"]);
    expect(await codes(api, `{ logEntries(from: "${FROM}", to: "${TO}", context: "${long}") { totalCount } }`)).toEqual(["BAD_FILTER"]);
  });

  it("GraphQL's own errors: unknown fields and enum values, missing arguments, bad syntax", async () => {
    expect(await codes(api, `{ overview(from: "${FROM}", to: "${TO}") { nope } }`)).toEqual(["GRAPHQL_VALIDATION_FAILED"]);
    expect(await codes(api, `{ questionCounts(from: "${FROM}", to: "${TO}", interval: YEAR) { count } }`)).toEqual(["GRAPHQL_VALIDATION_FAILED"]);
    expect(await codes(api, `{ overview(to: "${TO}") { questions } }`)).toEqual(["GRAPHQL_VALIDATION_FAILED"]);
    expect(await codes(api, `query($k: [ProblemKind!]) { problemQuestions(from: "${FROM}", to: "${TO}", kinds: $k) { totalCount } }`, { k: ["BAD"] }))
      .toEqual(["BAD_USER_INPUT"]);
    expect(await codes(api, `{ overview(from: "${FROM}" { questions } }`)).toEqual(["GRAPHQL_PARSE_FAILED"]);
  });

  it("depth, cost and alias limits refuse a query before it runs", async () => {
    const deep = `{ problemQuestions(from: "${FROM}", to: "${TO}") { edges { node { conversation { questions { conversation { questions { conversation { id } } } } } } } } }`;
    const r = await gql(api, deep);
    expect(r.errors?.map((e) => e.extensions?.code)).toEqual(["QUERY_TOO_DEEP"]);
    expect(r.errors![0]!.message).toMatch(/depth limit of 8/);
    const costly = `{ conversations(from: "${FROM}", to: "${TO}", first: 100) { edges { node { questions { logEntries { id } } } } } }`;
    const c = await gql(api, costly);
    expect(c.errors?.map((e) => e.extensions?.code)).toEqual(["QUERY_TOO_COSTLY"]);
    expect(c.errors![0]!.message).toMatch(/costs \d+, more than the limit of 5000/);
    // The same with a variable page size: priced when the variables are known.
    const viaVar = `query($n: Int) { conversations(from: "${FROM}", to: "${TO}", first: $n) { edges { node { questions { logEntries { id } } } } } }`;
    expect(await codes(api, viaVar, { n: 100 })).toEqual(["QUERY_TOO_COSTLY"]);
    expect((await gql(api, viaVar, { n: 2 })).errors).toBeUndefined();
    const aliases = `{ ${Array.from({ length: 16 }, (_, i) => `a${i}: ingestion { lagSeconds }`).join(" ")} }`;
    expect(await codes(api, aliases)).toContain("TOO_MANY_ALIASES");
  });

  it("introspection and GraphiQL in development, not in production", async () => {
    const intro = "{ __schema { queryType { name } } }";
    expect((await data(api, intro)).__schema.queryType.name).toBe("Query");
    const html = await api.fetch(new Request("http://api.test/graphql", { headers: { accept: "text/html" } }));
    expect(html.status).toBe(200);
    expect(await html.text()).toMatch(/GraphiQL/i);
    const prod = testApi({ pool: db.pool, logger: silent, production: true, listen: false });
    try {
      expect(await codes(prod, intro)).toEqual(["INTROSPECTION_DISABLED"]);
      expect(await codes(prod, `{ __type(name: "Query") { name } }`)).toEqual(["INTROSPECTION_DISABLED"]);
      expect((await data(prod, `{ ingestion { __typename } }`)).ingestion.__typename).toBe("IngestionStatus");
      const page = await prod.fetch(new Request("http://api.test/graphql", { headers: { accept: "text/html" } }));
      expect(await page.text()).not.toMatch(/GraphiQL/i);
      // No "did you mean" hints about the schema either.
      const hint = await gql(prod, `{ ingestio { lagSeconds } }`);
      expect(hint.errors?.[0]?.message).not.toMatch(/Did you mean/);
    } finally {
      await prod.close();
    }
  });

  it("server faults are masked: no SQL, no stack, a code and a plain message", async () => {
    const broken = await createTestDatabase();
    const brokenApi = testApi({ pool: broken.pool, logger: silent, listen: false });
    try {
      await broken.pool.query("ALTER TABLE conversations RENAME TO conversations_gone");
      const r = await gql(brokenApi, `{ conversations(from: "${FROM}", to: "${TO}") { totalCount } }`);
      expect(r.errors).toHaveLength(1);
      expect(r.errors![0]).toEqual({ message: "Unexpected error.", locations: [{ line: 1, column: 3 }], path: ["conversations"], extensions: { code: "INTERNAL_SERVER_ERROR" } });
      expect(JSON.stringify(r)).not.toMatch(/relation|SELECT|conversations_gone|\.ts:|at /);
    } finally {
      await brokenApi.close();
      await broken.drop();
    }
    // A database that cannot be reached: UNAVAILABLE, and /readyz says so.
    const nowhere = createPool("postgres://nobody@127.0.0.1:1/none", { logger: silent });
    const down = testApi({ pool: nowhere, logger: silent, listen: false, cache: false });
    try {
      const r = await gql(down, overview(FROM, TO));
      expect(r.errors?.map((e) => e.extensions?.code)).toEqual(["UNAVAILABLE"]);
      expect(JSON.stringify(r)).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|nobody/);
      const ready = await down.fetch(new Request("http://api.test/readyz"));
      expect(ready.status).toBe(503);
    } finally {
      await down.close();
      await nowhere.end();
    }
  });

  it("a statement running past the timeout is cancelled: TIMEOUT", async () => {
    const slowPool = createPool(db.url, { statementTimeoutMs: 1, logger: silent });
    // Who is asking is resolved on the normal pool: the 1 ms timeout is for the readers' statements.
    const slow = testApi({ pool: slowPool, logger: silent, listen: false, cache: false, statementTimeoutMs: 1, access: { authPool: db.pool } });
    try {
      const r = await gql(slow, `{ logCounts(from: "${FROM}", to: "${TO}", interval: HOUR, text: "no such text anywhere") { count }
        errorGroups(from: "${FROM}", to: "${TO}") { count } }`);
      expect(r.errors?.map((e) => e.extensions?.code)).toContain("TIMEOUT");
      expect(r.errors!.find((e) => e.extensions?.code === "TIMEOUT")!.message).toMatch(/took longer than 0.001 s/);
    } finally {
      await slow.close();
      await slowPool.end();
    }
  });

  const INJECTIONS = [
    "' OR '1'='1", "'; DROP TABLE bot_questions; --", "\\'; SELECT pg_sleep(5); --", "fees' UNION SELECT * FROM ingest_files --",
    "1; DELETE FROM log_entries", "%", "_", "\" OR \"\"=\"", "$1", "x'::text); --",
  ];

  it("SQL injection in every string argument finds nothing and changes nothing", async () => {
    const before = await tableCounts(db.pool);
    const files = await count(db.pool, "SELECT count(*) AS n FROM ingest_files");
    const ok = new Set(["BAD_TIME_ZONE", "BAD_FILTER", "BAD_CURSOR", "BAD_SEARCH"]);
    const range = `from: "${FROM}", to: "${TO}"`;
    for (const evil of INJECTIONS) {
      const v = { evil };
      for (const key of ["dealId", "fund", "topic", "platform", "appVersion"]) {
        const filter = `filter: { ${key}: $evil }`;
        const d = await data(api, `query($evil: String) {
          overview(${range}, ${filter}) { questions }
          questionCounts(${range}, interval: DAY, ${filter}) { count }
          responseTimes(${range}, interval: DAY, ${filter}) { count }
          topics(${range}, ${filter}) { count }
          breakdown(dimension: FUND, ${range}, ${filter}) { count }
          commonQuestions(${range}, ${filter}) { totalCount }
          problemQuestions(${range}, ${filter}) { totalCount }
          conversations(${range}, ${filter}) { totalCount }
          searchQuestions(text: "fees", ${range}, ${filter}) { totalCount }
        }`, v);
        expect(d.overview.questions, `${key}=${evil}`).toBe(0);
        expect(d.questionCounts.every((b: { count: number }) => b.count === 0)).toBe(true);
        expect(d.responseTimes.every((b: { count: number }) => b.count === 0)).toBe(true);
        expect(d.topics).toEqual([]);
        expect(d.breakdown).toEqual([]);
        for (const f of ["commonQuestions", "problemQuestions", "conversations", "searchQuestions"]) expect(d[f].totalCount, `${f} ${key}=${evil}`).toBe(0);
      }
      // Search text: searched as words, never run.
      const s = await gql(api, `query($evil: String!) { searchQuestions(text: $evil, ${range}) { totalCount searchTerms edges { node { text answer } } } }`, v);
      if (s.errors) expect(ok.has(String(s.errors[0]!.extensions?.code))).toBe(true);
      // Log filters: level names are refused, context and text match nothing.
      const l = await gql(api, `query($evil: String!) { a: logEntries(${range}, context: $evil) { totalCount } b: logEntries(${range}, text: $evil) { totalCount }
        c: logCounts(${range}, interval: DAY, context: $evil) { count } }`, v);
      expect(l.errors).toBeUndefined();
      expect((l.data as Json).a.totalCount).toBe(0);
      expect((l.data as Json).b.totalCount).toBe(await count(db.pool, "SELECT count(*) AS n FROM log_entries WHERE strpos(lower(message), lower($1)) > 0", [evil]));
      expect(await codes(api, `query($evil: String!) { logEntries(${range}, levels: [$evil]) { totalCount } }`, v)).toEqual(["BAD_FILTER"]);
      // Time zones, ids and cursors.
      for (const tz of ["overview", "questionCounts", "responseTimes", "logCounts"]) {
        const args = tz === "overview" ? "" : ", interval: DAY";
        expect(await codes(api, `query($evil: String) { ${tz}(${range}${args}, timeZone: $evil) { __typename } }`, v), `${tz} ${evil}`).toEqual(["BAD_TIME_ZONE"]);
      }
      const ids = await data(api, `query($evil: ID!) { question(id: $evil) { id } conversation(id: $evil) { id } }`, v);
      expect(ids).toEqual({ question: null, conversation: null });
      expect(await codes(api, `query($evil: String) { problemQuestions(${range}, after: $evil) { totalCount } }`, v)).toEqual(["BAD_CURSOR"]);
    }
    expect(await tableCounts(db.pool)).toEqual(before);
    expect(await count(db.pool, "SELECT count(*) AS n FROM ingest_files")).toBe(files);
    expect(before.questions).toBeGreaterThan(0);
  });
});
