import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createLogger } from "@log-insights/config";
import { createPool } from "../src/connect";
import { ensurePartitions } from "../src/partitions";
import { createTestDatabase, type TestDatabase } from "../src/testing";

let db: TestDatabase;
beforeEach(async () => {
  db = await createTestDatabase();
});
afterEach(async () => {
  await db.drop();
});

const ms = (iso: string) => Date.parse(iso);

async function partitionsOf(parent: string): Promise<{ name: string; bound: string }[]> {
  const { rows } = await db.pool.query<{ name: string; bound: string }>(
    `SELECT c.relname AS name, pg_get_expr(c.relpartbound, c.oid) AS bound
       FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
      WHERE i.inhparent = $1::regclass
      ORDER BY 1`,
    [parent],
  );
  return rows;
}

describe("ensurePartitions", () => {
  it("creates the UTC day partitions of log_entries and month partitions of bot_questions, once", async () => {
    const range = { fromMs: ms("2024-01-30T22:00:00Z"), toMs: ms("2024-02-02T01:00:00Z") };
    expect(await ensurePartitions(db.pool, range)).toEqual({ created: 6 });

    expect(await partitionsOf("log_entries")).toEqual([
      { name: "log_entries_p20240130", bound: "FOR VALUES FROM ('2024-01-30 00:00:00+00') TO ('2024-01-31 00:00:00+00')" },
      { name: "log_entries_p20240131", bound: "FOR VALUES FROM ('2024-01-31 00:00:00+00') TO ('2024-02-01 00:00:00+00')" },
      { name: "log_entries_p20240201", bound: "FOR VALUES FROM ('2024-02-01 00:00:00+00') TO ('2024-02-02 00:00:00+00')" },
      { name: "log_entries_p20240202", bound: "FOR VALUES FROM ('2024-02-02 00:00:00+00') TO ('2024-02-03 00:00:00+00')" },
    ]);
    expect(await partitionsOf("bot_questions")).toEqual([
      { name: "bot_questions_p202401", bound: "FOR VALUES FROM ('2024-01-01 00:00:00+00') TO ('2024-02-01 00:00:00+00')" },
      { name: "bot_questions_p202402", bound: "FOR VALUES FROM ('2024-02-01 00:00:00+00') TO ('2024-03-01 00:00:00+00')" },
    ]);

    // Idempotent; a wider range creates only what is missing.
    expect(await ensurePartitions(db.pool, range)).toEqual({ created: 0 });
    expect(await ensurePartitions(db.pool, { fromMs: ms("2024-02-02T00:00:00Z"), toMs: ms("2024-02-03T23:59:59.999Z") })).toEqual({
      created: 1,
    });
    expect((await partitionsOf("log_entries")).map((p) => p.name)).toContain("log_entries_p20240203");
  });

  it("cuts partitions at UTC midnight whatever the session time zone", async () => {
    // +05:30: 2024-03-10T02:00 local is 2024-03-09T20:30Z.
    const client = new pg.Client({ connectionString: db.url, options: "-c TimeZone=Asia/Kolkata" });
    await client.connect();
    try {
      await ensurePartitions(client, { fromMs: ms("2024-03-09T20:30:00Z"), toMs: ms("2024-03-09T20:30:00Z") });
    } finally {
      await client.end();
    }
    expect(await partitionsOf("log_entries")).toEqual([
      { name: "log_entries_p20240309", bound: "FOR VALUES FROM ('2024-03-09 00:00:00+00') TO ('2024-03-10 00:00:00+00')" },
    ]);
    expect((await partitionsOf("bot_questions")).map((p) => p.name)).toEqual(["bot_questions_p202403"]);
  });

  it("does not fail when called concurrently", async () => {
    // Project pools (createPool): their idle connections may be cut when the test database is
    // dropped, which a pool without an 'error' listener turns into an uncaught exception.
    const logger = createLogger("test", "silent");
    const extra = [createPool(db.url, { poolSize: 4, logger }), createPool(db.url, { poolSize: 4, logger })];
    try {
      const pools = [db.pool, ...extra];
      const calls = Array.from({ length: 12 }, (_, i) =>
        ensurePartitions(pools[i % pools.length]!, {
          fromMs: ms("2023-12-28T00:00:00Z") + (i % 4) * 86_400_000,
          toMs: ms("2024-01-03T12:00:00Z") + (i % 3) * 86_400_000,
        }),
      );
      const results = await Promise.all(calls);
      const days = await partitionsOf("log_entries");
      const months = await partitionsOf("bot_questions");
      // 2023-12-28 .. 2024-01-05: 9 days; 2023-12 and 2024-01.
      expect(days.map((p) => p.name)).toEqual([
        "log_entries_p20231228",
        "log_entries_p20231229",
        "log_entries_p20231230",
        "log_entries_p20231231",
        "log_entries_p20240101",
        "log_entries_p20240102",
        "log_entries_p20240103",
        "log_entries_p20240104",
        "log_entries_p20240105",
      ]);
      expect(months.map((p) => p.name)).toEqual(["bot_questions_p202312", "bot_questions_p202401"]);
      // Each partition was created by exactly one of the calls.
      expect(results.reduce((sum, r) => sum + r.created, 0)).toBe(days.length + months.length);
    } finally {
      await Promise.all(extra.map((p) => p.end()));
    }
  });

  it("gives up with a clear error, instead of queueing forever, while a long transaction holds the table", async () => {
    await ensurePartitions(db.pool, { fromMs: ms("2024-05-01T00:00:00Z"), toMs: ms("2024-05-01T00:00:00Z") });
    const holder = await db.pool.connect();
    try {
      await holder.query("BEGIN");
      await holder.query(
        "INSERT INTO log_entries (ts, ts_source, file_id, idx, level) VALUES ('2024-05-01T10:00:00Z', 'time', 1, 0, 30)",
      );
      const blocked = ensurePartitions(
        db.pool,
        { fromMs: ms("2024-05-02T00:00:00Z"), toMs: ms("2024-05-02T00:00:00Z") },
        { lockTimeoutMs: 100, attempts: 2 },
      );
      await expect(blocked).rejects.toThrow(/could not lock log_entries within 100 ms, 2 times/);
      await holder.query("COMMIT");
    } finally {
      holder.release();
    }
    expect(await ensurePartitions(db.pool, { fromMs: ms("2024-05-02T00:00:00Z"), toMs: ms("2024-05-02T00:00:00Z") })).toEqual({
      created: 1,
    });
  });

  it("refuses bad ranges and clients inside a transaction", async () => {
    await expect(ensurePartitions(db.pool, { fromMs: 0, toMs: ms("2024-01-01T00:00:00Z") })).rejects.toThrow(/more than 400 days/);
    await expect(ensurePartitions(db.pool, { fromMs: 2, toMs: 1 })).rejects.toThrow(RangeError);
    await expect(ensurePartitions(db.pool, { fromMs: Number.NaN, toMs: 1 })).rejects.toThrow(RangeError);
    const client = await db.pool.connect();
    try {
      await client.query("BEGIN");
      await expect(ensurePartitions(client, { fromMs: 1, toMs: 1 })).rejects.toThrow(/inside a transaction/);
      await client.query("ROLLBACK");
    } finally {
      client.release();
    }
    expect(await partitionsOf("log_entries")).toEqual([]);
  });
});

describe("log_entries rows", () => {
  const copyLine = (ts: string, fileId: number, idx: number, message: string) =>
    `${ts}\ttime\t${fileId}\t${idx}\t30\t${message}\t{"k": ${idx}}\n`;

  async function copyRows(lines: string[]): Promise<void> {
    const client = await db.pool.connect();
    try {
      const stream = client.query(
        copyFrom("COPY log_entries (ts, ts_source, file_id, idx, level, message, data) FROM STDIN"),
      );
      await pipeline(Readable.from(lines), stream);
    } finally {
      client.release();
    }
  }

  it("land in the partition of their UTC day, by COPY and by INSERT", async () => {
    await ensurePartitions(db.pool, { fromMs: ms("2024-01-31T00:00:00Z"), toMs: ms("2024-02-01T23:00:00Z") });
    await copyRows([
      copyLine("2024-01-31T00:00:00Z", 7, 0, "first of the day"),
      copyLine("2024-01-31T23:59:59.999Z", 7, 1, "last of the day"),
      copyLine("2024-02-01T00:00:00Z", 7, 2, "next day"),
    ]);
    // 2024-02-01T03:00+05:00 is 2024-01-31T22:00Z.
    await db.pool.query(
      "INSERT INTO log_entries (ts, ts_source, file_id, idx, level, message) VALUES ($1, 'timestamp', 7, 3, 40, 'inserted')",
      ["2024-02-01T03:00:00+05:00"],
    );
    await db.pool.query(
      `INSERT INTO bot_questions (id, asked_at, file_id, start_idx, question, fingerprint, outcome)
       VALUES (1, '2024-02-01T00:00:01Z', 7, 2, 'What is the IRR?', 'what is the irr', 'answered')`,
    );

    const { rows } = await db.pool.query<{ partition: string; idx: number; data: unknown }>(
      "SELECT tableoid::regclass::text AS partition, idx, data FROM log_entries ORDER BY idx",
    );
    expect(rows).toEqual([
      { partition: "log_entries_p20240131", idx: 0, data: { k: 0 } },
      { partition: "log_entries_p20240131", idx: 1, data: { k: 1 } },
      { partition: "log_entries_p20240201", idx: 2, data: { k: 2 } },
      { partition: "log_entries_p20240131", idx: 3, data: {} },
    ]);
    const questions = await db.pool.query("SELECT tableoid::regclass::text AS partition FROM bot_questions");
    expect(questions.rows).toEqual([{ partition: "bot_questions_p202402" }]);
  });

  it("are rejected when they duplicate (file_id, idx, ts), or have no partition", async () => {
    await ensurePartitions(db.pool, { fromMs: ms("2024-06-01T00:00:00Z"), toMs: ms("2024-06-01T00:00:00Z") });
    await copyRows([copyLine("2024-06-01T08:00:00Z", 3, 0, "once")]);

    await expect(copyRows([copyLine("2024-06-01T08:00:00Z", 3, 0, "twice")])).rejects.toMatchObject({ code: "23505" });
    await expect(
      db.pool.query(
        "INSERT INTO log_entries (ts, ts_source, file_id, idx, level) VALUES ('2024-06-01T08:00:00Z', 'time', 3, 0, 30)",
      ),
    ).rejects.toMatchObject({ code: "23505", message: expect.stringMatching(/duplicate key value/) });
    // Same entry index in another file, or same file at another index: fine.
    await copyRows([copyLine("2024-06-01T08:00:00Z", 4, 0, "other file"), copyLine("2024-06-01T08:00:00Z", 3, 1, "next")]);

    await expect(copyRows([copyLine("2024-06-02T08:00:00Z", 3, 9, "no partition")])).rejects.toMatchObject({
      code: "23514",
      message: expect.stringMatching(/no partition of relation "log_entries" found for row/),
    });
    const { rows } = await db.pool.query("SELECT count(*)::int AS n FROM log_entries");
    expect(rows[0]).toEqual({ n: 3 });
  });
});
