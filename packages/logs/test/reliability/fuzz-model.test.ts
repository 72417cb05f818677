/**
 * Hostile input against the log model (issue 8, part 2): property-based
 * fuzzing of parseEntry, pairing and redaction with fast-check.
 *
 * Inputs: the real sample entries (../shared/samples/real-bucket, read in
 * place; built-in bot sequences when the folder is absent) mutated field by
 * field (deleted, odd types, huge strings, deep nesting, prototype keys),
 * whole files of them, random JSON values, and raw text cut anywhere.
 * Properties: no exception escapes; every input is accepted (an entry) or
 * rejected with a non-empty reason; nothing is polluted; and no planted
 * secret survives in what would be stored (an accepted entry, its questions,
 * or the redacted raw text of a rejected record).
 *
 * The seed is fixed (RELIABILITY_SEED overrides, RELIABILITY_FUZZ_RUNS scales
 * the runs) and printed, so a failure replays exactly.
 */
import { existsSync, readFileSync } from "node:fs";
import { basename, dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { QuestionPairer, pairQuestions } from "../../src/pair";
import { parseEntry, type ParseEntryResult } from "../../src/parse-entry";
import { redactRawText, redactSecrets, redactString, redactUrl } from "../../src/redact";
import type { NormalizedEntry } from "../../src/types";
import { listFiles, questionSequence, type Raw } from "../helpers";

const SEED = Number(process.env.RELIABILITY_SEED ?? 20_251_108);
const RUNS = Number(process.env.RELIABILITY_FUZZ_RUNS ?? 300);
/** fast-check's report, with the 1 MB strings of a counterexample cut short. */
function reporter(details: fc.RunDetails<unknown>): void {
  if (!details.failed) return;
  const message = (fc.defaultReportMessage(details) ?? "property failed").replace(/([^\n]{300})[^\n]{200,}/g, (m, head: string) => `${head}... [${m.length} characters]`);
  const cause = details.errorInstance instanceof Error ? `\n${details.errorInstance.message.slice(0, 2000)}` : "";
  throw new Error(message + cause);
}
const params = (runs = RUNS): fc.Parameters<unknown> => ({ seed: SEED, numRuns: runs, endOnFailure: true, reporter });
console.log(`[reliability] fuzz-model: fast-check seed ${SEED}, ${RUNS} runs per property (RELIABILITY_SEED / RELIABILITY_FUZZ_RUNS)`);

// ---------------------------------------------------------------------------
// Real-format entries

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../../..");
const realDir = resolve(repoRoot, "../shared/samples/real-bucket");

function keyTimeOf(file: string): number | null {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z)-/.exec(basename(file));
  return m ? Date.parse(m[1]!) : null;
}

interface SampleFile {
  keyTimeMs: number | null;
  raws: Raw[];
}

function loadSamples(): SampleFile[] {
  if (existsSync(realDir)) {
    return listFiles(realDir).map((file) => ({
      keyTimeMs: keyTimeOf(file),
      raws: JSON.parse(gunzipSync(readFileSync(file)).toString("utf8")) as Raw[],
    }));
  }
  console.warn(`[reliability] real sample folder not found (${realDir}): mutating built-in bot sequences instead`);
  const s = { reqId: 42, userId: 3587, dealId: "369" };
  return [{ keyTimeMs: Date.UTC(2025, 3, 2, 10), raws: [...questionSequence(s, "What are the fees?", "1% a year."), ...questionSequence(s, "Is it Sharia compliant?", "Yes.")] }];
}

const SAMPLES = loadSamples();
const ALL_RAWS = SAMPLES.flatMap((f) => f.raws);
const clone = <T>(v: T): T => structuredClone(v);

// ---------------------------------------------------------------------------
// Hostile values

const PROTO_KEYS = ["__proto__", "constructor", "prototype", "toString", "valueOf", "hasOwnProperty", "__defineGetter__"];
const MB = 1024 * 1024;
/** Built once: the cost is in what the model does with them, not in generating them. */
const HUGE_STRINGS = [
  "a".repeat(MB),
  "eyJ-".repeat(MB / 4), // every position a JWT candidate: a super-linear pattern would take minutes
  "Bearer ".repeat(MB / 7),
  `${"x".repeat(MB)}=1`,
  "token=a&".repeat(MB / 8),
  "é😀\u0000\\\"".repeat(MB / 8),
];
const SQL_STRINGS = ["'; DROP TABLE bot_questions; --", "' OR '1'='1", "\\", "%", "_", "\u0000", "$1", "\ud800", "\udfff"];

function nest(depth: number, leaf: unknown, kind: "array" | "object"): unknown {
  let v = leaf;
  for (let i = 0; i < depth; i++) v = kind === "array" ? [v] : { a: v };
  return v;
}
const DEEP = [nest(100_000, 1, "array"), nest(100_000, "x", "object"), nest(65, { authorization: "Bearer deepdeepdeep0000000000" }, "object")];

/** An object whose keys include prototype names as OWN properties (as JSON.parse makes them). */
function withKeys(pairs: [string, unknown][]): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const [k, v] of pairs) Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  return o;
}

const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.string(),
  fc.string({ unit: "binary", maxLength: 200 }),
  fc.constantFrom(...SQL_STRINGS, ...PROTO_KEYS, "", " ", "info", "ERROR", "fatal", "2025-04-02T10:00:00Z", "2025-02-30", "NaN", "1e999"),
  fc.constantFrom(...HUGE_STRINGS),
);

const oddNumber = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(-0, 0.5, -1, 2 ** 31, 2 ** 53 + 1, 2 ** 63, -(2 ** 63), 1e308, -1e308, 5e-324, Number.MAX_SAFE_INTEGER),
  fc.integer(),
);

const oddValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 3, arbitrary: hostileString },
  { weight: 2, arbitrary: oddNumber },
  { weight: 1, arbitrary: fc.constantFrom(null, true, false, [], {}) },
  { weight: 1, arbitrary: fc.constantFrom(...DEEP) },
  { weight: 1, arbitrary: fc.array(fc.tuple(fc.constantFrom(...PROTO_KEYS), fc.jsonValue({ maxDepth: 2 })), { maxLength: 3 }).map(withKeys) },
);

// ---------------------------------------------------------------------------
// Mutations of a real entry

const FIELDS = [
  "level", "time", "timestamp", "pid", "hostname", "context", "message", "msg", "authUserId", "dealId", "processingTimeMs",
  "req", "req.id", "req.method", "req.url", "req.query", "req.headers", "req.headers.cookie", "req.headers.x-application-platform",
  "req.headers.x-application-version", "query", "answer", "requestMessage", "cacheHit", "documentCount", "error", "err", "promptTokens",
  ...PROTO_KEYS, ...PROTO_KEYS.map((k) => `req.${k}`), ...PROTO_KEYS.map((k) => `req.headers.${k}`),
];

type Mutation = { field: string; op: "delete" | "set" | "wrap" | "text" | "swap"; value: unknown };

const mutation: fc.Arbitrary<Mutation> = fc.record({
  field: fc.constantFrom(...FIELDS),
  op: fc.constantFrom("delete", "set", "set", "set", "wrap", "text", "swap"),
  value: oddValue,
});

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function setOwn(o: Record<string, unknown>, k: string, v: unknown): void {
  Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
}

function mutate(entry: Raw, m: Mutation): void {
  const parts = m.field.startsWith("req.headers.") ? ["req", "headers", m.field.slice(12)] : m.field.startsWith("req.") ? ["req", m.field.slice(4)] : [m.field];
  let target: Record<string, unknown> = entry;
  for (const p of parts.slice(0, -1)) {
    const next = Object.hasOwn(target, p) ? target[p] : undefined;
    if (!isObject(next)) return;
    target = next;
  }
  const key = parts[parts.length - 1]!;
  const current = Object.hasOwn(target, key) ? target[key] : undefined;
  switch (m.op) {
    case "delete":
      delete target[key];
      break;
    case "set":
      setOwn(target, key, m.value);
      break;
    case "wrap":
      setOwn(target, key, [current]);
      break;
    case "text":
      setOwn(target, key, current === undefined ? "undefined" : safeJson(current));
      break;
    case "swap":
      setOwn(target, key, typeof current === "number" ? String(current) : typeof current === "string" && current.trim() !== "" && !Number.isNaN(Number(current)) ? Number(current) : m.value);
      break;
  }
}

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v) ?? "null";
  } catch {
    return "[unserializable]";
  }
}

// ---------------------------------------------------------------------------
// Planted secrets

/** 32 hex digits with a letter and a digit guaranteed: a token by every rule (bearer needs a digit, 16+ characters). */
const secretArb = fc.stringMatching(/^[0-9a-f]{30}$/).map((h) => `a9${h}`);

interface Planted {
  /** Secrets the documented rules promise to remove from an accepted entry. */
  entry: string[];
  /** Those also promised for a rejected record's raw text (keys, cookies, URLs, bearer, JWT, secret-named pairs). */
  raw: string[];
}

function jwtOf(secret: string): string {
  const b64 = (s: string) => Buffer.from(s).toString("base64url");
  return `${b64('{"alg":"HS256","typ":"JWT"}')}.${b64(`{"sub":"${secret}"}`)}.${secret}`;
}

/**
 * Plants secrets where the redaction rules (redact.ts) promise to find them:
 * secret-named headers, cookies, URL query and fragment parameters, the
 * parsed query object, secret-named body fields at any depth, bearer tokens
 * and JWTs inside text. `seeds` are distinct; each planted value derives from one.
 */
function plant(entry: Raw, seeds: string[]): Planted {
  const s = (n: number): string => `${seeds[n - 1]!}${(n - 1).toString(16).padStart(2, "0")}`;
  const existing = Object.hasOwn(entry, "req") ? entry.req : undefined;
  // `code` is a secret as a URL parameter only: promised under the real `req`, not under another key.
  const realReq = isObject(existing);
  const req: Record<string, unknown> = isObject(existing) ? existing : {};
  if (!realReq) setOwn(entry, Object.hasOwn(entry, "req") ? "request" : "req", req);
  const existingHeaders = Object.hasOwn(req, "headers") ? req.headers : undefined;
  const headers: Record<string, unknown> = isObject(existingHeaders) ? existingHeaders : {};
  if (!isObject(existingHeaders)) setOwn(req, Object.hasOwn(req, "headers") ? "requestHeaders" : "headers", headers);
  setOwn(headers, "authorization", `Bearer ${s(1)}`);
  setOwn(headers, "access_token", s(2));
  setOwn(headers, "x-api-key", s(3));
  setOwn(headers, "cookie", `auth_user_id=3587; access_token=${s(4)}; refresh_token=${s(5)}; connect.sid=${s(6)}`);
  setOwn(headers, "set-cookie", [`session=${s(14)}; Path=/; HttpOnly`]);
  const url = typeof req.url === "string" ? req.url.split("?")[0]! : "/deals/369/bot/query";
  setOwn(req, "url", `${url}?access_token=${s(7)}&code=${s(8)}&page=2#id_token=${s(7)}`);
  setOwn(req, "query", { access_token: s(7), code: s(15), page: "2" });
  setOwn(entry, "payload", { user: { credentials: { password: s(9), apiKey: s(10) } }, list: [{ client_secret: s(11) }] });
  setOwn(entry, "upstreamError", `401 from upstream: Authorization: Bearer ${s(12)} was refused; retry with token=${s(13)}`);
  setOwn(entry, "note", `session token was ${jwtOf(s(12))} (expired)`);
  // The message becomes a column of its own: free text, redacted like any other (pino's `msg` when `message` is not text).
  const text = `upstream refused Authorization: Bearer ${s(16)}`;
  if (typeof entry.message === "string" || !Object.hasOwn(entry, "message")) setOwn(entry, "message", `${String(entry.message ?? "")} ${text}`);
  else setOwn(entry, "msg", text);
  return { entry: [s(1), s(2), s(3), s(4), s(5), s(6), s(7), s(8), s(9), s(10), s(11), s(12), s(13), s(14), s(16), ...(realReq ? [s(15)] : [])], raw: [s(1), s(2), s(3), s(4), s(5), s(6), s(7), s(8), s(9), s(10), s(11), s(12), s(13), s(14), s(15), s(16)] };
}

// ---------------------------------------------------------------------------
// Checks

const OUTCOMES = new Set(["answered", "hedged", "failed", "unfinished"]);
/** A generous bound per call: it only exists to name a super-linear pattern instead of timing out. */
const SLOW_MS = 5_000;

function parseChecked(raw: unknown, index: number, keyTimeMs: number | null): ParseEntryResult {
  const t0 = performance.now();
  const r = parseEntry(raw, index, keyTimeMs);
  const ms = performance.now() - t0;
  if (ms > SLOW_MS) throw new Error(`parseEntry took ${Math.round(ms)} ms on one entry (super-linear work on hostile input?)`);
  if (r.ok) {
    const e = r.entry;
    expect(e.index).toBe(index);
    expect(Number.isFinite(e.timeMs)).toBe(true);
    expect(Number.isFinite(e.level)).toBe(true);
    expect(["timestamp", "time", "key"]).toContain(e.timeSource);
    expect(isObject(e.data)).toBe(true);
    for (const k of ["context", "message", "dealId", "requestId", "hostname", "method", "url", "platform", "appVersion"] as const) {
      expect(e[k] === null || typeof e[k] === "string", k).toBe(true);
    }
    for (const k of ["userId", "pid", "latencyMs"] as const) expect(e[k] === null || Number.isFinite(e[k]), k).toBe(true);
  } else {
    expect(typeof r.reason).toBe("string");
    expect(r.reason.trim().length).toBeGreaterThan(0);
  }
  return r;
}

/** What the ingest stores for a rejected record: its JSON text, redacted (file-reader.ts storedRaw). */
function storedRawOf(raw: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(raw) ?? String(raw);
  } catch {
    text = "[unserializable]";
  }
  return redactRawText(text.slice(0, MB));
}

/** The stored form of an accepted entry: every column and the data JSON (capped: huge values only slow the search). */
function storedText(e: NormalizedEntry): string {
  return JSON.stringify(e);
}

function leaked(text: string, secrets: string[]): string[] {
  return secrets.filter((s) => text.includes(s));
}

function prototypeIsClean(): void {
  const probe: Record<string, unknown> = {};
  for (const k of ["polluted", "isAdmin", "a", "x"]) expect(probe[k], `Object.prototype.${k}`).toBeUndefined();
  expect(Object.keys(Object.prototype)).toEqual([]);
}

describe("log model under hostile input (fast-check)", () => {
  it(`reads the ${ALL_RAWS.length} sample entries as they are (the baseline the mutations start from)`, () => {
    let accepted = 0;
    for (const f of SAMPLES) f.raws.forEach((raw, i) => { if (parseChecked(raw, i, f.keyTimeMs).ok) accepted++; });
    expect(accepted).toBe(ALL_RAWS.length);
  });

  it("a mutated real entry is accepted or rejected with a reason, never throws, and keeps no planted secret", () => {
    let accepted = 0;
    let rejected = 0;
    fc.assert(
      fc.property(
        fc.nat({ max: ALL_RAWS.length - 1 }),
        fc.array(mutation, { minLength: 1, maxLength: 6 }),
        fc.uniqueArray(secretArb, { minLength: 16, maxLength: 16 }),
        fc.option(fc.oneof(fc.integer({ min: 0, max: 4_102_444_800_000 }), fc.constant(Number.NaN)), { nil: null }),
        (i, mutations, seeds, keyTimeMs) => {
          const entry = clone(ALL_RAWS[i]!);
          for (const m of mutations) mutate(entry, m);
          const planted = plant(entry, seeds);
          const r = parseChecked(entry, i, keyTimeMs);
          if (r.ok) {
            accepted++;
            expect(leaked(storedText(r.entry), planted.entry)).toEqual([]);
            const questions = pairQuestions([r.entry]);
            expect(leaked(JSON.stringify(questions), planted.entry)).toEqual([]);
          } else {
            rejected++;
            expect(leaked(storedRawOf(entry), planted.raw)).toEqual([]);
          }
          prototypeIsClean();
        },
      ),
      params(),
    );
    console.log(`[reliability] fuzz-model: mutated entries: ${accepted} accepted, ${rejected} rejected with a reason`);
    expect(accepted).toBeGreaterThan(0);
    expect(rejected).toBeGreaterThan(0);
  });

  it("random JSON values (and prototype keys, deep nesting, huge strings) are accepted or rejected, never throw", () => {
    const anyValue = fc.oneof(
      fc.jsonValue({ maxDepth: 5 }),
      oddValue,
      fc.record({ level: oddValue, time: oddValue, timestamp: oddValue }, { requiredKeys: [] }),
      fc.dictionary(fc.oneof(fc.string(), fc.constantFrom(...PROTO_KEYS)), oddValue, { maxKeys: 8 }),
      fc.tuple(fc.constantFrom(30, "info", "ERROR"), fc.integer({ min: 0, max: 4_102_444_800_000 }), fc.array(fc.tuple(fc.constantFrom(...PROTO_KEYS, "req", "headers", "cookie"), oddValue), { maxLength: 4 }))
        .map(([level, time, extra]) => withKeys([["level", level], ["time", time], ...extra])),
    );
    fc.assert(
      fc.property(anyValue, fc.nat(), (value, index) => {
        const r = parseChecked(value, index, null);
        if (!r.ok) storedRawOf(value);
        else pairQuestions([r.entry]);
        prototypeIsClean();
      }),
      params(),
    );
  });

  it("JSON text round trip: values as the decoder sees them (JSON.parse own __proto__ keys) behave the same", () => {
    fc.assert(
      fc.property(fc.nat({ max: ALL_RAWS.length - 1 }), fc.array(mutation, { maxLength: 4 }), (i, mutations) => {
        const entry = clone(ALL_RAWS[i]!);
        for (const m of mutations) if (!DEEP.includes(m.value)) mutate(entry, m);
        const text = `{"__proto__":{"polluted":true},"constructor":{"prototype":{"isAdmin":true}},${JSON.stringify(entry).slice(1)}`;
        const r = parseChecked(JSON.parse(text), i, null);
        if (r.ok) {
          expect(Object.getPrototypeOf(r.entry.data)).toBe(Object.prototype);
          expect(Object.hasOwn(r.entry.data, "__proto__")).toBe(true);
        }
        prototypeIsClean();
      }),
      params(),
    );
  });

  it("whole files: mutated real files pair without throwing, and questions point only at accepted entries", () => {
    let questionsSeen = 0;
    fc.assert(
      fc.property(
        fc.nat({ max: SAMPLES.length - 1 }),
        fc.array(fc.tuple(fc.nat(), mutation), { maxLength: 30 }),
        fc.array(fc.tuple(fc.nat(), fc.jsonValue({ maxDepth: 2 })), { maxLength: 5 }),
        fc.boolean(),
        (f, mutations, inserted, shuffle) => {
          const file = SAMPLES[f]!;
          const raws: unknown[] = file.raws.map(clone);
          for (const [at, m] of mutations) {
            const target = raws[at % raws.length];
            if (isObject(target)) mutate(target, m);
          }
          for (const [at, v] of inserted) raws.splice(at % (raws.length + 1), 0, v);
          if (shuffle) raws.reverse();
          const accepted: NormalizedEntry[] = [];
          raws.forEach((raw, i) => {
            const r = parseChecked(raw, i, file.keyTimeMs);
            if (r.ok) accepted.push(r.entry);
          });
          const questions = pairQuestions(accepted);
          const streamed = new QuestionPairer();
          for (const e of accepted) streamed.push(e);
          expect(streamed.finish()).toEqual(questions);
          const indexes = new Set(accepted.map((e) => e.index));
          for (const q of questions) {
            questionsSeen++;
            expect(OUTCOMES.has(q.outcome)).toBe(true);
            expect(indexes.has(q.startIndex)).toBe(true);
            if (q.endIndex !== null) expect(indexes.has(q.endIndex)).toBe(true);
            for (const x of q.entryIndexes) expect(indexes.has(x)).toBe(true);
            expect(typeof q.question).toBe("string");
            expect(typeof q.fingerprint).toBe("string");
          }
          for (let k = 1; k < questions.length; k++) expect(questions[k]!.startIndex).toBeGreaterThanOrEqual(questions[k - 1]!.startIndex);
          prototypeIsClean();
        },
      ),
      params(Math.max(20, Math.round(RUNS / 5))),
    );
    expect(questionsSeen).toBeGreaterThan(0);
  });

  it("raw text of a rejected record, cut anywhere: redaction never throws and no whole planted secret is left", () => {
    fc.assert(
      fc.property(
        fc.nat({ max: ALL_RAWS.length - 1 }),
        fc.uniqueArray(secretArb, { minLength: 16, maxLength: 16 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.boolean(),
        (i, seeds, cutAt, pretty) => {
          const entry = clone(ALL_RAWS[i]!);
          const planted = plant(entry, seeds);
          const text = pretty ? JSON.stringify(entry, null, 2) : JSON.stringify(entry);
          const cut = text.slice(0, Math.floor(text.length * cutAt));
          const out = redactRawText(cut);
          expect(leaked(out, planted.raw.filter((s) => cut.includes(s)))).toEqual([]);
        },
      ),
      params(),
    );
  });

  it("the linear JWT scan redacts exactly what the former regex did", () => {
    const FORMER_JWT_RE = /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g;
    const piece = fc.constantFrom("eyJ", "e", "y", "J", "a", "b1", "-", "_", ".", " ", "x", "eyJhbGciOi", "é", "Z9");
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 60 }), (parts) => {
        // No "=" and no "bearer": only the JWT pass of redactString applies.
        const text = `xxxxxxxx ${parts.join("")}`;
        expect(redactString(text)).toBe(text.replace(FORMER_JWT_RE, "[redacted]"));
      }),
      params(RUNS * 20),
    );
  });

  it("redactString, redactUrl and redactSecrets on any string or value: never throw, idempotent, bounded", () => {
    fc.assert(
      fc.property(hostileString, oddValue, (s, v) => {
        for (const f of [redactString, redactUrl]) {
          const t0 = performance.now();
          const once = f(s);
          expect(typeof once).toBe("string");
          expect(f(once)).toBe(once);
          expect(performance.now() - t0, `${f.name} on ${s.length} characters`).toBeLessThan(SLOW_MS);
        }
        const t0 = performance.now();
        redactSecrets(v);
        expect(typeof redactRawText(s)).toBe("string");
        expect(performance.now() - t0).toBeLessThan(SLOW_MS);
      }),
      params(Math.max(30, Math.round(RUNS / 3))),
    );
  });
});
