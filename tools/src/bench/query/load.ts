/**
 * The benchmark's database: a dedicated `log_insights_bench` database (or
 * DATABASE_URL), migrated, loaded once with the synthetic dataset by COPY and
 * reused on later runs while its marker (bench_meta) and row count match.
 */
import { randomUUID } from "node:crypto";
import { once } from "node:events";
import type pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import type { Logger } from "@log-insights/config";
import { createPool, databaseUrlFor, migrate, regroupQuestions, withAdminClient } from "@log-insights/store";
import { CONVERSATION_COPY_COLUMNS, DATASET_VERSION, DatasetGenerator, QUESTION_COPY_COLUMNS, type GenerateStats } from "./dataset";

export const BENCH_DATABASE = "log_insights_bench";
const DEFAULT_SERVER = "postgres://root@127.0.0.1:5432/postgres";
const DAY_MS = 86_400_000;

export interface BenchDatabase {
  url: string;
  pool: pg.Pool;
  /** true: the dedicated benchmark database (ours to fill); false: DATABASE_URL. */
  dedicated: boolean;
  close(): Promise<void>;
}

export async function openBenchDatabase(logger: Logger, env: NodeJS.ProcessEnv = process.env): Promise<BenchDatabase> {
  let url: string;
  let dedicated: boolean;
  if (env.DATABASE_URL) {
    url = env.DATABASE_URL;
    dedicated = false;
  } else {
    const server = env.BENCH_DATABASE_URL ?? DEFAULT_SERVER;
    await withAdminClient(server, async (c) => {
      const found = await c.query("SELECT 1 FROM pg_database WHERE datname = $1", [BENCH_DATABASE]);
      if (found.rowCount === 0) await c.query(`CREATE DATABASE ${BENCH_DATABASE}`);
    });
    url = databaseUrlFor(server, BENCH_DATABASE);
    dedicated = true;
  }
  // No statement timeout: plain GROUP BYs over a year of rows, index builds and VACUUM run long on purpose.
  const pool = createPool(url, { logger, poolSize: 4, statementTimeoutMs: 0 });
  await migrate(pool, logger);
  return { url, pool, dedicated, close: () => pool.end() };
}

/** What a loaded dataset was made with: a later run reuses it only when its options match. */
export interface DatasetMeta {
  version: number;
  questions: number;
  days: number;
  seed: number;
  endMs: number;
  /** Rows actually stored (questions cut by the end of the data are not). */
  rows: number;
  conversations: number;
  distinctTexts: number;
  /** Changes with every load: names the Parquet export of this data. */
  loadId: string;
  stats: GenerateStats;
  timings: Record<string, number>;
}

export interface LoadOptions {
  questions: number;
  days: number;
  seed: number;
  reload: boolean;
}

export type Say = (line: string) => void;

/** The loaded dataset's marker, loading it first unless one matching the options is there. */
export async function ensureDataset(db: BenchDatabase, options: LoadOptions, say: Say): Promise<{ meta: DatasetMeta; reused: boolean }> {
  const { pool } = db;
  await pool.query(`CREATE TABLE IF NOT EXISTS bench_meta (
    id integer PRIMARY KEY CHECK (id = 1), dataset jsonb NOT NULL, loaded_at timestamptz NOT NULL DEFAULT now())`);
  const found = await pool.query<{ dataset: DatasetMeta }>("SELECT dataset FROM bench_meta WHERE id = 1");
  const meta = found.rows[0]?.dataset;
  const rows = await countQuestions(pool);
  if (!options.reload && meta && meta.version === DATASET_VERSION && meta.questions === options.questions && meta.days === options.days
    && meta.seed === options.seed && meta.rows === rows) {
    return { meta, reused: true };
  }
  if (meta) say(`stored dataset (${fmt(meta.rows)} rows, ${meta.days} days, version ${meta.version}) does not match the options${options.reload ? " (--reload)" : ""}: loading again`);
  if (!db.dedicated && rows > 0 && !meta && !options.reload) {
    throw new Error(`DATABASE_URL holds ${fmt(rows)} questions that this benchmark did not load; it would replace them: pass --reload to confirm, or unset DATABASE_URL`);
  }
  return { meta: await load(db, options, say), reused: false };
}

async function countQuestions(pool: pg.Pool): Promise<number> {
  const { rows } = await pool.query<{ n: string }>("SELECT count(*) AS n FROM bot_questions");
  return Number(rows[0]?.n ?? 0);
}

interface IndexDef {
  name: string;
  def: string;
}

async function load(db: BenchDatabase, options: LoadOptions, say: Say): Promise<DatasetMeta> {
  const { pool } = db;
  const timings: Record<string, number> = {};
  const step = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    const result = await fn();
    timings[name] = (performance.now() - t0) / 1000;
    say(`  ${name.padEnd(22)} ${timings[name]!.toFixed(1).padStart(7)} s`);
    return result;
  };
  const started = performance.now();
  // A round minute: ranges ending at the data's end then fall mid-hour, like "the last 24 hours" at 10:37.
  const endMs = Math.floor(Date.now() / 60_000) * 60_000 - 23 * 60_000;
  const startMs = endMs - options.days * DAY_MS;
  say(`loading ${fmt(options.questions)} questions over ${options.days} days ending ${new Date(endMs).toISOString()}`);

  await step("truncate", () => pool.query(`TRUNCATE bot_questions, conversations, question_rollups, question_user_days,
    question_fingerprint_days, question_groups, bench_meta`));
  await step("partitions", () => pool.query("SELECT ensure_time_partitions('bot_questions', 'month', $1, $2)", [new Date(startMs), new Date(endMs)]));
  // Bulk load as one would: secondary indexes dropped during COPY and built once after, with the
  // definitions the migrations gave them. The definitions are kept in a table until they are built
  // again, so a run interrupted in between still restores them.
  await pool.query("CREATE TABLE IF NOT EXISTS bench_dropped_indexes (name text PRIMARY KEY, def text NOT NULL)");
  await pool.query(`INSERT INTO bench_dropped_indexes (name, def)
    SELECT i.relname, replace(pg_get_indexdef(i.oid), ' ON ONLY ', ' ON ')
    FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
    WHERE x.indrelid = 'bot_questions'::regclass AND NOT x.indisprimary
    ON CONFLICT (name) DO NOTHING`);
  const indexes = await pool.query<IndexDef>("SELECT name, def FROM bench_dropped_indexes ORDER BY name");
  await step("drop indexes", async () => {
    for (const ix of indexes.rows) await pool.query(`DROP INDEX IF EXISTS ${ix.name}`);
  });

  const generator = new DatasetGenerator({ questions: options.questions, days: options.days, endMs, seed: options.seed });
  await step("copy questions", () => copyChunks(pool, `COPY bot_questions (${QUESTION_COPY_COLUMNS.join(", ")}) FROM STDIN`, generator.questionChunks(), 2));
  await step("copy conversations", () => copyChunks(pool, `COPY conversations (${CONVERSATION_COPY_COLUMNS.join(", ")}) FROM STDIN`,
    generator.conversationText()[Symbol.iterator](), 1));
  await step("create indexes", () => createIndexes(pool, indexes.rows, say));
  await step("rollups", () => refreshRollups(pool, startMs, endMs));
  await step("regroup questions", () => regroupQuestions(pool));
  await step("vacuum analyze", async () => {
    for (const t of ["bot_questions", "conversations", "question_rollups", "question_user_days", "question_fingerprint_days", "question_groups"]) {
      await pool.query(`VACUUM (ANALYZE) ${t}`);
    }
  });
  timings.total = (performance.now() - started) / 1000;

  const meta: DatasetMeta = {
    version: DATASET_VERSION,
    questions: options.questions,
    days: options.days,
    seed: options.seed,
    endMs,
    rows: await countQuestions(pool),
    conversations: generator.stats.conversations,
    distinctTexts: generator.distinctTexts,
    loadId: randomUUID().slice(0, 8),
    stats: generator.stats,
    timings,
  };
  await pool.query("INSERT INTO bench_meta (id, dataset) VALUES (1, $1)", [JSON.stringify(meta)]);
  return meta;
}

/** COPY text chunks over `connections` connections at once, each pulling the next chunk when its stream has room. */
async function copyChunks(pool: pg.Pool, copySql: string, chunks: Iterator<string>, connections: number): Promise<void> {
  let done = false;
  const next = (): string | null => {
    if (done) return null;
    const r = chunks.next();
    if (r.done) {
      done = true;
      return null;
    }
    return r.value;
  };
  await Promise.all(Array.from({ length: connections }, async () => {
    const client = await pool.connect();
    try {
      await client.query("SET synchronous_commit = off");
      const stream = client.query(copyFrom(copySql));
      const finished = new Promise<void>((resolve, reject) => {
        stream.on("finish", resolve);
        stream.on("error", reject);
      });
      for (let chunk = next(); chunk !== null; chunk = next()) {
        if (!stream.write(chunk)) await Promise.race([once(stream, "drain"), finished]);
      }
      stream.end();
      await finished;
    } finally {
      client.release(true); // its session settings (work_mem, ...) must not reach later users of the pool
    }
  }));
}

/** Builds the dropped indexes again, two at a time (GIN builds use one core each), biggest first. */
async function createIndexes(pool: pg.Pool, indexes: IndexDef[], say: Say): Promise<void> {
  const order = [...indexes].sort((a, b) => Number(b.def.includes("gin")) - Number(a.def.includes("gin")));
  let i = 0;
  await Promise.all([0, 1].map(async () => {
    const client = await pool.connect();
    try {
      await client.query("SET maintenance_work_mem = '1GB'");
      await client.query("SET max_parallel_maintenance_workers = 1");
      for (let ix = order[i++]; ix; ix = order[i++]) {
        const t0 = performance.now();
        await client.query(ix.def);
        await client.query("DELETE FROM bench_dropped_indexes WHERE name = $1", [ix.name]);
        say(`    ${ix.name.padEnd(34)} ${((performance.now() - t0) / 1000).toFixed(1).padStart(7)} s`);
      }
    } finally {
      client.release(true); // its session settings (work_mem, ...) must not reach later users of the pool
    }
  }));
}

/** refresh_question_rollups per calendar month (memory stays bounded), two months at a time. */
async function refreshRollups(pool: pg.Pool, startMs: number, endMs: number): Promise<void> {
  const months: [string, string][] = [];
  const first = new Date(startMs);
  for (let y = first.getUTCFullYear(), m = first.getUTCMonth(); Date.UTC(y, m, 1) <= endMs; m++) {
    const lo = Math.max(startMs, Date.UTC(y, m, 1));
    const hi = Math.min(endMs, Date.UTC(y, m + 1, 1) - DAY_MS);
    months.push([isoDay(lo), isoDay(hi)]);
  }
  let i = 0;
  await Promise.all([0, 1].map(async () => {
    const client = await pool.connect();
    try {
      await client.query("SET work_mem = '256MB'");
      for (let m = months[i++]; m; m = months[i++]) await client.query("SELECT refresh_question_rollups($1::date, $2::date)", m);
    } finally {
      client.release(true); // its session settings (work_mem, ...) must not reach later users of the pool
    }
  }));
}

export interface SizeRow {
  name: string;
  rows: number | null;
  tableBytes: number;
  indexBytes: number;
  indexes: { name: string; bytes: number }[];
}

/** Heap (+TOAST) and index sizes of the tables the readers use; partitions added up. */
export async function tableSizes(pool: pg.Pool): Promise<SizeRow[]> {
  const out: SizeRow[] = [];
  for (const table of ["bot_questions", "conversations", "question_rollups", "question_user_days", "question_fingerprint_days", "question_groups"]) {
    const size = await pool.query<{ table_bytes: string; rows: string }>(`
      SELECT sum(pg_table_size(relid))::bigint AS table_bytes, sum(c.reltuples)::bigint AS rows
      FROM (SELECT relid FROM pg_partition_tree($1::regclass) WHERE isleaf
            UNION SELECT $1::regclass WHERE NOT EXISTS (SELECT 1 FROM pg_partition_tree($1::regclass) WHERE NOT isleaf)) t
      JOIN pg_class c ON c.oid = t.relid`, [table]);
    const idx = await pool.query<{ name: string; bytes: string }>(`
      SELECT i.relname AS name, coalesce((SELECT sum(pg_relation_size(p.relid)) FROM pg_partition_tree(i.oid) p), pg_relation_size(i.oid))::bigint AS bytes
      FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid WHERE x.indrelid = $1::regclass ORDER BY 2 DESC`, [table]);
    const indexes = idx.rows.map((r) => ({ name: r.name, bytes: Number(r.bytes ?? 0) }));
    out.push({
      name: table,
      rows: Number(size.rows[0]?.rows ?? 0),
      tableBytes: Number(size.rows[0]?.table_bytes ?? 0),
      indexBytes: indexes.reduce((s, r) => s + r.bytes, 0),
      indexes,
    });
  }
  return out;
}

function isoDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export function fmt(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}
