/**
 * Personal data at ingest (issue 14, item 6), end to end through the real
 * CLI at LOG_LEVEL=debug:
 *
 * - a generated bucket whose questions carry emails, phone numbers, IBANs,
 *   card and NI numbers (listed raw in the truth's plantedPersonalData, with
 *   each question's text as it should be stored) and whose requests carry
 *   client addresses (x-forwarded-for lists, IPv6, remoteAddress);
 * - a hand-made file with the other client-address headers (x-real-ip,
 *   cf-connecting-ip, true-client-ip, forwarded, x-original-forwarded-for),
 *   personal data in answers and error text, the secret shapes the redaction
 *   now covers (plural token keys, user:password@host, Basic credentials,
 *   sk-/AKIA/xoxb-/ghp_/github_pat_ keys, URL-encoded JWTs) in headers, query
 *   strings and free text, a rejected record and a line that is not JSON.
 *
 * None of the raw values may be in a full pg_dump of the database or in the
 * CLI's logs; the placeholders and the masked questions must be. In hash mode
 * the same address always gives the same stored value and the key is
 * nowhere.
 */
import { createHmac } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fingerprint } from "@log-insights/logs";
import { createTestDatabase, dumpDatabase, type TestDatabase } from "@log-insights/store/testing";
import { generatedBucket, runCli, type CliResult } from "./support/harness";

const END = new Date(Date.UTC(2026, 2, 11));
const AT = END.getTime() - 5 * 3_600_000;
const HASH_KEY = "privacy-test-hash-key-5f1c0e9a7d3b42c8";

/** The test's own seeded PRNG (mulberry32), for values no other test plants. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const next = prng(1406);
const pick = (alphabet: string, n: number): string => Array.from({ length: n }, () => alphabet[Math.floor(next() * alphabet.length)]).join("");
const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** An IBAN with the right check digits, computed here (BigInt mod 97). */
function iban(country: string, bban: string): string {
  const numeric = [...`${bban}${country}00`].map((c) => (/\d/.test(c) ? c : String(c.charCodeAt(0) - 55))).join("");
  return `${country}${String(98n - (BigInt(numeric) % 97n)).padStart(2, "0")}${bban}`;
}

/** A 16-digit number starting 4 with its Luhn check digit, computed here. */
function card(): string {
  const body = `4${pick("0123456789", 14)}`;
  let sum = 0;
  [...body].reverse().forEach((ch, i) => {
    let d = Number(ch);
    if (i % 2 === 0) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  });
  return body + String((10 - (sum % 10)) % 10);
}

const b64url = (s: string): string => Buffer.from(s).toString("base64url");

/** Everything planted by hand: values that must not be stored, by kind. */
function handPlanted() {
  const personal = {
    email: `hand.${pick("abcdefghij", 6)}@example.com`,
    email2: `ops-${pick("abcdefghij", 5)}@mail.example.org`,
    email3: `rejected.${pick("abcdefghij", 5)}@example.net`,
    phone: `+44 7700 900${pick("0123456789", 3)}`,
    phone2: `020 7946 0${pick("0123456789", 3)}`,
    iban: iban("GB", `NWBK${pick("0123456789", 14)}`).replace(/(.{4})(?=.)/g, "$1 "),
    iban2: iban("DE", pick("0123456789", 18)),
    card: card().replace(/(\d{4})(?=\d)/g, "$1 "),
    card2: card(),
    card3: card().replace(/(\d{4})(?=\d)/g, "$1-"),
    ni: `JG ${pick("0123456789", 2)} ${pick("0123456789", 2)} ${pick("0123456789", 2)} B`,
  };
  const ips = {
    xff: "192.0.2.77", xffProxy: "192.0.2.199", realIp: "192.0.2.78", cf: "2001:db8:feed:beef::42", trueClient: "192.0.2.79",
    forwarded: "192.0.2.80", forwarded6: "2001:db8:feed:cafe::43", original: "192.0.2.81", remote: "192.0.2.82",
    rejected: "192.0.2.90", rejectedRemote: "192.0.2.91",
  };
  const jwtSig = pick(ALNUM, 43);
  const jwt = `${b64url('{"alg":"HS256","typ":"JWT"}')}.${b64url('{"sub":"4242","sid":"x"}')}.${jwtSig}`;
  const secrets = {
    pushToken: `fcm-${pick(ALNUM, 40)}`, apiToken: `api-${pick(ALNUM, 40)}`, refreshToken: `rt-${pick(ALNUM, 40)}`,
    accessToken: `at-${pick(ALNUM, 40)}`, deviceToken: `apns-${pick(ALNUM, 40)}`,
    dbPassword: `pw${pick(ALNUM, 20)}`, redisPassword: `rp${pick(ALNUM, 20)}`,
    basic: Buffer.from(`admin:${pick(ALNUM, 16)}`).toString("base64"), basic2: Buffer.from(`svc:${pick(ALNUM, 16)}`).toString("base64"),
    openai: `sk-proj-${pick(ALNUM, 24)}-${pick(ALNUM, 24)}`, openai2: `sk-${pick(ALNUM, 48)}`,
    aws: `AKIA${pick("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16)}`, awsTemp: `ASIA${pick("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16)}`,
    slackBot: `xoxb-${pick("0123456789", 12)}-${pick("0123456789", 13)}-${pick(ALNUM, 24)}`,
    slackUser: `xoxp-${pick("0123456789", 12)}-${pick("0123456789", 12)}-${pick(ALNUM, 32)}`,
    slackApp: `xoxa-2-${pick("0123456789", 10)}-${pick(ALNUM, 20)}`, slackSession: `xoxs-${pick("0123456789", 10)}-${pick(ALNUM, 20)}`,
    github: `ghp_${pick(ALNUM, 36)}`, githubOauth: `gho_${pick(ALNUM, 36)}`, githubApp: `ghs_${pick(ALNUM, 36)}`, githubUser: `ghu_${pick(ALNUM, 36)}`,
    githubPat: `github_pat_${pick(ALNUM, 22)}_${pick(ALNUM, 59)}`,
    jwtSig, jwtEncodedSig: pick(ALNUM, 43), jwtQuerySig: pick(ALNUM, 43),
    rejectedBasic: Buffer.from(`root:${pick(ALNUM, 16)}`).toString("base64"), brokenKey: `sk-${pick(ALNUM, 40)}`,
  };
  const encodedJwt = `${b64url('{"alg":"HS256"}')}%2E${b64url('{"sub":"1"}')}%2E${secrets.jwtEncodedSig}`;
  const queryJwt = `${b64url('{"alg":"RS256"}')}%2e${b64url('{"sub":"2"}')}%2e${secrets.jwtQuerySig}`;
  const question = `Can I pay with card ${personal.card}? My email is ${personal.email}, phone ${personal.phone}, NI ${personal.ni}.`;
  const maskedQuestion = "Can I pay with card [card]? My email is [email], phone [phone], NI [ni-number].";
  const headers = {
    host: "api.example.dev",
    "x-application-platform": "iOS",
    "x-application-version": "2.2.9",
    "x-forwarded-for": `${ips.xff}, ${ips.xffProxy}`,
    "x-real-ip": ips.realIp,
    "cf-connecting-ip": ips.cf,
    "true-client-ip": ips.trueClient,
    forwarded: `for=${ips.forwarded};proto=https, for="[${ips.forwarded6}]:4711"`,
    "x-original-forwarded-for": ips.original,
    "x-debug-upstream": `Basic ${secrets.basic}`,
    "x-debug-key": secrets.openai,
    "x-upstream": `postgres://app:${secrets.dbPassword}@db.internal:5432/bot`,
    "x-aws": secrets.aws,
  };
  const req = {
    id: 91,
    method: "POST",
    url: `/deals/369/bot/query?next=${encodeURIComponent("https://app.example/cb?id_token=")}${encodedJwt}&view=${queryJwt}&slack=${secrets.slackBot}`,
    query: { next: `https://app.example/cb?id_token=${encodedJwt}`, view: queryJwt, slack: secrets.slackBot },
    params: { "0": "deals/369/bot/query" },
    headers,
    remoteAddress: `::ffff:${ips.remote}`,
    remotePort: 40123,
  };
  const base = { pid: 27, hostname: "privacy-host", dealId: "369", authUserId: 4242 };
  const t = (ms: number) => ({ time: AT + ms, timestamp: new Date(AT + ms).toISOString() });
  const entries = [
    { level: 30, ...t(0), ...base, req, context: "DealBotService", message: "Processing deal bot query", messageLength: question.length, query: question },
    { level: 30, ...t(5), ...base, req, context: "DealBotService", message: "Inputs to llmService.generateResponse", requestMessage: question, staticContextLength: 1775 },
    { level: 30, ...t(10), ...base, req, context: "NotificationService", message: "Registered devices",
      pushTokens: [secrets.pushToken], apiTokens: [secrets.apiToken], refreshTokens: [secrets.refreshToken], accessTokens: { web: secrets.accessToken },
      deviceTokens: [secrets.deviceToken], promptTokens: 961 },
    { level: 50, ...t(20), ...base, req, context: "HttpClient",
      message: `upstream refused redis://:${secrets.redisPassword}@cache:6379 with Authorization: Basic ${secrets.basic2}; mail ${personal.email2}`,
      error: { message: `card ${personal.card2} declined; key ${secrets.openai2}; refund to ${personal.iban}`, stack: `Error: declined\n    at pay (pay.ts:1) ${personal.phone2}` },
      err: `${secrets.awsTemp} ${secrets.slackUser} ${secrets.slackApp} ${secrets.slackSession} ${secrets.github} ${secrets.githubOauth} ${secrets.githubApp} ${secrets.githubUser} ${secrets.githubPat} ${jwt}` },
    { level: 30, ...t(2500), ...base, req, context: "DealBotService", message: "Query processed successfully", query: question,
      answer: `We cannot take card payments here. We will call you on ${personal.phone} or write to ${personal.email}; refunds go to ${personal.iban2}.`,
      processingTimeMs: 2480, cacheHit: true, documentCount: 2, promptTokens: 900 },
    // Rejected (no level): its raw text is stored, masked and redacted.
    { ...t(30), ...base, req: { ...req, headers: { "x-forwarded-for": ips.rejected, authorization: `Basic ${secrets.rejectedBasic}` }, remoteAddress: ips.rejectedRemote },
      message: `no level; card ${personal.card3}; call ${personal.phone2}` },
  ];
  // An NDJSON line that is not JSON: rejected by the decoder, its raw text kept (masked, redacted).
  const broken = `{"level":30,"time":${AT + 40},"query":"mail ${personal.email3} NI ${personal.ni}","x-forwarded-for":"${ips.rejected}","note":"${secrets.brokenKey}","x":`;
  return { entries, broken, personal, ips, secrets, question, maskedQuestion };
}

/** Every .json.gz file under a folder. */
function listFiles(dir: string): string[] {
  return readdirSync(dir).sort().flatMap((name) => {
    const p = path.join(dir, name);
    return statSync(p).isDirectory() ? listFiles(p) : name.endsWith(".json.gz") ? [p] : [];
  });
}

/** Where a raw value occurs: IPs as whole addresses (not "192.0.2.7" inside "192.0.2.77"), the rest as substrings. */
function occurrences(text: string, values: { value: string; ip: boolean }[]): string[] {
  const found: string[] = [];
  for (const { value, ip } of values) {
    if (!ip) {
      if (text.includes(value)) found.push(value);
      continue;
    }
    const bare = value.startsWith("::ffff:") ? value.slice(7) : value;
    const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    // IPv4: not inside a longer number or address; IPv6: not inside a longer group.
    const re = bare.includes(":") ? new RegExp(`(?<![0-9A-Fa-f:])${esc(bare)}(?![0-9A-Fa-f])`, "i") : new RegExp(`(?<![\\d.])${esc(bare)}(?!\\d)`);
    if (re.test(text)) found.push(value);
  }
  return found;
}

interface Run {
  db: TestDatabase;
  cli: CliResult;
  dump: string;
  method: string;
}

describe("personal data at ingest: nothing planted is stored or logged", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let truth: Awaited<ReturnType<typeof generatedBucket>>["truth"];
  let hand: ReturnType<typeof handPlanted>;
  let values: { value: string; ip: boolean; kind: string }[];
  let truncated: Run;
  let hashed: Run;

  const ingest = async (env: Record<string, string>): Promise<Run> => {
    const db = await createTestDatabase();
    const cli = await runCli([dir, "--json", "--concurrency", "2"], { DATABASE_URL: db.url, LOG_LEVEL: "debug", ...env });
    expect(cli.code, cli.stderr.slice(-2000)).toBe(0);
    const { text, method } = await dumpDatabase(db.pool, db.url);
    return { db, cli, dump: text, method };
  };

  beforeAll(async () => {
    const bucket = await generatedBucket({ seed: 1406, days: 2, sessionsPerDay: 40, end: END, personalData: 0.08, faults: { invalidRecords: 0.01 } });
    ({ dir, cleanup, truth } = bucket);
    hand = handPlanted();
    const day = new Date(AT).toISOString().slice(0, 10).replaceAll("-", "/");
    const stamp = new Date(AT).toISOString();
    await mkdir(path.join(dir, day), { recursive: true });
    await writeFile(path.join(dir, day, `${stamp}-9e1a7c00-0000-4000-8000-000000000001.json.gz`), gzipSync(JSON.stringify(hand.entries)));
    await writeFile(path.join(dir, day, `${stamp}-9e1a7c00-0000-4000-8000-000000000002.ndjson`),
      `${JSON.stringify(hand.entries[0])}\n${hand.broken}\n${JSON.stringify(hand.entries[5])}\n`);
    values = [
      ...truth.plantedPersonalData.map((p) => ({ value: p.value, ip: p.kind === "ip", kind: p.kind })),
      ...truth.secrets.map((s) => ({ value: s.value, ip: false, kind: `secret:${s.kind}` })),
      ...Object.entries(hand.personal).map(([kind, value]) => ({ value, ip: false, kind: `hand:${kind}` })),
      ...Object.entries(hand.ips).map(([kind, value]) => ({ value, ip: true, kind: `hand-ip:${kind}` })),
      ...Object.entries(hand.secrets).map(([kind, value]) => ({ value, ip: false, kind: `hand-secret:${kind}` })),
    ];
    // Hand-made addresses are in 192.0.2.0/24, which the generator never uses (203.0.113/24, 198.51.100/24, 10.0/16, 2001:db8::/32 random groups).
    expect(new Set(values.map((v) => v.value)).size).toBe(values.length);
    truncated = await ingest({});
    hashed = await ingest({ PRIVACY_IP_MODE: "hash", PRIVACY_IP_HASH_KEY: HASH_KEY });
  }, 300_000);
  afterAll(async () => {
    await truncated?.db.drop();
    await hashed?.db.drop();
    await cleanup?.();
  });

  it("plants every kind: personal data in questions, client addresses, the new secret shapes", () => {
    const kinds = new Set(truth.plantedPersonalData.map((p) => p.kind));
    expect([...kinds].sort()).toEqual(["card", "email", "iban", "ip", "niNumber", "phone"]);
    expect(truth.questions.filter((q) => q.typed !== undefined).length).toBeGreaterThan(20);
    const summary = JSON.parse(truncated.cli.stdout) as { entries: { stored: number; rejected: number } };
    expect(summary.entries.stored).toBeGreaterThan(2000);
    expect(summary.entries.rejected).toBeGreaterThanOrEqual(3);
  });

  it("a full pg_dump holds none of the raw values, in either mode", () => {
    for (const run of [truncated, hashed]) {
      expect(run.dump).toContain("privacy-host");
      expect(occurrences(run.dump, values)).toEqual([]);
    }
  });

  it("the CLI's debug logs hold none of them, nor the hash key", () => {
    for (const run of [truncated, hashed]) {
      const logs = run.cli.stdout + run.cli.stderr;
      expect(run.cli.stderr).toMatch(/"level":20/);
      expect(occurrences(logs, values)).toEqual([]);
      expect(logs).not.toContain(HASH_KEY);
    }
    expect(hashed.dump).not.toContain(HASH_KEY);
  });

  it("stores the questions masked: as the truth says, in bot_questions, the fingerprint days and the groups", async () => {
    const pool = truncated.db.pool;
    const typed = truth.questions.filter((q) => q.typed !== undefined);
    for (const q of typed) {
      const { rows } = await pool.query<{ question: string }>(
        "SELECT question FROM bot_questions WHERE user_id = $1 AND deal_id = $2 AND asked_at = $3 AND NOT orphan_outcome",
        [q.userId, q.dealId, q.askedAt],
      );
      expect(rows.map((r) => r.question), q.askedAt).toEqual([q.question]);
      const fp = await pool.query("SELECT 1 FROM question_fingerprint_days WHERE fingerprint = $1", [fingerprint(q.question)]);
      expect(fp.rowCount, q.question).toBeGreaterThan(0);
      const group = await pool.query("SELECT 1 FROM question_groups WHERE fingerprint = $1", [fingerprint(q.question)]);
      expect(group.rowCount, q.question).toBe(1);
    }
    // The hand-made question, its answer and its error, through to the question row.
    const { rows } = await pool.query<{ question: string; answer: string | null }>("SELECT question, answer FROM bot_questions WHERE request_id = '91'");
    expect(rows.map((r) => r.question)).toContain(hand.maskedQuestion);
    expect(rows.find((r) => r.answer !== null)?.answer).toBe("We cannot take card payments here. We will call you on [phone] or write to [email]; refunds go to [iban].");
    for (const p of ["[email]", "[phone]", "[iban]", "[card]", "[ni-number]"]) expect(truncated.dump).toContain(p);
  });

  it("stores client addresses truncated, in entries and in rejected records' raw text", async () => {
    const pool = truncated.db.pool;
    const { rows } = await pool.query<{ h: Record<string, string>; remote: string }>(
      "SELECT data->'req'->'headers' AS h, data->'req'->>'remoteAddress' AS remote FROM log_entries WHERE hostname = 'privacy-host' AND context = 'DealBotService' LIMIT 1",
    );
    expect(rows[0]!.h).toMatchObject({
      "x-forwarded-for": "192.0.2.0, 192.0.2.0",
      "x-real-ip": "192.0.2.0",
      "cf-connecting-ip": "2001:db8:feed::",
      "true-client-ip": "192.0.2.0",
      forwarded: 'for=192.0.2.0;proto=https, for="[2001:db8:feed::]"',
      "x-original-forwarded-for": "192.0.2.0",
      "x-debug-upstream": "Basic [redacted]",
      "x-debug-key": "[redacted]",
      "x-upstream": "postgres://app:[redacted]@db.internal:5432/bot",
      "x-aws": "[redacted]",
    });
    expect(rows[0]!.remote).toBe("::ffff:192.0.2.0");
    const generated = await pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM log_entries WHERE data->'req'->'headers' ? 'x-forwarded-for'
       AND NOT (data->'req'->'headers'->>'x-forwarded-for' ~ '^(\\d+\\.\\d+\\.\\d+\\.0|[0-9a-f:]+::)(, (\\d+\\.\\d+\\.\\d+\\.0|[0-9a-f:]+::))*$')`,
    );
    expect(Number(generated.rows[0]!.n)).toBe(0);
    const raw = await pool.query<{ raw: string }>("SELECT raw FROM rejected_records WHERE raw LIKE '%no level;%' OR raw LIKE '%\"query\":\"mail%'");
    expect(raw.rows.length).toBeGreaterThanOrEqual(2);
    const text = raw.rows.map((r) => r.raw).join("\n");
    for (const p of ["[card]", "[phone]", "[email]", "[ni-number]", "192.0.2.0", '"authorization":"[redacted]"']) expect(text).toContain(p);
  });

  it("hash mode: the same address gives the same stored value (its HMAC), distinct addresses stay distinct", async () => {
    const h = (ip: string) => `ip:${createHmac("sha256", HASH_KEY).update(ip).digest("hex").slice(0, 16)}`;
    const pool = hashed.db.pool;
    const { rows } = await pool.query<{ xff: string; real: string; fwd: string; remote: string }>(
      `SELECT data->'req'->'headers'->>'x-forwarded-for' AS xff, data->'req'->'headers'->>'x-real-ip' AS real,
              data->'req'->'headers'->>'forwarded' AS fwd, data->'req'->>'remoteAddress' AS remote
       FROM log_entries WHERE hostname = 'privacy-host'`,
    );
    expect(rows.length).toBeGreaterThanOrEqual(5);
    for (const r of rows) {
      expect(r.xff).toBe(`${h("192.0.2.77")}, ${h("192.0.2.199")}`);
      expect(r.real).toBe(h("192.0.2.78"));
      expect(r.fwd).toBe(`for="${h("192.0.2.80")}";proto=https, for="${h("2001:0db8:feed:cafe:0000:0000:0000:0043")}"`);
      expect(r.remote).toBe(h("192.0.2.82")); // "::ffff:192.0.2.82" hashes as the IPv4 address it is
    }
    // Distinct clients of the generated files (read here from the files) = distinct stored hashes.
    const remotes = new Set<string>();
    for (const file of listFiles(dir)) {
      for (const e of JSON.parse(gunzipSync(readFileSync(file)).toString("utf8")) as { req?: { remoteAddress?: unknown }; hostname?: unknown; level?: unknown }[]) {
        if (e && typeof e === "object" && e.req && typeof e.req.remoteAddress === "string" && e.hostname !== "privacy-host" && e.level !== undefined) remotes.add(e.req.remoteAddress);
      }
    }
    const stored = await pool.query<{ n: string; bad: string }>(
      `SELECT count(DISTINCT data->'req'->>'remoteAddress') AS n,
              count(*) FILTER (WHERE data->'req'->>'remoteAddress' !~ '^ip:[0-9a-f]{16}$') AS bad
       FROM log_entries WHERE hostname <> 'privacy-host' AND data->'req' ? 'remoteAddress'`,
    );
    expect(Number(stored.rows[0]!.bad)).toBe(0);
    expect(Number(stored.rows[0]!.n)).toBe(remotes.size);
    console.log(`[privacy] ${values.length} raw values planted (${truth.plantedPersonalData.length} personal by the generator, ${truth.secrets.length} secrets by the generator, `
      + `${values.length - truth.plantedPersonalData.length - truth.secrets.length} by hand); pg_dump ${(truncated.dump.length / 1024 / 1024).toFixed(1)} MB (${truncated.method}) `
      + `and ${((truncated.cli.stderr.length + hashed.cli.stderr.length) / 1024).toFixed(0)} KB of debug logs scanned in both modes: 0 found; ${remotes.size} distinct client addresses = ${remotes.size} distinct hashes`);
  });

  it("refuses the hash mode without a key, naming the variable", async () => {
    const cli = await runCli([dir, "--dry-run"], { DATABASE_URL: truncated.db.url, PRIVACY_IP_MODE: "hash" });
    expect(cli.code).toBe(2);
    expect(cli.stderr).toMatch(/PRIVACY_IP_HASH_KEY: required when PRIVACY_IP_MODE is hash/);
  });
});
