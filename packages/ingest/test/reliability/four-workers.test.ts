/**
 * Four ingest processes at once on one bucket (s3rver behind the fault
 * proxy, mild faults), one of them SIGKILLed at a seeded point while it
 * holds files; the other three carry on, then a final run picks up what is
 * left. Every file must be done exactly once (one `done` attempt), and the
 * database must reconcile exactly with the bucket.
 */
import { hostname } from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestDatabase } from "@log-insights/store/testing";
import { count } from "../support/harness";
import type { S3TestServer } from "../support/s3-server";
import {
  SEED, doneFiles, ingestUntilDone, outcomeOf, prng, report, s3Env, startIngest, summaryOf, waitFor,
} from "./support/common";
import type { FaultProxy } from "./support/fault-proxy";
import { startFaultyBucket, type FaultyBucket } from "./support/faulty-bucket";
import { describeReconciliation, expectedFromFolder, reconcile } from "./support/reconcile";

const seed = SEED + 4;

describe("four ingest processes at once, one of them killed", () => {
  let fixture: FaultyBucket;
  let db: TestDatabase;
  let s3: S3TestServer;
  let proxy: FaultProxy;
  let bucket: FaultyBucket["bucket"];
  let large: FaultyBucket["large"];

  beforeAll(async () => {
    fixture = await startFaultyBucket({
      seed, sessionsPerDay: 80, invalidRecords: 0.005,
      large: { count: 3, firstAt: "2025-05-02T03:00:00Z", entries: () => 12_000, backMs: 200_000, padBytes: 300, invalidEvery: 1_021 },
      rates: { error500: 0.02, error503: 0.02, slow: 0.02, reset: 0.02, truncated: 0.02 },
    });
    ({ db, s3, proxy, bucket, large } = fixture);
  });
  afterAll(async () => {
    await fixture?.stop();
  });

  it("each file is done exactly once, and the bucket reconciles", async () => {
    const started = performance.now();
    const rnd = prng(seed);
    const env = s3Env(db.url, proxy.endpoint, s3);
    const args = ["s3://deal-bot-logs", "--json", "--concurrency", "2"];
    const total = bucket.truth.files.total + large.files;
    const workers = Array.from({ length: 4 }, () => startIngest(args, env));
    const worker = (i: number): string => `${hostname()}:${workers[i]!.child.pid}`;
    const holding = async (i: number): Promise<number> =>
      count(db.pool, "SELECT count(*) AS n FROM ingest_attempts WHERE finished_at IS NULL AND worker = $1", [worker(i)]);

    // Killed once a seeded share of the bucket is in, at a moment it holds files: the first worker,
    // in a seeded order, that is still running and holding files then.
    const order = [0, 1, 2, 3].sort(() => rnd() - 0.5);
    const share = 0.15 + rnd() * 0.5;
    await waitFor(`${Math.round(share * 100)}% of the files`, async () => (await doneFiles(db.pool)) >= total * share, 120_000, 20);
    let victim = -1;
    await waitFor("a running worker holding files", async () => {
      for (const i of order) {
        if (workers[i]!.child.exitCode === null && (await holding(i)) > 0) {
          victim = i;
          return true;
        }
      }
      return false;
    }, 60_000, 5);
    const held = await holding(victim);
    const doneAtKill = await doneFiles(db.pool);
    workers[victim]!.child.kill("SIGKILL");
    const exits = await Promise.all(workers.map((w) => w.done));
    expect(exits[victim]!.signal).toBe("SIGKILL");
    for (const [i, e] of exits.entries()) if (i !== victim) expect(e.code, e.stderr.slice(-2000)).not.toBe(2);
    const doneByWorkers = await doneFiles(db.pool);

    const runs = await ingestUntilDone(args, env, 4);
    const r = await reconcile(db.pool, await expectedFromFolder(bucket.dir), {
      questions: bucket.truth.questionsTotal,
      rejected: bucket.truth.entries.rejectedExpected + large.rejected,
    });
    expect(r.problems).toEqual([]); // includes: exactly one `done` attempt per file
    const { rows: byWorker } = await db.pool.query<{ worker: string; n: string }>(
      "SELECT worker, count(*) AS n FROM ingest_attempts WHERE outcome = 'done' GROUP BY worker ORDER BY worker",
    );
    const shares = workers.map((_, i) => Number(byWorker.find((b) => b.worker === worker(i))?.n ?? 0));
    expect(shares.filter((n) => n > 0).length, "the work was shared").toBeGreaterThan(2);
    report("four workers, one killed", `worker ${victim + 1} of 4 SIGKILLed at ${doneAtKill}/${total} files done holding ${held} files; ` +
      `files done by each worker: ${shares.join("/")} (${exits.map((e, i) => (i === victim ? "killed" : outcomeOf(e))).join("; ")}); ` +
      `${doneByWorkers}/${total} done when the survivors ended; final: ${runs.length} run(s) ingesting ` +
      `${runs.reduce((n, x) => n + (summaryOf(x)?.files.ingested ?? 0), 0)} files; ${proxy.injected()} S3 faults injected; ` +
      `${describeReconciliation(r)}; ${((performance.now() - started) / 1000).toFixed(1)} s`);
  });
});
