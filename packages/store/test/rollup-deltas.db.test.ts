import type pg from "pg";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readOverview } from "../src/read";
import { compactRollups } from "../src/write/rollups";
import { createTestDatabase, type TestDatabase } from "../src/testing";

// The rollups kept by the triggers of migration 0006 against the truth: a
// rebuild from scratch (refresh_question_rollups) and the question rows read
// directly (forceRaw), after inserts, updates that move questions between
// keys, deletes, and two transactions writing one hour at once.

const DAY = "2025-03-10";
const RANGE = { fromMs: Date.parse(`${DAY}T00:00:00Z`), toMs: Date.parse(`${DAY}T00:00:00Z`) + 86_400_000 };
const TABLES = [
  "SELECT * FROM question_rollups ORDER BY grain, dimset, bucket, topic, fund, platform, app_version",
  "SELECT * FROM question_user_hours ORDER BY hour, user_id",
  "SELECT * FROM question_user_days ORDER BY day, user_id",
  "SELECT * FROM question_user_months ORDER BY month, user_id",
  "SELECT * FROM question_fingerprint_days ORDER BY day, fingerprint, topic, fund",
];

let db: TestDatabase;
beforeEach(async () => {
  db = await createTestDatabase();
  await db.pool.query(`SELECT ensure_time_partitions('bot_questions', 'month', '${DAY}T00:00:00Z', '${DAY}T23:00:00Z')`);
});
afterEach(async () => {
  await db.drop();
});

/** n questions from id `first`, one every `stepSec` seconds from `fromIso`, spread over users, texts, topics and outcomes. */
async function insertQuestions(q: pg.Pool | pg.PoolClient, first: number, n: number, fromIso: string, stepSec: number): Promise<void> {
  await q.query(
    `INSERT INTO bot_questions (id, asked_at, file_id, start_idx, user_id, deal_id, conversation_id, question, fingerprint,
       topic, fund, outcome, latency_ms, cache_hit, platform, app_version, partial, slow)
     SELECT i, $2::timestamptz + (i - $1) * $4 * interval '1 second', 1, i, i % 7, 'deal-' || (i % 3), i - i % 2,
       'What about text ' || (i % 5) || '?', 'what about text ' || (i % 5),
       (ARRAY['fees', 'risks', NULL])[1 + i % 3], (ARRAY['Fund A', NULL])[1 + i % 2],
       (ARRAY['answered', 'hedged', 'failed', 'unfinished'])[1 + i % 4],
       CASE WHEN i % 6 = 0 THEN NULL ELSE 1 + (i * 7919) % 30000 END, CASE WHEN i % 5 = 0 THEN NULL ELSE i % 2 = 0 END,
       (ARRAY['ios', 'web'])[1 + i % 2], '2.' || (i % 3), i % 9 = 0, i % 11 = 0
     FROM generate_series($1::bigint, $1::bigint + $3 - 1) AS i`,
    [first, fromIso, n, stepSec],
  );
}

async function snapshot(pool: pg.Pool): Promise<unknown[][]> {
  return Promise.all(TABLES.map(async (t) => (await pool.query(t)).rows));
}

/** Merged parts, then the tables against a rebuild of the day from the question rows. */
async function expectEqualToRebuild(pool: pg.Pool): Promise<void> {
  await compactRollups(pool);
  const merged = await snapshot(pool);
  await pool.query(`SELECT refresh_question_rollups('${DAY}', '${DAY}')`);
  expect(merged).toEqual(await snapshot(pool));
}

async function count(pool: pg.Pool, sql: string): Promise<number> {
  return Number((await pool.query<{ n: string }>(sql)).rows[0]!.n);
}

describe("rollups kept by deltas (migration 0006)", () => {
  it("inserts in many statements: parts add up in the readers before the merge, and the merge equals a rebuild", async () => {
    for (let b = 0; b < 6; b++) await insertQuestions(db.pool, 1 + b * 40, 40, `${DAY}T0${b}:10:00Z`, 37);
    // Six statements, six parts of the day's total row before the merge.
    expect(await count(db.pool, `SELECT count(*) AS n FROM question_rollups WHERE grain = 'day' AND dimset = 15`)).toBe(6);
    const beforeMerge = await readOverview(db.pool, RANGE);
    expect(beforeMerge).toEqual(await readOverview(db.pool, RANGE, {}, { forceRaw: true }));
    expect(beforeMerge.questions).toBe(240);
    await expectEqualToRebuild(db.pool);
    expect(await count(db.pool, `SELECT count(*) AS n FROM question_rollups WHERE grain = 'day' AND dimset = 15`)).toBe(1);
    expect(await count(db.pool, `SELECT count(*) AS n FROM rollup_pending`)).toBe(0);
    expect(await readOverview(db.pool, RANGE)).toEqual(beforeMerge);
  });

  it("updates that move questions between keys, flags, merges and deletes subtract their old contribution", async () => {
    await insertQuestions(db.pool, 1, 300, `${DAY}T08:00:00Z`, 41);
    await compactRollups(db.pool);
    // Re-labelled (a topic change moves fingerprint-day keys), outcomes and flags changed, one hidden as merged, some deleted.
    await db.pool.query(`UPDATE bot_questions SET topic = 'liquidity' WHERE id % 10 = 1`);
    await db.pool.query(`UPDATE bot_questions SET outcome = 'answered', reasked = true, latency_ms = 5 WHERE id % 13 = 2`);
    await db.pool.query(`UPDATE bot_questions SET conversation_id = id WHERE id % 17 = 3`);
    await db.pool.query(`UPDATE bot_questions SET merged_into = 1 WHERE id = 100`);
    await db.pool.query(`DELETE FROM bot_questions WHERE id % 19 = 4 OR id BETWEEN 200 AND 260`);
    // Every question of one user gone: that user no longer counts, merged or not.
    await db.pool.query(`DELETE FROM bot_questions WHERE user_id = 3`);
    // An UPDATE that changes nothing counted appends nothing.
    const rows = await count(db.pool, `SELECT count(*) AS n FROM question_rollups`);
    await db.pool.query(`UPDATE bot_questions SET answer = 'same counts' WHERE id % 2 = 0`);
    expect(await count(db.pool, `SELECT count(*) AS n FROM question_rollups`)).toBe(rows);

    const users = await count(db.pool, `SELECT count(DISTINCT user_id) AS n FROM bot_questions WHERE merged_into IS NULL`);
    const beforeMerge = await readOverview(db.pool, RANGE);
    expect(beforeMerge).toEqual(await readOverview(db.pool, RANGE, {}, { forceRaw: true }));
    expect(beforeMerge.users).toBe(users);
    await expectEqualToRebuild(db.pool);
    expect(await count(db.pool, `SELECT count(*) AS n FROM question_user_days WHERE user_id = 3`)).toBe(0);
    expect(await count(db.pool, `SELECT count(*) AS n FROM fingerprint_day_rechecks`)).toBe(0);
  });

  it("two transactions write the same hour at once: neither waits for the other, and both are counted once", async () => {
    const a = await db.pool.connect();
    const b = await db.pool.connect();
    try {
      await a.query("BEGIN");
      await b.query("BEGIN");
      // Would the second wait for the first, the lock timeout fails it instead of hanging the test.
      await b.query("SET LOCAL lock_timeout = '2s'");
      await insertQuestions(a, 1, 50, `${DAY}T12:00:00Z`, 30);
      await insertQuestions(b, 1001, 50, `${DAY}T12:00:15Z`, 30);
      await a.query(`UPDATE bot_questions SET reasked = true WHERE id < 10`);
      await b.query(`UPDATE bot_questions SET reasked = true WHERE id > 1040`);
      // A merge meanwhile sees neither uncommitted part, and takes nothing from them.
      await compactRollups(db.pool);
      await b.query("COMMIT");
      await compactRollups(db.pool);
      await a.query("COMMIT");
    } finally {
      a.release();
      b.release();
    }
    const overview = await readOverview(db.pool, RANGE);
    expect(overview.questions).toBe(100);
    expect(overview).toEqual(await readOverview(db.pool, RANGE, {}, { forceRaw: true }));
    await expectEqualToRebuild(db.pool);
  });

  it("a merge does not wait for a running merge or rebuild when told not to", async () => {
    await insertQuestions(db.pool, 1, 20, `${DAY}T03:00:00Z`, 60);
    const holder = await db.pool.connect();
    try {
      await holder.query("BEGIN");
      await holder.query(`SELECT refresh_question_rollups('${DAY}', '${DAY}')`);
      expect(await compactRollups(db.pool, { wait: false })).toBeNull();
      await holder.query("COMMIT");
    } finally {
      holder.release();
    }
    expect(await compactRollups(db.pool, { wait: false })).not.toBeNull();
    await expectEqualToRebuild(db.pool);
  });
});
