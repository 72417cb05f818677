/**
 * No secret from the logs is ever stored or shown (issue 8, part 3).
 *
 * A generated bucket (the generator plants fake session cookies, bearer
 * tokens, access-token headers and URL tokens, listed in its truth) plus a
 * hand-made file of other secrets (API keys, session ids, OAuth codes and
 * signatures in query strings and fragments, passwords in bodies, JWTs and
 * bearer tokens in error text, secrets in a record that is rejected and in a
 * line that is not JSON) is ingested by the real CLI at LOG_LEVEL=debug.
 * Then none of the secret values may appear in: a full pg_dump of the
 * database, any API response (every query field with every field selected,
 * every page, every question's log lines), or the application logs (the
 * CLI's output and the API's log, both at debug).
 *
 * The bucket also carries the generator's personal data (issue 14): emails,
 * phone numbers, IBANs, card and NI numbers typed into questions, and client
 * addresses in request headers, every raw value listed in the truth's
 * plantedPersonalData (recorded by the generator, not found by the masking
 * code). None may reach an admin through the API either (search, question
 * lists with answers, conversations with their questions, log entries with
 * their data, error groups, problem questions, knowledge gaps, the audit log)
 * nor the API's log; and the masked forms must: every question typed with
 * personal data is served as the truth says it is stored ("My email is
 * [email]."), and the truncated client addresses are in the log lines'
 * data, so the check would fail were the data kept raw.
 */
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CARD_PLACEHOLDER, EMAIL_PLACEHOLDER, IBAN_PLACEHOLDER, NI_NUMBER_PLACEHOLDER, PHONE_PLACEHOLDER } from "@log-insights/logs";
import { createTestDatabase, findPgDump, type TestDatabase } from "@log-insights/store/testing";
import type { PersonalDataKind } from "../../../../tools/src/generate/index";
import { generatedBucket, runCli, type CliResult } from "../../../ingest/test/support/harness";
import type { ApiHandler } from "../../src/handler";
import { testApi } from "../support/access";
import { bufferLogger, prng } from "./support";

const run = promisify(execFile);
const END = new Date(Date.UTC(2026, 9, 29));
const HOUR = 3_600_000;

/** A fake secret: 40 hex digits after a prefix that says what it is (found by plain substring search). */
function fake(r: ReturnType<typeof prng>, what: string): string {
  let hex = "";
  for (let i = 0; i < 40; i++) hex += "0123456789abcdef"[r.int(0, 15)];
  return `${what}${hex}`;
}

function jwt(secret: string): string {
  const b64 = (s: string) => Buffer.from(s).toString("base64url");
  return `${b64('{"alg":"HS256","typ":"JWT"}')}.${b64(`{"sub":"4242","sid":"x"}`)}.${secret}`;
}

/** Entries in the bot's format carrying secrets everywhere the redaction rules cover; the values planted are returned. */
function handPlanted(r: ReturnType<typeof prng>, atMs: number): { entries: unknown[]; broken: string; failing: string; secrets: string[] } {
  const s = (what: string) => fake(r, what);
  const secrets: string[] = [];
  const keep = (v: string) => (secrets.push(v), v);
  const apiKey = keep(s("ak")), xAuth = keep(s("xa")), proxy = keep(s("pa")), sessionHeader = keep(s("sh"));
  const sid = keep(s("sid")), sess = keep(s("ss")), jsession = keep(s("js")), setCookie = keep(s("sc"));
  const urlToken = keep(s("ut")), apiKeyParam = keep(s("kp")), code = keep(s("oc")), sig = keep(s("sg")), idToken = keep(s("it")), amz = keep(s("az"));
  const password = keep(s("pw")), clientSecret = keep(s("cs")), privateKey = keep(s("pk"));
  const bearerInText = keep(s("bt")), jwtSig = keep(s("jw")), pairInText = keep(s("pt")), rejectedBearer = keep(s("rb")), rejectedToken = keep(s("rt"));
  const brokenToken = keep(s("bk")), failedFileToken = keep(s("ff"));
  const req = (extra: Record<string, unknown>) => ({
    id: 77,
    method: "POST",
    url: `/deals/369/bot/query?access_token=${urlToken}&api_key=${apiKeyParam}&code=${code}&sig=${sig}&page=2#id_token=${idToken}`,
    query: { access_token: urlToken, api_key: apiKeyParam, code, sig, page: "2" },
    params: { "0": "deals/369/bot/query" },
    headers: {
      host: "api.example.dev",
      "x-application-platform": "iOS",
      "x-application-version": "2.2.9",
      "x-api-key": apiKey,
      "x-auth-token": xAuth,
      "proxy-authorization": `Basic ${proxy}`,
      "x-session-id": sessionHeader,
      cookie: `auth_user_id=4242; connect.sid=${sid}; session=${sess}; JSESSIONID=${jsession}`,
      "set-cookie": [`refresh=${setCookie}; Path=/; HttpOnly`],
      referer: `https://app.example.dev/cb?X-Amz-Signature=${amz}&x=1`,
    },
    ...extra,
  });
  const base = { pid: 27, hostname: "planted-host", dealId: "369", authUserId: 4242 };
  const entries = [
    { ...base, level: 30, time: atMs, timestamp: new Date(atMs).toISOString(), req: req({}), context: "DealBotService", message: "Processing deal bot query", query: "What are the fees of the secret fund?" },
    { ...base, level: 30, time: atMs + 10, req: req({ body: { password, client_secret: clientSecret, nested: [{ private_key: privateKey }] } }), context: "AuthService", message: "Login attempt" },
    { ...base, level: 50, time: atMs + 20, req: req({}), context: "HttpClient", message: `upstream refused Authorization: Bearer ${bearerInText}`,
      err: { message: `401 with token ${jwt(jwtSig)} (expired); retry with secret=${pairInText}`, stack: `Error: 401\n    at call (client.ts:12)` } },
    { ...base, level: 30, time: atMs + 2500, req: req({}), context: "DealBotService", message: "Query processed successfully", query: "What are the fees of the secret fund?",
      answer: "1% a year.", processingTimeMs: 2480, cacheHit: true, documentCount: 2, promptTokens: 900 },
    // Rejected (no level): stored in rejected_records with its raw text, which must be redacted too.
    { ...base, time: atMs + 30, req: req({}), message: `no level here; Bearer ${rejectedBearer}`, access_token: rejectedToken },
  ];
  // An NDJSON line that is not JSON at all: rejected by the decoder, its raw text kept (redacted).
  const broken = `{"level":30,"time":${atMs + 40},"message":"cut","authorization":"Bearer ${brokenToken}","x":`;
  // A .json.gz array that is not valid JSON: the whole file fails, and its error (stored, logged, shown by the API) must not quote the token.
  const failing = `[{"level":30,"time":${atMs + 50},"message":"x","authorization":"Bearer ${failedFileToken}","token":"${failedFileToken}" oops}]`;
  return { entries, broken, failing, secrets };
}

/** Each kind's placeholder in stored text (client addresses are truncated instead: 203.0.113.0). */
const PLACEHOLDERS: Record<Exclude<PersonalDataKind, "ip">, string> = {
  email: EMAIL_PLACEHOLDER, phone: PHONE_PLACEHOLDER, iban: IBAN_PLACEHOLDER, card: CARD_PLACEHOLDER, niNumber: NI_NUMBER_PLACEHOLDER,
};

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * A search for one planted value: client addresses as whole addresses (203.0.113.4 is not
 * inside its truncated 203.0.113.0, nor 203.0.113.45 inside 203.0.113.4), the rest as substrings.
 */
function personalMatcher(kind: PersonalDataKind, value: string): (text: string) => boolean {
  if (kind !== "ip") return (text) => text.includes(value);
  const bare = value.startsWith("::ffff:") ? value.slice(7) : value;
  const re = bare.includes(":") ? new RegExp(`(?<![0-9A-Fa-f:])${escapeRe(bare)}(?![0-9A-Fa-f])`, "i") : new RegExp(`(?<![\\d.])${escapeRe(bare)}(?!\\d)`);
  return (text) => re.test(text);
}

describe("no secret is stored, shown or logged", () => {
  let db: TestDatabase;
  let base: string;
  let cleanup: () => Promise<void>;
  let secrets: string[];
  let generated: number;
  let cli: CliResult;
  let api: ApiHandler;
  const apiLogs = bufferLogger("api", "debug");
  const found: string[] = [];
  let personal: { kind: PersonalDataKind; value: string; in(text: string): boolean }[];
  const personalFound: string[] = [];
  /** The questions typed with personal data, as they must be served (JSON-escaped, as in a response): not seen yet. */
  const maskedUnseen = new Set<string>();
  let maskedTotal = 0;
  const placeholdersSeen = new Map<string, number>();
  let truncatedAddressesSeen = 0;

  const leaks = (text: string, where: string): void => {
    for (const s of secrets) if (text.includes(s)) found.push(`${where}: ${s}`);
  };
  const personalLeaks = (text: string, where: string, into = personalFound): void => {
    for (const p of personal) if (p.in(text)) into.push(`${where}: ${p.kind} ${p.value}`);
  };
  /** What of the masked personal data an API response shows. */
  const maskedIn = (text: string): void => {
    for (const placeholder of Object.values(PLACEHOLDERS)) {
      const n = text.split(placeholder).length - 1;
      if (n > 0) placeholdersSeen.set(placeholder, (placeholdersSeen.get(placeholder) ?? 0) + n);
    }
    for (const m of maskedUnseen) if (text.includes(m)) maskedUnseen.delete(m);
    truncatedAddressesSeen += (text.match(/"(?:x-forwarded-for|x-retool-forwarded-for|remoteAddress)":"(?:::ffff:)?\d+\.\d+\.\d+\.0(?:, \d+\.\d+\.\d+\.0)*"/g) ?? []).length;
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    // personalData: 8% of the questions carry an email, phone, IBAN, card or NI number (default 1.5%), so every kind is planted.
    const bucket = await generatedBucket({ seed: 31, days: 3, sessionsPerDay: 40, end: END, personalData: 0.08, faults: { invalidRecords: 0.01 } });
    cleanup = bucket.cleanup;
    generated = bucket.truth.secrets.length;
    personal = bucket.truth.plantedPersonalData.map((p) => ({ ...p, in: personalMatcher(p.kind, p.value) }));
    for (const q of bucket.truth.questions) if (q.typed !== undefined) maskedUnseen.add(JSON.stringify(q.question).slice(1, -1));
    maskedTotal = maskedUnseen.size;
    const r = prng(31);
    const at = END.getTime() - 5 * HOUR;
    const planted = handPlanted(r, at);
    const day = new Date(at).toISOString().slice(0, 10).replaceAll("-", "/");
    await mkdir(path.join(bucket.dir, day), { recursive: true });
    const stamp = new Date(at).toISOString();
    await writeFile(path.join(bucket.dir, day, `${stamp}-5ec2e75e-0000-4000-8000-000000000001.json.gz`), gzipSync(JSON.stringify(planted.entries)));
    await writeFile(path.join(bucket.dir, day, `${stamp}-5ec2e75e-0000-4000-8000-000000000002.ndjson`),
      `${JSON.stringify(planted.entries[0])}\n${planted.broken}\n${JSON.stringify(planted.entries[4])}\n`);
    await writeFile(path.join(bucket.dir, day, `${stamp}-5ec2e75e-0000-4000-8000-000000000003.json.gz`), gzipSync(planted.failing));
    secrets = [...bucket.truth.secrets.map((s) => s.value), ...planted.secrets];
    expect(new Set(secrets).size).toBe(secrets.length);
    base = await mkdtemp(path.join(tmpdir(), "li-secrets-"));
    cli = await runCli([bucket.dir, "--json", "--concurrency", "2"], { DATABASE_URL: db.url, LOG_LEVEL: "debug" });
    // The invalid array element is rejected as a record (exit 0); were its file to fail instead (exit 1), only it may.
    expect([0, 1], cli.stderr.slice(-2000)).toContain(cli.code);
    api = testApi({ pool: db.pool, logger: apiLogs.logger, production: true, listen: false, cache: false, limits: { maxCost: 1e9, maxDepth: 20, maxTokens: 100_000 } });
  });
  afterAll(async () => {
    await api?.close();
    await db?.drop();
    await cleanup?.();
    if (base) await rm(base, { recursive: true, force: true });
  });

  it("the data went in: entries, questions, the planted file, rejected records", async () => {
    const summary = JSON.parse(cli.stdout) as { entries: { stored: number; rejected: number }; questions: number; failedFiles: { key: string; error: string }[] };
    for (const f of summary.failedFiles) expect(f.key).toMatch(/000000000003\.json\.gz$/);
    expect(summary.entries.stored).toBeGreaterThan(1000);
    expect(summary.entries.rejected).toBeGreaterThan(2);
    const { rows } = await db.pool.query<{ n: string }>("SELECT count(*) AS n FROM log_entries WHERE hostname = 'planted-host'");
    expect(Number(rows[0]!.n)).toBe(5); // 4 of the .json.gz file (1 rejected), 1 of the .ndjson file (1 rejected, 1 not JSON)
    expect(generated).toBeGreaterThan(50);
  });

  let dumpBytes = 0;
  let dumpMethod = "";
  it("a full pg_dump of the database holds none of them", async () => {
    const { rows } = await db.pool.query<{ v: string }>("SELECT current_setting('server_version_num') AS v");
    const major = Math.floor(Number(rows[0]!.v) / 10_000);
    const pgDump = await findPgDump(major);
    let dump: string;
    if (pgDump) {
      const file = path.join(base, "dump.sql");
      await run(pgDump, ["--no-owner", "--file", file, "--dbname", db.url], { maxBuffer: 64 * 1024 * 1024 });
      dump = await readFile(file, "utf8");
      dumpMethod = `${pgDump}, server ${major}`;
    } else {
      // The embedded server's npm package ships no pg_dump: read every row of every table instead (the same data, as text).
      console.warn(`[reliability] secrets: no pg_dump for PostgreSQL ${major} found; dumping every table with SELECT instead`);
      const { rows: tables } = await db.pool.query<{ t: string }>(
        `SELECT format('%I.%I', n.nspname, c.relname) AS t FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE c.relkind IN ('r', 'm') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'`);
      const parts: string[] = [];
      for (const { t } of tables) {
        const { rows: data } = await db.pool.query<{ r: string }>(`SELECT x::text AS r FROM ${t} x`);
        parts.push(`-- ${t}\n${data.map((d) => d.r).join("\n")}`);
      }
      dump = parts.join("\n");
      dumpMethod = `SELECT of every table (server ${major})`;
    }
    dumpBytes = Buffer.byteLength(dump);
    expect(dump).toContain("planted-host");
    expect(dump).toContain("[redacted]");
    expect(dump).toContain("What are the fees of the secret fund?");
    leaks(dump, "pg_dump");
    expect(found).toEqual([]);
  });

  let responses = 0;
  let responseBytes = 0;
  it("no API response holds any: every query field, every field selected, every page, every question's log lines", async () => {
    const post = async (query: string, variables: Record<string, unknown> = {}): Promise<{ data?: Record<string, unknown>; errors?: unknown[] }> => {
      const res = await api.fetch(new Request("http://api.test/graphql", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query, variables }) }));
      const text = await res.text();
      responses++;
      responseBytes += text.length;
      leaks(text, `API ${query.slice(0, 60)}`);
      personalLeaks(text, `API ${query.slice(0, 60)}`);
      maskedIn(text);
      const body = JSON.parse(text) as { data?: Record<string, unknown>; errors?: unknown[] };
      expect(body.errors, `${query}\n${text.slice(0, 500)}`).toBeUndefined();
      return body;
    };
    const range = { from: new Date(END.getTime() - 4 * 365 * 24 * HOUR).toISOString(), to: new Date(END.getTime() + 24 * HOUR).toISOString() };
    const R = "$from: DateTime!, $to: DateTime!";
    const questionFields = "id askedAt answeredAt userId dealId conversationId text answer outcome latencyMs cacheHit documentCount model platform appVersion errorMessage fund topic signals reason attention";
    const entryFields = "id time level context message userId dealId requestId platform appVersion latencyMs data";
    const groupFields = "id text count share hedged firstAskedAt lastAskedAt previousCount";
    const simple = [
      `query(${R}) { overview(from: $from, to: $to) { questions users conversations answered hedged failed unfinished cacheHitRate } }`,
      `query(${R}) { questionCounts(from: $from, to: $to, interval: MONTH) { start count } responseTimes(from: $from, to: $to, interval: MONTH) { start count p50 } }`,
      `query(${R}) { topics(from: $from, to: $to) { topic label count } otherTopics(from: $from, to: $to) { label count terms examples } }`,
      `query(${R}) { f: breakdown(dimension: FUND, from: $from, to: $to) { value count } p: breakdown(dimension: PLATFORM, from: $from, to: $to) { value count }
        a: breakdown(dimension: APP_VERSION, from: $from, to: $to) { value count } t: breakdown(dimension: TOPIC, from: $from, to: $to) { value count } }`,
      `query(${R}) { errorGroups(from: $from, to: $to, limit: 500) { context message count firstSeenAt lastSeenAt sampleEntryId } logCounts(from: $from, to: $to, interval: DAY) { start count errors } }`,
      `{ ingestion { files { done failed pending skipped } lastFileAt lastFileKey lastIngestedAt lagSeconds failedFiles { key error attempts updatedAt } entriesPerMinute { start count } } }`,
      `{ alertRules { id name description lastDetail } firingAlerts { id summary } }`,
    ];
    for (const q of simple) await post(q, q.includes("$from") ? range : {});

    // Every page of every list.
    const lists: [string, string][] = [
      ["logEntries", `logEntries(from: $from, to: $to, first: 100, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { ${entryFields} } } }`],
      ["conversations", `conversations(from: $from, to: $to, first: 100, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { id userId dealId startedAt endedAt firstQuestion questionCount } } }`],
      ["problemQuestions", `problemQuestions(from: $from, to: $to, first: 100, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { ${questionFields} } } }`],
      ["commonQuestions", `commonQuestions(from: $from, to: $to, first: 100, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { ${groupFields} } } }`],
      ["knowledgeGaps", `knowledgeGaps(from: $from, to: $to, first: 100, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { fund topicLabel hedged questions summary examples { text askedAt } } } }`],
      // The secrets' words, then the personal data's: the sentences that carried it, and the placeholders themselves.
      ...["fees", "token", "bearer", "secret", "password", "session", "authorization",
        "email", "call", "number", "IBAN", "card", "NI", "@", "07700", "555", "GB", "[email]", "[phone]", "[card]"].map((text): [string, string] =>
        ["searchQuestions", `searchQuestions(text: "${text}", from: $from, to: $to, first: 100, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { ${questionFields} } } }`]),
    ];
    const conversationIds: string[] = [];
    for (const [name, field] of lists) {
      let after: string | null = null;
      for (let page = 0; page < 500; page++) {
        const body = await post(`query($from: DateTime!, $to: DateTime!, $after: String) { ${field} }`, { ...range, after });
        const conn = body.data![name] as { pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: { node: { id?: string } }[] };
        if (name === "conversations") conversationIds.push(...conn.edges.map((e) => e.node.id!));
        if (!conn.pageInfo.hasNextPage) break;
        after = conn.pageInfo.endCursor;
      }
    }
    // Drill-downs: each conversation with its questions and their log lines (batched a few per request).
    expect(conversationIds.length).toBeGreaterThan(50);
    for (let i = 0; i < conversationIds.length; i += 5) {
      const ids = conversationIds.slice(i, i + 5);
      const q = `{ ${ids.map((id, k) => `c${k}: conversation(id: "${id}") { id questions { ${questionFields} logEntries { ${entryFields} } } }`).join(" ")} }`;
      await post(q);
    }
    // The planted question and its log lines, by id.
    const { rows } = await db.pool.query<{ id: string }>("SELECT id::text AS id FROM bot_questions WHERE question LIKE '%secret fund%'");
    expect(rows.length).toBeGreaterThan(0);
    for (const { id } of rows) {
      const body = await post(`{ question(id: "${id}") { ${questionFields} conversation { id } logEntries { ${entryFields} } } }`);
      expect(JSON.stringify(body)).toContain("[redacted]");
    }
    // Last, what access control keeps: the audit log of the reads above (their ranges and filters), every page; who may sign in, the tokens.
    let after: string | null = null;
    let audited = 0;
    for (let page = 0; page < 500; page++) {
      const body = await post(`query($from: DateTime!, $to: DateTime!, $after: String) { auditLog(from: $from, to: $to, first: 100, after: $after) {
        hasNextPage endCursor edges { node { id at action actorKind actorLabel role target filters outcome } } } }`, { from: range.from, to: new Date(Date.now() + HOUR).toISOString(), after });
      const log = body.data!.auditLog as { hasNextPage: boolean; endCursor: string | null; edges: unknown[] };
      audited += log.edges.length;
      if (!log.hasNextPage) break;
      after = log.endCursor;
    }
    expect(audited).toBeGreaterThan(0);
    await post("{ me { kind name role } users { id email displayName role createdBy } apiTokens(includeRevoked: true) { id name prefix role createdBy } }");
    expect(found).toEqual([]);
  });

  it("no API response holds planted personal data, and the masked forms reached the API", () => {
    const kinds = new Set(personal.map((p) => p.kind));
    expect([...kinds].sort()).toEqual(["card", "email", "iban", "ip", "niNumber", "phone"]);
    expect(personalFound).toEqual([]);
    // The data did reach the API: every question typed with personal data, masked as the truth says it is stored ...
    expect(maskedTotal).toBeGreaterThan(20);
    expect([...maskedUnseen]).toEqual([]);
    // ... every kind's placeholder (in questions, groups, gaps and the log lines' data) ...
    for (const kind of kinds) if (kind !== "ip") expect(placeholdersSeen.get(PLACEHOLDERS[kind]) ?? 0, kind).toBeGreaterThan(0);
    // ... and the client addresses, truncated, in the log lines' request headers.
    expect(truncatedAddressesSeen).toBeGreaterThan(100);
  });

  it("the application logs hold none: the ingest CLI and the API, both at debug", () => {
    expect(cli.stderr.length).toBeGreaterThan(1000);
    expect(cli.stderr).toMatch(/"level":20/);
    leaks(cli.stdout + cli.stderr, "ingest log");
    leaks(apiLogs.text(), "API log");
    expect(found).toEqual([]);
    const personalInLogs: string[] = [];
    personalLeaks(cli.stdout + cli.stderr, "ingest log", personalInLogs);
    personalLeaks(apiLogs.text(), "API log", personalInLogs);
    expect(personalInLogs).toEqual([]);
    console.log(`[reliability] secrets: ${secrets.length} planted (${generated} by the generator, ${secrets.length - generated} by hand), `
      + `pg_dump ${(dumpBytes / 1024 / 1024).toFixed(1)} MB scanned (${dumpMethod}), ${responses} API responses (${(responseBytes / 1024 / 1024).toFixed(1)} MB) scanned, `
      + `${((cli.stderr.length + apiLogs.text().length) / 1024).toFixed(0)} KB of debug logs scanned, ${found.length} found; `
      + `${personal.length} personal values planted by the generator (${[...new Set(personal.map((p) => p.kind))].map((k) => `${personal.filter((p) => p.kind === k).length} ${k}`).join(", ")}), `
      + `${personalFound.length + personalInLogs.length} found in responses or logs; ${maskedTotal} questions typed with them all served masked, placeholders seen `
      + `${[...placeholdersSeen].map(([p, n]) => `${p} x${n}`).join(", ")}, ${truncatedAddressesSeen} truncated client addresses`);
  });
});
