/**
 * Hostile input against the GraphQL API (issue 8, part 2): every query field
 * of the schema, found by introspection, called with random and hostile
 * values for each argument (huge and negative numbers, invalid and far-away
 * dates, 1 MB strings, unicode, NUL, SQL injection in every string argument
 * and every filter field), through the real handler on a real database with
 * generated data. Every answer must be HTTP 200 or 400 whose errors each
 * carry a documented `extensions.code` (413 for a body over the size limit)
 * and a message without stack, source
 * path or database text; nothing unexpected is logged; the tables are intact.
 *
 * RELIABILITY_SEED picks the inputs; RELIABILITY_API_CASES the random calls per field.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "@log-insights/store/testing";
import { count, generatedBucket, ingest, tableCounts } from "../../../ingest/test/support/harness";
import type { ApiHandler } from "../../src/handler";
import { testApi } from "../support/access";
import { bufferLogger, errorProblems, prng, type ErrorShape } from "./support";

const SEED = Number(process.env.RELIABILITY_SEED ?? 20_251_108);
const CASES = Number(process.env.RELIABILITY_API_CASES ?? 24);
const END = Date.parse("2026-10-29T00:00:00Z");
const DAY = 86_400_000;
const iso = (ms: number): string => new Date(ms).toISOString();

const INJECTIONS = [
  "'; DROP TABLE bot_questions; --", "' OR '1'='1", "\\'; SELECT pg_sleep(5); --", "fees' UNION SELECT * FROM ingest_files --",
  "1; DELETE FROM log_entries", "%", "_", "\\", "%' OR 1=1 --", "\" OR \"\"=\"", "$1", "x'::text); --", "') OR ('a'='a",
  "\u0000", "a\u0000b", "*/ SELECT 1 /*", ":memory:", "${7*7}", "{{7*7}}", "<script>alert(1)</script>",
];
const MB = 1024 * 1024;
const STRINGS = [
  ...INJECTIONS, "", " ", "x".repeat(201), "x".repeat(MB), "é".repeat(5000), "😀🏳️‍🌈👩‍👩‍👧", "\u202eevil", "\ud800", "\uffff", "Ω≈ç√∫",
  "fees", "DealBotService", "error", "50", "UTC", "Europe/London", "Mars/Olympus", "../../etc/passwd", "null", "undefined", "NaN", "-1",
];
const INTS = [0, 1, -1, 25, 100, 101, 500, 501, -2_147_483_648, 2_147_483_647, 2_147_483_648, 9_007_199_254_740_991, 1e21, 1.5, -0.5, "5", true, null];
const FLOATS = [0, -1, 1e308, -1e308, 5e-324, 0.5, "1.5", null];

function dates(r: ReturnType<typeof prng>): unknown[] {
  const inRange = iso(END - r.int(0, 10) * DAY - r.int(0, 86_399) * 1000);
  return [
    inRange, iso(END), iso(END - 3 * DAY), "2026-10-27", "9999-12-31T23:59:59Z", "+275760-09-13T00:00:00Z", "0001-01-01T00:00:00Z", "1970-01-01T00:00:00Z",
    "2026-02-30", "2026-13-01", "yesterday", "", "2026-10-27T00:00:00", "2026-10-27T25:00:00Z", "2026-10-27T00:00:00+99:00", 1_700_000_000_000, -1,
    "2026-10-27T00:00:00.123456789Z", "x".repeat(MB), ...INJECTIONS.slice(0, 4), null,
  ];
}

// ---------------------------------------------------------------------------
// The schema, from introspection

interface TypeRef { kind: string; name: string | null; ofType: TypeRef | null }
interface InputValue { name: string; type: TypeRef; defaultValue: string | null }
interface Field { name: string; args: InputValue[]; type: TypeRef }
interface FullType { kind: string; name: string; fields: Field[] | null; inputFields: InputValue[] | null; enumValues: { name: string }[] | null }

const INTROSPECTION = `{ __schema { queryType { name } types { kind name
  fields { name args { name defaultValue type { ...T } } type { ...T } }
  inputFields { name defaultValue type { ...T } }
  enumValues { name } } } }
  fragment T on __Type { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } }`;

function named(t: TypeRef): TypeRef {
  let x = t;
  while (x.ofType) x = x.ofType;
  return x;
}

function typeText(t: TypeRef): string {
  if (t.kind === "NON_NULL") return `${typeText(t.ofType!)}!`;
  if (t.kind === "LIST") return `[${typeText(t.ofType!)}]`;
  return t.name!;
}

describe("hostile GraphQL arguments against every query field", () => {
  let db: TestDatabase;
  let cleanup: () => Promise<void>;
  let prod: ApiHandler;
  let dev: ApiHandler;
  const logs = bufferLogger("api");
  let types: Map<string, FullType>;
  let queryFields: Field[];
  let before: Awaited<ReturnType<typeof tableCounts>>;
  let beforeFiles: number;
  let beforeTables: number;

  beforeAll(async () => {
    db = await createTestDatabase();
    const bucket = await generatedBucket({ seed: 11, days: 4, sessionsPerDay: 30, end: new Date(END) });
    cleanup = bucket.cleanup;
    await ingest(db.pool, bucket.dir);
    // The production handler is what a hostile client meets; the development one answers the introspection.
    // Thousands of requests on one token in a minute: the per-caller rate limit is raised (access.db.test.ts tests it).
    const access = { limits: { perMinute: 1_000_000 } };
    prod = testApi({ pool: db.pool, logger: logs.logger, production: true, listen: false, access });
    dev = testApi({ pool: db.pool, logger: logs.logger, production: false, listen: false, cache: false, access });
    const res = await dev.fetch(new Request("http://api.test/graphql", {
      method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: INTROSPECTION }),
    }));
    const body = (await res.json()) as { data: { __schema: { queryType: { name: string }; types: FullType[] } } };
    types = new Map(body.data.__schema.types.map((t) => [t.name, t]));
    queryFields = types.get(body.data.__schema.queryType.name)!.fields!;
    before = await tableCounts(db.pool);
    beforeFiles = await count(db.pool, "SELECT count(*) AS n FROM ingest_files");
    beforeTables = await count(db.pool, "SELECT count(*) AS n FROM pg_class WHERE relnamespace = 'public'::regnamespace");
  });
  afterAll(async () => {
    await prod?.close();
    await dev?.close();
    await db?.drop();
    await cleanup?.();
  });

  /** A selection of the field's type: its scalar fields, and one level of objects without required arguments. */
  function selection(t: TypeRef, depth = 0): string {
    const type = types.get(named(t).name!)!;
    if (type.kind !== "OBJECT") return "";
    const parts: string[] = ["__typename"];
    for (const f of type.fields ?? []) {
      if (f.args.some((a) => a.type.kind === "NON_NULL")) continue;
      const inner = types.get(named(f.type).name!)!;
      if (inner.kind === "SCALAR" || inner.kind === "ENUM") parts.push(f.name);
      else if (inner.kind === "OBJECT" && depth < 2 && !["conversation", "questions", "logEntries", "notifications"].includes(f.name)) {
        parts.push(`${f.name} ${selection(f.type, depth + 1)}`);
      }
    }
    return `{ ${parts.join(" ")} }`;
  }

  /** A random, often hostile, value for an input type. */
  function valueFor(t: TypeRef, r: ReturnType<typeof prng>, depth = 0): unknown {
    if (t.kind === "NON_NULL") return r.chance(0.04) ? null : valueFor(t.ofType!, r, depth);
    if (r.chance(0.05)) return null;
    if (t.kind === "LIST") {
      const n = r.pick([0, 1, 2, 3, 1000]);
      // A long list of small values; a few 1 MB strings (a body over Yoga's limit is refused with 413).
      return Array.from({ length: n }, () => valueFor(t.ofType!, r, n > 3 ? depth + 10 : depth + 1));
    }
    const type = types.get(t.name!)!;
    if (type.kind === "ENUM") {
      const values = type.enumValues!.map((e) => e.name);
      return r.chance(0.8) ? r.pick(values) : r.pick(["BAD", values[0]!.toLowerCase(), "", 1, ...INJECTIONS.slice(0, 2)]);
    }
    if (type.kind === "INPUT_OBJECT") {
      if (r.chance(0.05)) return r.pick(["not an object", 1, []]);
      const out: Record<string, unknown> = {};
      for (const f of type.inputFields ?? []) if (r.chance(0.5)) out[f.name] = valueFor(f.type, r, depth + 1);
      if (r.chance(0.05)) out[r.pick(["__proto__", "unknownField", "constructor"])] = "x";
      return out;
    }
    switch (t.name) {
      case "DateTime": return r.pick(dates(r));
      case "Int": return r.pick(INTS);
      case "Float": return r.pick(FLOATS);
      case "Boolean": return r.pick([true, false, "true", 0]);
      default: return r.pick(depth >= 10 ? STRINGS.filter((v) => v.length < 10_000) : STRINGS); // String, ID and any other scalar
    }
  }

  /** A well-formed value (the field's happy path), so that hostile values meet a working call. */
  function goodValue(a: InputValue): unknown {
    const n = named(a.type).name!;
    if (n === "DateTime") return a.name === "to" ? iso(END) : iso(END - 3 * DAY);
    const type = types.get(n)!;
    if (type.kind === "ENUM") return type.enumValues![0]!.name;
    if (n === "Int") return 10;
    if (n === "String" && a.name === "text") return "fees";
    return undefined;
  }

  const stats = { requests: 0, ok: 0, errors: new Map<string, number>() };

  async function call(api: ApiHandler, query: string, variables: Record<string, unknown>, what: string): Promise<void> {
    const res = await api.fetch(new Request("http://api.test/graphql", {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/graphql-response+json, application/json" },
      body: JSON.stringify({ query, variables }),
    }));
    stats.requests++;
    const text = await res.text();
    const where = `${what}\n${query.slice(0, 400)}\nvariables: ${JSON.stringify(variables).slice(0, 400)}\nstatus ${res.status}: ${text.slice(0, 600)}`;
    // 413: a body over Yoga's size limit, refused before it is read (with a code, checked below).
    expect([200, 400, 413], where).toContain(res.status);
    const body = JSON.parse(text) as { data?: unknown; errors?: ErrorShape[] };
    expect(errorProblems(body.errors), where).toEqual([]);
    for (const e of body.errors ?? []) {
      const code = String(e.extensions?.code);
      stats.errors.set(code, (stats.errors.get(code) ?? 0) + 1);
      // Masked errors are our bugs, not the client's: there must be none.
      expect(code, where).not.toBe("INTERNAL_SERVER_ERROR");
    }
    if (!body.errors?.length) stats.ok++;
  }

  function document(f: Field, args: InputValue[]): string {
    const defs = args.map((a) => `$${a.name}: ${typeText(a.type)}`).join(", ");
    const pass = args.map((a) => `${a.name}: $${a.name}`).join(", ");
    return `query Fuzz${defs ? `(${defs})` : ""} { ${f.name}${pass ? `(${pass})` : ""} ${selection(f.type)} }`;
  }

  it("random and hostile values for every argument of every query field: clear errors only", async () => {
    const r = prng(SEED);
    for (const f of queryFields) {
      for (let i = 0; i < CASES; i++) {
        const vars: Record<string, unknown> = {};
        // Half the time every argument is hostile; else one is, and the others are well-formed.
        const hostile = r.chance(0.5) ? null : r.pick(f.args.length ? f.args : [null]);
        for (const a of f.args) {
          const good = goodValue(a);
          const v = hostile === null || a === hostile || good === undefined ? valueFor(a.type, r) : good;
          if (v !== undefined) vars[a.name] = v;
        }
        await call(r.chance(0.85) ? prod : dev, document(f, f.args), vars, `${f.name} case ${i}`);
      }
    }
    const fields = queryFields.map((f) => f.name);
    console.log(`[reliability] hostile-api: ${fields.length} query fields (${fields.join(", ")}), seed ${SEED}`);
  });

  it("SQL injection in every String/ID argument and every filter field: answered or clearly refused, nothing changed", async () => {
    for (const f of queryFields) {
      const slots: { arg: InputValue; field?: InputValue }[] = [];
      for (const a of f.args) {
        const n = types.get(named(a.type).name!)!;
        if (n.kind === "SCALAR" && (n.name === "String" || n.name === "ID")) slots.push({ arg: a });
        if (n.kind === "INPUT_OBJECT") {
          for (const inner of n.inputFields ?? []) {
            const t = named(inner.type);
            if (t.name === "String" || t.name === "ID") slots.push({ arg: a, field: inner });
          }
        }
      }
      for (const slot of slots) {
        for (const evil of INJECTIONS) {
          const vars: Record<string, unknown> = {};
          for (const a of f.args) {
            const good = goodValue(a);
            if (good !== undefined) vars[a.name] = good;
          }
          const isList = slot.arg.type.kind === "LIST" || slot.arg.type.ofType?.kind === "LIST" || slot.field?.type.kind === "LIST" || slot.field?.type.ofType?.kind === "LIST";
          const value = isList ? [evil] : evil;
          if (slot.field) vars[slot.arg.name] = { [slot.field.name]: value };
          else vars[slot.arg.name] = value;
          await call(prod, document(f, f.args), vars, `${f.name}(${slot.arg.name}${slot.field ? `.${slot.field.name}` : ""} = ${JSON.stringify(evil)})`);
        }
      }
    }
  });

  it("the same values as literals in the document, and malformed documents and requests", async () => {
    const r = prng(SEED + 1);
    for (const f of queryFields) {
      for (let i = 0; i < 4; i++) {
        const args = f.args.map((a) => {
          const v = r.chance(0.5) ? goodValue(a) ?? valueFor(a.type, r) : valueFor(a.type, r);
          const literal = typeof v === "string" && types.get(named(a.type).name!)?.kind === "ENUM" && /^[A-Z_]+$/.test(v) ? v : JSON.stringify(v ?? null);
          return `${a.name}: ${literal.length > 300_000 ? JSON.stringify("x") : literal}`;
        });
        await call(prod, `{ ${f.name}${args.length ? `(${args.join(", ")})` : ""} ${selection(f.type)} }`, {}, `${f.name} literals ${i}`);
      }
    }
    const malformed: [string, RequestInit][] = [
      ["not JSON", { method: "POST", headers: { "content-type": "application/json" }, body: "{not json" }],
      ["no query", { method: "POST", headers: { "content-type": "application/json" }, body: "{}" }],
      ["query not a string", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: 5 }) }],
      ["variables not an object", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: "{ ingestion { lagSeconds } }", variables: [1] }) }],
      ["a batch (off)", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify([{ query: "{ ingestion { lagSeconds } }" }]) }],
      ["JSON null", { method: "POST", headers: { "content-type": "application/json" }, body: "null" }],
      ["text/plain", { method: "POST", headers: { "content-type": "text/plain" }, body: "{ ingestion { lagSeconds } }" }],
      ["a mutation", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: "mutation { x }" }) }],
      ["a NUL in the document", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: "{ ingestion\u0000 { lagSeconds } }" }) }],
      ["unterminated string", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: '{ overview(from: "2026' }) }],
      ["10,000 nested braces", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: `{ ${"a { ".repeat(10_000)}${"} ".repeat(10_000)} }` }) }],
      ["a 2 MB document", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: `{ ingestion { lagSeconds } } # ${"x".repeat(2 * MB)}` }) }],
      ["__proto__ variables", { method: "POST", headers: { "content-type": "application/json" }, body: '{"query":"query($t: String) { overview(from: \\"2026-10-27\\", to: \\"2026-10-28\\", timeZone: $t) { questions } }","variables":{"__proto__":{"t":"UTC"}}}' }],
      ["GET with a query", { method: "GET", headers: {} }],
    ];
    for (const [what, init] of malformed) {
      const url = what === "GET with a query" ? `http://api.test/graphql?query=${encodeURIComponent("{ overview(from: \"x\", to: \"y\") { questions } }")}` : "http://api.test/graphql";
      const res = await prod.fetch(new Request(url, init));
      stats.requests++;
      const text = await res.text();
      expect(res.status, `${what}: ${text.slice(0, 300)}`).toBeLessThan(500);
      expect(res.status, `${what}: ${text.slice(0, 300)}`).toBeGreaterThanOrEqual(200);
      if (text.startsWith("{")) expect(errorProblems((JSON.parse(text) as { errors?: ErrorShape[] }).errors), what).toEqual([]);
      expect(text, what).not.toMatch(/\n\s+at |\.ts:\d/);
    }
  });

  it("afterwards: the tables are intact, nothing unexpected was logged", async () => {
    expect(await tableCounts(db.pool)).toEqual(before);
    expect(await count(db.pool, "SELECT count(*) AS n FROM ingest_files")).toBe(beforeFiles);
    expect(await count(db.pool, "SELECT count(*) AS n FROM pg_class WHERE relnamespace = 'public'::regnamespace")).toBe(beforeTables);
    expect(before.questions).toBeGreaterThan(0);
    const unexpected = logs.text().split("\n").filter((l) => /"level":(50|60)/.test(l));
    expect(unexpected.slice(0, 5)).toEqual([]);
    const codes = [...stats.errors.entries()].sort((a, b) => b[1] - a[1]).map(([c, n]) => `${c} ${n}`).join(", ");
    console.log(`[reliability] hostile-api: ${stats.requests} requests, ${stats.ok} answered without errors, the rest refused with: ${codes}; 0 HTTP 500, 0 masked errors, tables unchanged`);
  });
});
