/**
 * Oversized inputs in bounded memory, through the real CLI with the heap it
 * runs with (`npm run ingest`: --max-old-space-size=192), peak RSS taken
 * from its --json summary:
 *
 * - 50 MB single entries: four small files (50 KB gzipped each) that each
 *   hold one, read in one batch; each entry is rejected with its reason and
 *   a capped raw text, its neighbours stored;
 * - a large file of many entries (RELIABILITY_LARGE_MB, default 150 MB
 *   uncompressed), written straight to disk, streamed into one transaction.
 *
 * The 1 GB file is in the soak (`npm run soak -- --gb 1`).
 */
import { mkdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTempDir } from "@log-insights/store";
import { createTestDatabase, type TestDatabase } from "@log-insights/store/testing";
import { count } from "../support/harness";
import { SEED, keyAt, outcomeOf, report, startIngest, summaryOf, writeNoiseFile } from "./support/common";
import { describeReconciliation, reconcile, type Expected } from "./support/reconcile";

const seed = SEED + 6;
const LARGE_MB = Number(process.env.RELIABILITY_LARGE_MB ?? 150);
/** A bound well above what the CLI needs (~150-250 MB) and far below what holding a file would take. */
const MAX_RSS_MB = 400;

describe("oversized inputs", () => {
  let base: string;
  let db: TestDatabase;
  beforeAll(async () => {
    base = await makeTempDir("li-oversized-");
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
    if (base) await rm(base, { recursive: true, force: true });
  });

  it("50 MB single entries are rejected with a reason and a capped raw text, in bounded memory", async () => {
    const dir = path.join(base, "huge-entries");
    const expected: Expected = new Map();
    const t = Date.parse("2025-05-02T10:00:00Z");
    const huge = 50 * 1024 * 1024;
    for (let i = 0; i < 4; i++) {
      const key = keyAt(t + i * 1_000, 0x50 + i);
      const body = `[${JSON.stringify({ level: 30, time: t, context: "SystemMonitor", message: "before" })},` +
        `${JSON.stringify({ level: 30, time: t, context: "DealBotService", message: "x".repeat(huge) })},` +
        `${JSON.stringify({ level: 30, time: t, context: "SystemMonitor", message: "after" })}]`;
      await mkdir(path.dirname(path.join(dir, key)), { recursive: true });
      await writeFile(path.join(dir, key), gzipSync(body));
      expected.set(key, { entries: 3, rejected: 1 });
    }
    const exit = await startIngest([dir, "--json"], { DATABASE_URL: db.url }).done;
    const s = summaryOf(exit);
    expect(exit.code, exit.stderr.slice(-2000)).toBe(0);
    const r = await reconcile(db.pool, expected);
    expect(r.problems).toEqual([]);
    const { rows } = await db.pool.query<{ reason: string; raw_bytes: number; raw_chars: number }>(
      "SELECT reason, raw_bytes, length(raw) AS raw_chars FROM rejected_records ORDER BY id",
    );
    expect(rows).toHaveLength(4);
    for (const row of rows) {
      expect(row.reason).toMatch(/^entry too large \(\d+ bytes\)$/);
      expect(row.raw_bytes).toBeGreaterThan(huge);
      expect(row.raw_chars).toBeLessThanOrEqual(1024 * 1024);
    }
    expect(s!.peakRssMb).toBeLessThan(MAX_RSS_MB);
    report("50 MB entries", `4 files of one 50 MB entry each (+2 small ones): ${s!.entries.rejected} rejected ("${rows[0]!.reason}", raw kept ` +
      `${rows[0]!.raw_chars} chars of ${rows[0]!.raw_bytes} bytes), ${s!.entries.stored} stored; CLI peak RSS ${s!.peakRssMb} MB ` +
      `(bound ${MAX_RSS_MB}), ${s!.seconds} s; ${describeReconciliation(r)}`);
  });

  it("small files that hold a lot once gunzipped are streamed alone instead of batched whole", async () => {
    const own = await createTestDatabase();
    try {
      const dir = path.join(base, "gzip-dense");
      const expected: Expected = new Map();
      const t = Date.parse("2025-05-02T11:00:00Z");
      for (let i = 0; i < 8; i++) {
        const key = keyAt(t + i * 1_000, 0x70 + i);
        // 7 MB of valid entry in ~7 KB of gzip: under the entry limit, and eight of them would be 56 MB held by one batch.
        const body = `[${JSON.stringify({ level: 30, time: t, context: "SystemMonitor", message: `dense ${i}`, note: "z".repeat(7 * 1024 * 1024) })}]`;
        await mkdir(path.dirname(path.join(dir, key)), { recursive: true });
        await writeFile(path.join(dir, key), gzipSync(body));
        expected.set(key, { entries: 1, rejected: 0 });
      }
      const exit = await startIngest([dir, "--json"], { DATABASE_URL: own.url }).done;
      const s = summaryOf(exit);
      expect(exit.code, exit.stderr.slice(-2000)).toBe(0);
      const r = await reconcile(own.pool, expected);
      expect(r.problems).toEqual([]);
      const streamed = await count(own.pool, "SELECT count(*) AS n FROM ingest_attempts WHERE error LIKE 'too large once decoded%'");
      expect(streamed).toBeGreaterThan(0);
      expect(s!.peakRssMb).toBeLessThan(MAX_RSS_MB);
      report("gzip-dense small files", `8 files of ~7 KB gzipped holding a 7 MB entry each: all stored, ${streamed} let go by their batch ` +
        `(decoded budget 32 MiB) and streamed alone; CLI peak RSS ${s!.peakRssMb} MB; ${describeReconciliation(r)}`);
    } finally {
      await own.drop();
    }
  });

  it(`a ${LARGE_MB} MB file of many entries is streamed in bounded memory`, async () => {
    const dir = path.join(base, "large-file");
    const t = Date.parse("2025-05-01T00:00:00Z");
    const key = keyAt(t + 86_000_000, 0x1a);
    const padBytes = 1_000;
    const entries = Math.round((LARGE_MB * 1024 * 1024) / (padBytes + 200));
    let started = performance.now();
    const w = await writeNoiseFile(path.join(dir, key), { entries, fromMs: t, padBytes, invalidEvery: 9_973, seed });
    const writeSeconds = (performance.now() - started) / 1000;
    started = performance.now();
    const exit = await startIngest([dir, "--json"], { DATABASE_URL: db.url }).done;
    const s = summaryOf(exit);
    expect(exit.code, `${outcomeOf(exit)}\n${exit.stderr.slice(-2000)}`).toBe(0);
    const expected: Expected = new Map([[key, { entries: w.entries, rejected: w.rejected }]]);
    // The 50 MB entries' files of the test before are in this database too.
    for (const row of (await db.pool.query<{ key: string }>("SELECT key FROM ingest_files WHERE key <> $1", [key])).rows) {
      expected.set(row.key, { entries: 3, rejected: 1 });
    }
    const r = await reconcile(db.pool, expected);
    expect(r.problems).toEqual([]);
    expect(await count(db.pool, "SELECT count(*) AS n FROM log_entries e JOIN ingest_files f ON f.id = e.file_id WHERE f.key = $1", [key])).toBe(w.entries - w.rejected);
    expect(s!.peakRssMb).toBeLessThan(MAX_RSS_MB);
    report(`${LARGE_MB} MB file`, `${(w.bytesRaw / 1048576).toFixed(0)} MB uncompressed, ${w.entries} entries (${w.rejected} invalid) written in ` +
      `${writeSeconds.toFixed(1)} s; ingested in ${s!.seconds} s (${Math.round(s!.entries.read / s!.seconds)} entries/s), ` +
      `${s!.entries.stored} stored + ${s!.entries.rejected} rejected; CLI peak RSS ${s!.peakRssMb} MB (bound ${MAX_RSS_MB}); ${describeReconciliation(r)}; ` +
      `${((performance.now() - started) / 1000).toFixed(1)} s`);
  });
});
