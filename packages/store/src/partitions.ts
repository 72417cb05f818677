import type pg from "pg";

// Why: a row whose time has no partition fails its whole COPY, so the ingest
// creates the partitions a file needs *before* its own transaction. Creating
// a partition takes an ACCESS EXCLUSIVE lock on the parent table, which waits
// for every open transaction that touched it (other ingests, long reports)
// and, while waiting, blocks all new queries on it. So: a separate short
// transaction per table, a lock_timeout, and a few retries, instead of an unbounded
// queue behind the lock. ensure_time_partitions (0001_initial.sql) creates
// only what is missing and serialises concurrent callers per table.

export interface PartitionRange {
  /** Earliest row time, ms since epoch (inclusive). */
  fromMs: number;
  /** Latest row time, ms since epoch (inclusive). */
  toMs: number;
}

export interface EnsurePartitionsOptions {
  /** lock_timeout per attempt (default 2000 ms). */
  lockTimeoutMs?: number;
  /** Attempts when the lock could not be had in time (default 5). */
  attempts?: number;
  /** Refuse wider ranges (default 400 days): a bogus timestamp must not create thousands of partitions. */
  maxDays?: number;
}

export interface EnsurePartitionsResult {
  /** Partitions created by this call (0 when all existed). */
  created: number;
}

const DAY_MS = 86_400_000;
const RETRYABLE = new Set(["55P03", "40P01"]); // lock_not_available, deadlock_detected

const TABLES = [
  ["log_entries", "day"],
  ["bot_questions", "month"],
] as const;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function ensureTable(
  client: pg.ClientBase,
  table: string,
  unit: string,
  from: Date,
  to: Date,
  lockTimeoutMs: number,
  attempts: number,
): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    try {
      await client.query("BEGIN");
      await client.query(`SET LOCAL lock_timeout = ${lockTimeoutMs}`);
      const { rows } = await client.query<{ created: number }>(
        "SELECT ensure_time_partitions($1, $2, $3, $4) AS created",
        [table, unit, from, to],
      );
      await client.query("COMMIT");
      return rows[0]?.created ?? 0;
    } catch (err) {
      await client.query("ROLLBACK").catch(() => undefined);
      const code = (err as { code?: string }).code;
      if (code === undefined || !RETRYABLE.has(code)) throw err;
      if (attempt >= attempts) {
        throw new Error(
          `ensurePartitions: could not lock ${table} within ${lockTimeoutMs} ms, ${attempts} times: ` +
            "a long transaction holds it (see pg_stat_activity)",
          { cause: err },
        );
      }
      await sleep(100 * 2 ** attempt + Math.random() * 100);
    }
  }
}

/**
 * Ensures the partitions covering [fromMs, toMs]: daily for log_entries,
 * monthly for bot_questions (UTC). Idempotent and safe to call concurrently.
 * Pass a pool, or a client that is not inside a transaction (this function
 * commits its own).
 */
export async function ensurePartitions(
  db: pg.Pool | pg.PoolClient | pg.Client,
  range: PartitionRange,
  options: EnsurePartitionsOptions = {},
): Promise<EnsurePartitionsResult> {
  const { fromMs, toMs } = range;
  const maxDays = options.maxDays ?? 400;
  if (!Number.isFinite(fromMs) || !Number.isFinite(toMs) || fromMs > toMs) {
    throw new RangeError(`ensurePartitions: invalid range ${fromMs}..${toMs}`);
  }
  if (toMs - fromMs > maxDays * DAY_MS) {
    throw new RangeError(
      `ensurePartitions: ${new Date(fromMs).toISOString()}..${new Date(toMs).toISOString()} spans more than ${maxDays} days; refusing`,
    );
  }
  const isPool = "totalCount" in db;
  const client = isPool ? await db.connect() : db;
  try {
    if (!isPool && client.getTransactionStatus() !== "I") {
      throw new Error("ensurePartitions: the client is inside a transaction; use another connection (it commits its own)");
    }
    const attempts = options.attempts ?? 5;
    const lockTimeoutMs = Math.max(1, Math.round(options.lockTimeoutMs ?? 2_000));
    let created = 0;
    // One transaction per table: never hold one table's lock while waiting for
    // the other's, so an ingest transaction touching both cannot deadlock with us.
    for (const [table, unit] of TABLES) {
      created += await ensureTable(client, table, unit, new Date(fromMs), new Date(toMs), lockTimeoutMs, attempts);
    }
    return { created };
  } finally {
    if (isPool) (client as pg.PoolClient).release();
  }
}
