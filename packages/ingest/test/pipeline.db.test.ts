import { readFile, readdir, writeFile, mkdir, utimes } from "node:fs/promises";
import path from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { reassignTopics } from "@log-insights/store";
import { createTestDatabase, type TestDatabase } from "@log-insights/store/testing";
import type { Truth } from "../../../tools/src/generate/index";
import { count, generatedBucket, ingest, tableCounts, valuesFoundIn } from "./support/harness";

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) out.push(path.join(e.parentPath, e.name));
  }
  return out.sort();
}

describe("ingesting a generated bucket from a folder", () => {
  let db: TestDatabase;
  let bucket: { dir: string; truth: Truth; cleanup(): Promise<void> };

  beforeAll(async () => {
    db = await createTestDatabase();
    bucket = await generatedBucket({ seed: 11, days: 3, sessionsPerDay: 25, faults: { invalidRecords: 0.005 } });
  });
  afterAll(async () => {
    await db?.drop();
    await bucket?.cleanup();
  });

  it("stores every valid entry once and rejects exactly the planted bad records", async () => {
    const { truth } = bucket;
    const summary = await ingest(db.pool, bucket.dir);
    expect(summary.files).toEqual({ seen: truth.files.total, ingested: truth.files.total, skipped: 0, failed: 0 });
    expect(summary.entries).toEqual({ read: truth.entries.total, stored: truth.entries.valid, rejected: truth.entries.rejectedExpected });
    expect(truth.entries.rejectedExpected).toBeGreaterThan(0);

    const counts = await tableCounts(db.pool);
    expect(counts.entries).toBe(truth.entries.valid);
    expect(counts.rejected).toBe(truth.entries.rejectedExpected);
    // Every rejected record keeps a reason and its (redacted) raw text.
    expect(await count(db.pool, "SELECT count(*) AS n FROM rejected_records WHERE reason = '' OR raw IS NULL")).toBe(0);
    // entries read = stored + rejected, file by file.
    expect(await count(db.pool, "SELECT count(*) AS n FROM ingest_files WHERE entries_read <> entries_stored + entries_rejected")).toBe(0);
    // Each valid entry once: (file, index) is unique.
    expect(await count(db.pool, "SELECT count(*) AS n FROM (SELECT file_id, idx FROM log_entries GROUP BY 1, 2 HAVING count(*) > 1) d")).toBe(0);
  });

  it("rebuilds the generator's questions: per day, outcomes, latency", async () => {
    const { truth } = bucket;
    const splits = truth.filePairing.outcomesWithoutStart;
    // Pairing is per file: a session cut in two files leaves an unfinished start and an orphan outcome,
    // which the ingest joins: the start takes the answer, the orphan row is hidden (merged_into).
    expect(splits).toBeGreaterThan(0);
    expect(await count(db.pool, "SELECT count(*) AS n FROM bot_questions WHERE merged_into IS NULL")).toBe(truth.questionsTotal);
    expect(await count(db.pool, "SELECT count(*) AS n FROM bot_questions WHERE orphan_outcome AND merged_into IS NOT NULL")).toBe(splits);
    expect(await count(db.pool, "SELECT count(*) AS n FROM bot_questions WHERE joined_from IS NOT NULL")).toBe(splits);

    const { rows: perDay } = await db.pool.query<{ day: string; n: string }>(
      `SELECT to_char(asked_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, count(*) AS n
       FROM bot_questions WHERE merged_into IS NULL GROUP BY 1 ORDER BY 1`,
    );
    expect(Object.fromEntries(perDay.map((r) => [r.day, Number(r.n)]))).toEqual(truth.questionsPerUtcDay);

    expect(await count(db.pool, "SELECT count(*) AS n FROM bot_questions WHERE outcome = 'failed' AND merged_into IS NULL")).toBe(truth.outcomes.failed);
    expect(await count(db.pool, "SELECT count(*) AS n FROM bot_questions WHERE outcome = 'unfinished' AND merged_into IS NULL")).toBe(truth.outcomes.unfinished);

    const { rows } = await db.pool.query<{ n: string; min: number; max: number; p50: number }>(
      `SELECT count(*) AS n, min(latency_ms) AS min, max(latency_ms) AS max,
              percentile_disc(0.5) WITHIN GROUP (ORDER BY latency_ms) AS p50
       FROM bot_questions WHERE outcome IN ('answered', 'hedged') AND merged_into IS NULL`,
    );
    expect(Number(rows[0]!.n)).toBe(truth.latency!.count);
    expect(rows[0]!.min).toBe(truth.latency!.min);
    expect(rows[0]!.max).toBe(truth.latency!.max);
    expect(rows[0]!.p50).toBe(truth.latency!.p50);
    // API request latencies (ApiController processingTimeMs) never leak into bot latency.
    expect(await count(db.pool, "SELECT count(*) AS n FROM log_entries WHERE context = 'ApiController' AND latency_ms IS NOT NULL"))
      .toBe(truth.entries.byContextMessage ? Object.entries(truth.entries.byContextMessage)
        .filter(([k]) => k.startsWith("ApiController|Request processed")).reduce((n, [, v]) => n + v, 0) : 0);
  });

  it("groups every question into conversations", async () => {
    expect(await count(db.pool, "SELECT count(*) AS n FROM bot_questions WHERE conversation_id IS NULL AND merged_into IS NULL")).toBe(0);
    expect(await count(db.pool, "SELECT coalesce(sum(question_count), 0) AS n FROM conversations"))
      .toBe(await count(db.pool, "SELECT count(*) AS n FROM bot_questions WHERE merged_into IS NULL"));
    // No two questions of one conversation are 30 minutes or more apart.
    expect(await count(db.pool, `SELECT count(*) AS n FROM (
        SELECT asked_at - lag(asked_at) OVER (PARTITION BY conversation_id ORDER BY asked_at, id) AS gap
        FROM bot_questions WHERE merged_into IS NULL) g
      WHERE gap >= interval '30 minutes'`)).toBe(0);
  });

  it("flags questions the same user asked again within minutes (reasked)", async () => {
    // Truth marks the re-ask (the later question); we flag the question that was asked again.
    const windowMs = 10 * 60_000;
    const reasks = bucket.truth.questions.filter((q) => q.reask).map((q) => ({ user: q.userId, deal: q.dealId, t: Date.parse(q.askedAt) }));
    const { rows } = await db.pool.query<{ user_id: string; deal_id: string; t: Date }>(
      "SELECT user_id, deal_id, asked_at AS t FROM bot_questions WHERE reasked",
    );
    const flagged = rows.map((r) => ({ user: Number(r.user_id), deal: r.deal_id, t: r.t.getTime() }));
    const near = (a: { user: number; deal: string; t: number }, later: { user: number; deal: string; t: number }): boolean =>
      a.user === later.user && a.deal === later.deal && later.t > a.t && later.t - a.t <= windowMs;
    expect(reasks.length).toBeGreaterThan(5);
    const recall = reasks.filter((r) => flagged.some((f) => near(f, r))).length / reasks.length;
    const precision = flagged.filter((f) => reasks.some((r) => near(f, r))).length / flagged.length;
    expect(recall).toBeGreaterThanOrEqual(0.85);
    expect(precision).toBeGreaterThanOrEqual(0.9);
  });

  it("assigns each question a topic and the fund it names, and reassign-topics redoes exactly that", async () => {
    // Against the generator's intent for each question (payments are part of liquidity in our taxonomy).
    const intentOf = new Map(bucket.truth.questions.map((q) => [`${q.userId}|${q.dealId}|${Date.parse(q.askedAt)}`, q]));
    const { rows } = await db.pool.query<{ id: string; user_id: string; deal_id: string; asked_at: Date; topic: string | null; fund: string | null }>(
      "SELECT id, user_id, deal_id, asked_at, topic, fund FROM bot_questions WHERE NOT orphan_outcome",
    );
    expect(rows.every((r) => r.topic !== null)).toBe(true);
    let matched = 0;
    let right = 0;
    for (const r of rows) {
      const truth = intentOf.get(`${r.user_id}|${r.deal_id}|${r.asked_at.getTime()}`);
      if (!truth) continue;
      matched++;
      if (r.topic === (truth.intent === "payments" ? "liquidity" : truth.intent)) right++;
    }
    expect(matched).toBe(rows.length);
    expect(right / matched).toBeGreaterThanOrEqual(0.85);

    const before = (await db.pool.query("SELECT id, topic, fund FROM bot_questions ORDER BY id")).rows;
    await db.pool.query("UPDATE bot_questions SET topic = NULL, fund = NULL");
    const dry = await reassignTopics(db.pool, { dryRun: true, batchSize: 250 });
    expect(dry.changed).toBe(before.length);
    expect(await count(db.pool, "SELECT count(*) AS n FROM bot_questions WHERE topic IS NOT NULL")).toBe(0);
    const done = await reassignTopics(db.pool, { batchSize: 250 });
    expect(done).toMatchObject({ read: before.length, changed: before.length });
    expect((await db.pool.query("SELECT id, topic, fund FROM bot_questions ORDER BY id")).rows).toEqual(before);
    expect((await reassignTopics(db.pool)).changed).toBe(0);
  });

  it("stores none of the planted secrets", async () => {
    const secrets = bucket.truth.secrets.map((s) => s.value);
    expect(secrets.length).toBeGreaterThan(10);
    // The check works: a value that is stored (a question's text) is found.
    const question = bucket.truth.questions.find((q) => /^[\w ]+$/.test(q.question.split("?")[0]!))!.question.split(" ")[0]!;
    expect(await valuesFoundIn(db.pool, [question])).toEqual([question]);
    expect(await valuesFoundIn(db.pool, secrets)).toEqual([]);
  });

  it("ingests nothing twice on a second run", async () => {
    const before = await tableCounts(db.pool);
    const summary = await ingest(db.pool, bucket.dir);
    expect(summary.files).toEqual({ seen: bucket.truth.files.total, ingested: 0, skipped: bucket.truth.files.total, failed: 0 });
    expect(await tableCounts(db.pool)).toEqual(before);
  });

  it("re-ingests a replaced file, replacing its rows", async () => {
    const files = await listFiles(bucket.dir);
    const target = files[Math.floor(files.length / 2)]!;
    const key = path.relative(bucket.dir, target).split(path.sep).join("/");
    const entries = JSON.parse(gunzipSync(await readFile(target)).toString("utf8")) as unknown[];
    const kept = entries.slice(0, Math.max(1, entries.length - 5));
    await writeFile(target, gzipSync(JSON.stringify(kept)));
    const later = new Date(Date.now() + 5_000);
    await utimes(target, later, later);

    const before = await tableCounts(db.pool);
    const fileEntries = await count(db.pool, "SELECT entries_stored AS n FROM ingest_files WHERE key = $1", [key]);
    const summary = await ingest(db.pool, bucket.dir);
    expect(summary.files.ingested).toBe(1);
    const after = await tableCounts(db.pool);
    const keptValid = await count(db.pool, "SELECT entries_stored AS n FROM ingest_files WHERE key = $1", [key]);
    expect(after.entries).toBe(before.entries - fileEntries + keptValid);
    expect(await count(db.pool, "SELECT count(*) AS n FROM log_entries e JOIN ingest_files f ON f.id = e.file_id WHERE f.key = $1", [key])).toBe(keptValid);
    expect(await count(db.pool, "SELECT coalesce(sum(question_count), 0) AS n FROM conversations")).toBe(after.questions);
  });

  it("--reprocess replaces rows without changing counts or question ids", async () => {
    const before = await tableCounts(db.pool);
    const ids = (await db.pool.query<{ id: string }>("SELECT id FROM bot_questions ORDER BY id")).rows.map((r) => r.id);
    const convs = (await db.pool.query("SELECT id, started_at, ended_at, question_count FROM conversations ORDER BY id")).rows;
    const summary = await ingest(db.pool, bucket.dir, { reprocess: true });
    expect(summary.files.ingested).toBe(bucket.truth.files.total);
    expect(await tableCounts(db.pool)).toEqual(before);
    expect((await db.pool.query<{ id: string }>("SELECT id FROM bot_questions ORDER BY id")).rows.map((r) => r.id)).toEqual(ids);
    expect((await db.pool.query("SELECT id, started_at, ended_at, question_count FROM conversations ORDER BY id")).rows).toEqual(convs);
  });
});

describe("conversations do not depend on the order files arrive in", () => {
  let inOrder: TestDatabase;
  let reversed: TestDatabase;
  let bucket: { dir: string; truth: Truth; cleanup(): Promise<void> };
  beforeAll(async () => {
    [inOrder, reversed] = await Promise.all([createTestDatabase(), createTestDatabase()]);
    bucket = await generatedBucket({ seed: 5, days: 2, sessionsPerDay: 40 });
  });
  afterAll(async () => {
    await inOrder?.drop();
    await reversed?.drop();
    await bucket?.cleanup();
  });

  it("gives the same conversations for files ingested forwards and backwards, hour by hour", async () => {
    await ingest(inOrder.pool, bucket.dir, { concurrency: 1 });
    const start = Date.parse(bucket.truth.options.start);
    const end = Date.parse(bucket.truth.options.end);
    for (let t = end; t > start - 3_600_000; t -= 3_600_000) {
      await ingest(reversed.pool, bucket.dir, { concurrency: 1, filter: { sinceMs: t - 3_600_000, untilMs: t } });
    }
    const q = "SELECT id, user_id, deal_id, started_at, ended_at, question_count FROM conversations ORDER BY id";
    const a = (await inOrder.pool.query(q)).rows;
    const b = (await reversed.pool.query(q)).rows;
    expect(a.length).toBeGreaterThan(10);
    expect(b).toEqual(a);
    const qc = "SELECT id, conversation_id, reasked FROM bot_questions ORDER BY id";
    expect((await reversed.pool.query(qc)).rows).toEqual((await inOrder.pool.query(qc)).rows);
  });
});

describe("bad files and other formats", () => {
  let db: TestDatabase;
  let bucket: { dir: string; truth: Truth; cleanup(): Promise<void> };
  const bad = {
    badGzip: "2025/05/01/2025-05-01T10:00:00.000Z-00000000-0000-4000-8000-000000000001.json.gz",
    truncatedGzip: "2025/05/01/2025-05-01T10:01:00.000Z-00000000-0000-4000-8000-000000000002.json.gz",
    notArray: "2025/05/01/2025-05-01T10:02:00.000Z-00000000-0000-4000-8000-000000000003.json.gz",
    truncatedJson: "2025/05/01/2025-05-01T10:03:00.000Z-00000000-0000-4000-8000-000000000004.json.gz",
  };
  const entry = (i: number, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
    level: 30, time: Date.parse("2025-05-01T11:00:00Z") + i, pid: 1, hostname: "h", context: "SystemMonitor", message: `Memory usage: ${i}MB`, ...extra,
  });

  beforeAll(async () => {
    db = await createTestDatabase();
    bucket = await generatedBucket({ seed: 3, days: 1, sessionsPerDay: 10 });
    const put = async (key: string, body: Buffer | string): Promise<void> => {
      await mkdir(path.dirname(path.join(bucket.dir, key)), { recursive: true });
      await writeFile(path.join(bucket.dir, key), body);
    };
    const good = gzipSync(JSON.stringify([entry(1), entry(2), entry(3)]));
    await put(bad.badGzip, Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0xde, 0xad, 0xbe, 0xef, 0x00, 0x01, 0x02]));
    await put(bad.truncatedGzip, good.subarray(0, Math.floor(good.length / 2)));
    await put(bad.notArray, gzipSync("42"));
    await put(bad.truncatedJson, gzipSync(`[${JSON.stringify(entry(4))}, {"level":30,"time":`));
    await put("formats/2025-05-01T12:00:00.000Z-00000000-0000-4000-8000-00000000000a.json", JSON.stringify([entry(10), entry(11)]));
    await put("formats/2025-05-01T12:01:00.000Z-00000000-0000-4000-8000-00000000000b.ndjson", `${JSON.stringify(entry(12))}\n${JSON.stringify(entry(13))}\n`);
    await put("formats/2025-05-01T12:02:00.000Z-00000000-0000-4000-8000-00000000000c.jsonl.gz", gzipSync(`${JSON.stringify(entry(14))}\n`));
    await put("formats/2025-05-01T12:03:00.000Z-00000000-0000-4000-8000-00000000000d.json.gz", gzipSync(JSON.stringify({
      messageType: "DATA_MESSAGE", owner: "1", logGroup: "g", logStream: "s", subscriptionFilters: ["f"],
      logEvents: [15, 16, 17].map((i) => ({ id: String(i), timestamp: 0, message: JSON.stringify(entry(i)) })),
    })));
    await put("README.txt", "not a log file");
  });
  afterAll(async () => {
    await db?.drop();
    await bucket?.cleanup();
  });

  it("marks unreadable files failed with the error, skips other kinds, and ingests the rest", async () => {
    const summary = await ingest(db.pool, bucket.dir);
    const total = bucket.truth.files.total + 4 + 4 + 1;
    expect(summary.files).toEqual({ seen: total, ingested: bucket.truth.files.total + 4, skipped: 1, failed: 4 });
    expect(summary.failedFiles.map((f) => f.key).sort()).toEqual(Object.values(bad).sort());
    for (const f of summary.failedFiles) expect(f.error).toMatch(/\S{10,}/);
    expect(summary.entries.stored).toBe(bucket.truth.entries.valid + 2 + 2 + 1 + 3);
    expect(await count(db.pool, "SELECT count(*) AS n FROM ingest_files WHERE status = 'skipped' AND key = 'README.txt'")).toBe(1);
    // Nothing of a failed file is stored.
    expect(await count(db.pool, "SELECT count(*) AS n FROM log_entries e JOIN ingest_files f ON f.id = e.file_id WHERE f.status = 'failed'")).toBe(0);
  });

  it("retries failed files on later runs up to the limit, then only with --retry-failed", async () => {
    for (const attempts of [2, 3]) {
      const s = await ingest(db.pool, bucket.dir);
      expect(s.files.failed).toBe(4);
      expect(await count(db.pool, "SELECT min(attempts) AS n FROM ingest_files WHERE status = 'failed'")).toBe(attempts);
    }
    const capped = await ingest(db.pool, bucket.dir);
    expect(capped.files.failed).toBe(0);
    expect(capped.failedFiles).toHaveLength(4); // still listed
    const forced = await ingest(db.pool, bucket.dir, { retryFailed: true });
    expect(forced.files.failed).toBe(4);
    expect(await count(db.pool, "SELECT min(attempts) AS n FROM ingest_files WHERE status = 'failed'")).toBe(4);
  });

  it("selects files by key time with since/until", async () => {
    const other = await createTestDatabase();
    try {
      const s = await ingest(other.pool, bucket.dir, { filter: { sinceMs: Date.parse("2025-05-01T12:00:00Z"), untilMs: Date.parse("2025-05-01T12:02:00Z") } });
      expect(s.files.ingested).toBe(2);
      expect(s.entries.stored).toBe(4);
    } finally {
      await other.drop();
    }
  });
});
