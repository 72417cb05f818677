/**
 * `npm run bench:ingest`: end-to-end ingest speed on ~1M generated entries
 * in the production format, next to two limits measured in the same run on
 * the same data:
 *   (a) gunzip + split + parse + validate/redact alone (the Node side),
 *   (b) COPY alone of the already-normalized rows (the PostgreSQL side),
 *   (c) gunzip + JSON.parse alone, one thread (the floor any ingest pays),
 * and the density check: one day's files (~150 sessions) ingested into an
 * empty database and into one whose same day already holds 100,000
 * questions, as a ratio (1.0: a file's cost does not grow with its day).
 * Uses DATABASE_URL when set, else the embedded PostgreSQL; each phase gets
 * a fresh database that is dropped afterwards.
 *
 *   npm run bench:ingest -- [--entries 1000000] [--concurrency 2] [--keep DIR]
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, readFile, readdir, rm, stat } from "node:fs/promises";
import { availableParallelism, tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { from as copyFrom } from "pg-copy-streams";
import { createLogger } from "@log-insights/config";
import {
  COPY_LOG_ENTRIES_SQL, compactRollups, createPool, databaseUrlFor, ensurePartitions, migrate, openDatabase, withAdminClient,
} from "@log-insights/store";
import { parseSource, readFile as readLogFile, type IngestSummary } from "@log-insights/ingest";
import { gunzipSync } from "node:zlib";
import { DEFAULT_END, generateBucket } from "../generate/index";

const { values: args } = parseArgs({
  options: {
    entries: { type: "string", default: "1000000" },
    "dense-questions": { type: "string", default: "100000" },
    concurrency: { type: "string", default: String(availableParallelism()) },
    keep: { type: "string" },
  },
});
const targetEntries = Number(args.entries);
const denseQuestions = Number(args["dense-questions"]);
const concurrency = Number(args.concurrency);
const logger = createLogger("bench", "warn");
const out = (line: string): void => void process.stdout.write(line + "\n");
const fmt = (n: number): string => Math.round(n).toLocaleString("en-US");

async function listFiles(dir: string): Promise<string[]> {
  const files: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) if (e.isFile()) files.push(path.join(e.parentPath, e.name));
  return files.sort();
}

async function main(): Promise<void> {
  const work = args.keep ?? (await mkdtemp(path.join(tmpdir(), "li-bench-")));
  const dir = path.join(work, "bucket");
  // ~80 entries per chat session in the generated format: size the bucket by sessions.
  const days = 30;
  const sessionsPerDay = Math.max(1, Math.round(targetEntries / 80 / days));
  let genSeconds = 0;
  try {
    await stat(dir);
    out(`reusing generated data in ${dir}`);
  } catch {
    const t0 = performance.now();
    await generateBucket({ outDir: dir, seed: 1, days, sessionsPerDay, truthPath: null, gzipLevel: 6 });
    genSeconds = (performance.now() - t0) / 1000;
  }
  const files = await listFiles(dir);
  let gzBytes = 0;
  for (const f of files) gzBytes += (await stat(f)).size;

  const db = await openDatabase({ logger });
  const fresh = async (name: string): Promise<{ url: string; pool: ReturnType<typeof createPool>; drop(): Promise<void> }> => {
    const dbName = `li_bench_${name}_${process.pid}`;
    await withAdminClient(db.url, async (c) => {
      await c.query(`DROP DATABASE IF EXISTS ${dbName}`);
      await c.query(`CREATE DATABASE ${dbName}`);
    });
    const url = databaseUrlFor(db.url, dbName);
    const pool = createPool(url, { logger, poolSize: concurrency + 4, statementTimeoutMs: 0 });
    await migrate(pool, logger);
    return { url, pool, drop: async () => { await pool.end(); await withAdminClient(db.url, (c) => c.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`)); } };
  };

  try {
    out(`data: ${files.length} files, ${fmt(gzBytes / 1e6)} MB gzipped${genSeconds ? `, generated in ${genSeconds.toFixed(1)} s` : ""}`);

    // End to end first, as an operator runs it: the real command in its own process (list, claim, decode,
    // parse, COPY, questions, conversations, ledger), its peak memory read from its own report.
    const e2eDb = await fresh("e2e");
    const e2e = await runCommand(dir, e2eDb.url);
    await e2eDb.drop();
    const summary = e2e.summary;
    const e2eSeconds = summary.seconds; // the command's own clock: without process start-up
    const peakRss = summary.peakRssMb * 1e6;
    const entries = summary.entries.read;
    const rawBytes = await rawSize(files);

    // (a) Node side alone, the same code the command runs per file: gunzip + split + JSON.parse +
    // validate/redact + COPY text + pairing, no database.
    const source = parseSource(dir);
    const texts: string[] = [];
    let aEntries = 0;
    let fileId = 1;
    const tA = performance.now();
    for await (const o of source.list()) {
      const r = await readLogFile(source, {
        id: fileId++, source: source.id, key: o.key, etag: o.etag, sizeBytes: o.size, keyTimeMs: o.keyTimeMs,
        status: "pending", attempts: 0, entriesStored: null, firstEntryAtMs: null, lastEntryAtMs: null,
      }, 10_000);
      aEntries += r.stats.entriesRead;
      texts.push(r.copyText);
    }
    const aSeconds = (performance.now() - tA) / 1000;

    // (b) PostgreSQL side alone: COPY of those normalized rows, over as many connections as the command uses.
    const copyDb = await fresh("copy");
    let lo = Infinity;
    let hi = -Infinity;
    let rows = 0;
    for (const t of texts) {
      for (const line of t.split("\n")) {
        if (!line) continue;
        rows++;
        const ms = Date.parse(line.slice(0, line.indexOf("\t")));
        if (ms < lo) lo = ms;
        if (ms > hi) hi = ms;
      }
    }
    await ensurePartitions(copyDb.pool, { fromMs: lo, toMs: hi }, { maxDays: 400 });
    const tB = performance.now();
    await Promise.all(Array.from({ length: concurrency }, async (_v, i) => {
      const client = await copyDb.pool.connect();
      try {
        await pipeline(Readable.from(texts.filter((_t, j) => j % concurrency === i)), client.query(copyFrom(COPY_LOG_ENTRIES_SQL)));
      } finally {
        client.release();
      }
    }));
    const bSeconds = (performance.now() - tB) / 1000;
    await copyDb.drop();

    // (c) The floor: gunzip + JSON.parse of each file (one JSON array of entries), nothing else, one thread.
    let cEntries = 0;
    const tC = performance.now();
    for (const f of files) {
      try {
        const parsed: unknown = JSON.parse(gunzipSync(await readFile(f)).toString("utf8"));
        cEntries += Array.isArray(parsed) ? parsed.length : 1;
      } catch {
        // A file the ingest keeps aside as unreadable: its work was done all the same.
      }
    }
    const cSeconds = (performance.now() - tC) / 1000;

    // Density: the same day's files into an empty database, then into one whose day already holds denseQuestions.
    const probeDir = path.join(work, "probe");
    try {
      await stat(probeDir);
    } catch {
      await generateBucket({ outDir: probeDir, seed: 2, days: 1, sessionsPerDay: 150, end: DEFAULT_END, truthPath: null, gzipLevel: 6 });
    }
    const probeFiles = (await listFiles(probeDir)).length;
    const emptyDb = await fresh("empty");
    const sparse = await runCommand(probeDir, emptyDb.url);
    await emptyDb.drop();
    const denseDb = await fresh("dense");
    const dayStartMs = DEFAULT_END.getTime() - 86_400_000;
    await ensurePartitions(denseDb.pool, { fromMs: dayStartMs, toMs: DEFAULT_END.getTime() }, { maxDays: 400 });
    await fillDay(denseDb.pool, dayStartMs, denseQuestions);
    const dense = await runCommand(probeDir, denseDb.url);
    await denseDb.drop();

    const e2eRate = entries / e2eSeconds;
    const cRate = cEntries / cSeconds;
    const aRate = aEntries / aSeconds;
    const bRate = rows / bSeconds;
    const slower = Math.min(aRate, bRate);
    out("");
    out(`entries: ${fmt(entries)} (${fmt(summary.entries.stored)} stored, ${fmt(summary.questions)} questions), ${fmt(rawBytes / 1e6)} MB of JSON`);
    out(`machine: ${availableParallelism()} cores, Node ${process.version}, PostgreSQL ${db.embedded ? "embedded" : "DATABASE_URL"}`);
    out(`end to end       ${fmt(e2eRate).padStart(9)} entries/s  ${(rawBytes / 1e6 / e2eSeconds).toFixed(1).padStart(6)} MB/s  ${e2eSeconds.toFixed(2)} s  peak RSS ${fmt(peakRss / 1e6)} MB  (concurrency ${concurrency})`);
    out(`(a) decode+parse ${fmt(aRate).padStart(9)} entries/s  ${(rawBytes / 1e6 / aSeconds).toFixed(1).padStart(6)} MB/s  ${aSeconds.toFixed(2)} s  (one thread, no database)`);
    out(`(b) COPY alone   ${fmt(bRate).padStart(9)} entries/s  ${(rawBytes / 1e6 / bSeconds).toFixed(1).padStart(6)} MB/s  ${bSeconds.toFixed(2)} s  (${concurrency} connections)`);
    out(`(c) gunzip+JSON  ${fmt(cRate).padStart(9)} entries/s  ${(rawBytes / 1e6 / cSeconds).toFixed(1).padStart(6)} MB/s  ${cSeconds.toFixed(2)} s  (one thread, nothing else)`);
    out(`end to end / slower limit (${aRate < bRate ? "a" : "b"}): ${(100 * e2eRate / slower).toFixed(0)}%`);
    out(`end to end / (c): ${(100 * e2eRate / cRate).toFixed(0)}%`);
    const rate = (r: typeof sparse): string => `${fmt(r.summary.entries.read / r.summary.seconds)} entries/s, ${r.summary.seconds.toFixed(2)} s`;
    out(`density: one day's ${probeFiles} files (${fmt(sparse.summary.entries.read)} entries, ${fmt(sparse.summary.questions)} questions)`);
    out(`  into an empty day                     ${rate(sparse)}`);
    out(`  into a day holding ${fmt(denseQuestions)} questions  ${rate(dense)}`);
    out(`  ratio (dense / empty time): ${(dense.summary.seconds / sparse.summary.seconds).toFixed(2)}`);
  } finally {
    await db.close();
    if (!args.keep) await rm(work, { recursive: true, force: true });
  }
}

/** Runs `npm run ingest -- DIR --json` (the same node flags) and returns its summary and wall time. */
async function runCommand(dir: string, databaseUrl: string): Promise<{ summary: IngestSummary & { peakRssMb: number }; seconds: number }> {
  const script = JSON.parse(await readFile(path.resolve("package.json"), "utf8")).scripts.ingest as string;
  const nodeFlags = script.split(" ").filter((a) => a.startsWith("--max-old-space-size"));
  const t0 = performance.now();
  const child = spawn(process.execPath, [...nodeFlags, "--import", "tsx", "packages/ingest/src/cli.ts", dir, "--json", "--concurrency", String(concurrency)], {
    env: { ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: "warn" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  let stdout = "";
  child.stdout.on("data", (d: Buffer) => { stdout += d.toString(); });
  const [code] = (await once(child, "close")) as [number | null];
  if (code !== 0) throw new Error(`the ingest command exited with ${code}`);
  return { summary: JSON.parse(stdout), seconds: (performance.now() - t0) / 1000 };
}

/**
 * Stores `n` questions spread over the UTC day starting at dayStartMs, as
 * the ingest would (their rollups follow by the triggers, then merged):
 * 5,000 users other than the generated ones, 2,000 texts, the generator's
 * mix of outcomes. Only their number matters to the density check.
 */
async function fillDay(pool: ReturnType<typeof createPool>, dayStartMs: number, n: number): Promise<void> {
  await pool.query(
    `INSERT INTO bot_questions (id, asked_at, file_id, start_idx, user_id, deal_id, conversation_id, question, fingerprint,
       topic, fund, outcome, latency_ms, cache_hit, platform, app_version)
     SELECT 9000000000000 + i, $1::timestamptz + (i * (86400000.0 / $2)) * interval '1 millisecond', 1, i,
       900000 + i % 5000, 'deal-' || (i % 40), 9000000000000 + i, 'filler question ' || (i % 2000), 'filler question ' || (i % 2000),
       (ARRAY['fees', 'risks', 'returns', 'liquidity', 'tax'])[1 + i % 5], 'Fund ' || (i % 30),
       (ARRAY['answered', 'answered', 'answered', 'hedged', 'failed'])[1 + i % 5], 500 + (i * 7919) % 20000, i % 3 = 0,
       (ARRAY['ios', 'android', 'web'])[1 + i % 3], '5.' || (i % 4)
     FROM generate_series(0, $2 - 1) AS i`,
    [new Date(dayStartMs), n],
  );
  await compactRollups(pool);
  await pool.query("ANALYZE");
}

/** Uncompressed size of the files, for MB/s. */
async function rawSize(files: string[]): Promise<number> {
  let n = 0;
  for (const f of files) n += gunzipSync(await readFile(f)).length;
  return n;
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:ingest failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
