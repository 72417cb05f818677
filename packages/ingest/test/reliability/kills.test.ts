/**
 * SIGKILL at random points, again and again: the real CLI ingesting a
 * generated bucket from s3rver behind the fault proxy (mild faults, so kills
 * also land during retries and resumed downloads) is killed 5 times at
 * seeded random moments (during startup, the listing, batches of small
 * files, the COPY of a large file), then run to the end. The database must
 * reconcile exactly with the bucket, every killed attempt on record.
 */
import { hostname } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestDatabase } from "@log-insights/store/testing";
import { count } from "../support/harness";
import type { S3TestServer } from "../support/s3-server";
import {
  SEED, doneFiles, ingestUntilDone, waitFor, outcomeOf, prng, report, s3Env, startIngest,
} from "./support/common";
import type { FaultProxy } from "./support/fault-proxy";
import { startFaultyBucket, type FaultyBucket } from "./support/faulty-bucket";
import { describeReconciliation, expectedFromFolder, reconcile } from "./support/reconcile";

const seed = SEED + 3;

describe("SIGKILL of the ingest process at random points, repeated", () => {
  let fixture: FaultyBucket;
  let db: TestDatabase;
  let s3: S3TestServer;
  let proxy: FaultProxy;
  let bucket: FaultyBucket["bucket"];
  let large: FaultyBucket["large"];

  beforeAll(async () => {
    fixture = await startFaultyBucket({
      seed, sessionsPerDay: 80, invalidRecords: 0.005,
      large: { count: 2, firstAt: "2025-05-01T12:00:00Z", entries: () => 20_000, backMs: 240_000, padBytes: 300, invalidEvery: 1_013 },
      rates: { error503: 0.03, slow: 0.02, reset: 0.02, truncated: 0.02 },
    });
    ({ db, s3, proxy, bucket, large } = fixture);
  });
  afterAll(async () => {
    await fixture?.stop();
  });

  it("a final run after 5 kills leaves every entry stored once or rejected", async () => {
    const started = performance.now();
    const rnd = prng(seed);
    const env = s3Env(db.url, proxy.endpoint, s3);
    const args = ["s3://deal-bot-logs", "--json", "--concurrency", "2"];
    const total = bucket.truth.files.total + large.files;
    const kills: { point: string; afterMs: number; doneBefore: number; doneAfter: number; inFlight: number; outcome: string }[] = [];
    // Attempts are recorded with the worker's "host:pid": those of the run in hand.
    const largeInFlight = async (pid: number | undefined): Promise<boolean> =>
      (await count(db.pool, `SELECT count(*) AS n FROM ingest_attempts a JOIN ingest_files f ON f.id = a.file_id
                              WHERE a.finished_at IS NULL AND f.size_bytes > 512 * 1024 AND a.worker = $1`, [`${hostname()}:${pid}`])) > 0;
    // Where each kill lands: during startup or the listing, among batches of small files, during a large file's COPY
    // (three times: the large files come last, and a file killed 3 times is given up on until --retry-failed).
    const points = ["startup", "small", "large", "large", "large"] as const;
    for (const point of points) {
      const doneBefore = await doneFiles(db.pool);
      const run = startIngest(args, env);
      let finished = false;
      void run.done.then(() => { finished = true; });
      const t0 = performance.now();
      if (point === "startup") await sleep(200 + rnd() * 1_300);
      else if (point === "small") {
        const more = 1 + Math.floor(rnd() * 60);
        await waitFor(`${more} more files`, async () => finished || (await doneFiles(db.pool)) >= doneBefore + more, 60_000, 20);
        await sleep(rnd() * 300);
      } else {
        await waitFor("a large file in flight", async () => finished || (await largeInFlight(run.child.pid)), 60_000, 20);
        await sleep(rnd() * 1_500);
      }
      const inFlight = await count(db.pool, "SELECT count(*) AS n FROM ingest_attempts WHERE finished_at IS NULL AND worker = $1", [`${hostname()}:${run.child.pid}`]);
      if (!finished) run.child.kill("SIGKILL");
      const exit = await run.done;
      kills.push({ point, afterMs: Math.round(performance.now() - t0), doneBefore, doneAfter: await doneFiles(db.pool), inFlight, outcome: outcomeOf(exit) });
    }
    expect(kills.filter((k) => k.outcome === "SIGKILL").length).toBeGreaterThanOrEqual(4);
    // Killed attempts stay on record, unfinished, until the file is done (then closed as failed).
    const unfinished = await count(db.pool, "SELECT count(*) AS n FROM ingest_attempts WHERE finished_at IS NULL");

    const runs = await ingestUntilDone(args, env, 4);
    const r = await reconcile(db.pool, await expectedFromFolder(bucket.dir), {
      questions: bucket.truth.questionsTotal,
      rejected: bucket.truth.entries.rejectedExpected + large.rejected,
    });
    expect(r.problems).toEqual([]);
    const died = await count(db.pool, "SELECT count(*) AS n FROM ingest_attempts WHERE error = 'worker stopped before finishing'");
    const c = proxy.counts();
    report("SIGKILL repeated", `${kills.filter((k) => k.outcome === "SIGKILL").length} kills of ${kills.length} runs: ` +
      `${kills.map((k) => `${k.point} at ${k.afterMs} ms (${k.doneBefore}→${k.doneAfter}/${total} files done, ${k.inFlight} attempts in flight, ${k.outcome})`).join(", ")}; ` +
      `${unfinished} attempts left unfinished by the kills, ${died} closed later as "worker stopped before finishing"; ` +
      `${proxy.injected()} S3 faults injected meanwhile; final: ${runs.length} run(s) [${runs.map(outcomeOf).join("; ")}]; ` +
      `${describeReconciliation(r)}; ${((performance.now() - started) / 1000).toFixed(1)} s`);
    expect(c.requests).toBeGreaterThan(0);
  });
});
