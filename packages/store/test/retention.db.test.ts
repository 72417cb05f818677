import type pg from "pg";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createLogger } from "@log-insights/config";
import { ensurePartitions } from "../src/partitions";
import { applyRetention, startRetentionSchedule, type RetentionResult } from "../src/retention";
import { createTestDatabase, type TestDatabase } from "../src/testing";

const silent = createLogger("test", "silent");
const ms = (iso: string) => Date.parse(iso);
const NOW = ms("2025-01-03T12:00:00Z");
// 3d: cut-off 2024-12-31T12:00, so the days up to 12-30 go and 12-31 (straddling) stays.
// 2mo: cut-off 2024-11-03T12:00, so October goes and November (straddling) stays.
const POLICY = { keepEntries: "3d", keepQuestions: "2mo" };

let db: TestDatabase;
beforeEach(async () => {
  db = await createTestDatabase();
});
afterEach(async () => {
  await db.drop();
});

async function partitionsOf(pool: pg.Pool, parent: string): Promise<string[]> {
  const { rows } = await pool.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = $1::regclass ORDER BY 1`,
    [parent],
  );
  return rows.map((r) => r.name);
}

/** Entries every 6 hours from 2024-12-28 to 2025-01-05, questions every 5 days from 2024-10-02 to 2025-01-04, their rollups and conversations. */
async function seed(pool: pg.Pool): Promise<void> {
  await pool.query(`SELECT ensure_time_partitions('log_entries', 'day', '2024-12-28T00:00:00Z', '2025-01-05T23:00:00Z')`);
  await pool.query(`SELECT ensure_time_partitions('bot_questions', 'month', '2024-10-01T00:00:00Z', '2025-01-05T23:00:00Z')`);
  await pool.query(
    `INSERT INTO log_entries (ts, ts_source, file_id, idx, level, message)
     SELECT t, 'time', 1, row_number() OVER (ORDER BY t), 30, 'entry'
     FROM generate_series('2024-12-28T00:00:00Z'::timestamptz, '2025-01-05T18:00:00Z', interval '6 hours') AS t`,
  );
  await pool.query(
    `INSERT INTO bot_questions (id, asked_at, file_id, start_idx, user_id, deal_id, conversation_id, question, fingerprint, outcome, latency_ms, topic)
     SELECT n, t, 1, n, n % 3, 'deal-1', n, 'What are the fees of fund ' || (n % 4), 'what are the fees of fund ' || (n % 4),
            CASE WHEN n % 5 = 0 THEN 'hedged' ELSE 'answered' END, 1000 + n * 10, 'fees'
     FROM generate_series('2024-10-02T09:00:00Z'::timestamptz, '2025-01-04T09:00:00Z', interval '5 days') WITH ORDINALITY AS g(t, n)`,
  );
  await pool.query(
    `INSERT INTO conversations (id, user_id, deal_id, started_at, ended_at, question_count)
     SELECT id, user_id, deal_id, asked_at, asked_at, 1 FROM bot_questions`,
  );
  // One conversation straddling the questions' horizon (2024-11-01): kept.
  await pool.query(
    `INSERT INTO conversations (id, user_id, deal_id, started_at, ended_at, question_count)
     VALUES (999, 1, 'deal-2', '2024-10-31T23:50:00Z', '2024-11-01T00:10:00Z', 2)`,
  );
  await pool.query(`SELECT refresh_question_rollups('2024-10-01', '2025-01-05')`);
  await pool.query(`INSERT INTO question_groups (fingerprint, group_id, representative) SELECT DISTINCT fingerprint, fingerprint, question FROM bot_questions`);
  await pool.query(
    `INSERT INTO ingest_files (source, key, key_time, status) VALUES
       ('file:///b', 'old-done', '2024-12-29T10:00:00Z', 'done'), ('file:///b', 'old-pending', '2024-12-30T10:00:00Z', 'pending'),
       ('file:///b', 'kept', '2024-12-31T10:00:00Z', 'done')`,
  );
  await pool.query(`INSERT INTO rejected_records (file_id, idx, reason, raw) SELECT id, 0, 'bad', '{}' FROM ingest_files`);
}

/** Every rollup table, sorted, as text: compared before and after. */
async function rollups(pool: pg.Pool): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const table of ["question_rollups", "question_user_days", "question_user_hours", "question_user_months", "question_fingerprint_days", "question_groups"]) {
    // question_groups: not its grouped_at (set on insert).
    const row = table === "question_groups" ? "ROW(t.fingerprint, t.group_id, t.representative)" : "t";
    const { rows } = await pool.query<{ r: string }>(`SELECT ${row}::text AS r FROM ${table} t ORDER BY 1`);
    out[table] = rows.map((r) => r.r);
  }
  return out;
}

const count = async (pool: pg.Pool, sql: string, values: unknown[] = []): Promise<number> =>
  Number((await pool.query<{ n: string }>(sql, values)).rows[0]?.n ?? 0);

describe("applyRetention", () => {
  it("dry run: lists whole partitions before the cut-off with rows and sizes, and changes nothing", async () => {
    await seed(db.pool);
    const entryParts = await partitionsOf(db.pool, "log_entries");
    const questionParts = await partitionsOf(db.pool, "bot_questions");
    const before = await rollups(db.pool);
    const conversations = await count(db.pool, "SELECT count(*) AS n FROM conversations");

    const plan = await applyRetention(db.pool, POLICY, { dryRun: true, nowMs: NOW, logger: silent });
    expect(plan.dryRun).toBe(true);
    expect(plan.tables.log_entries).toMatchObject({
      keep: "3d", cutoff: "2024-12-31T12:00:00.000Z", horizon: "2024-12-31T00:00:00.000Z", previousHorizon: null,
    });
    expect(plan.tables.log_entries.partitions.map((p) => [p.name, p.from, p.to, p.rows])).toEqual([
      ["log_entries_p20241228", "2024-12-28T00:00:00.000Z", "2024-12-29T00:00:00.000Z", 4],
      ["log_entries_p20241229", "2024-12-29T00:00:00.000Z", "2024-12-30T00:00:00.000Z", 4],
      ["log_entries_p20241230", "2024-12-30T00:00:00.000Z", "2024-12-31T00:00:00.000Z", 4],
    ]);
    expect(plan.tables.bot_questions).toMatchObject({ keep: "2mo", horizon: "2024-11-01T00:00:00.000Z" });
    expect(plan.tables.bot_questions.partitions.map((p) => [p.name, p.rows])).toEqual([["bot_questions_p202410", 6]]);
    expect(plan.tables.log_entries.kept).toBe(entryParts.length - 3);
    for (const p of [...plan.tables.log_entries.partitions, ...plan.tables.bot_questions.partitions]) {
      expect(p.bytes).toBeGreaterThan(8192); // pg_total_relation_size: heap and indexes
      expect(p.rowsEstimated).toBe(false); // never analyzed: counted
    }
    expect(plan.partitions).toBe(4);
    expect(plan.rows).toBe(18);
    expect(plan.bytes).toBe([...plan.tables.log_entries.partitions, ...plan.tables.bot_questions.partitions].reduce((n, p) => n + p.bytes, 0));
    // October's 6 one-question conversations ended before 11-01; the straddling one is kept.
    expect(plan.conversations).toBe(6);
    expect(plan.files).toBe(2);
    expect(plan.rejectedRecords).toBe(2);

    // Nothing changed.
    expect(await partitionsOf(db.pool, "log_entries")).toEqual(entryParts);
    expect(await partitionsOf(db.pool, "bot_questions")).toEqual(questionParts);
    expect(await count(db.pool, "SELECT count(*) AS n FROM retention_drops")).toBe(0);
    expect(await count(db.pool, "SELECT count(*) AS n FROM retention_horizons")).toBe(0);
    expect(await count(db.pool, "SELECT count(*) AS n FROM conversations")).toBe(conversations);
    expect(await count(db.pool, "SELECT count(*) AS n FROM ingest_files WHERE dropped_at IS NOT NULL")).toBe(0);
    expect(await rollups(db.pool)).toEqual(before);
  });

  it("drops the partitions wholly before the cut-off, keeps the straddling and newer ones, and every rollup", async () => {
    await seed(db.pool);
    const before = await rollups(db.pool);
    expect(before.question_rollups!.length).toBeGreaterThan(50);
    const entriesBefore = await count(db.pool, "SELECT count(*) AS n FROM log_entries");

    const done = await applyRetention(db.pool, POLICY, { dryRun: false, nowMs: NOW, logger: silent, batchSize: 2 });
    expect(done.dryRun).toBe(false);
    expect(done.partitions).toBe(4);
    expect(await partitionsOf(db.pool, "log_entries")).toEqual([
      "log_entries_p20241231", "log_entries_p20250101", "log_entries_p20250102", "log_entries_p20250103", "log_entries_p20250104", "log_entries_p20250105",
    ]);
    expect(await partitionsOf(db.pool, "bot_questions")).toEqual(["bot_questions_p202411", "bot_questions_p202412", "bot_questions_p202501"]);
    expect(await count(db.pool, "SELECT count(*) AS n FROM log_entries")).toBe(entriesBefore - 12);
    expect(await count(db.pool, "SELECT count(*) AS n FROM log_entries WHERE ts < '2024-12-31'")).toBe(0);
    expect(await count(db.pool, "SELECT count(*) AS n FROM bot_questions WHERE asked_at < '2024-11-01'")).toBe(0);

    // The ledger of drops and the horizons.
    const { rows: drops } = await db.pool.query(
      `SELECT table_name, partition_name, range_from, range_to, rows, bytes > 0 AS sized FROM retention_drops ORDER BY id`,
    );
    expect(drops.map((d) => [d.table_name, d.partition_name, (d.range_from as Date).toISOString(), Number(d.rows), d.sized])).toEqual([
      ["log_entries", "log_entries_p20241228", "2024-12-28T00:00:00.000Z", 4, true],
      ["log_entries", "log_entries_p20241229", "2024-12-29T00:00:00.000Z", 4, true],
      ["log_entries", "log_entries_p20241230", "2024-12-30T00:00:00.000Z", 4, true],
      ["bot_questions", "bot_questions_p202410", "2024-10-01T00:00:00.000Z", 6, true],
    ]);
    const { rows: horizons } = await db.pool.query(`SELECT table_name, horizon, keep FROM retention_horizons ORDER BY 1`);
    expect(horizons.map((h) => [h.table_name, (h.horizon as Date).toISOString(), h.keep])).toEqual([
      ["bot_questions", "2024-11-01T00:00:00.000Z", "2mo"],
      ["log_entries", "2024-12-31T00:00:00.000Z", "3d"],
    ]);

    // Rollups untouched, also October's, whose question rows are gone.
    expect(await rollups(db.pool)).toEqual(before);
    expect(before.question_rollups!.some((r) => r.includes("2024-10-"))).toBe(true);
    // Conversations: those wholly before the horizon deleted, the straddling one kept.
    expect(done.conversations).toBe(6);
    expect(await count(db.pool, "SELECT count(*) AS n FROM conversations WHERE id = 999")).toBe(1);
    // Ledger: files before the horizon never come back; rejected records of dropped days gone.
    const { rows: files } = await db.pool.query(`SELECT key, status, dropped_at IS NOT NULL AS dropped, error FROM ingest_files ORDER BY key`);
    expect(files).toEqual([
      { key: "kept", status: "done", dropped: false, error: null },
      { key: "old-done", status: "done", dropped: true, error: null },
      { key: "old-pending", status: "skipped", dropped: true, error: expect.stringMatching(/older than the retention horizon/) },
    ]);
    expect(await count(db.pool, "SELECT count(*) AS n FROM rejected_records")).toBe(1);

    // A second run finds nothing more to drop.
    const again = await applyRetention(db.pool, POLICY, { dryRun: false, nowMs: NOW, logger: silent });
    expect([again.partitions, again.conversations, again.files]).toEqual([0, 0, 0]);
    expect(again.tables.log_entries.previousHorizon).toBe("2024-12-31T00:00:00.000Z");
  });

  it("after the drop: no partition is re-created before the horizon and no rollup before it is rebuilt", async () => {
    await seed(db.pool);
    await applyRetention(db.pool, POLICY, { dryRun: false, nowMs: NOW, logger: silent });
    const before = await rollups(db.pool);

    // The partition creator leaves dropped ranges alone and still creates newer ones.
    expect(await ensurePartitions(db.pool, { fromMs: ms("2024-10-15T00:00:00Z"), toMs: ms("2024-12-30T12:00:00Z") })).toEqual({ created: 0 });
    expect(await ensurePartitions(db.pool, { fromMs: ms("2024-12-30T00:00:00Z"), toMs: ms("2025-01-06T12:00:00Z") })).toEqual({ created: 1 });
    expect(await partitionsOf(db.pool, "log_entries")).not.toContain("log_entries_p20241230");
    expect(await partitionsOf(db.pool, "log_entries")).toContain("log_entries_p20250106");

    // A rebuild over the whole range (what an ingest or reassign-topics does) keeps October's rollups
    // and rebuilds the kept days to the same rows.
    await db.pool.query(`SELECT refresh_question_rollups('2024-09-01', '2025-01-05')`);
    await db.pool.query(`SELECT refresh_question_rollups('2024-10-01', '2024-10-31')`);
    expect(await rollups(db.pool)).toEqual(before);

    // Rows before the horizon have nowhere to go.
    await expect(
      db.pool.query(`INSERT INTO log_entries (ts, ts_source, file_id, idx, level) VALUES ('2024-12-30T10:00:00Z', 'time', 9, 0, 30)`),
    ).rejects.toMatchObject({ code: "23514" });

    // A looser policy later does not move the horizon back.
    await applyRetention(db.pool, { keepEntries: "1y", keepQuestions: "5y" }, { dryRun: false, nowMs: NOW, logger: silent });
    const { rows } = await db.pool.query(`SELECT horizon, keep FROM retention_horizons WHERE table_name = 'log_entries'`);
    expect([(rows[0]!.horizon as Date).toISOString(), rows[0]!.keep]).toEqual(["2024-12-31T00:00:00.000Z", "3d"]);
    expect(await ensurePartitions(db.pool, { fromMs: ms("2024-12-29T00:00:00Z"), toMs: ms("2024-12-30T00:00:00Z") })).toEqual({ created: 0 });
  });

  it("waits for a concurrent ingest transaction, gives up with a clear error after its retries, and succeeds later", async () => {
    await seed(db.pool);
    const holder = await db.pool.connect();
    try {
      // An ingest transaction writing into a partition about to be dropped.
      await holder.query("BEGIN");
      await holder.query(`INSERT INTO log_entries (ts, ts_source, file_id, idx, level) VALUES ('2024-12-29T10:00:00Z', 'time', 7, 0, 30)`);
      const blocked = applyRetention(db.pool, POLICY, { dryRun: false, nowMs: NOW, logger: silent, lockTimeoutMs: 100, attempts: 2 });
      await expect(blocked).rejects.toThrow(/retention: could not lock log_entries within 100 ms, 2 times/);
      await holder.query("COMMIT");
    } finally {
      holder.release();
    }
    expect(await partitionsOf(db.pool, "log_entries")).toContain("log_entries_p20241229");
    // The committed row goes with its partition on the next run.
    const r = await applyRetention(db.pool, POLICY, { dryRun: false, nowMs: NOW, logger: silent, lockTimeoutMs: 100, attempts: 2 });
    expect(r.tables.log_entries.partitions.find((p) => p.name === "log_entries_p20241229")?.rows).toBe(5);
    expect(await partitionsOf(db.pool, "log_entries")).not.toContain("log_entries_p20241229");
  });

  it("refuses a policy keeping less than a day", async () => {
    await expect(applyRetention(db.pool, { keepEntries: "0d", keepQuestions: "2y" }, { dryRun: true, logger: silent })).rejects.toThrow(
      /--keep-entries: "0d" keeps less than 1 day/,
    );
  });
});

describe("startRetentionSchedule", () => {
  it("runs soon after start, then every interval, without overlapping, until stopped", async () => {
    await seed(db.pool);
    const runs: (RetentionResult | null)[] = [];
    let resolveTwo: () => void;
    const two = new Promise<void>((r) => (resolveTwo = r));
    const stop = new AbortController();
    const schedule = startRetentionSchedule(db.pool, { keepEntries: "3650d", keepQuestions: "10y" }, {
      firstRunDelayMs: 10, intervalMs: 50, logger: silent, signal: stop.signal,
      onRun: (r, err) => {
        expect(err).toBeNull();
        runs.push(r);
        if (runs.length === 2) resolveTwo();
      },
    });
    await two;
    stop.abort();
    await schedule.stop();
    const n = runs.length;
    await new Promise((r) => setTimeout(r, 120));
    expect(runs.length).toBe(n);
    expect(runs[0]).toMatchObject({ dryRun: false, partitions: 0 });
    // Nothing was within ten years of loss; the horizons were recorded.
    expect(await count(db.pool, "SELECT count(*) AS n FROM retention_horizons")).toBe(2);
  });

  it("checks the policy at once", () => {
    expect(() => startRetentionSchedule(db.pool, { keepEntries: "6m", keepQuestions: "2y" })).toThrow(/ambiguous/);
  });
});
