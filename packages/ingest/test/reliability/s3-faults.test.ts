/**
 * S3 answering badly: a generated bucket (a few hundred files, planted
 * invalid records, and a few files large enough to be streamed) in s3rver
 * behind the fault proxy, which answers 500 and 503, responds slowly, resets
 * connections and truncates bodies. The real CLI ingests it, run after run
 * (failed files retried with --retry-failed) until a run is clean; then the
 * database must reconcile exactly with the bucket and no file may be lost.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestDatabase } from "@log-insights/store/testing";

import type { S3TestServer } from "../support/s3-server";
import {
  SEED, doneFiles, ingestUntilDone, startIngest, waitFor, outcomeOf, report, s3Env, summaryOf,
} from "./support/common";
import type { FaultProxy } from "./support/fault-proxy";
import { startFaultyBucket, type FaultyBucket } from "./support/faulty-bucket";
import { describeReconciliation, expectedFromFolder, reconcile } from "./support/reconcile";

const seed = SEED + 1;

describe("ingest from an S3 server that fails, stalls, resets and truncates", () => {
  let fixture: FaultyBucket;
  let db: TestDatabase;
  let s3: S3TestServer;
  let proxy: FaultProxy;
  let bucket: FaultyBucket["bucket"];
  let large: FaultyBucket["large"];

  beforeAll(async () => {
    fixture = await startFaultyBucket({
      seed, sessionsPerDay: 100, invalidRecords: 0.01,
      large: { count: 3, firstAt: "2025-05-02T10:00:00Z", entries: (i) => 3_000 + i * 500, backMs: 60_000, padBytes: 400, invalidEvery: 997 },
      rates: { error500: 0.04, error503: 0.05, slow: 0.04, reset: 0.05, truncated: 0.05 },
    });
    ({ db, s3, proxy, bucket, large } = fixture);
  });
  afterAll(async () => {
    await fixture?.stop();
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
