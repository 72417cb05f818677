import type pg from "pg";
import { createLogger, type Logger } from "@log-insights/config";
import { cutoffBefore, floorTo, parseRetentionDuration, type RetentionDuration } from "./duration";

// Why: raw entries and question rows grow without end; the dashboard's long
// ranges read rollups, which are small. Retention drops WHOLE time
// partitions (a catalog operation: milliseconds, no dead rows, no VACUUM)
// instead of deleting rows, records what it dropped (retention_drops) and
// moves each table's horizon (retention_horizons) so that nothing re-creates
// or rebuilds what was dropped (see migrations/0003_retention.sql).
//
// Concurrency: each transaction takes the advisory lock the partition
// creator takes (`partitions:<table>`), then the parent table's lock, with a
// lock_timeout and a few retries, like ensurePartitions: a long ingest or
// report delays retention, never the other way round for more than the
// timeout.

export type RetentionTable = "log_entries" | "bot_questions";

export interface RetentionPolicy {
  /** How long raw log entries are kept (daily partitions), e.g. "90d". */
  keepEntries: string | RetentionDuration;
  /** How long question rows are kept (monthly partitions), e.g. "2y". */
  keepQuestions: string | RetentionDuration;
}

export interface RetentionOptions {
  /** true: report what would be dropped, change nothing. */
  dryRun: boolean;
  logger?: Logger;
  /** The present, for the cut-offs (default Date.now()). */
  nowMs?: number;
  /** lock_timeout per attempt (default 2000 ms). */
  lockTimeoutMs?: number;
  /** Attempts when a lock could not be had in time (default 5). */
  attempts?: number;
  /** Partitions dropped per transaction (default 50): bounds the locks one transaction holds. */
  batchSize?: number;
}

export interface RetentionPartition {
  table: RetentionTable;
  name: string;
  /** Range of the partition, ISO (from inclusive, to exclusive). */
  from: string;
  to: string;
  /** Planner estimate (reltuples), or an exact count when the partition was never analyzed. */
  rows: number;
  rowsEstimated: boolean;
  /** pg_total_relation_size: table, indexes, TOAST. */
  bytes: number;
}

export interface RetentionTableResult {
  table: RetentionTable;
  /** The duration kept, normalized ("90d"). */
  keep: string;
  /** now - keep: rows before this are past retention. */
  cutoff: string;
  /** The cut-off floored to a partition boundary: every partition ending at or before it goes. */
  horizon: string;
  /** The horizon before this run (null: nothing was ever dropped). */
  previousHorizon: string | null;
  /** Dropped (or, in a dry run, to drop), oldest first. */
  partitions: RetentionPartition[];
  rows: number;
  bytes: number;
  /** Partitions left (in a dry run: that would be left). */
  kept: number;
}

export interface RetentionResult {
  dryRun: boolean;
  at: string;
  tables: Record<RetentionTable, RetentionTableResult>;
  /** Totals over both tables. */
  partitions: number;
  rows: number;
  bytes: number;
  /** Conversations that ended before the questions' horizon (all their questions gone): deleted. */
  conversations: number;
  /** Rejected records (raw text) of files before the entries' horizon: deleted. */
  rejectedRecords: number;
  /** Ledger rows (ingest_files) marked dropped: never ingested again. */
  files: number;
  seconds: number;
}

const TABLES: { table: RetentionTable; unit: "day" | "month"; policy: keyof RetentionPolicy }[] = [
  { table: "log_entries", unit: "day", policy: "keepEntries" },
  { table: "bot_questions", unit: "month", policy: "keepQuestions" },
];
const RETRYABLE = new Set(["55P03", "40P01"]); // lock_not_available, deadlock_detected
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface PartitionRow {
  name: string;
  range_from: Date;
  range_to: Date;
  reltuples: number;
  bytes: string;
}

/** The partitions of `table` whose range ends at or before `horizon`, oldest first (the default partition and unbounded ones never). */
async function partitionsBefore(client: pg.ClientBase, table: RetentionTable, horizon: Date | null, limit: number | null): Promise<PartitionRow[]> {
  const { rows } = await client.query<PartitionRow>(
    `SELECT c.relname AS name, b[1]::timestamptz AS range_from, b[2]::timestamptz AS range_to,
            c.reltuples::float8 AS reltuples, pg_total_relation_size(c.oid) AS bytes
     FROM pg_inherits i
     JOIN pg_class c ON c.oid = i.inhrelid
     CROSS JOIN LATERAL regexp_match(pg_get_expr(c.relpartbound, c.oid), $re$FROM \\('([^']+)'\\) TO \\('([^']+)'\\)$re$) AS b
     WHERE i.inhparent = $1::regclass AND b IS NOT NULL AND ($2::timestamptz IS NULL OR b[2]::timestamptz <= $2)
     ORDER BY 2
     LIMIT $3`,
    [table, horizon, limit],
  );
  return rows;
}

async function describePartition(client: pg.ClientBase, table: RetentionTable, r: PartitionRow): Promise<RetentionPartition> {
  let rows = Math.round(r.reltuples);
  const rowsEstimated = r.reltuples >= 0;
  if (!rowsEstimated) {
    // Never analyzed (new, or autovacuum has not come by): count it.
    const { rows: counted } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${client.escapeIdentifier(r.name)}`);
    rows = Number(counted[0]?.n ?? 0);
  }
  return {
    table, name: r.name, from: r.range_from.toISOString(), to: r.range_to.toISOString(), rows, rowsEstimated, bytes: Number(r.bytes),
  };
}

/** The horizon of each table (null: nothing dropped yet). */
export async function retentionHorizons(db: pg.Pool | pg.ClientBase): Promise<Record<RetentionTable, Date | null>> {
  const { rows } = await db.query<{ table_name: RetentionTable; horizon: Date }>(`SELECT table_name, horizon FROM retention_horizons`);
  const out: Record<RetentionTable, Date | null> = { log_entries: null, bot_questions: null };
  for (const r of rows) out[r.table_name] = r.horizon;
  return out;
}

/** Runs fn in its own transaction with a lock_timeout, again after a lock wait timed out or a deadlock. */
async function lockedTransaction<T>(
  pool: pg.Pool, what: string, lockTimeoutMs: number, attempts: number, fn: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        await client.query("BEGIN");
        // Dropping a partition is quick; what may wait is its lock. Counting a never-analyzed partition may take a while.
        await client.query(`SET LOCAL lock_timeout = ${lockTimeoutMs}; SET LOCAL statement_timeout = 0`);
        const result = await fn(client);
        await client.query("COMMIT");
        return result;
      } catch (err) {
        await client.query("ROLLBACK").catch(() => undefined);
        const code = (err as { code?: string }).code;
        if (code === undefined || !RETRYABLE.has(code)) throw err;
        if (attempt >= attempts) {
          throw new Error(
            `retention: could not lock ${what} within ${lockTimeoutMs} ms, ${attempts} times: a long transaction holds it (see pg_stat_activity)`,
            { cause: err },
          );
        }
        await sleep(100 * 2 ** attempt + Math.random() * 100);
      }
    }
  } finally {
    client.release();
  }
}

function toDuration(v: string | RetentionDuration, name: string): RetentionDuration {
  return typeof v === "string" ? parseRetentionDuration(v, name) : parseRetentionDuration(v.text, name);
}

const later = (a: Date | null, b: Date): Date => (a !== null && a > b ? a : b);

/**
 * Applies the retention policy: drops every partition of log_entries (daily)
 * and bot_questions (monthly) that ends at or before its cut-off (a partition
 * straddling the cut-off is kept), deletes the conversations and rejected
 * records that only dropped rows referred to, and marks the ledger's files
 * before the horizon so they are never ingested again. Rollups
 * (question_rollups, question_user_*, question_fingerprint_days,
 * question_groups) are kept. With dryRun, only reports. Safe beside a
 * running ingest.
 */
export async function applyRetention(pool: pg.Pool, policy: RetentionPolicy, options: RetentionOptions): Promise<RetentionResult> {
  const started = performance.now();
  const logger = options.logger ?? createLogger("retention");
  const nowMs = options.nowMs ?? Date.now();
  const lockTimeoutMs = Math.max(1, Math.round(options.lockTimeoutMs ?? 2_000));
  const attempts = options.attempts ?? 5;
  const batchSize = Math.max(1, options.batchSize ?? 50);
  const durations = {
    keepEntries: toDuration(policy.keepEntries, "--keep-entries"),
    keepQuestions: toDuration(policy.keepQuestions, "--keep-questions"),
  };
  const previous = await retentionHorizons(pool);
  const tables = {} as Record<RetentionTable, RetentionTableResult>;

  for (const { table, unit, policy: key } of TABLES) {
    const keep = durations[key];
    const cutoff = cutoffBefore(keep, nowMs);
    const horizon = new Date(floorTo(unit, cutoff));
    const result: RetentionTableResult = {
      table, keep: keep.text, cutoff: new Date(cutoff).toISOString(), horizon: horizon.toISOString(),
      previousHorizon: previous[table]?.toISOString() ?? null, partitions: [], rows: 0, bytes: 0, kept: 0,
    };
    if (options.dryRun) {
      const client = await pool.connect();
      try {
        for (const r of await partitionsBefore(client, table, horizon, null)) result.partitions.push(await describePartition(client, table, r));
      } finally {
        client.release();
      }
    } else {
      // Batches, oldest first, each listed again under the locks: what is dropped is what is there.
      for (;;) {
        const dropped = await lockedTransaction(pool, table, lockTimeoutMs, attempts, async (client) => {
          await client.query(`SELECT pg_advisory_xact_lock(hashtext('partitions:' || $1::text))`, [table]);
          // The horizon first: from here on no partition before it is created and no rollup before it rebuilt.
          await client.query(
            `INSERT INTO retention_horizons AS h (table_name, horizon, keep) VALUES ($1, $2, $3)
             ON CONFLICT (table_name) DO UPDATE
               SET horizon = greatest(h.horizon, excluded.horizon), updated_at = now(),
                   keep = CASE WHEN excluded.horizon >= h.horizon THEN excluded.keep ELSE h.keep END`,
            [table, horizon, keep.text],
          );
          const batch = await partitionsBefore(client, table, horizon, batchSize);
          if (batch.length === 0) return [];
          await client.query(`LOCK TABLE ${client.escapeIdentifier(table)} IN ACCESS EXCLUSIVE MODE`);
          const out: RetentionPartition[] = [];
          for (const r of batch) {
            const p = await describePartition(client, table, r);
            await client.query(`DROP TABLE ${client.escapeIdentifier(r.name)}`);
            await client.query(
              `INSERT INTO retention_drops (table_name, partition_name, range_from, range_to, rows, bytes) VALUES ($1, $2, $3, $4, $5, $6)`,
              [table, p.name, r.range_from, r.range_to, p.rows, p.bytes],
            );
            out.push(p);
          }
          return out;
        });
        for (const p of dropped) logger.info({ table, partition: p.name, from: p.from, to: p.to, rows: p.rows, bytes: p.bytes }, "retention: partition dropped");
        result.partitions.push(...dropped);
        if (dropped.length < batchSize) break;
      }
    }
    result.rows = result.partitions.reduce((n, p) => n + p.rows, 0);
    result.bytes = result.partitions.reduce((n, p) => n + p.bytes, 0);
    const { rows: left } = await pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_inherits WHERE inhparent = $1::regclass`, [table],
    );
    result.kept = (left[0]?.n ?? 0) - (options.dryRun ? result.partitions.length : 0);
    tables[table] = result;
  }

  // What only dropped rows referred to, up to the horizons in force after this run.
  const entriesHorizon = later(previous.log_entries, new Date(tables.log_entries.horizon));
  const questionsHorizon = later(previous.bot_questions, new Date(tables.bot_questions.horizon));
  const filesHorizon = later(entriesHorizon, questionsHorizon);
  let conversations: number;
  let rejectedRecords: number;
  let files: number;
  if (options.dryRun) {
    conversations = await countOf(pool, `SELECT count(*) AS n FROM conversations WHERE ended_at < $1`, [questionsHorizon]);
    rejectedRecords = await countOf(
      pool, `SELECT count(*) AS n FROM rejected_records r JOIN ingest_files f ON f.id = r.file_id WHERE f.key_time < $1`, [entriesHorizon],
    );
    files = await countOf(pool, `SELECT count(*) AS n FROM ingest_files WHERE key_time < $1 AND dropped_at IS NULL`, [filesHorizon]);
  } else {
    // A conversation ending before the horizon has lost every question; one straddling it is kept.
    conversations = await lockedTransaction(pool, "conversations", lockTimeoutMs, attempts, async (c) =>
      (await c.query(`DELETE FROM conversations WHERE ended_at < $1`, [questionsHorizon])).rowCount ?? 0);
    rejectedRecords = await lockedTransaction(pool, "rejected_records", lockTimeoutMs, attempts, async (c) =>
      (await c.query(`DELETE FROM rejected_records r USING ingest_files f WHERE r.file_id = f.id AND f.key_time < $1`, [entriesHorizon])).rowCount ?? 0);
    files = (await markFilesBeyondRetention(pool)).marked;
  }

  const all = [...tables.log_entries.partitions, ...tables.bot_questions.partitions];
  const result: RetentionResult = {
    dryRun: options.dryRun,
    at: new Date(nowMs).toISOString(),
    tables,
    partitions: all.length,
    rows: all.reduce((n, p) => n + p.rows, 0),
    bytes: all.reduce((n, p) => n + p.bytes, 0),
    conversations,
    rejectedRecords,
    files,
    seconds: Math.round(performance.now() - started) / 1000,
  };
  logger.info(
    { dryRun: result.dryRun, partitions: result.partitions, rows: result.rows, bytes: result.bytes, conversations, rejectedRecords, files,
      entriesHorizon: tables.log_entries.horizon, questionsHorizon: tables.bot_questions.horizon, seconds: result.seconds },
    options.dryRun ? "retention: dry run" : "retention applied",
  );
  return result;
}

async function countOf(pool: pg.Pool, sql: string, values: unknown[]): Promise<number> {
  const { rows } = await pool.query<{ n: string }>(sql, values);
  return Number(rows[0]?.n ?? 0);
}

/** The reason recorded on a file the ingest will not read because retention dropped its time range. */
export const BEYOND_RETENTION_REASON = "older than the retention horizon: its rows were dropped (retention), so it is not ingested again";

/**
 * Marks the ledger's files whose key time is before the retention horizon
 * (the later of the two tables'): `dropped_at` is set, so neither a changed
 * etag nor --reprocess brings them back; those not ingested yet (pending,
 * failed) become skipped with the reason. Files an ingest holds right now
 * are left for the next call (the ingest calls this at the start of every
 * run, and its claims skip such files anyway). `source` limits it to one source.
 */
export async function markFilesBeyondRetention(pool: pg.Pool, source?: string): Promise<{ marked: number; skipped: number }> {
  const { rows } = await pool.query<{ skipped: boolean }>(
    `UPDATE ingest_files f
     SET dropped_at = now(), updated_at = now(),
         status = CASE WHEN f.status IN ('pending', 'failed') THEN 'skipped' ELSE f.status END,
         error = CASE WHEN f.status IN ('pending', 'failed') THEN $2 ELSE f.error END
     WHERE f.id IN (SELECT g.id FROM ingest_files g
                    WHERE g.key_time < greatest(retention_horizon('log_entries'), retention_horizon('bot_questions'))
                      AND g.dropped_at IS NULL AND ($1::text IS NULL OR g.source = $1)
                    FOR UPDATE SKIP LOCKED)
     RETURNING f.status = 'skipped' AND f.error = $2 AS skipped`,
    [source ?? null, BEYOND_RETENTION_REASON],
  );
  return { marked: rows.length, skipped: rows.filter((r) => r.skipped).length };
}
