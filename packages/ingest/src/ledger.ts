import type { Pool, PoolClient } from "pg";

/**
 * The file ledger (table ingest_files): one row per object of a source, the
 * record of what was ingested. Exactly-once rests on one rule: a file is
 * claimed (FOR UPDATE SKIP LOCKED) by the transaction that stores its rows
 * and marks it done, so there is never a committed claim to expire; a dead
 * worker's claim ends with its connection.
 */

export type FileStatus = "pending" | "processing" | "done" | "failed" | "skipped";

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

/** Puts every selected file that is not in flight back to pending (--reprocess). */
export async function requeue(pool: Pool, source: string, filter: FileFilter): Promise<number> {
  const f = filterSql(filter, 1);
  const res = await pool.query(
    `UPDATE ingest_files SET status = 'pending', attempts = 0, error = NULL, updated_at = now()
     WHERE id IN (SELECT f.id FROM ingest_files f
                  WHERE f.source = $1 AND f.dropped_at IS NULL AND f.status <> 'skipped'${f.sql}
                  FOR UPDATE SKIP LOCKED)`,
    [source, ...f.values],
  );
  return res.rowCount ?? 0;
}

export interface ClaimOptions {
  filter: FileFilter;
  /** A file whose worker died on it this often is not claimed again (see failCrashLoopingFiles). */
  maxAttempts: number;
  /** Only this file (a retry of a claim that was let go). */
  fileId?: number;
}

/**
 * Claims the next file to ingest inside the caller's open transaction, or
 * returns null when none is left. The row stays locked until that
 * transaction ends.
 */
export async function claimNext(client: PoolClient, source: string, opts: ClaimOptions): Promise<LedgerFile | null> {
  const f = filterSql(opts.filter, 3);
  const { rows } = await client.query<FileRow>(
    `SELECT ${FILE_COLUMNS.split(", ").map((c) => `f.${c}`).join(", ")} FROM ingest_files f
     WHERE f.source = $1 AND f.dropped_at IS NULL AND f.status IN ('pending', 'processing')
       AND ($3::bigint IS NULL OR f.id = $3)
       AND (SELECT count(*) FROM ingest_attempts a WHERE a.file_id = f.id AND a.finished_at IS NULL) < $2
       ${f.sql}
     ORDER BY f.key_time NULLS LAST, f.key
     LIMIT 1
     FOR UPDATE OF f SKIP LOCKED`,
    [source, opts.maxAttempts, opts.fileId ?? null, ...f.values],
  );
  return rows[0] ? toLedgerFile(rows[0]) : null;
}

/**
 * Puts failed files back in the queue at the start of a run: those that
 * failed fewer than maxAttempts times, or all of them (--retry-failed).
 * A run tries each file at most once; the limit spans runs.
 */
export async function requeueFailed(pool: Pool, source: string, filter: FileFilter, maxAttempts: number, all: boolean): Promise<number> {
  const f = filterSql(filter, 3);
  const res = await pool.query(
    `UPDATE ingest_files SET status = 'pending', updated_at = now()
     WHERE id IN (SELECT f.id FROM ingest_files f
                  WHERE f.source = $1 AND f.status = 'failed' AND f.dropped_at IS NULL
                    AND ($2::boolean OR f.attempts < $3)${f.sql}
                  FOR UPDATE SKIP LOCKED)`,
    [source, all, maxAttempts, ...f.values],
  );
  return res.rowCount ?? 0;
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
                    WHERE g.source = $1 AND g.status IN ('pending', 'processing')
                      AND (SELECT count(*) FROM ingest_attempts a WHERE a.file_id = g.id AND a.finished_at IS NULL) >= $2
                    FOR UPDATE SKIP LOCKED)`,
    [source, maxAttempts],
  );
  return res.rowCount ?? 0;
}

/** Records the start of an attempt OUTSIDE the file's transaction, so a crash leaves a trace. */
export async function startAttempt(pool: Pool, fileId: number, worker: string): Promise<number> {
  const { rows } = await pool.query<{ id: string }>(
    { name: "ledger-start-attempt", text: `INSERT INTO ingest_attempts (file_id, worker) VALUES ($1, $2) RETURNING id`, values: [fileId, worker] },
  );
  return Number(rows[0]!.id);
}

export interface FileResult {
  entriesRead: number;
  entriesStored: number;
  entriesRejected: number;
  questions: number;
  firstEntryAtMs: number | null;
  lastEntryAtMs: number | null;
  durationMs: number;
}

/** Marks a file done, in the file's transaction; also closes attempts of workers that died on it. */
export async function markDone(client: PoolClient, fileId: number, attemptId: number, r: FileResult): Promise<void> {
  await client.query({
    name: "ledger-done",
    text: `UPDATE ingest_files SET status = 'done', attempts = attempts + 1, error = NULL,
             entries_read = $2, entries_stored = $3, entries_rejected = $4, questions = $5,
             first_entry_at = $6, last_entry_at = $7, started_at = now() - make_interval(secs => $8::float8 / 1000),
             finished_at = now(), duration_ms = $8, updated_at = now()
           WHERE id = $1`,
    values: [
      fileId, r.entriesRead, r.entriesStored, r.entriesRejected, r.questions,
      r.firstEntryAtMs === null ? null : new Date(r.firstEntryAtMs),
      r.lastEntryAtMs === null ? null : new Date(r.lastEntryAtMs),
      Math.round(r.durationMs),
    ],
  });
  await client.query({
    name: "ledger-close-attempts",
    text: `UPDATE ingest_attempts SET finished_at = now(),
             outcome = CASE WHEN id = $2 THEN 'done' ELSE 'failed' END,
             error = CASE WHEN id = $2 THEN NULL ELSE 'worker stopped before finishing' END
           WHERE file_id = $1 AND finished_at IS NULL`,
    values: [fileId, attemptId],
  });
}

/** Marks a file failed after its transaction was rolled back (the file's rows are gone with it). */
export async function markFailed(pool: Pool, fileId: number, attemptId: number, error: string, durationMs: number): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    await client.query(
      `UPDATE ingest_files SET status = 'failed', attempts = attempts + 1, error = $2,
              finished_at = now(), duration_ms = $3, updated_at = now()
       WHERE id = $1`,
      [fileId, error.slice(0, 4000), Math.round(durationMs)],
    );
    await client.query(
      `UPDATE ingest_attempts SET finished_at = now(), outcome = 'failed', error = $2 WHERE id = $1`,
      [attemptId, error.slice(0, 4000)],
    );
    await client.query("COMMIT");
  } catch (err) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
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
  const out: Record<FileStatus, number> = { pending: 0, processing: 0, done: 0, failed: 0, skipped: 0 };
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
