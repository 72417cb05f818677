/**
 * The same content delivered twice and a file replaced: in s3rver behind
 * the fault proxy (mild faults), a chat file's exact bytes are also put
 * under a second key (both must be stored: they are distinct objects), then
 * another file is replaced with new content (new etag: its rows, rejected
 * records and questions replaced, not duplicated) and the first one put
 * again unchanged (same etag: nothing to do). Reconciled after each run.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "@log-insights/store/testing";
import type { Truth } from "../../../../tools/src/generate/index";
import { pairFile } from "../../../../tools/test/helpers/bucket";
import { count, generatedBucket } from "../support/harness";
import { startS3Server, type S3TestServer } from "../support/s3-server";
import { SEED, ingestUntilDone, outcomeOf, report, s3Env, summaryOf, uploadFolder } from "./support/common";
import { startFaultProxy, type FaultProxy } from "./support/fault-proxy";
import { describeReconciliation, expectedFromFolder, reconcile, type Expected } from "./support/reconcile";

const seed = SEED + 5;

/** Questions a file holds on its own: every start answered in the file, no outcome without its start. */
function selfContainedQuestions(elements: unknown[]): number | null {
  const p = pairFile(elements);
  return p.starts > 0 && p.startsWithoutOutcome === 0 && p.outcomesWithoutStart === 0 ? p.starts : null;
}

describe("the same content under two keys, and a file replaced", () => {
  let db: TestDatabase;
  let s3: S3TestServer;
  let proxy: FaultProxy;
  let bucket: { dir: string; truth: Truth; cleanup(): Promise<void> };

  beforeAll(async () => {
    [db, s3, bucket] = await Promise.all([
      createTestDatabase(),
      startS3Server(),
      generatedBucket({ seed, days: 1, sessionsPerDay: 60, faults: { invalidRecords: 0.02 } }),
    ]);
    await s3.createBucket("deal-bot-logs");
    await uploadFolder(s3, "deal-bot-logs", bucket.dir);
    proxy = await startFaultProxy({ target: { host: s3.host, port: s3.port }, seed, rates: { error503: 0.03, reset: 0.03, truncated: 0.03, slow: 0.02 } });
  });
  afterAll(async () => {
    await proxy?.stop();
    await s3?.stop();
    await db?.drop();
    await bucket?.cleanup();
  });

  it("stores both copies as distinct files, and replaces a changed file's rows", async () => {
    const started = performance.now();
    const env = s3Env(db.url, proxy.endpoint, s3);
    const args = ["s3://deal-bot-logs", "--json", "--concurrency", "2"];
    const expected: Expected = await expectedFromFolder(bucket.dir);

    // Two chat files whose questions are whole within them (no session cut across files).
    const chat: { key: string; body: Buffer; questions: number }[] = [];
    for (const key of [...expected.keys()].sort()) {
      const body = await readFile(path.join(bucket.dir, key));
      const q = selfContainedQuestions(JSON.parse(gunzipSync(body).toString("utf8")) as unknown[]);
      if (q !== null) chat.push({ key, body, questions: q });
      if (chat.length === 2) break;
    }
    const [dup, replaced] = chat as [(typeof chat)[number], (typeof chat)[number]];
    expect(replaced).toBeDefined();

    // 1. The same bytes under a second key (same folder and time, another uuid).
    const copyKey = dup.key.replace(/-[0-9a-f]{12}\.json\.gz$/, "-c0ffee000001.json.gz");
    await s3.put("deal-bot-logs", copyKey, dup.body);
    expected.set(copyKey, { ...expected.get(dup.key)! });
    const first = await ingestUntilDone(args, env, 6);
    const r1 = await reconcile(db.pool, expected, { questions: bucket.truth.questionsTotal + dup.questions });
    expect(r1.problems).toEqual([]);
    expect(await count(db.pool, "SELECT count(DISTINCT etag) AS n FROM ingest_files WHERE key = ANY($1)", [[dup.key, copyKey]])).toBe(1);

    // 2. A file replaced with new content (5 entries, 2 of them invalid), and the copy put again unchanged.
    const t = Date.parse(dup.key.split("/").pop()!.slice(0, 24));
    const fresh = [
      { level: 30, time: t, context: "SystemMonitor", message: "Memory usage: 301MB" },
      { level: "loud", time: t, context: "SystemMonitor", message: "not a level" },
      { level: 30, time: t + 1, context: "ApiController", message: "Request processed", processingTimeMs: 12 },
      { level: 40, time: "yesterday", context: "SystemMonitor", message: "not a time" },
      { level: 50, time: t + 2, context: "ApiController", message: "Upstream timeout" },
    ];
    await s3.put("deal-bot-logs", replaced.key, gzipSync(JSON.stringify(fresh)));
    await s3.put("deal-bot-logs", copyKey, dup.body);
    expected.set(replaced.key, { entries: fresh.length, rejected: 2 });
    const second = await ingestUntilDone(args, env, 6);
    const ingested = second.reduce((n, x) => n + (summaryOf(x)?.files.ingested ?? 0), 0);
    expect(ingested, "only the replaced file is ingested again").toBe(1);
    const r2 = await reconcile(db.pool, expected, {
      questions: bucket.truth.questionsTotal + dup.questions - replaced.questions,
      redoneKeys: new Set([replaced.key]),
    });
    expect(r2.problems).toEqual([]);
    expect(await count(db.pool, "SELECT count(*) AS n FROM bot_questions q JOIN ingest_files f ON f.id = q.file_id WHERE f.key = $1", [replaced.key])).toBe(0);

    report("same content twice, file replaced", `copy of ${dup.key} (${expected.get(dup.key)!.entries} entries, ${dup.questions} questions) ` +
      `stored under a second key; ${replaced.key} (${replaced.questions} questions) replaced by ${fresh.length} entries: ` +
      `first ${first.length} run(s) [${first.map(outcomeOf).join("; ")}], then ${second.length} run(s) [${second.map(outcomeOf).join("; ")}]; ` +
      `${proxy.injected()} S3 faults injected; ${describeReconciliation(r2)}; ${((performance.now() - started) / 1000).toFixed(1)} s`);
  });
});
