/**
 * S3 answering badly: a generated bucket (a few hundred files, planted
 * invalid records, and a few files large enough to be streamed) in s3rver
 * behind the fault proxy, which answers 500 and 503, responds slowly, resets
 * connections and truncates bodies. The real CLI ingests it, run after run
 * (failed files retried with --retry-failed) until a run is clean; then the
 * database must reconcile exactly with the bucket and no file may be lost.
 */
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "@log-insights/store/testing";
import type { Truth } from "../../../../tools/src/generate/index";
import { generatedBucket } from "../support/harness";
import { startS3Server, type S3TestServer } from "../support/s3-server";
import { SEED, doneFiles, ingestUntilDone, startIngest, waitFor, keyAt, outcomeOf, report, s3Env, summaryOf, uploadFolder, writeNoiseFile } from "./support/common";
import { startFaultProxy, type FaultProxy } from "./support/fault-proxy";
import { describeReconciliation, expectedFromFolder, reconcile } from "./support/reconcile";

const seed = SEED + 1;

describe("ingest from an S3 server that fails, stalls, resets and truncates", () => {
  let db: TestDatabase;
  let s3: S3TestServer;
  let proxy: FaultProxy;
  let bucket: { dir: string; truth: Truth; cleanup(): Promise<void> };
  const large = { files: 0, entries: 0, rejected: 0 };

  beforeAll(async () => {
    [db, s3, bucket] = await Promise.all([
      createTestDatabase(),
      startS3Server(),
      generatedBucket({ seed, days: 3, sessionsPerDay: 100, faults: { invalidRecords: 0.01 } }),
    ]);
    // Files above 512 KB as stored are streamed (their own transaction; a cut body is resumed with a ranged GET).
    for (let i = 0; i < 3; i++) {
      const t = Date.parse("2025-05-02T10:00:00Z") + i * 3_600_000;
      const w = await writeNoiseFile(path.join(bucket.dir, keyAt(t, 0xb16 + i)), { entries: 3_000 + i * 500, fromMs: t - 60_000, padBytes: 400, invalidEvery: 997, seed: seed + i });
      large.files++;
      large.entries += w.entries;
      large.rejected += w.rejected;
    }
    await s3.createBucket("deal-bot-logs");
    await uploadFolder(s3, "deal-bot-logs", bucket.dir);
    proxy = await startFaultProxy({
      target: { host: s3.host, port: s3.port },
      seed,
      rates: { error500: 0.04, error503: 0.05, slow: 0.04, reset: 0.05, truncated: 0.05 },
    });
  });
  afterAll(async () => {
    await proxy?.stop();
    await s3?.stop();
    await db?.drop();
    await bucket?.cleanup();
  });

  it("stores every entry once or rejects it with a reason, however many requests failed", async () => {
    const started = performance.now();
    const env = s3Env(db.url, proxy.endpoint, s3);
    const args = ["s3://deal-bot-logs", "--json", "--concurrency", "4"];
    // The first run also lives through an outage (every request a 503 for 4 s, longer than the SDK's
    // retries last) once a quarter of the files are in: the files in flight are deferred, not failed,
    // and the workers back off until the source answers again (worker.ts SourceOutageClock).
    const first = startIngest(args, env);
    const total = bucket.truth.files.total + large.files;
    await waitFor("a quarter of the files", async () => (await doneFiles(db.pool)) >= total / 4 || first.child.exitCode !== null, 120_000);
    proxy.outage(4_000);
    const runs = [await first.done];
    const firstClean = runs[0]!.code === 0 && summaryOf(runs[0]!)?.files.failed === 0;
    if (!firstClean) runs.push(...(await ingestUntilDone(args, env, 8, true)));

    const expected = await expectedFromFolder(bucket.dir);
    const r = await reconcile(db.pool, expected, {
      questions: bucket.truth.questionsTotal,
      rejected: bucket.truth.entries.rejectedExpected + large.rejected,
    });
    expect(r.problems).toEqual([]);
    expect(r.entries).toBe(bucket.truth.entries.total + large.entries);
    expect(r.files).toBe(bucket.truth.files.total + large.files);

    const c = proxy.counts();
    // Every kind of fault really happened (the rates and the request count make each near-certain).
    for (const kind of ["error500", "error503", "slow", "reset", "truncated"] as const) expect(c[kind], kind).toBeGreaterThan(0);
    const resumed = runs.reduce((n, x) => n + (x.logged["S3 body interrupted, resuming"] ?? 0), 0);
    const failedInRuns = runs.reduce((n, x) => n + (summaryOf(x)?.files.failed ?? 0), 0);
    const backedOff = runs.reduce((n, x) => n + (x.logged["source unavailable, retrying"] ?? 0), 0);
    expect(backedOff, "the outage made the workers back off").toBeGreaterThan(0);
    expect(failedInRuns, "no file failed: faults and the outage were ridden out in the first run").toBe(0);
    report("S3 faults", `${proxy.injected()} faults injected in ${c.requests} requests (500: ${c.error500}, 503: ${c.error503} incl. a 4 s outage, ` +
      `slow: ${c.slow}, reset: ${c.reset}, truncated: ${c.truncated}); ${resumed} bodies resumed with a ranged GET; ` +
      `${runs.length} run(s) [${runs.map(outcomeOf).join("; ")}], ${backedOff} back-off(s) on an unavailable source, ${failedInRuns} file failure(s); ` +
      `${describeReconciliation(r)}; ${((performance.now() - started) / 1000).toFixed(1)} s`);
  });
});
