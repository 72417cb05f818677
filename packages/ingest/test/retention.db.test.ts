import { spawn } from "node:child_process";
import { readdir, readFile, utimes, writeFile, mkdir } from "node:fs/promises";
import path from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import type { Pool } from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyRetention } from "@log-insights/store";
import { createTestDatabase, type TestDatabase } from "@log-insights/store/testing";
import type { Truth } from "../../../tools/src/generate/index";
import { count, generatedBucket, ingest, repoRoot, silent } from "./support/harness";

// The generated bucket covers 2025-04-30 .. 2025-05-02 (UTC). With "now" at
// 2025-05-02T12:00Z and 1d kept, the cut-off is 2025-05-01T12:00Z: the days
// before 05-01 (entries) and the month before May (questions) are dropped.
const NOW = Date.parse("2025-05-02T12:00:00Z");
const HORIZON = "2025-05-01T00:00:00.000Z";
const POLICY = { keepEntries: "1d", keepQuestions: "1d" };

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) if (e.isFile()) out.push(path.join(e.parentPath, e.name));
  return out.sort();
}

const ROLLUP_TABLES: [string, string][] = [
  ["question_rollups", "bucket"], ["question_user_days", "day"], ["question_user_hours", "hour"],
  ["question_user_months", "month"], ["question_fingerprint_days", "day"],
];

/** The rollup rows (as text, sorted) of every table, optionally only those before a time. */
async function rollups(pool: Pool, before?: string): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const [table, col] of ROLLUP_TABLES) {
    const { rows } = await pool.query<{ r: string }>(
      `SELECT t::text AS r FROM ${table} t WHERE $1::timestamptz IS NULL OR t.${col} < $1::timestamptz ORDER BY 1`, [before ?? null],
    );
    out[table] = rows.map((r) => r.r);
  }
  const { rows } = await pool.query<{ r: string }>(`SELECT ROW(fingerprint, group_id, representative)::text AS r FROM question_groups ORDER BY 1`);
  out.question_groups = rows.map((r) => r.r);
  return out;
}

const rowsBeforeHorizon = async (pool: Pool) => ({
  entries: await count(pool, "SELECT count(*) AS n FROM log_entries WHERE ts < $1", [HORIZON]),
  questions: await count(pool, "SELECT count(*) AS n FROM bot_questions WHERE asked_at < $1", [HORIZON]),
});

describe("retention and the ingest", () => {
  let db: TestDatabase;
  let bucket: { dir: string; truth: Truth; cleanup(): Promise<void> };
  let kept: Record<string, string[]>;

  beforeAll(async () => {
    db = await createTestDatabase();
    bucket = await generatedBucket({ seed: 23, days: 3, sessionsPerDay: 30 });
    await ingest(db.pool, bucket.dir);
  });
  afterAll(async () => {
    await db?.drop();
    await bucket?.cleanup();
  });

  it("drops the old days and month of ingested data and keeps every rollup", async () => {
    const before = await rollups(db.pool);
    expect(before.question_rollups!.some((r) => r.includes("2025-04-30"))).toBe(true);
    expect((await rowsBeforeHorizon(db.pool)).questions).toBeGreaterThan(0);

    const r = await applyRetention(db.pool, POLICY, { dryRun: false, nowMs: NOW, logger: silent });
    expect(r.tables.log_entries.horizon).toBe(HORIZON);
    expect(r.tables.bot_questions.horizon).toBe(HORIZON);
    expect(r.tables.log_entries.partitions.map((p) => p.name)).toContain("log_entries_p20250430");
    expect(r.tables.bot_questions.partitions.map((p) => p.name)).toEqual(["bot_questions_p202504"]);
    expect(r.files).toBeGreaterThan(0);
    expect(await rowsBeforeHorizon(db.pool)).toEqual({ entries: 0, questions: 0 });
    expect(await rollups(db.pool)).toEqual(before);
    kept = before;
    const dropped = await rollupsBefore(kept);
    expect(dropped.question_rollups!.length).toBeGreaterThan(20);
    expect(dropped.question_user_days!.length).toBeGreaterThan(0);
    expect(dropped.question_fingerprint_days!.length).toBeGreaterThan(0);
  });

  it("a re-ingest of old files (--reprocess, a replaced object, a new old key) re-creates no rows and leaves the rollups alone", async () => {
    const old = (await listFiles(bucket.dir)).filter((f) => path.basename(f) < "2025-05-01");
    expect(old.length).toBeGreaterThan(2);

    // --reprocess of everything before the horizon.
    const reprocess = await ingest(db.pool, bucket.dir, { reprocess: true, filter: { untilMs: Date.parse(HORIZON) } });
    expect(reprocess.files.ingested).toBe(0);
    expect(reprocess.files.skipped).toBe(reprocess.files.seen);

    // A replaced object (new etag) and a new key from before the horizon.
    const target = old[1]!;
    const entries = JSON.parse(gunzipSync(await readFile(target)).toString("utf8")) as unknown[];
    await writeFile(target, gzipSync(JSON.stringify(entries.slice(0, -1))));
    const later = new Date(Date.now() + 5_000);
    await utimes(target, later, later);
    const newKey = "2025/04/30/2025-04-30T23:59:00.000Z-00000000-0000-4000-8000-00000000a0a0.json.gz";
    await mkdir(path.join(bucket.dir, "2025/04/30"), { recursive: true });
    await writeFile(path.join(bucket.dir, newKey), gzipSync(JSON.stringify(entries)));

    const run = await ingest(db.pool, bucket.dir);
    expect(run.files.ingested).toBe(0);
    expect(run.files.failed).toBe(0);
    expect(run.beyondRetention).toBe(1);
    const { rows } = await db.pool.query(`SELECT status, dropped_at IS NOT NULL AS dropped, error FROM ingest_files WHERE key = $1`, [newKey]);
    expect(rows).toEqual([{ status: "skipped", dropped: true, error: expect.stringMatching(/older than the retention horizon/) }]);

    expect(await rowsBeforeHorizon(db.pool)).toEqual({ entries: 0, questions: 0 });
    expect(await rollups(db.pool)).toEqual(kept);
    // And a --reprocess of the whole bucket: the kept days are rebuilt to the same rollups, the dropped ones untouched.
    await ingest(db.pool, bucket.dir, { reprocess: true });
    expect(await rowsBeforeHorizon(db.pool)).toEqual({ entries: 0, questions: 0 });
    expect(await rollups(db.pool, HORIZON)).toEqual(await rollupsBefore(kept));
  });

  it("a new file after the horizon holding entries from before it stores only what is after", async () => {
    const may = (await listFiles(bucket.dir)).find((f) => path.basename(f) >= "2025-05-01T06")!;
    const entries = JSON.parse(gunzipSync(await readFile(may)).toString("utf8")) as Record<string, unknown>[];
    const stale = { ...entries[0]!, time: Date.parse("2025-04-30T23:59:58Z"), timestamp: "2025-04-30T23:59:58.000Z" };
    const key = "2025/05/01/2025-05-01T00:00:05.000Z-00000000-0000-4000-8000-00000000b0b0.json.gz";
    await writeFile(path.join(bucket.dir, key), gzipSync(JSON.stringify([stale, ...entries])));

    const run = await ingest(db.pool, bucket.dir);
    expect(run.files).toMatchObject({ ingested: 1, failed: 0 });
    const { rows } = await db.pool.query(
      `SELECT entries_read, entries_stored, entries_rejected FROM ingest_files WHERE key = $1`, [key],
    );
    expect(rows[0]).toEqual({ entries_read: entries.length + 1, entries_stored: entries.length, entries_rejected: 1 });
    expect(await count(db.pool, `SELECT count(*) AS n FROM rejected_records r JOIN ingest_files f ON f.id = r.file_id
      WHERE f.key = $1 AND r.reason LIKE 'before the retention horizon%'`, [key])).toBe(1);
    expect(await rowsBeforeHorizon(db.pool)).toEqual({ entries: 0, questions: 0 });
    expect(await rollups(db.pool, HORIZON)).toEqual(await rollupsBefore(kept));
  });
});

/** The rollup rows of a snapshot that are before the horizon (the snapshot was taken of every row). */
async function rollupsBefore(all: Record<string, string[]>): Promise<Record<string, string[]>> {
  const horizon = HORIZON.slice(0, 10);
  const out: Record<string, string[]> = {};
  for (const [table, rows] of Object.entries(all)) {
    // Each row's first field is its grain or its day/hour/month; question_rollups' second is the bucket.
    out[table] = table === "question_groups" ? rows : rows.filter((r) => {
      const fields = r.slice(1).split(",");
      const t = (table === "question_rollups" ? fields[1]! : fields[0]!).replace(/"/g, "");
      return t.slice(0, 10) < horizon;
    });
  }
  return out;
}

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runRetention(args: string[], env: Record<string, string>): Promise<Result> {
  const child = spawn(process.execPath, ["--import", "tsx", path.join(repoRoot, "tools/src/retention.ts"), ...args], {
    cwd: repoRoot,
    env: { ...process.env, LOG_LEVEL: "warn", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => { stdout += d.toString(); });
  child.stderr.on("data", (d: Buffer) => { stderr += d.toString(); });
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
}

describe("npm run retention", () => {
  let db: TestDatabase;
  let bucket: { dir: string; truth: Truth; cleanup(): Promise<void> };
  beforeAll(async () => {
    db = await createTestDatabase();
    bucket = await generatedBucket({ seed: 29, days: 2, sessionsPerDay: 20 });
    await ingest(db.pool, bucket.dir);
  });
  afterAll(async () => {
    await db?.drop();
    await bucket?.cleanup();
  });

  it("is a dry run by default, drops with --yes, keeps the rollups", async () => {
    // The generated data is from May 2025: older than a day and a month ago.
    const env = { DATABASE_URL: db.url };
    const partitions = async () => count(db.pool, `SELECT count(*) AS n FROM pg_inherits WHERE inhparent IN ('log_entries'::regclass, 'bot_questions'::regclass)`);
    const before = { partitions: await partitions(), rollups: await rollups(db.pool) };
    expect(before.partitions).toBeGreaterThan(2);

    const human = await runRetention(["--keep-entries", "1d", "--keep-questions", "1mo"], env);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(/log_entries_p20250501 +2025-05-01 \.\. 2025-05-02 +\d[\d,]* rows +\d+(\.\d)? (kB|MB)/);
    expect(human.stdout).toMatch(/total: \d+ partitions, [\d,]+ rows, [\d.]+ (kB|MB) would be freed \(dry run: run again with --yes to drop\)/);

    const dry = await runRetention(["--keep-entries", "1d", "--keep-questions", "1mo", "--json"], env);
    expect(dry.code, dry.stderr).toBe(0);
    const plan = JSON.parse(dry.stdout) as { dryRun: boolean; partitions: number; bytes: number; rows: number };
    expect(plan).toMatchObject({ dryRun: true, partitions: before.partitions });
    expect(plan.bytes).toBeGreaterThan(0);
    expect(plan.rows).toBeGreaterThan(bucket.truth.questionsTotal);
    expect(await partitions()).toBe(before.partitions);

    const done = await runRetention(["--keep-entries", "1d", "--keep-questions", "1mo", "--yes", "--json"], env);
    expect(done.code, done.stderr).toBe(0);
    expect(JSON.parse(done.stdout)).toMatchObject({ dryRun: false, partitions: before.partitions, rows: plan.rows, bytes: plan.bytes });
    expect(await partitions()).toBe(0);
    expect(await count(db.pool, "SELECT count(*) AS n FROM retention_drops")).toBe(before.partitions);
    expect(await rollups(db.pool)).toEqual(before.rollups);
  });

  it("exits 2 with a clear message on bad arguments or configuration", async () => {
    const env = { DATABASE_URL: db.url };
    const zero = await runRetention(["--keep-entries", "0d"], env);
    expect([zero.code, zero.stderr]).toEqual([2, expect.stringMatching(/--keep-entries: "0d" keeps less than 1 day/)]);
    const months = await runRetention(["--keep-questions", "6m"], env);
    expect([months.code, months.stderr]).toEqual([2, expect.stringMatching(/"6m" is ambiguous: write 6mo for months/)]);
    const unknown = await runRetention(["--keep-everything"], env);
    expect([unknown.code, unknown.stderr]).toEqual([2, expect.stringMatching(/Unknown option '--keep-everything'[\s\S]*usage: npm run retention/)]);
    const badEnv = await runRetention([], { ...env, RETENTION_KEEP_ENTRIES: "forever" });
    expect([badEnv.code, badEnv.stderr]).toEqual([2, expect.stringMatching(/RETENTION_KEEP_ENTRIES: expected a duration such as 90d/)]);
  });
});
