/**
 * The reliability soak (issue 8): the CI suite's faults, longer and harder.
 *
 *   npm run soak -- [--minutes 10] [--gb 1] [--seed N] [--keep]
 *
 * Phase 1, for --minutes: a generated bucket is fed into s3rver a slice at a
 * time, behind the fault proxy (500/503, slow, resets, truncated bodies,
 * outages at random), while the real ingest CLI is started again and again
 * and SIGKILLed at random moments (or left to finish); then clean runs
 * until nothing is left, and the exact reconciliation (every entry stored
 * once or rejected, each file done once, questions as the generator's
 * truth says). Phase 2: a --gb file of many entries written straight to
 * disk, ingested by the CLI (killed once mid-way, then run again), peak RSS
 * from its summary, reconciled. Prints every figure; exits 1 when anything
 * does not reconcile.
 *
 * DATABASE_URL: a server where a throw-away database is created (and
 * dropped unless --keep); else an embedded PostgreSQL in a temp folder.
 */
import { chmod, mkdir, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import { createLogger } from "@log-insights/config";
import { createPool, databaseUrlFor, makeTempDir, startEmbeddedPostgres, withAdminClient } from "@log-insights/store";
import { startS3Server } from "../../packages/ingest/test/support/s3-server";
import {
  doneFiles, keyAt, outcomeOf, prng, s3Env, startIngest, summaryOf, writeNoiseFile, type CliExit,
} from "../../packages/ingest/test/reliability/support/common";
import { startFaultProxy } from "../../packages/ingest/test/reliability/support/fault-proxy";
import { describeReconciliation, expectedFromFolder, reconcile, type Expected } from "../../packages/ingest/test/reliability/support/reconcile";
import { generateBucket } from "./generate/index";

const { values: opts } = parseArgs({
  options: {
    minutes: { type: "string", default: "10" },
    gb: { type: "string", default: "1" },
    seed: { type: "string", default: process.env.RELIABILITY_SEED ?? String(Date.now() % 1_000_000) },
    keep: { type: "boolean", default: false },
  },
});
const minutes = Number(opts.minutes);
const gb = Number(opts.gb);
const seed = Number(opts.seed);
if (!(minutes >= 0) || !(gb >= 0) || !Number.isFinite(seed)) {
  process.stderr.write("usage: npm run soak -- [--minutes M] [--gb G] [--seed N] [--keep]\n");
  process.exit(2);
}

const logger = createLogger("soak", "warn");
const say = (line: string): void => void process.stdout.write(`[soak] ${line}\n`);
const seconds = (since: number): string => `${((performance.now() - since) / 1000).toFixed(1)} s`;

async function database(work: string): Promise<{ url: string; drop(): Promise<void> }> {
  const server = process.env.DATABASE_URL;
  if (server) {
    const name = `log_insights_soak_${seed}`;
    await withAdminClient(server, async (c) => {
      await c.query(`DROP DATABASE IF EXISTS ${c.escapeIdentifier(name)} WITH (FORCE)`);
      await c.query(`CREATE DATABASE ${c.escapeIdentifier(name)}`);
    });
    return {
      url: databaseUrlFor(server, name),
      drop: async () => {
        if (!opts.keep) await withAdminClient(server, (c) => c.query(`DROP DATABASE IF EXISTS ${c.escapeIdentifier(name)} WITH (FORCE)`));
      },
    };
  }
  const dir = path.join(work, "pg");
  await mkdir(dir);
  await chmod(work, 0o755);
  const pg = await startEmbeddedPostgres({ dir: path.join(dir, "data"), durable: false, logger });
  return { url: pg.url, drop: () => pg.stop() };
}

async function main(): Promise<number> {
  const started = performance.now();
  const rnd = prng(seed);
  const work = await makeTempDir("li-soak-");
  say(`seed ${seed} (RELIABILITY_SEED=${seed} or --seed ${seed} replays the schedule), ${minutes} min of kills and S3 faults, then a ${gb} GB file; work dir ${work}`);
  const db = await database(work);
  const pool = createPool(db.url, { poolSize: 3, logger });
  const s3 = await startS3Server({ directory: await mkdtemp(path.join(tmpdir(), "li-soak-s3-")) });
  const proxy = await startFaultProxy({ target: { host: s3.host, port: s3.port }, seed, rates: {} });
  let ok = true;
  try {
    // Phase 1: a bucket fed a slice at a time, kills and faults at random.
    const bucketDir = path.join(work, "bucket");
    const days = Math.max(3, Math.round(minutes * 2));
    let t = performance.now();
    const truth = await generateBucket({ outDir: bucketDir, seed, days, sessionsPerDay: 120, faults: { invalidRecords: 0.005 }, truthPath: null });
    say(`generated ${truth.files.total} files, ${truth.entries.total} entries, ${truth.questionsTotal} questions in ${seconds(t)}`);
    const files: string[] = [];
    for (const e of await readdir(bucketDir, { withFileTypes: true, recursive: true })) if (e.isFile()) files.push(path.join(e.parentPath, e.name));
    files.sort();
    await s3.createBucket("deal-bot-logs");
    const env = s3Env(db.url, proxy.endpoint, s3);
    const args = ["s3://deal-bot-logs", "--json", "--concurrency", "2"];
    let uploaded = 0;
    const rounds: string[] = [];
    let kills = 0;
    let outages = 0;
    const deadline = performance.now() + minutes * 60_000;
    while (performance.now() < deadline || uploaded < files.length) {
      // New files arrive between runs, as they would in the bucket, spread over the whole phase.
      const phaseStart = deadline - minutes * 60_000;
      const share = minutes > 0 ? Math.min(1, (performance.now() - phaseStart) / (minutes * 60_000) + 0.05) : 1;
      const target = Math.max(uploaded + 1, Math.ceil(files.length * share));
      for (const f of files.slice(uploaded, target)) {
        await s3.put("deal-bot-logs", path.relative(bucketDir, f).split(path.sep).join("/"), await readFile(f));
      }
      uploaded = Math.min(files.length, target);
      const harsh = rnd();
      proxy.setRates({ error500: 0.05 * harsh, error503: 0.08 * harsh, slow: 0.04 * harsh, reset: 0.05 * harsh, truncated: 0.05 * harsh });
      const run = startIngest(rnd() < 0.3 ? [...args, "--retry-failed"] : args, env);
      const killAfter = rnd() < 0.7 ? 300 + rnd() * 8_000 : null;
      if (rnd() < 0.15) {
        const at = rnd() * 3_000;
        void sleep(at).then(() => proxy.outage(1_000 + rnd() * 5_000));
        outages++;
      }
      const finished = await Promise.race([run.done.then(() => true), sleep(killAfter ?? 600_000).then(() => false)]);
      if (!finished) {
        run.child.kill("SIGKILL");
        kills++;
      }
      const exit = await run.done;
      rounds.push(outcomeOf(exit));
      if (rounds.length % 10 === 0) say(`round ${rounds.length}: ${uploaded}/${files.length} files uploaded, ${await doneFiles(pool)} done, ${kills} kills, ${proxy.injected()} faults`);
      if (performance.now() >= deadline && uploaded >= files.length) break;
    }
    proxy.setRates({});
    t = performance.now();
    const finals: CliExit[] = [];
    for (let i = 0; i < 6; i++) {
      const exit = await startIngest(i === 0 ? args : [...args, "--retry-failed"], env).done;
      finals.push(exit);
      if (exit.code === 0 && summaryOf(exit)?.failedFiles.length === 0) break;
    }
    const expected: Expected = await expectedFromFolder(bucketDir);
    const r1 = await reconcile(pool, expected, { questions: truth.questionsTotal, rejected: truth.entries.rejectedExpected });
    const c = proxy.counts();
    say(`phase 1: ${rounds.length} rounds, ${kills} SIGKILLs, ${outages} outages; ${proxy.injected()} S3 faults in ${c.requests} requests ` +
      `(500: ${c.error500}, 503: ${c.error503}, slow: ${c.slow}, reset: ${c.reset}, truncated: ${c.truncated}); ` +
      `final clean runs: ${finals.map(outcomeOf).join("; ")} in ${seconds(t)}`);
    say(`phase 1 ${r1.problems.length === 0 ? "RECONCILED" : "DOES NOT RECONCILE"}: ${describeReconciliation(r1)}`);
    for (const p of r1.problems.slice(0, 20)) say(`  problem: ${p}`);
    ok &&= r1.problems.length === 0;

    // Phase 2: a file of --gb GB, killed once mid-way, then ingested.
    if (gb > 0) {
      const largeDir = path.join(work, "large");
      const tl = Date.parse("2025-04-20T00:00:00Z");
      const key = keyAt(tl + 86_000_000, 0x1ab);
      const padBytes = 1_000;
      const entries = Math.round((gb * 1024 ** 3) / (padBytes + 200));
      t = performance.now();
      const w = await writeNoiseFile(path.join(largeDir, key), { entries, fromMs: tl, padBytes, invalidEvery: 99_991, seed });
      say(`phase 2: wrote ${(w.bytesRaw / 1024 ** 3).toFixed(2)} GB uncompressed, ${w.entries} entries (${w.rejected} invalid) in ${seconds(t)}`);
      const env2 = { DATABASE_URL: db.url };
      t = performance.now();
      const killed = startIngest([largeDir, "--json"], env2);
      const killAt = 5_000 + rnd() * 20_000;
      const finishedEarly = await Promise.race([killed.done.then(() => true), sleep(killAt).then(() => false)]);
      if (!finishedEarly) killed.child.kill("SIGKILL");
      const first = await killed.done;
      const runs = [first];
      let last = first;
      for (let i = 0; i < 3 && !(last.code === 0 && summaryOf(last)?.failedFiles.length === 0); i++) {
        last = await startIngest([largeDir, "--json", ...(i > 0 ? ["--retry-failed"] : [])], env2).done;
        runs.push(last);
      }
      const s = summaryOf(last);
      expected.set(key, { entries: w.entries, rejected: w.rejected });
      const r2 = await reconcile(pool, expected, { questions: truth.questionsTotal });
      say(`phase 2: killed after ${Math.round(killAt)} ms (${outcomeOf(first)}), then ${runs.slice(1).map(outcomeOf).join("; ")}; ` +
        `last run ${s?.seconds ?? "?"} s (${s ? Math.round(s.entries.read / s.seconds) : "?"} entries/s), CLI peak RSS ${s?.peakRssMb ?? "?"} MB; ${seconds(t)} in all`);
      say(`phase 2 ${r2.problems.length === 0 ? "RECONCILED" : "DOES NOT RECONCILE"}: ${describeReconciliation(r2)}`);
      for (const p of r2.problems.slice(0, 20)) say(`  problem: ${p}`);
      ok &&= r2.problems.length === 0;
      const { rows } = await pool.query<{ n: string }>("SELECT count(*) AS n FROM ingest_attempts WHERE worker LIKE $1", [`${hostname()}:%`]);
      say(`attempts recorded: ${rows[0]!.n}`);
    }
  } finally {
    await pool.end();
    await proxy.stop();
    await s3.stop();
    await db.drop();
    await rm(work, { recursive: true, force: true });
  }
  say(`${ok ? "PASS" : "FAIL"} in ${seconds(started)} (seed ${seed})`);
  return ok ? 0 : 1;
}

main().then(
  (code) => { process.exitCode = code; },
  (err: unknown) => {
    process.stderr.write(`soak: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 2;
  },
);
