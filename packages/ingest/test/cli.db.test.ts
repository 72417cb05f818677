import { mkdir, readFile, readdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { gunzipSync, gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "@log-insights/store/testing";
import type { Truth } from "../../../tools/src/generate/index";
import { count, generatedBucket, runCli, startCli, tableCounts } from "./support/harness";
import { startS3Server } from "./support/s3-server";

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

async function firstFile(dir: string): Promise<string> {
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) if (e.isFile()) return path.join(e.parentPath, e.name);
  throw new Error(`no file in ${dir}`);
}

describe("the ingest command", () => {
  let bucket: { dir: string; truth: Truth; cleanup(): Promise<void> };
  beforeAll(async () => {
    bucket = await generatedBucket({ seed: 31, days: 2, sessionsPerDay: 60 });
  });
  afterAll(async () => {
    await bucket?.cleanup();
  });

  it("--json prints one summary object on stdout and exits 0", async () => {
    const db = await createTestDatabase();
    try {
      const r = await runCli([bucket.dir, "--json"], { DATABASE_URL: db.url });
      expect(r.code).toBe(0);
      const lines = r.stdout.trim().split("\n");
      expect(lines).toHaveLength(1);
      const summary = JSON.parse(lines[0]!) as Record<string, unknown>;
      expect(summary).toMatchObject({
        files: { seen: bucket.truth.files.total, ingested: bucket.truth.files.total, skipped: 0, failed: 0 },
        entries: { read: bucket.truth.entries.total, stored: bucket.truth.entries.valid, rejected: 0 },
        questions: bucket.truth.questionsTotal + bucket.truth.filePairing.outcomesWithoutStart,
      });
      expect(typeof summary.seconds).toBe("number");
      // Logs went to stderr, one structured line per file.
      expect(r.stderr.split("\n").filter((l) => l.includes('"file ingested"')).length).toBe(bucket.truth.files.total);
    } finally {
      await db.drop();
    }
  });

  it("--dry-run lists the files and changes nothing; a usage error exits 2", async () => {
    const db = await createTestDatabase();
    try {
      const r = await runCli([bucket.dir, "--dry-run", "--json"], { DATABASE_URL: db.url });
      expect(r.code).toBe(0);
      const plan = JSON.parse(r.stdout) as { files: { reason: string }[] };
      expect(plan.files).toHaveLength(bucket.truth.files.total);
      expect(plan.files.every((f) => f.reason === "new")).toBe(true);
      expect(await count(db.pool, "SELECT count(*) AS n FROM ingest_files")).toBe(0);

      const noSource = await runCli([], { DATABASE_URL: db.url, LOGS_SOURCE: "", AWS_S3_BUCKET: "" });
      expect(noSource.code).toBe(2);
      expect(noSource.stderr).toMatch(/no source: pass a folder or s3:\/\/bucket/);
      const badSince = await runCli([bucket.dir, "--since", "yesterday-ish"], { DATABASE_URL: db.url });
      expect(badSince.code).toBe(2);
      expect(badSince.stderr).toMatch(/--since: "yesterday-ish" is not a date/);
      const retentionAlone = await runCli([bucket.dir, "--retention"], { DATABASE_URL: db.url });
      expect(retentionAlone.code).toBe(2);
      expect(retentionAlone.stderr).toMatch(/--retention needs --watch/);
    } finally {
      await db.drop();
    }
  });

  it("exits 1 when a file fails, after ingesting all the others", async () => {
    const db = await createTestDatabase();
    const badKey = "2025/05/02/2025-05-02T23:59:00.000Z-00000000-0000-4000-8000-0000000000ff.json.gz";
    await writeFile(path.join(bucket.dir, badKey), Buffer.from("definitely not gzip"));
    try {
      const r = await runCli([bucket.dir, "--json"], { DATABASE_URL: db.url });
      expect(r.code).toBe(1);
      const summary = JSON.parse(r.stdout) as { files: { ingested: number; failed: number }; failedFiles: { key: string; error: string }[] };
      expect(summary.files).toMatchObject({ ingested: bucket.truth.files.total, failed: 1 });
      expect(summary.failedFiles.map((f) => f.key)).toEqual([badKey]);
    } finally {
      await rm(path.join(bucket.dir, badKey));
      await db.drop();
    }
  });

  it("reads a bucket on an S3-compatible server named by AWS_ENDPOINT_URL, as the README shows", async () => {
    const db = await createTestDatabase();
    const s3 = await startS3Server();
    try {
      await s3.createBucket("deal-bot-logs");
      for (const e of await readdir(bucket.dir, { withFileTypes: true, recursive: true })) {
        if (!e.isFile()) continue;
        const file = path.join(e.parentPath, e.name);
        await s3.put("deal-bot-logs", `prod/${path.relative(bucket.dir, file).split(path.sep).join("/")}`, await readFile(file));
      }
      const env = {
        DATABASE_URL: db.url, AWS_ENDPOINT_URL: s3.endpoint, AWS_REGION: "us-east-1",
        AWS_ACCESS_KEY_ID: s3.credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey,
      };
      const r = await runCli(["s3://deal-bot-logs/prod", "--json"], env);
      expect(r.code, r.stderr.slice(-2000)).toBe(0);
      const summary = JSON.parse(r.stdout) as { files: { seen: number; ingested: number }; entries: { stored: number } };
      expect(summary.files).toMatchObject({ seen: bucket.truth.files.total, ingested: bucket.truth.files.total });
      expect(summary.entries.stored).toBe(bucket.truth.entries.valid);
      // The bucket is the source whatever prefix a run names: a run on the whole bucket finds nothing new.
      const again = await runCli(["s3://deal-bot-logs", "--json"], env);
      expect((JSON.parse(again.stdout) as { files: { ingested: number } }).files.ingested).toBe(0);
    } finally {
      await s3.stop();
      await db.drop();
    }
  });

  it("four processes at once ingest every file exactly once", async () => {
    const db = await createTestDatabase();
    try {
      // A barrier: the ledger is locked until all four have started and wait to register files, so they race.
      const gate = await db.pool.connect();
      await gate.query("BEGIN");
      await gate.query("LOCK TABLE ingest_files IN SHARE ROW EXCLUSIVE MODE");
      const started = Array.from({ length: 4 }, () => startCli([bucket.dir, "--json", "--concurrency", "2"], { DATABASE_URL: db.url }));
      await waitFor("four waiting processes", async () =>
        (await count(db.pool, `SELECT count(*) AS n FROM pg_stat_activity
                               WHERE datname = current_database() AND wait_event_type = 'Lock' AND application_name = 'log-insights'`)) === 4);
      await gate.query("COMMIT");
      gate.release();
      const runs = await Promise.all(started.map((s) => s.done));
      for (const r of runs) expect(r.code).toBe(0);
      const ingested = runs.map((r) => (JSON.parse(r.stdout) as { files: { ingested: number } }).files.ingested);
      expect(ingested.reduce((a, b) => a + b, 0)).toBe(bucket.truth.files.total);
      expect(ingested.filter((n) => n > 0).length).toBeGreaterThan(1); // they really shared the work
      expect((await tableCounts(db.pool)).entries).toBe(bucket.truth.entries.valid);
      expect(await count(db.pool, "SELECT count(*) AS n FROM (SELECT file_id FROM ingest_attempts WHERE outcome = 'done' GROUP BY 1 HAVING count(*) > 1) d")).toBe(0);
    } finally {
      await db.drop();
    }
  });
});

describe("a killed ingest leaves nothing half-written, and the next run finishes the job", () => {
  let db: TestDatabase;
  let dir: string;
  let expected: number;
  beforeAll(async () => {
    db = await createTestDatabase();
    const small = await generatedBucket({ seed: 41, days: 1, sessionsPerDay: 20 });
    dir = small.dir;
    // One large file: a generated file's entries repeated to ~60k (streamed alone, several seconds to ingest).
    const sample = JSON.parse(gunzipSync(await readFile(await firstFile(dir))).toString("utf8")) as unknown[];
    const big: unknown[] = [];
    while (big.length < 60_000) big.push(...sample);
    const key = "2025/05/02/2025-05-02T23:59:59.000Z-00000000-0000-4000-8000-00000000b16f.json.gz";
    await mkdir(path.dirname(path.join(dir, key)), { recursive: true });
    await writeFile(path.join(dir, key), gzipSync(JSON.stringify(big), { level: 1 }));
    expected = small.truth.entries.valid + big.length;
  });
  afterAll(async () => {
    await db?.drop();
    await rm(path.dirname(dir), { recursive: true, force: true });
  });

  it("SIGKILL in the middle of the large file, then a rerun: exact counts, no duplicates", async () => {
    const run = startCli([dir, "--concurrency", "1"], { DATABASE_URL: db.url });
    // Killed while the large file's transaction is open (its attempt started, not finished).
    await waitFor("the large file to be in flight", async () =>
      (await count(db.pool, `SELECT count(*) AS n FROM ingest_attempts a JOIN ingest_files f ON f.id = a.file_id
                             WHERE a.finished_at IS NULL AND f.key LIKE '%b16f.json.gz'`)) > 0);
    await sleep(300);
    run.child.kill("SIGKILL");
    const killed = await run.done;
    expect(killed.signal).toBe("SIGKILL");
    expect(await count(db.pool, "SELECT count(*) AS n FROM ingest_files WHERE key LIKE '%b16f.json.gz' AND status = 'done'")).toBe(0);
    expect(await count(db.pool, "SELECT count(*) AS n FROM log_entries e JOIN ingest_files f ON f.id = e.file_id WHERE f.key LIKE '%b16f.json.gz'")).toBe(0);

    const rerun = await runCli([dir, "--json"], { DATABASE_URL: db.url });
    expect(rerun.code, rerun.stdout + rerun.stderr.slice(-2000)).toBe(0);
    expect((await tableCounts(db.pool)).entries).toBe(expected);
    expect(await count(db.pool, "SELECT count(*) AS n FROM (SELECT file_id, idx FROM log_entries GROUP BY 1, 2 HAVING count(*) > 1) d")).toBe(0);
    // The dead worker's attempt is on record, closed as failed.
    expect(await count(db.pool, `SELECT count(*) AS n FROM ingest_attempts a JOIN ingest_files f ON f.id = a.file_id
                                 WHERE f.key LIKE '%b16f.json.gz' AND a.outcome = 'failed'`)).toBe(1);
  });
});

describe("watch mode", () => {
  let db: TestDatabase;
  let bucket: { dir: string; truth: Truth; cleanup(): Promise<void> };
  beforeAll(async () => {
    db = await createTestDatabase();
    bucket = await generatedBucket({ seed: 51, days: 1, sessionsPerDay: 10 });
  });
  afterAll(async () => {
    await db?.drop();
    await bucket?.cleanup();
  });

  it("picks up a file written while it runs, and exits cleanly on SIGTERM", async () => {
    const run = startCli([bucket.dir, "--watch", "--interval", "0.3", "--json"], { DATABASE_URL: db.url });
    const total = bucket.truth.files.total;
    await waitFor("the first pass", async () => (await count(db.pool, "SELECT count(*) AS n FROM ingest_files WHERE status = 'done'")) === total);
    const key = "2025/05/03/2025-05-03T00:00:01.000Z-00000000-0000-4000-8000-0000000000aa.json.gz";
    await mkdir(path.dirname(path.join(bucket.dir, key)), { recursive: true });
    await writeFile(path.join(bucket.dir, key), gzipSync(JSON.stringify([
      { level: 30, time: Date.parse("2025-05-03T00:00:00Z"), context: "SystemMonitor", message: "Memory usage: 300MB" },
    ])));
    await waitFor("the new file", async () => (await count(db.pool, "SELECT count(*) AS n FROM ingest_files WHERE key = $1 AND status = 'done'", [key])) === 1);
    run.child.kill("SIGTERM");
    const r = await run.done;
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout) as { files: { ingested: number } };
    expect(summary.files.ingested).toBe(total + 1);
  });
});
