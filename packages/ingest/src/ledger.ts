import type { Pool, PoolClient } from "pg";

/**
 * The file ledger (table ingest_files): one row per object of a source, the
 * record of what was ingested. Exactly-once rests on one rule: a file is
 * claimed (FOR UPDATE SKIP LOCKED) by the transaction that stores its rows
 * and marks it done, so there is never a committed claim to expire; a dead
 * worker's claim ends with its connection.
 */

export type FileStatus = "pending" | "done" | "failed" | "skipped";

export interface LedgerFile {
  id: number;
  source: string;
  key: string;
  etag: string | null;
  sizeBytes: number | null;
  keyTimeMs: number | null;
  status: FileStatus;
  attempts: number;
  /** Set once the file was stored: its old rows must be replaced on re-ingest. */
  entriesStored: number | null;
  firstEntryAtMs: number | null;
  lastEntryAtMs: number | null;
}

/** What a run selects: the same filter bounds listing, re-queueing and claiming. */
export interface FileFilter {
  prefix?: string | undefined;
  sinceMs?: number | undefined;
  untilMs?: number | undefined;
}

export interface ObjectToRegister {
  key: string;
  etag: string;
  size: number;
  keyTimeMs: number | null;
}

const FILE_COLUMNS = `id, source, key, etag, size_bytes, key_time, status, attempts, entries_stored, first_entry_at, last_entry_at`;

interface FileRow {
  id: string;
  source: string;
  key: string;
  etag: string | null;
  size_bytes: string | null;
  key_time: Date | null;
  status: FileStatus;
  attempts: number;
  entries_stored: number | null;
  first_entry_at: Date | null;
  last_entry_at: Date | null;
}

function toLedgerFile(r: FileRow): LedgerFile {
  return {
    id: Number(r.id),
    source: r.source,
    key: r.key,
    etag: r.etag,
    sizeBytes: r.size_bytes === null ? null : Number(r.size_bytes),
    keyTimeMs: r.key_time?.getTime() ?? null,
    status: r.status,
    attempts: r.attempts,
    entriesStored: r.entries_stored,
    firstEntryAtMs: r.first_entry_at?.getTime() ?? null,
    lastEntryAtMs: r.last_entry_at?.getTime() ?? null,
  };
}

/** SQL conditions (and their values, from $offset+1) for a FileFilter on table alias f. */
function filterSql(filter: FileFilter, offset: number): { sql: string; values: unknown[] } {
  const parts: string[] = [];
  const values: unknown[] = [];
  if (filter.prefix) {
    values.push(filter.prefix);
    parts.push(`left(f.key, length($${offset + values.length})) = $${offset + values.length}`);
  }
  if (filter.sinceMs !== undefined) {
    values.push(new Date(filter.sinceMs));
    parts.push(`f.key_time >= $${offset + values.length}`);
  }
  if (filter.untilMs !== undefined) {
    values.push(new Date(filter.untilMs));
    parts.push(`f.key_time < $${offset + values.length}`);
  }
  return { sql: parts.length ? ` AND ${parts.join(" AND ")}` : "", values };
}

/**
 * Records listed objects. New keys become pending; a known key whose etag
 * changed (the object was replaced) goes back to pending, and its old rows
 * are replaced when it is ingested again. Files dropped by retention stay
 * dropped. Returns how many were new and how many changed.
 */
export async function registerObjects(
  pool: Pool,
  source: string,
  objects: ObjectToRegister[],
): Promise<{ added: number; changed: number }> {
  if (objects.length === 0) return { added: 0, changed: 0 };
  const { rows } = await pool.query<{ inserted: boolean }>(
    {
      name: "ledger-register",
      text: `
      INSERT INTO ingest_files AS f (source, key, etag, size_bytes, key_time)
      SELECT $1, o.key, o.etag, o.size, o.key_time
      FROM unnest($2::text[], $3::text[], $4::bigint[], $5::timestamptz[]) AS o(key, etag, size, key_time)
      ON CONFLICT (source, key) DO UPDATE
        SET etag = excluded.etag, size_bytes = excluded.size_bytes, key_time = excluded.key_time,
            status = 'pending', attempts = 0, error = NULL, updated_at = now()
        WHERE f.etag IS DISTINCT FROM excluded.etag AND f.dropped_at IS NULL
      RETURNING (xmax = 0) AS inserted`,
      values: [
        source,
        objects.map((o) => o.key),
        objects.map((o) => o.etag),
        objects.map((o) => o.size),
        objects.map((o) => (o.keyTimeMs === null ? null : new Date(o.keyTimeMs))),
      ],
    },
  );
  const added = rows.filter((r) => r.inserted).length;
  return { added, changed: rows.length - added };
}

/**
 * Closes the attempts that workers died in (never finished) of files put back
 * in the queue on purpose (--reprocess, --retry-failed): otherwise they still
 * count as crashes, and failCrashLoopingFiles gives the file up again at
 * once. A file that is not locked has no live worker, so its open attempts
 * are dead ones. To be used in a WITH whose `requeued` yields the file ids.
 */
function closeDeadAttempts(when = "true"): string {
  return `closed AS (
       UPDATE ingest_attempts a SET finished_at = now(), outcome = 'failed', error = 'worker stopped before finishing'
       WHERE ${when} AND a.file_id IN (SELECT id FROM requeued) AND a.finished_at IS NULL)`;
}

/** Puts every selected file that is not in flight back to pending (--reprocess). */
export async function requeue(pool: Pool, source: string, filter: FileFilter): Promise<number> {
  const f = filterSql(filter, 1);
  const { rows } = await pool.query<{ n: string }>(
    `WITH requeued AS (
       UPDATE ingest_files SET status = 'pending', attempts = 0, error = NULL, updated_at = now()
       WHERE id IN (SELECT f.id FROM ingest_files f
                    WHERE f.source = $1 AND f.dropped_at IS NULL AND f.status <> 'skipped'${f.sql}
                    FOR UPDATE SKIP LOCKED)
       RETURNING id), ${closeDeadAttempts()}
     SELECT count(*) AS n FROM requeued`,
    [source, ...f.values],
  );
  return Number(rows[0]?.n ?? 0);
}

export interface ClaimOptions {
  filter: FileFilter;
  /** A file whose worker died on it this often is not claimed again (see failCrashLoopingFiles). */
  maxAttempts: number;
}

/** Which files a claim takes: a batch of small ones, or one large (streamed) file, or one given file. */
export type ClaimShape =
  | { kind: "small"; limit: number; maxBytes: number }
  | { kind: "large"; maxBytes: number }
  | { kind: "file"; fileId: number };

/**
 * Claims files to ingest inside the caller's open transaction (empty when
 * none is left). The rows stay locked until that transaction ends. NO KEY
 * UPDATE (not UPDATE): it still excludes other claimers, but lets the
 * attempt rows' foreign key checks through.
 */
export async function claimFiles(client: PoolClient, source: string, opts: ClaimOptions, shape: ClaimShape): Promise<LedgerFile[]> {
  const values: unknown[] = [source, opts.maxAttempts];
  const param = (v: unknown): string => {
    values.push(v);
    return `$${values.length}`;
  };
  const which =
    shape.kind === "small" ? `f.size_bytes <= ${param(shape.maxBytes)}`
    : shape.kind === "large" ? `(f.size_bytes > ${param(shape.maxBytes)} OR f.size_bytes IS NULL)`
    : `f.id = ${param(shape.fileId)}`;
  const limit = param(shape.kind === "small" ? shape.limit : 1);
  const f = filterSql(opts.filter, values.length);
  values.push(...f.values);
  const { rows } = await client.query<FileRow>(
    `SELECT ${FILE_COLUMNS.split(", ").map((c) => `f.${c}`).join(", ")} FROM ingest_files f
     WHERE f.source = $1 AND f.status = 'pending' AND f.dropped_at IS NULL AND ${which}
       AND (f.key_time IS NULL OR f.key_time >= (SELECT greatest(retention_horizon('log_entries'), retention_horizon('bot_questions'))))
       AND (SELECT count(*) FROM ingest_attempts a WHERE a.file_id = f.id AND a.finished_at IS NULL) < $2
       ${f.sql}
     ORDER BY f.key_time NULLS LAST, f.key
     LIMIT ${limit}
     FOR NO KEY UPDATE OF f SKIP LOCKED`,
    values,
  );
  return rows.map(toLedgerFile);
}

/**
 * Puts failed files back in the queue at the start of a run: those that
 * failed fewer than maxAttempts times, or all of them (--retry-failed).
 * A run tries each file at most once; the limit spans runs.
 */
export async function requeueFailed(pool: Pool, source: string, filter: FileFilter, maxAttempts: number, all: boolean): Promise<number> {
  const f = filterSql(filter, 3);
  // Within the limit, a crashed attempt keeps counting (a poison file must not crash every run);
  // --retry-failed (all) forgives them, or a file given up on after crashes could never be retried.
  const { rows } = await pool.query<{ n: string }>(
    `WITH requeued AS (
       UPDATE ingest_files SET status = 'pending', updated_at = now()
       WHERE id IN (SELECT f.id FROM ingest_files f
                    WHERE f.source = $1 AND f.status = 'failed' AND f.dropped_at IS NULL
                      AND ($2::boolean OR f.attempts < $3)${f.sql}
                    FOR UPDATE SKIP LOCKED)
       RETURNING id), ${closeDeadAttempts("$2::boolean")}
     SELECT count(*) AS n FROM requeued`,
    [source, all, maxAttempts, ...f.values],
  );
  return Number(rows[0]?.n ?? 0);
}

/**
 * Gives up on files whose worker died on them too often (an attempt that
 * never finished): they are marked failed so a poison file cannot crash
 * every run forever. --retry-failed tries them again.
 */
export async function failCrashLoopingFiles(pool: Pool, source: string, maxAttempts: number): Promise<number> {
  const res = await pool.query(
    `UPDATE ingest_files f SET status = 'failed', attempts = f.attempts + 1, updated_at = now(),
            error = 'the ingest process stopped (crashed or was killed) while reading this file ' || $2 || ' times'
     WHERE f.id IN (SELECT g.id FROM ingest_files g
                    WHERE g.source = $1 AND g.status = 'pending'
                      AND (SELECT count(*) FROM ingest_attempts a WHERE a.file_id = g.id AND a.finished_at IS NULL) >= $2
                    FOR UPDATE SKIP LOCKED)`,
    [source, maxAttempts],
  );
  return res.rowCount ?? 0;
}

/**
 * Records the start of attempts OUTSIDE the files' transaction, so a crash
 * leaves a trace. Returns the attempt id of each file.
 */
export async function startAttempts(pool: Pool, fileIds: number[], worker: string): Promise<Map<number, number>> {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    await client.query(ASYNC_COMMIT);
    const { rows } = await client.query<{ id: string; file_id: string }>({
      name: "ledger-start-attempts",
      text: `INSERT INTO ingest_attempts (file_id, worker) SELECT unnest($1::bigint[]), $2 RETURNING id, file_id`,
      values: [fileIds, worker],
    });
    await client.query("COMMIT");
    return new Map(rows.map((r) => [Number(r.file_id), Number(r.id)]));
  } catch (err) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

/**
 * Session settings of every ingest transaction (one round trip).
 *
 * Commits do not wait for the WAL flush (a flush costs 10-30 ms on ordinary
 * disks: the difference between 50 and thousands of files a second). This
 * is safe for exactly-once: a commit lost in a database crash loses the
 * file's ledger row update together with its rows, so the file is simply
 * ingested again; nothing is half-stored.
 *
 * No statement timeout: the COPY of a large file is one statement and may
 * rightly take minutes (the pool's default of 30 s is for the API). Lock
 * waits are bounded instead, and a dead client is caught by the server's
 * idle-in-transaction timeout.
 */
export const ASYNC_COMMIT = "SET LOCAL synchronous_commit = off; SET LOCAL statement_timeout = 0; SET LOCAL lock_timeout = '5min'";

/** Counts and time range of what a file held. */
export interface FileStats {
  entriesRead: number;
  entriesStored: number;
  entriesRejected: number;
  questions: number;
  firstEntryAtMs: number | null;
  lastEntryAtMs: number | null;
}

/** A file's stats as the ledger records them when it is done. */
export interface FileResult extends FileStats {
  fileId: number;
  attemptId: number;
  durationMs: number;
}

const toDate = (ms: number | null): Date | null => (ms === null ? null : new Date(ms));

/** Marks files done, in their transaction; also closes attempts of workers that died on them. */
export async function markDone(client: PoolClient, results: FileResult[]): Promise<void> {
  if (results.length === 0) return;
  await client.query({
    name: "ledger-done",
    text: `UPDATE ingest_files f SET status = 'done', attempts = f.attempts + 1, error = NULL,
             entries_read = r.read, entries_stored = r.stored, entries_rejected = r.rejected, questions = r.questions,
             first_entry_at = r.first_at, last_entry_at = r.last_at,
             started_at = now() - make_interval(secs => r.ms / 1000), finished_at = now(), duration_ms = r.ms, updated_at = now()
           FROM unnest($1::bigint[], $2::int[], $3::int[], $4::int[], $5::int[], $6::timestamptz[], $7::timestamptz[], $8::int[])
                AS r(id, read, stored, rejected, questions, first_at, last_at, ms)
           WHERE f.id = r.id`,
    values: [
      results.map((r) => r.fileId), results.map((r) => r.entriesRead), results.map((r) => r.entriesStored),
      results.map((r) => r.entriesRejected), results.map((r) => r.questions),
      results.map((r) => toDate(r.firstEntryAtMs)), results.map((r) => toDate(r.lastEntryAtMs)),
      results.map((r) => Math.round(r.durationMs)),
    ],
  });
  await client.query({
    name: "ledger-close-attempts",
    text: `UPDATE ingest_attempts a SET finished_at = now(),
             outcome = CASE WHEN a.id = ANY($2::bigint[]) THEN 'done' ELSE 'failed' END,
             error = CASE WHEN a.id = ANY($2::bigint[]) THEN NULL ELSE 'worker stopped before finishing' END
           WHERE a.file_id = ANY($1::bigint[]) AND a.finished_at IS NULL`,
    values: [results.map((r) => r.fileId), results.map((r) => r.attemptId)],
  });
}

/** Marks a file failed inside the caller's transaction (a batch goes on without it). */
export async function markFailedIn(client: PoolClient, fileId: number, attemptId: number, error: string, durationMs: number): Promise<void> {
  await client.query(
    `UPDATE ingest_files SET status = 'failed', attempts = attempts + 1, error = $2,
            finished_at = now(), duration_ms = $3, updated_at = now()
     WHERE id = $1`,
    [fileId, error.slice(0, 4000), Math.round(durationMs)],
  );
  await client.query(`UPDATE ingest_attempts SET finished_at = now(), outcome = 'failed', error = $2 WHERE id = $1`, [attemptId, error.slice(0, 4000)]);
}

/** Closes an attempt that was let go without a verdict (the claim was retried). */
export async function abandonAttempt(pool: Pool, attemptId: number, reason: string): Promise<void> {
  await pool.query(`UPDATE ingest_attempts SET finished_at = now(), outcome = 'failed', error = $2 WHERE id = $1`, [attemptId, reason]);
}

/** Records objects the decoder does not read (other formats): visible in the ledger, never ingested. */
export async function registerSkipped(pool: Pool, source: string, objects: ObjectToRegister[], reason: string): Promise<void> {
  if (objects.length === 0) return;
  await pool.query(
    `INSERT INTO ingest_files (source, key, etag, size_bytes, key_time, status, error)
     SELECT $1, o.key, o.etag, o.size, o.key_time, 'skipped', $6
     FROM unnest($2::text[], $3::text[], $4::bigint[], $5::timestamptz[]) AS o(key, etag, size, key_time)
     ON CONFLICT (source, key) DO NOTHING`,
    [
      source,
      objects.map((o) => o.key),
      objects.map((o) => o.etag),
      objects.map((o) => o.size),
      objects.map((o) => (o.keyTimeMs === null ? null : new Date(o.keyTimeMs))),
      reason,
    ],
  );
}

/** Counts of the selected files by status, for a run's summary. */
export async function countByStatus(pool: Pool, source: string, filter: FileFilter): Promise<Record<FileStatus, number>> {
  const f = filterSql(filter, 1);
  const { rows } = await pool.query<{ status: FileStatus; n: string }>(
    `SELECT f.status, count(*) AS n FROM ingest_files f WHERE f.source = $1${f.sql} GROUP BY f.status`,
    [source, ...f.values],
  );
  const out: Record<FileStatus, number> = { pending: 0, done: 0, failed: 0, skipped: 0 };
  for (const r of rows) out[r.status] = Number(r.n);
  return out;
}

/** The selected files that are failed, with their errors (listed at the end of a run). */
export async function failedFiles(pool: Pool, source: string, filter: FileFilter): Promise<{ key: string; error: string | null; attempts: number }[]> {
  const f = filterSql(filter, 1);
  const { rows } = await pool.query<{ key: string; error: string | null; attempts: number }>(
    `SELECT f.key, f.error, f.attempts FROM ingest_files f WHERE f.source = $1 AND f.status = 'failed'${f.sql} ORDER BY f.key_time NULLS LAST, f.key`,
    [source, ...f.values],
  );
  return rows;
}
