import { existsSync } from "node:fs";
import { readFile, readdir } from "node:fs/promises";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "@log-insights/store/testing";
import type { Truth } from "../../../tools/src/generate/index";
import { count, generatedBucket, ingest, realSampleDir, tableCounts, valuesFoundIn } from "./support/harness";
import { startS3Server, type S3TestServer } from "./support/s3-server";

const hasRealSample = existsSync(realSampleDir);
if (!hasRealSample) console.warn(`[ingest] real sample folder not found (${realSampleDir}): skipping the real-sample ingest test`);

describe("ingesting from S3 (a real S3-compatible server)", () => {
  let s3: S3TestServer;
  let db: TestDatabase;
  let bucket: { dir: string; truth: Truth; cleanup(): Promise<void> };
  const settings = (): { endpoint: string; region: string; credentials: { accessKeyId: string; secretAccessKey: string } } =>
    ({ endpoint: s3.endpoint, credentials: s3.credentials, region: "us-east-1" });

  beforeAll(async () => {
    [s3, db, bucket] = await Promise.all([
      startS3Server(),
      createTestDatabase(),
      generatedBucket({ seed: 21, days: 2, sessionsPerDay: 15 }),
    ]);
    await s3.createBucket("deal-bot-logs");
    for (const e of await readdir(bucket.dir, { withFileTypes: true, recursive: true })) {
      if (!e.isFile()) continue;
      const file = path.join(e.parentPath, e.name);
      await s3.put("deal-bot-logs", `logs/${path.relative(bucket.dir, file).split(path.sep).join("/")}`, await readFile(file));
    }
  });
  afterAll(async () => {
    await s3?.stop();
    await db?.drop();
    await bucket?.cleanup();
  });

  it("ingests a bucket prefix exactly as the folder would be", async () => {
    const summary = await ingest(db.pool, "s3://deal-bot-logs", { filter: { prefix: "logs/" } }, settings());
    expect(summary.files).toEqual({ seen: bucket.truth.files.total, ingested: bucket.truth.files.total, skipped: 0, failed: 0 });
    expect(summary.entries.stored).toBe(bucket.truth.entries.valid);
    expect(await count(db.pool, "SELECT count(*) AS n FROM bot_questions WHERE NOT orphan_outcome")).toBe(bucket.truth.questionsTotal);
    expect(await valuesFoundIn(db.pool, bucket.truth.secrets.map((s) => s.value))).toEqual([]);
    // Re-running lists the bucket again and ingests nothing.
    const again = await ingest(db.pool, "s3://deal-bot-logs", { filter: { prefix: "logs/" } }, settings());
    expect(again.files.ingested).toBe(0);
    expect(again.files.skipped).toBe(bucket.truth.files.total);
  });

  it("pages through more than 1,000 keys", async () => {
    const other = await createTestDatabase();
    try {
      await s3.createBucket("many");
      const base = Date.parse("2025-06-01T00:00:00Z");
      const puts: Promise<void>[] = [];
      for (let i = 0; i < 1_050; i++) {
        const t = new Date(base + i * 60_000).toISOString();
        const body = gzipSync(JSON.stringify([{ level: 30, time: base + i * 60_000 - 500, context: "SystemMonitor", message: `Memory usage: ${i}MB` }]));
        puts.push(s3.put("many", `2025/06/${t.slice(8, 10)}/${t}-00000000-0000-4000-8000-${String(i).padStart(12, "0")}.json.gz`, body));
        if (puts.length >= 50) await Promise.all(puts.splice(0));
      }
      await Promise.all(puts);
      const summary = await ingest(other.pool, "s3://many", {}, settings());
      expect(summary.files.ingested).toBe(1_050);
      expect((await tableCounts(other.pool)).entries).toBe(1_050);
    } finally {
      await other.drop();
    }
  });
});

describe.skipIf(!hasRealSample)("ingesting the real sample files (shared/samples/real-bucket)", () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  it("stores the sample's truths from log-format.md", async () => {
    const summary = await ingest(db.pool, realSampleDir);
    expect(summary.files).toEqual({ seen: 10, ingested: 10, skipped: 0, failed: 0 });
    expect(summary.entries).toEqual({ read: 612, stored: 612, rejected: 0 });
    expect(summary.questions).toBe(65);
    const q = async (sql: string): Promise<number> => count(db.pool, sql);
    expect(await q("SELECT count(DISTINCT question) AS n FROM bot_questions")).toBe(63);
    expect(await q("SELECT count(*) AS n FROM bot_questions WHERE cache_hit")).toBe(37);
    expect(await q("SELECT min(latency_ms) AS n FROM bot_questions")).toBe(556);
    expect(await q("SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY latency_ms) AS n FROM bot_questions")).toBe(3604);
    expect(await q("SELECT max(latency_ms) AS n FROM bot_questions")).toBe(6430);
    expect(await q("SELECT count(*) AS n FROM log_entries WHERE level = 50")).toBe(1);
    expect(await q("SELECT count(DISTINCT user_id) AS n FROM bot_questions")).toBe(7);
    expect(await q("SELECT count(DISTINCT deal_id) AS n FROM bot_questions")).toBe(7);
    const { rows } = await db.pool.query<{ day: string; n: string }>(
      "SELECT to_char(asked_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, count(*) AS n FROM bot_questions GROUP BY 1 ORDER BY 1",
    );
    expect(rows.map((r) => [r.day, Number(r.n)])).toEqual([["2025-04-01", 8], ["2025-04-02", 35], ["2025-05-02", 22]]);
    // The admin entry has no `time`: its time came from `timestamp`.
    expect(await q("SELECT count(*) AS n FROM log_entries WHERE ts_source = 'timestamp' AND message = 'Context invalidated successfully'")).toBe(1);
    // Secrets in the sample's headers never reach the database.
    const { rows: leaks } = await db.pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM log_entries WHERE data::text ~* '(access_token|refresh_token)=[0-9a-f-]{8}|Bearer [0-9a-f]{16}'`,
    );
    expect(Number(leaks[0]!.n)).toBe(0);
    expect(await q("SELECT count(*) AS n FROM log_entries WHERE data::text LIKE '%auth_user_id=%'")).toBeGreaterThan(500);
  });
});
