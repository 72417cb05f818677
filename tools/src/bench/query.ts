/**
 * `npm run bench:query`: dashboard reader latency at scale. Loads N
 * synthetic questions (default 10M over a year, generated straight into the
 * tables by COPY, then rollups and common-question groups built once) and
 * prints, for every dashboard reader over 1 day, 30 days and 1 year ending
 * at the data's end, p50/p95 cold (first call on new connections) and warm,
 * next to (a) the same answer from the question rows (the reader with
 * { forceRaw: true }, or a plain GROUP BY for readers without that option)
 * and (b) DuckDB over the same rows exported to Parquet. It checks that the
 * rollup, raw and DuckDB answers agree, and whether the targets are met:
 * dashboard readers p95 <= 50 ms, search p95 <= 150 ms, none slower than DuckDB.
 *
 * Uses DATABASE_URL when set, else the database `log_insights_bench` on
 * BENCH_DATABASE_URL's server (default postgres://root@127.0.0.1:5432/postgres).
 * A loaded dataset (and its Parquet export under .tmp/bench-query) is reused
 * while its marker (table bench_meta) and row count match the options.
 *
 *   npm run bench:query -- [--questions 10000000] [--days 365] [--reload] [--warm 20] [--cold 5]
 *                          [--budget 10] [--timeout 30] [--only readOverview] [--json FILE] [--explain] [--align-hour]
 *
 * Each measurement stops after --budget seconds (at least 3 warm calls unless
 * one call alone takes longer); a query cancelled by the --timeout statement
 * timeout shows as "timeout" and counts as a miss.
 *
 * --explain prints, instead of timings, every query the selected readers send
 * with its EXPLAIN (ANALYZE, BUFFERS) plan (after one warm-up call).
 * --align-hour ends the ranges at the last whole UTC hour of the data instead
 * of its end (a minute mid-hour, as "the last 24 hours" usually is): the
 * readers then have no sub-hour edges to read from the question rows.
 */
import { writeFile } from "node:fs/promises";
import { availableParallelism } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import type pg from "pg";
import { createLogger } from "@log-insights/config";
import { createPool, redactUrl } from "@log-insights/store";
import { CASES, compareDigests, type BenchRange, type Case, type Digest } from "./query/cases";
import { explainAll, recording } from "./query/explain";
import { ensureDataset, fmt, openBenchDatabase, tableSizes } from "./query/load";
import { fmtMs, sample, stat, type Stat } from "./query/measure";
import { ensureParquet, openDuck } from "./query/parquet";

const { values: args } = parseArgs({
  options: {
    questions: { type: "string", default: "10000000" },
    days: { type: "string", default: "365" },
    reload: { type: "boolean", default: false },
    warm: { type: "string", default: "20" },
    cold: { type: "string", default: "5" },
    budget: { type: "string", default: "10" },
    timeout: { type: "string", default: "30" },
    only: { type: "string" },
    seed: { type: "string", default: "7" },
    json: { type: "string" },
    explain: { type: "boolean", default: false },
    "align-hour": { type: "boolean", default: false },
  },
});

const out = (line = ""): void => void process.stdout.write(line + "\n");
const DAY_MS = 86_400_000;
const PARQUET_DIR = path.resolve(".tmp/bench-query");

interface Timing {
  cold: Stat;
  warm: Stat;
}

interface Result {
  case: string;
  reader: string;
  range: string;
  targetMs: number;
  rollup: Timing | null;
  raw: Timing | null;
  duck: Timing | null;
  rawMismatch: string[];
  duckMismatch: string[];
  duckApproximate: boolean;
  error: string | null;
}

function positiveInt(name: string, value: string | undefined): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got ${value}`);
  return n;
}

async function main(): Promise<void> {
  const questions = positiveInt("questions", args.questions);
  const days = positiveInt("days", args.days);
  const warmReps = positiveInt("warm", args.warm);
  const coldReps = positiveInt("cold", args.cold);
  const budgetMs = positiveInt("budget", args.budget) * 1000;
  const timeoutMs = positiveInt("timeout", args.timeout) * 1000;
  const seed = positiveInt("seed", args.seed);
  const only = args.only?.toLowerCase();
  const cases = CASES.filter((c) => !only || c.reader.toLowerCase().includes(only) || c.name.toLowerCase().includes(only));
  if (cases.length === 0) throw new Error(`--only ${args.only} matches no reader; readers: ${[...new Set(CASES.map((c) => c.reader))].join(", ")}`);

  const logger = createLogger("bench", "warn");
  const db = await openBenchDatabase(logger);
  let warmPool: pg.Pool | null = null;
  try {
    out(`database: ${redactUrl(db.url)}${db.dedicated ? " (dedicated benchmark database)" : " (DATABASE_URL)"}`);
    const { meta, reused } = await ensureDataset(db, { questions, days, seed, reload: args.reload }, out);
    const s = meta.stats;
    const share = (n: number): string => `${((100 * n) / s.questions).toFixed(1)}%`;
    out(`dataset: ${fmt(meta.rows)} questions, ${fmt(meta.conversations)} conversations, ${fmt(s.sessions)} sessions, ${fmt(meta.distinctTexts)} distinct texts, `
      + `${meta.days} days ending ${new Date(meta.endMs).toISOString()}`);
    out(`  outcomes: answered ${share(s.outcomes.answered)}, hedged ${share(s.outcomes.hedged)} (partial ${share(s.partial)}), `
      + `failed ${share(s.outcomes.failed)}, unfinished ${share(s.outcomes.unfinished)}; re-asked ${share(s.reasked)}`);
    out(`  load: ${reused ? "reused (loaded earlier in " : ""}${meta.timings.total?.toFixed(1)} s${reused ? ")" : ""}: `
      + Object.entries(meta.timings).filter(([k]) => k !== "total").map(([k, v]) => `${k} ${v.toFixed(1)} s`).join(", "));

    const sizes = await tableSizes(db.pool);
    out("sizes:");
    for (const t of sizes) {
      out(`  ${t.name.padEnd(26)} ${fmt(t.rows ?? 0).padStart(12)} rows  table ${mb(t.tableBytes).padStart(9)}  indexes ${mb(t.indexBytes).padStart(9)}`);
      if (t.name === "bot_questions") for (const ix of t.indexes) out(`      ${ix.name.padEnd(34)} ${mb(ix.bytes).padStart(9)}`);
    }

    const files = await ensureParquet(db.pool, PARQUET_DIR, meta.loadId);
    out(`parquet: ${mb(files.bytes)} in ${PARQUET_DIR} (${files.seconds === null ? "reused" : `exported in ${files.seconds.toFixed(1)} s`})`);
    const settings = await db.pool.query<{ v: string; sb: string; wm: string; pw: string }>(
      "SELECT current_setting('server_version') AS v, current_setting('shared_buffers') AS sb, current_setting('work_mem') AS wm, current_setting('max_parallel_workers_per_gather') AS pw");
    const st = settings.rows[0];
    out(`machine: ${availableParallelism()} cores, Node ${process.version}, PostgreSQL ${st?.v} (shared_buffers ${st?.sb}, work_mem ${st?.wm}, `
      + `${st?.pw} parallel workers per gather), DuckDB in-process (${availableParallelism()} threads)`);
    out("cold = first call on new connections (PostgreSQL: new backends, empty catalog and plan caches; DuckDB: a new instance);");
    out("  shared buffers and the OS page cache stay warm: a truly cold cache needs a server restart and dropping the OS cache, not done here.");
    out(`warm = ${warmReps} calls after one untimed call (fewer when a measurement passes ${budgetMs / 1000} s; n shown when < ${warmReps}; `
      + `no untimed call when the cold call took longer than that). Statement timeout ${timeoutMs / 1000} s. Times in ms.`);
    out("");

    const end = args["align-hour"] ? Math.floor(meta.endMs / 3_600_000) * 3_600_000 : meta.endMs;
    out(`ranges end at ${new Date(end).toISOString()}${args["align-hour"] ? " (the last whole UTC hour, --align-hour)" : " (the data's end)"}`);
    const ranges: BenchRange[] = [
      { label: "1 day", fromMs: end - DAY_MS, toMs: end },
      { label: "30 days", fromMs: end - 30 * DAY_MS, toMs: end },
      { label: "1 year", fromMs: end - 365 * DAY_MS, toMs: end },
    ];

    warmPool = createPool(db.url, { logger, poolSize: 10, statementTimeoutMs: timeoutMs });
    if (args.explain) {
      for (const c of cases) {
        for (const r of ranges) {
          await c.run(warmPool, r);
          const rec = recording(warmPool);
          await c.run(rec.db, r);
          out(`=== ${c.name} over ${r.label}: ${rec.queries.length} queries`);
          for (const plan of await explainAll(warmPool, rec.queries)) out(plan + "\n");
        }
      }
      return;
    }
    const duck = await openDuck(files);
    const results: Result[] = [];
    out(header());
    try {
      for (const c of cases) {
        for (const r of ranges) {
          const result = await measureCase(c, r, { db: db.url, warmPool, duck: duck.conn, files, warmReps, coldReps, budgetMs, timeoutMs, logger });
          results.push(result);
          out(row(result, warmReps));
          if (args.json) await writeFile(args.json, JSON.stringify({ meta, sizes, parquetBytes: files.bytes, results }, null, 2));
        }
      }
    } finally {
      duck.close();
    }

    out("");
    summary(results, out);
    if (args.json) {
      await writeFile(args.json, JSON.stringify({ meta, sizes, parquetBytes: files.bytes, results }, null, 2));
      out(`results written to ${args.json}`);
    }
  } finally {
    await warmPool?.end();
    await db.close();
  }
}

interface Ctx {
  db: string;
  warmPool: pg.Pool;
  duck: Awaited<ReturnType<typeof openDuck>>["conn"];
  files: Awaited<ReturnType<typeof ensureParquet>>;
  warmReps: number;
  coldReps: number;
  budgetMs: number;
  timeoutMs: number;
  logger: ReturnType<typeof createLogger>;
}

async function measureCase(c: Case, r: BenchRange, ctx: Ctx): Promise<Result> {
  const result: Result = {
    case: c.name, reader: c.reader, range: r.label, targetMs: c.targetMs, rollup: null, raw: null, duck: null,
    rawMismatch: [], duckMismatch: [], duckApproximate: c.duckApproximate ?? false, error: null,
  };
  try {
    const rollup = await timePg(ctx, (db) => c.run(db, r));
    result.rollup = rollup.timing;
    if (c.raw) {
      const raw = await timePg(ctx, (db) => (c.raw as NonNullable<Case["raw"]>)(db, r));
      result.raw = raw.timing;
      if (rollup.answer.size > 0 && raw.answer.size > 0) result.rawMismatch = compareDigests(rollup.answer, raw.answer);
    }
    const duck = await timeDuck(ctx, (conn) => c.duck(conn, r));
    result.duck = duck.timing;
    if (rollup.answer.size > 0) result.duckMismatch = compareDigests(rollup.answer, duck.answer);
  } catch (err) {
    result.error = err instanceof Error ? err.message : String(err);
  }
  return result;
}

/**
 * Cold: a new pool whose connections are opened (SELECT 1) before the timed call. Warm: the shared
 * pool after one untimed call (none when the cold call was already slow: it warmed the caches).
 */
async function timePg(ctx: Ctx, fn: (db: pg.Pool) => Promise<Digest>): Promise<{ timing: Timing; answer: Digest }> {
  let pool: pg.Pool | null = null;
  const cold = await sample(() => fn(pool as pg.Pool), {
    reps: ctx.coldReps, minReps: 1, budgetMs: ctx.budgetMs,
    setup: async () => {
      pool = createPool(ctx.db, { logger: ctx.logger, poolSize: 4, statementTimeoutMs: ctx.timeoutMs });
      const clients = await Promise.all([0, 1, 2, 3].map(() => (pool as pg.Pool).connect()));
      for (const client of clients) {
        await client.query("SELECT 1");
        client.release();
      }
    },
    teardown: async () => {
      await pool?.end();
      pool = null;
    },
  });
  if (Math.max(...cold.ms) <= ctx.budgetMs) await fn(ctx.warmPool);
  const warm = await sample(() => fn(ctx.warmPool), { reps: ctx.warmReps, budgetMs: ctx.budgetMs });
  return { timing: { cold: stat(cold.ms), warm: stat(warm.ms) }, answer: warm.last ?? cold.last ?? new Map() };
}

async function timeDuck(ctx: Ctx, fn: (conn: Ctx["duck"]) => Promise<Digest>): Promise<{ timing: Timing; answer: Digest }> {
  let fresh: Awaited<ReturnType<typeof openDuck>> | null = null;
  const cold = await sample(() => fn((fresh as NonNullable<typeof fresh>).conn), {
    reps: ctx.coldReps, minReps: 1, budgetMs: ctx.budgetMs,
    setup: async () => {
      fresh = await openDuck(ctx.files);
    },
    teardown: async () => {
      fresh?.close();
      fresh = null;
    },
  });
  if (Math.max(...cold.ms) <= ctx.budgetMs) await fn(ctx.duck);
  const warm = await sample(() => fn(ctx.duck), { reps: ctx.warmReps, budgetMs: ctx.budgetMs });
  return { timing: { cold: stat(cold.ms), warm: stat(warm.ms) }, answer: warm.last ?? new Map() };
}

// ------------------------------------------------------------------ output

const COLS = [
  ["reader", 38], ["range", 8], ["cold p50/p95", 14], ["warm p50/p95", 14], ["raw p50/p95", 18], ["duckdb p50/p95", 16],
  ["raw÷warm", 9], ["duck÷warm", 10], ["target", 0],
] as const;

function header(): string {
  return COLS.map(([name, w], i) => (i < 2 ? name.padEnd(w) : name.padStart(w))).join(" ") + "\n" + "-".repeat(140);
}

function pair(s: Stat | undefined, n?: number): string {
  if (!s) return "—";
  return `${fmtMs(s.p50)}/${fmtMs(s.p95)}${n !== undefined && s.n < n ? ` n${s.n}` : ""}`;
}

function verdict(r: Result): string {
  if (r.error || !r.rollup) return "ERROR";
  const misses: string[] = [];
  if (r.rollup.warm.p95 > r.targetMs) misses.push(`p95 > ${r.targetMs}`);
  if (r.duck && r.rollup.warm.p95 > r.duck.warm.p95) misses.push("slower than DuckDB");
  return misses.length === 0 ? "ok" : `MISS (${misses.join(", ")})`;
}

function row(r: Result, warmReps: number): string {
  if (r.error) return `${r.case.padEnd(38)} ${r.range.padEnd(8)} ERROR ${r.error}`;
  const ratio = (a: Timing | null): string => {
    const x = a && r.rollup ? a.warm.p95 / r.rollup.warm.p95 : NaN;
    return Number.isFinite(x) ? `${x < 0.1 ? x.toFixed(2) : x.toFixed(1)}x` : "—";
  };
  const cells = [
    r.case.padEnd(38), r.range.padEnd(8),
    pair(r.rollup?.cold).padStart(14), pair(r.rollup?.warm, warmReps).padStart(14),
    (r.raw ? pair(r.raw.warm, warmReps) : "(reads rows)").padStart(18), pair(r.duck?.warm, warmReps).padStart(16),
    ratio(r.raw).padStart(9), ratio(r.duck).padStart(10), ` ${verdict(r)}`,
  ];
  return cells.join(" ");
}

function summary(results: Result[], say: (line: string) => void): void {
  const misses = results.filter((r) => verdict(r) !== "ok");
  const mismatches = results.filter((r) => r.rawMismatch.length > 0 || r.duckMismatch.length > 0);
  say(`targets: ${results.length - misses.length} of ${results.length} met (dashboard readers p95 <= 50 ms, search p95 <= 150 ms, not slower than DuckDB)`);
  for (const r of misses) say(`  ${r.case} over ${r.range}: ${verdict(r)}${r.error ? ` ${r.error}` : ""}`);
  const coldMisses = results.filter((r) => r.rollup && r.rollup.cold.p95 > r.targetMs);
  if (coldMisses.length > 0) {
    say(`cold calls over the target (first call on new connections): ${coldMisses.map((r) => `${r.case} ${r.range} ${fmtMs(r.rollup?.cold.p95 ?? NaN)} ms`).join("; ")}`);
  }
  say(mismatches.length === 0 ? "answers: rollup, raw and DuckDB agree everywhere" : "answers that differ:");
  for (const r of mismatches) {
    for (const m of r.rawMismatch) say(`  ${r.case} ${r.range}: rollup vs raw: ${m}`);
    for (const m of r.duckMismatch) say(`  ${r.case} ${r.range}: rollup vs DuckDB${r.duckApproximate ? " (approximate by design: no stemmer)" : ""}: ${m}`);
  }
}

function mb(bytes: number): string {
  return `${(bytes / 1e6).toFixed(bytes < 10e6 ? 1 : 0)} MB`;
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:query failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
