/**
 * `npm run erase-user` end to end, through the real command line, on a
 * generated bucket (30 days across a month boundary) plus a hand-made file
 * that names the investor only in a cookie and in rejected records:
 *
 * 1. an investor with several conversations and a question cut across two
 *    files is erased: the dry run changes nothing (the whole database dumps
 *    the same); then no table with a user column holds a row of theirs (the
 *    columns are found in information_schema), a full pg_dump holds none of
 *    their identifying shapes (it did before), the rollups, per-user
 *    rollups and common-question day counts equal a recompute from the
 *    remaining rows done here in SQL, the totals dropped by exactly their
 *    questions, the groups equal a fresh regrouping, the audit log names
 *    them nowhere, records the erasure with the keyed hash only and stays
 *    append-only;
 * 2. retention drops the first month of question rows, and a second
 *    investor with questions on both sides is erased: the dropped days keep
 *    their counts (never rebuilt from nothing), the kept days are rebuilt,
 *    and their per-user rows go on both sides;
 * 3. every file is ingested again with --reprocess: none of their rows come
 *    back, and the ledger and rejected records are exactly what the erasure
 *    left (the ingest skips them the way the erasure removed them).
 */
import { spawn } from "node:child_process";
import { createHash, createHmac } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Pool } from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordAudit } from "@log-insights/auth";
import { applyRetention, regroupQuestions } from "@log-insights/store";
import { createTestDatabase, dumpDatabase, type TestDatabase } from "@log-insights/store/testing";
import { generatedBucket, ingest, repoRoot, silent } from "../../packages/ingest/test/support/harness";

const END = new Date("2025-05-16T00:00:00.000Z");
const HORIZON = "2025-05-01T00:00:00.000Z";

interface Cli {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

function eraseCli(args: string[], databaseUrl: string): Promise<Cli> {
  const started = performance.now();
  const child = spawn(process.execPath, ["--import", "tsx", path.join(repoRoot, "tools/src/erase-user.ts"), ...args], {
    cwd: repoRoot,
    env: { ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: "warn" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => { stdout += d.toString(); });
  child.stderr.on("data", (d: Buffer) => { stderr += d.toString(); });
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr, ms: Math.round(performance.now() - started) })));
}

/** The shapes in which stored text names an investor. */
function shapes(id: string): RegExp[] {
  return [
    new RegExp(`"authUserId"\\s*:\\s*"?${id}(?![0-9])`, "g"),
    new RegExp(`auth_user_id=${id}(?![0-9])`, "g"),
    new RegExp(`"userId"\\s*:\\s*"?${id}(?![0-9])`, "g"),
    new RegExp(`user:${id}(?![0-9])`, "g"),
  ];
}

function occurrences(text: string, id: string): number {
  return shapes(id).reduce((n, re) => n + (text.match(re)?.length ?? 0), 0);
}

async function rows(pool: Pool, sql: string, values: unknown[] = []): Promise<string[]> {
  const { rows: r } = await pool.query<Record<string, unknown>>(sql, values);
  return r.map((x) => JSON.stringify(x)).sort();
}

async function one(pool: Pool, sql: string, values: unknown[] = []): Promise<number> {
  const { rows: r } = await pool.query<{ n: string | number | null }>(sql, values);
  return Number(r[0]?.n ?? 0);
}

/** Every (table, column) holding an investor id: named like user_id, in the public schema, not a reference to a staff account. */
async function userColumns(pool: Pool): Promise<{ table: string; column: string }[]> {
  const { rows: r } = await pool.query<{ table: string; column: string }>(
    `SELECT c.table_name AS table, c.column_name AS column
     FROM information_schema.columns c
     JOIN pg_class t ON t.relname = c.table_name AND t.relnamespace = 'public'::regnamespace
     WHERE c.table_schema = 'public' AND t.relkind IN ('r', 'p') AND NOT t.relispartition
       AND c.column_name ~* '(^|_)user_?id$'
       AND NOT EXISTS (
         SELECT 1 FROM pg_constraint k JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = ANY (k.conkey)
         WHERE k.contype = 'f' AND k.conrelid = t.oid AND k.confrelid = 'auth_users'::regclass AND a.attname = c.column_name)
     ORDER BY 1, 2`);
  return r;
}

async function rowsNaming(pool: Pool, id: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const { table, column } of await userColumns(pool)) {
    out[`${table}.${column}`] = await one(pool, `SELECT count(*) AS n FROM ${JSON.stringify(table)} WHERE ${JSON.stringify(column)}::text = $1`, [id]);
  }
  return out;
}

// --- the truth: rollups recomputed here from the question rows, in the test's own SQL

const DIMS: { cols: string[]; dimset: number }[] = [
  { cols: [], dimset: 15 },
  { cols: ["topic"], dimset: 7 },
  { cols: ["fund"], dimset: 11 },
  { cols: ["platform"], dimset: 13 },
  { cols: ["app_version"], dimset: 14 },
  { cols: ["fund", "topic"], dimset: 3 },
];
const COUNTS = `count(*)::int AS questions,
  count(*) FILTER (WHERE outcome = 'answered')::int AS answered, count(*) FILTER (WHERE outcome = 'hedged')::int AS hedged,
  count(*) FILTER (WHERE outcome = 'failed')::int AS failed, count(*) FILTER (WHERE outcome = 'unfinished')::int AS unfinished,
  count(*) FILTER (WHERE partial)::int AS partial, count(*) FILTER (WHERE no_documents)::int AS no_documents,
  count(*) FILTER (WHERE slow)::int AS slow, count(*) FILTER (WHERE reasked)::int AS reasked,
  count(*) FILTER (WHERE cache_hit)::int AS cache_hits, count(cache_hit)::int AS cache_known,
  count(*) FILTER (WHERE id = conversation_id)::int AS conversations,
  count(latency_ms)::int AS latency_n, coalesce(sum(latency_ms), 0)::bigint AS latency_sum`;
const STORED = `questions, answered, hedged, failed, unfinished, partial, no_documents, slow, reasked, cache_hits, cache_known,
  conversations, latency_n, latency_sum`;

/** [recomputed, stored] for every rollup table, for the days from `from` on. */
async function rollupsVersusRecompute(pool: Pool, from: string): Promise<{ name: string; truth: string[]; stored: string[] }[]> {
  const q = `bot_questions WHERE merged_into IS NULL AND asked_at >= '${from}'`;
  const out: { name: string; truth: string[]; stored: string[] }[] = [];
  for (const grain of ["day", "hour"] as const) {
    for (const d of DIMS) {
      if (grain === "hour" && d.cols.length > 1) continue;
      const cols = d.cols.map((c) => `${c}, `).join("");
      out.push({
        name: `question_rollups ${grain} ${d.cols.join("+") || "all"}`,
        truth: await rows(pool, `SELECT date_trunc('${grain}', asked_at) AS bucket, ${cols}${COUNTS} FROM ${q} GROUP BY 1${d.cols.map((_c, i) => `, ${i + 2}`).join("")}`),
        stored: await rows(pool, `SELECT bucket, ${cols}${STORED} FROM question_rollups WHERE grain = '${grain}' AND dimset = ${d.dimset} AND bucket >= '${from}'`),
      });
    }
  }
  // The latency histogram of each day: bins of 4% (the formula documented in migration 0002).
  out.push({
    name: "question_rollups latency bins",
    truth: await rows(pool, `WITH b AS (SELECT date_trunc('day', asked_at) AS bucket,
                               CASE WHEN latency_ms <= 1 THEN 0 ELSE ceil(ln(latency_ms) / ln(1.04))::int END AS bin FROM ${q} AND latency_ms IS NOT NULL),
                             c AS (SELECT bucket, bin, count(*)::int AS n FROM b GROUP BY 1, 2)
                             SELECT bucket, array_agg(bin ORDER BY bin) AS bins, array_agg(n ORDER BY bin) AS counts FROM c GROUP BY 1`),
    stored: await rows(pool, `SELECT bucket, latency_bins::int[] AS bins, latency_counts AS counts FROM question_rollups
                              WHERE grain = 'day' AND dimset = 15 AND bucket >= '${from}' AND cardinality(latency_bins) > 0`),
  });
  out.push({
    name: "question_user_days",
    truth: await rows(pool, `SELECT (asked_at AT TIME ZONE 'UTC')::date AS day, user_id::text, count(*)::int AS n FROM ${q} AND user_id IS NOT NULL GROUP BY 1, 2`),
    stored: await rows(pool, `SELECT day, user_id::text, questions AS n FROM question_user_days WHERE day >= '${from}'::date`),
  });
  out.push({
    name: "question_user_hours",
    truth: await rows(pool, `SELECT date_trunc('hour', asked_at) AS hour, user_id::text, count(*)::int AS n FROM ${q} AND user_id IS NOT NULL GROUP BY 1, 2`),
    stored: await rows(pool, `SELECT hour, user_id::text, questions AS n FROM question_user_hours WHERE hour >= '${from}'`),
  });
  out.push({
    name: "question_user_months",
    truth: await rows(pool, `SELECT date_trunc('month', asked_at AT TIME ZONE 'UTC')::date AS month, user_id::text, count(*)::int AS n FROM ${q} AND user_id IS NOT NULL GROUP BY 1, 2`),
    stored: await rows(pool, `SELECT month, user_id::text, questions AS n FROM question_user_months WHERE month >= date_trunc('month', '${from}'::timestamptz AT TIME ZONE 'UTC')::date`),
  });
  out.push({
    name: "question_fingerprint_days",
    truth: await rows(pool, `SELECT (asked_at AT TIME ZONE 'UTC')::date AS day, fingerprint, topic, fund, count(*)::int AS questions,
                               count(*) FILTER (WHERE outcome = 'hedged')::int AS hedged, min(asked_at) AS first, max(asked_at) AS last, min(question) AS sample
                             FROM ${q} GROUP BY 1, 2, 3, 4`),
    stored: await rows(pool, `SELECT day, fingerprint, topic, fund, questions, hedged, first_asked_at AS first, last_asked_at AS last, sample_text AS sample
                              FROM question_fingerprint_days WHERE day >= '${from}'::date`),
  });
  return out;
}

function expectRollupsMatch(checks: { name: string; truth: string[]; stored: string[] }[]): void {
  for (const c of checks) {
    expect(c.truth.length, c.name).toBeGreaterThan(0);
    expect(c.stored, c.name).toEqual(c.truth);
  }
}

/** Rows of the tables that keep aggregates, before a day: must not change when those days' question rows are gone. */
async function aggregatesBefore(pool: Pool, before: string): Promise<string[]> {
  return [
    ...(await rows(pool, `SELECT r.* FROM question_rollups r WHERE bucket < '${before}'`)),
    ...(await rows(pool, `SELECT f.* FROM question_fingerprint_days f WHERE day < '${before}'::date`)),
  ];
}

async function dayTotals(pool: Pool): Promise<Map<string, number>> {
  const { rows: r } = await pool.query<{ day: string; n: number }>(
    "SELECT to_char(bucket AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, questions AS n FROM question_rollups WHERE grain = 'day' AND dimset = 15");
  return new Map(r.map((x) => [x.day, x.n]));
}

async function perDay(pool: Pool, userId: string, from = "-infinity"): Promise<Map<string, number>> {
  const { rows: r } = await pool.query<{ day: string; n: string }>(
    `SELECT to_char(asked_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, count(*) AS n FROM bot_questions
     WHERE user_id = $1::bigint AND merged_into IS NULL AND asked_at >= $2::timestamptz GROUP BY 1`, [userId, from]);
  return new Map(r.map((x) => [x.day, Number(x.n)]));
}

async function ledger(pool: Pool): Promise<string[]> {
  return rows(pool, "SELECT key, entries_read, entries_stored, entries_rejected FROM ingest_files WHERE status = 'done'");
}

async function ledgerQuestions(pool: Pool): Promise<string[]> {
  return rows(pool, `SELECT key, questions FROM ingest_files WHERE status = 'done' AND key_time >= '${HORIZON}'::timestamptz + interval '1 hour'`);
}

async function rejected(pool: Pool): Promise<string[]> {
  return rows(pool, "SELECT f.key, r.idx, r.reason, r.raw IS NULL AS no_raw FROM rejected_records r JOIN ingest_files f ON f.id = r.file_id");
}

/** The dump's text without what differs between two dumps of the same data (pg_dump's random \restrict key, timestamps). */
const dumpHash = (text: string): string =>
  createHash("sha256").update(text.replace(/^\\(un)?restrict .*$/gm, "").replace(/^-- (Started|Completed) on.*$/gm, "")).digest("hex");

describe("npm run erase-user", () => {
  let db: TestDatabase;
  let bucket: Awaited<ReturnType<typeof generatedBucket>>;
  let investorA: string;
  let investorB: string;
  const other = "424242"; // a made-up investor only the audit rows and the hand-made file name: must be left alone
  const figures: string[] = [];

  beforeAll(async () => {
    [db, bucket] = await Promise.all([
      createTestDatabase(),
      generatedBucket({ seed: 1414, days: 30, sessionsPerDay: 30, end: END, faults: { invalidRecords: 0.003 } }),
    ]);
    await ingest(db.pool, bucket.dir);
    // A: several conversations, and (if any) a question cut across two files.
    const { rows: a } = await db.pool.query<{ user_id: string }>(
      `SELECT user_id::text FROM bot_questions WHERE user_id IS NOT NULL GROUP BY user_id
       ORDER BY bool_or(merged_into IS NOT NULL) DESC, count(DISTINCT conversation_id) DESC, user_id LIMIT 1`);
    investorA = a[0]!.user_id;
    // B: questions both before and after the month boundary (retention drops the first month later).
    const { rows: b } = await db.pool.query<{ user_id: string }>(
      `SELECT user_id::text FROM bot_questions WHERE user_id IS NOT NULL AND user_id <> $1::bigint GROUP BY user_id
       HAVING min(asked_at) < $2 AND max(asked_at) >= $2 ORDER BY count(DISTINCT conversation_id) DESC, user_id LIMIT 1`, [investorA, HORIZON]);
    investorB = b[0]!.user_id;

    // A file of our own: an entry naming A only in its cookie, rejected records naming A and B, and controls.
    const at = Date.parse("2025-05-10T12:00:00.000Z");
    const entries: unknown[] = [
      { level: 30, time: at, context: "ApiController", message: "Processing GET request for /deals",
        req: { id: 7, method: "GET", url: "/deals", headers: { cookie: `auth_user_id=${investorA}; access_token=abc` } } },
      { level: "loud", time: at + 1, context: "ApiController", message: "bad level", authUserId: Number(investorA) },
      { level: "loud", time: at + 2, context: "ApiController", message: "bad level", authUserId: String(investorB) },
      { level: "loud", time: at + 3, context: "ApiController", message: "bad level", authUserId: Number(other) },
      "garbage",
      { level: 30, time: at + 4, context: "ApiController", message: "someone else", authUserId: Number(other) },
    ];
    await mkdir(path.join(bucket.dir, "2025/05/10"), { recursive: true });
    await writeFile(path.join(bucket.dir, "2025/05/10/2025-05-10T12:00:00.000Z-6f1d3c2a-9b8e-4f7a-8c6d-5e4f3a2b1c0d.json"), JSON.stringify(entries));
    const extra = await ingest(db.pool, bucket.dir);
    expect(extra.files.ingested).toBe(1);

    // Audit rows that name them (as the API writes them), and rows that must stay as they are.
    const support = { kind: "user" as const, userId: "1", email: "support@example.com", role: "support" as const, sessionHash: "x", method: "password" as const };
    const { rows: conv } = await db.pool.query<{ id: string; q: string }>(
      "SELECT conversation_id::text AS id, id::text AS q FROM bot_questions WHERE user_id = $1::bigint AND conversation_id IS NOT NULL LIMIT 1", [investorA]);
    const { rows: otherConv } = await db.pool.query<{ id: string }>(
      "SELECT id::text FROM conversations WHERE user_id NOT IN ($1::bigint, $2::bigint) LIMIT 1", [investorA, investorB]);
    for (const id of [investorA, investorB, other]) {
      await recordAudit(db.pool, { actor: support, action: "view_user_questions", target: `user:${id}`, filters: { userId: Number(id), dealId: "deal-1" } });
      await recordAudit(db.pool, { actor: support, action: "csv_export", target: "Questions", filters: { userId: id, rows: 12 } });
      await recordAudit(db.pool, { actor: support, action: "view_log_lines", target: null, filters: { from: "2025-05-01T00:00:00.000Z", text: `auth_user_id=${id}` } });
    }
    await recordAudit(db.pool, { actor: support, action: "view_conversation", target: conv[0]!.id, filters: { userId: Number(investorA), dealId: "deal-1" } });
    await recordAudit(db.pool, { actor: support, action: "view_log_lines", target: `question:${conv[0]!.q}`, filters: null });
    // Numbers that are not the investor: another conversation's id (a bigint past JS's safe integers) and a count equal to A's id.
    await recordAudit(db.pool, { actor: support, action: "view_conversation", target: otherConv[0]!.id, filters: { conversationId: otherConv[0]!.id, rows: Number(investorA), userId: Number(other) } });
  }, 300_000);

  afterAll(async () => {
    process.stderr.write(`[erase-user] ${figures.join("; ")}\n`);
    await db?.drop();
    await bucket?.cleanup();
  });

  it("the dry run prints what would go and changes nothing", async () => {
    const before = await dumpDatabase(db.pool, db.url);
    expect(occurrences(before.text, investorA)).toBeGreaterThan(10);
    const run = await eraseCli([investorA, "--json"], db.url);
    expect(run.code, run.stderr).toBe(0);
    const plan = JSON.parse(run.stdout) as { dryRun: boolean; userHash: null; counts: Record<string, number> };
    expect(plan.dryRun).toBe(true);
    expect(plan.userHash).toBeNull();
    const p = db.pool;
    expect(plan.counts).toMatchObject({
      questions: await one(p, "SELECT count(*) AS n FROM bot_questions WHERE user_id = $1::bigint", [investorA]),
      conversations: await one(p, "SELECT count(*) AS n FROM conversations WHERE user_id = $1::bigint", [investorA]),
      logEntries: await one(p, `SELECT count(*) AS n FROM log_entries WHERE user_id = $1::bigint OR data::text LIKE '%auth_user_id=' || $1 || '"%'`, [investorA]),
      rejectedRecords: 1,
      questionUserDays: await one(p, "SELECT count(*) AS n FROM question_user_days WHERE user_id = $1::bigint", [investorA]),
      auditRows: 5,
    });
    expect(plan.counts.conversations).toBeGreaterThanOrEqual(3);
    const after = await dumpDatabase(db.pool, db.url);
    expect(dumpHash(after.text)).toBe(dumpHash(before.text));
    // The human report, on stdout.
    const human = await eraseCli([investorA], db.url);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain("Dry run: nothing changed");
    expect(human.stdout).toContain(`conversations          ${plan.counts.conversations}`);
    figures.push(`dry run ${run.ms} ms (process included)`);
  }, 120_000);

  it("erases an investor from every table, rebuilds what was counted from them, and keeps only a keyed hash", async () => {
    const p = db.pool;
    const totalsBefore = await dayTotals(p);
    const theirDays = await perDay(p, investorA);
    const theirQuestions = [...theirDays.values()].reduce((s, v) => s + v, 0);
    const theirTexts = await rows(p, `SELECT DISTINCT question FROM bot_questions b WHERE user_id = $1::bigint
      AND NOT EXISTS (SELECT 1 FROM bot_questions o WHERE o.fingerprint = b.fingerprint AND o.user_id IS DISTINCT FROM b.user_id)`, [investorA]);
    const merged = await one(p, "SELECT count(*) AS n FROM bot_questions WHERE user_id = $1::bigint AND merged_into IS NOT NULL", [investorA]);
    const auditRowsBefore = await one(p, "SELECT count(*) AS n FROM audit_log");
    const otherAuditBefore = await rows(p, "SELECT id, target, filters FROM audit_log WHERE target LIKE $1 OR filters::text LIKE $2", [`%${other}%`, `%${other}%`]);
    const before = Object.values(await rowsNaming(p, investorA)).reduce((s, v) => s + v, 0);
    expect(before).toBeGreaterThan(0);

    const run = await eraseCli([investorA, "--yes", "--json"], db.url);
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as { dryRun: boolean; userHash: string; alreadyErased: boolean; regrouped: boolean; seconds: number; counts: Record<string, number> };
    expect(result).toMatchObject({ dryRun: false, alreadyErased: false, regrouped: true });
    expect(result.counts.mergedQuestions).toBe(merged);
    const removed = Object.entries(result.counts).filter(([k]) => k !== "daysRebuilt" && k !== "mergedQuestions").reduce((s, [, v]) => s + v, 0);
    figures.push(`erased A (${result.counts.questions} questions of which ${merged} merged halves, ${result.counts.conversations} conversations, ${result.counts.logEntries} log entries; ` +
      `${removed} rows in all, ${result.counts.daysRebuilt} days rebuilt) in ${result.seconds} s (${run.ms} ms with the process), ` +
      `database of ${await one(p, "SELECT count(*) AS n FROM bot_questions")} questions and ${await one(p, "SELECT count(*) AS n FROM log_entries")} entries`);

    // No row of theirs in any table with a user column.
    const naming = await rowsNaming(p, investorA);
    expect(Object.keys(naming)).toEqual(expect.arrayContaining(["bot_questions.user_id", "log_entries.user_id", "conversations.user_id", "question_user_days.user_id"]));
    expect(Object.keys(naming).length).toBeGreaterThanOrEqual(6);
    expect(Object.entries(naming).filter(([, v]) => v > 0)).toEqual([]);
    // Nor in any text of the whole database.
    const dump = await dumpDatabase(p, db.url);
    expect(occurrences(dump.text, investorA), dump.method).toBe(0);
    expect(occurrences(dump.text, other)).toBeGreaterThan(0); // the control investor is still there
    figures.push(`dump: ${dump.method}, ${(dump.text.length / 1e6).toFixed(1)} MB`);

    // Rollups: equal to a recompute from the remaining rows, totals down by exactly their questions.
    expectRollupsMatch(await rollupsVersusRecompute(p, "-infinity"));
    const totalsAfter = await dayTotals(p);
    for (const [day, n] of totalsBefore) expect(totalsAfter.get(day) ?? 0, day).toBe(n - (theirDays.get(day) ?? 0));
    const sum = (m: Map<string, number>): number => [...m.values()].reduce((s, v) => s + v, 0);
    expect(sum(totalsBefore) - sum(totalsAfter)).toBe(theirQuestions);
    // Common questions: what a regrouping from scratch gives, and none of the texts only they asked.
    const groups = await rows(p, "SELECT fingerprint, group_id, representative FROM question_groups");
    await regroupQuestions(p);
    expect(await rows(p, "SELECT fingerprint, group_id, representative FROM question_groups")).toEqual(groups);
    const reps = new Set((await p.query<{ r: string }>("SELECT DISTINCT representative AS r FROM question_groups")).rows.map((r) => r.r));
    for (const t of theirTexts) expect(reps.has((JSON.parse(t) as { question: string }).question)).toBe(false);
    expect(await one(p, "SELECT count(*) AS n FROM question_fingerprint_days fd WHERE NOT EXISTS (SELECT 1 FROM question_groups g WHERE g.fingerprint = fd.fingerprint)")).toBe(0);

    // The audit log: one more row (the erasure, with the keyed hash and the counts only), theirs scrubbed, the others untouched.
    expect(await one(p, "SELECT count(*) AS n FROM audit_log")).toBe(auditRowsBefore + 1);
    const { rows: erasure } = await p.query<{ actor_label: string; target: string; filters: Record<string, unknown> }>(
      "SELECT actor_label, target, filters FROM audit_log WHERE action = 'erasure'");
    expect(erasure).toHaveLength(1);
    expect(erasure[0]!.actor_label).toBe("cli");
    const { rows: key } = await p.query<{ value: string }>("SELECT value FROM auth_settings WHERE name = 'erasure-key'");
    const hash = createHmac("sha256", process.env.AUTH_SECRET ? `erasure-key:${process.env.AUTH_SECRET}` : key[0]!.value).update(`investor:${investorA}`).digest("hex");
    expect(result.userHash).toBe(hash);
    expect(erasure[0]!.filters).toMatchObject({ userHash: hash, removed: { questions: result.counts.questions } });
    expect(occurrences(JSON.stringify(erasure[0]), investorA)).toBe(0);
    expect(erasure[0]!.target).toBe(hash);
    expect(await rows(p, "SELECT user_hash FROM erased_users")).toEqual([JSON.stringify({ user_hash: hash })]);
    expect(await rows(p, "SELECT id, target, filters FROM audit_log WHERE target LIKE $1 OR filters::text LIKE $2", [`%${other}%`, `%${other}%`])).toEqual(otherAuditBefore);
    const { rows: scrubbedRows } = await p.query<{ target: string | null; filters: unknown }>(
      "SELECT target, filters FROM audit_log WHERE target LIKE '%[erased]%' OR filters::text LIKE '%[erased]%'");
    expect(scrubbedRows).toHaveLength(5);
    expect(scrubbedRows.map((r) => r.target)).toEqual(expect.arrayContaining(["user:[erased]", "[erased]", "question:[erased]"]));

    // Still append-only for anything else.
    const id = (await p.query<{ id: string }>("SELECT min(id)::text AS id FROM audit_log")).rows[0]!.id;
    await expect(p.query("UPDATE audit_log SET target = 'changed' WHERE id = $1", [id])).rejects.toThrow(/append-only/);
    await expect(p.query("DELETE FROM audit_log WHERE id = $1", [id])).rejects.toThrow(/append-only/);
    await expect(p.query("TRUNCATE audit_log")).rejects.toThrow(/append-only/);
    const c = await p.connect();
    try {
      await c.query("BEGIN");
      await c.query("SELECT set_config('log_insights.audit_erasure', 'on', true)");
      await expect(c.query("DELETE FROM audit_log WHERE id = $1", [id])).rejects.toThrow(/append-only/);
      await c.query("ROLLBACK");
    } finally {
      c.release();
    }

    // The files' ledger: what was removed is counted as rejected, so read = stored + rejected still holds.
    expect(await one(p, "SELECT count(*) AS n FROM ingest_files WHERE status = 'done' AND entries_read <> entries_stored + entries_rejected")).toBe(0);
    expect(await one(p, "SELECT count(*) AS n FROM rejected_records WHERE reason = 'erased investor' AND raw IS NOT NULL")).toBe(0);
    expect(await one(p, `SELECT count(*) AS n FROM ingest_files f WHERE status = 'done'
      AND entries_rejected <> (SELECT count(*) FROM rejected_records r WHERE r.file_id = f.id)`)).toBe(0);

    // Again: harmless, and says so.
    const again = await eraseCli([investorA, "--yes", "--json"], db.url);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ alreadyErased: true, counts: { questions: 0, logEntries: 0, auditRows: 0 } });
  }, 300_000);

  it("after retention dropped a month of questions, keeps that month's counts and rebuilds only the kept days", async () => {
    const p = db.pool;
    const r = await applyRetention(p, { keepEntries: "5y", keepQuestions: "20d" }, { dryRun: false, nowMs: Date.parse("2025-05-21T00:00:00.000Z"), logger: silent });
    expect(r.partitions).toBeGreaterThan(0);
    expect((await p.query<{ h: Date }>("SELECT retention_horizon('bot_questions') AS h")).rows[0]!.h.toISOString()).toBe(HORIZON);
    const dropped = await aggregatesBefore(p, HORIZON);
    expect(dropped.length).toBeGreaterThan(0);
    const userDaysBefore = await rows(p, "SELECT day, user_id::text, questions FROM question_user_days WHERE day < $1::date AND user_id <> $2::bigint", [HORIZON, investorB]);
    expect(await one(p, "SELECT count(*) AS n FROM question_user_days WHERE day < $1::date AND user_id = $2::bigint", [HORIZON, investorB])).toBeGreaterThan(0);
    const totalsBefore = await dayTotals(p);
    const theirKeptDays = await perDay(p, investorB, HORIZON);

    const run = await eraseCli([investorB, "--yes", "--json"], db.url);
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as { counts: Record<string, number>; seconds: number };
    expect(result.counts.daysRebuilt).toBe(theirKeptDays.size);
    figures.push(`erased B after retention (${result.counts.questions} questions kept of theirs, ${result.counts.logEntries} log entries, ${result.counts.questionUserDays} user-day rows) in ${result.seconds} s`);

    expect(Object.entries(await rowsNaming(p, investorB)).filter(([, v]) => v > 0)).toEqual([]);
    expect(occurrences((await dumpDatabase(p, db.url)).text, investorB)).toBe(0);
    // The dropped month: counts unchanged (never rebuilt from no rows); only their per-user rows left it.
    expect(await aggregatesBefore(p, HORIZON)).toEqual(dropped);
    expect(await rows(p, "SELECT day, user_id::text, questions FROM question_user_days WHERE day < $1::date", [HORIZON])).toEqual(userDaysBefore);
    // The kept days: rebuilt from what remains.
    expectRollupsMatch(await rollupsVersusRecompute(p, HORIZON));
    const totalsAfter = await dayTotals(p);
    for (const [day, n] of totalsBefore) expect(totalsAfter.get(day), day).toBe(n - (theirKeptDays.get(day) ?? 0));
  }, 300_000);

  it("never brings them back: every file ingested again with --reprocess skips them, as the erasure removed them", async () => {
    const p = db.pool;
    const ledgerBefore = await ledger(p);
    const questionsBefore = await ledgerQuestions(p);
    const rejectedBefore = await rejected(p);
    const rollupsBefore = await rows(p, "SELECT r.* FROM question_rollups r");

    const summary = await ingest(p, bucket.dir, { reprocess: true });
    expect(summary.files.failed).toBe(0);
    expect(summary.files.ingested).toBeGreaterThan(100);
    expect(summary.entries.read).toBe(summary.entries.stored + summary.entries.rejected);
    for (const id of [investorA, investorB]) {
      expect(Object.entries(await rowsNaming(p, id)).filter(([, v]) => v > 0), id).toEqual([]);
    }
    const dump = await dumpDatabase(p, db.url);
    expect(occurrences(dump.text, investorA) + occurrences(dump.text, investorB)).toBe(0);
    expect(occurrences(dump.text, other)).toBeGreaterThan(0);
    // The ingest skipped exactly what the erasure had removed: same ledger, same rejected records, same rollups.
    expect(await ledger(p)).toEqual(ledgerBefore);
    expect(await ledgerQuestions(p)).toEqual(questionsBefore);
    expect(await rejected(p)).toEqual(rejectedBefore);
    expect(await rows(p, "SELECT r.* FROM question_rollups r")).toEqual(rollupsBefore);
    expectRollupsMatch(await rollupsVersusRecompute(p, HORIZON));
    const erased = await one(p, "SELECT count(*) AS n FROM rejected_records WHERE reason = 'erased investor'");
    figures.push(`re-ingest with --reprocess: ${summary.files.ingested} files, ${summary.entries.read} entries read, ${erased} recorded as "erased investor", in ${summary.seconds} s`);
  }, 300_000);

  it("an erasure while files are being ingested again: the investor is gone when both are done", async () => {
    const p = db.pool;
    const { rows: c } = await p.query<{ user_id: string }>(
      `SELECT user_id::text FROM bot_questions WHERE user_id IS NOT NULL AND asked_at >= $1 GROUP BY user_id ORDER BY count(*) DESC, user_id LIMIT 1`, [HORIZON]);
    const investorC = c[0]!.user_id;
    expect(await one(p, "SELECT count(*) AS n FROM log_entries WHERE user_id = $1::bigint", [investorC])).toBeGreaterThan(0);
    // The ingest holds the erasure lock shared per batch; the erasure waits for the batches in flight, the next ones wait for it and skip the investor.
    const reingest = ingest(p, bucket.dir, { reprocess: true });
    await new Promise((r) => setTimeout(r, 300));
    const [summary, run] = await Promise.all([reingest, eraseCli([investorC, "--yes", "--json"], db.url)]);
    expect(run.code, run.stderr).toBe(0);
    expect(summary.files.failed).toBe(0);
    expect(Object.entries(await rowsNaming(p, investorC)).filter(([, v]) => v > 0)).toEqual([]);
    expect(await one(p, "SELECT count(*) AS n FROM log_entries WHERE data::text LIKE $1", [`%auth_user_id=${investorC}"%`])).toBe(0);
    expectRollupsMatch(await rollupsVersusRecompute(p, HORIZON));
    expect(await one(p, "SELECT count(*) AS n FROM ingest_files WHERE status = 'done' AND entries_read <> entries_stored + entries_rejected")).toBe(0);
    figures.push(`erased C during a re-ingest of ${summary.files.ingested} files: ${(JSON.parse(run.stdout) as { counts: { questions: number } }).counts.questions} questions removed then, none left after`);
  }, 300_000);
});
