import { run, sql, type Queryable } from "./sql";

export interface IngestionStatus {
  files: { pending: number; done: number; failed: number; skipped: number };
  /** The newest file stored (by the time in its key). */
  lastFileKey: string | null;
  lastFileAtMs: number | null;
  /** When a file was last stored. */
  lastIngestedAtMs: number | null;
  /** How far the newest stored log entry is behind now, in seconds: how fresh the dashboard is. */
  lagSeconds: number | null;
  /** Entries stored per minute over the last hour (zero-filled), oldest first. */
  entriesPerMinute: { startMs: number; count: number }[];
  /** Files that failed, newest first (at most 50), with why. */
  failedFiles: { key: string; error: string | null; attempts: number; updatedAtMs: number }[];
}

/** The ingestion page: the ledger's state, freshness and throughput. */
export async function readIngestionStatus(db: Queryable, nowMs = Date.now()): Promise<IngestionStatus> {
  const hourAgo = Math.floor(nowMs / 60_000) * 60_000 - 59 * 60_000;
  const [counts, last, perMinute, failed] = await Promise.all([
    run<{ status: string; n: string }>(db, sql`SELECT status, count(*) AS n FROM ingest_files GROUP BY status`),
    run<{ key: string | null; key_time: Date | null; finished: Date | null; newest: Date | null }>(db, sql`SELECT
        (SELECT key FROM ingest_files WHERE status = 'done' ORDER BY key_time DESC NULLS LAST, key DESC LIMIT 1) AS key,
        (SELECT max(key_time) FROM ingest_files WHERE status = 'done') AS key_time,
        (SELECT max(finished_at) FROM ingest_files WHERE status = 'done') AS finished,
        (SELECT max(last_entry_at) FROM ingest_files WHERE status = 'done') AS newest`),
    run<{ minute: Date; n: string }>(db, sql`SELECT date_trunc('minute', finished_at) AS minute, sum(entries_stored) AS n
        FROM ingest_files WHERE status = 'done' AND finished_at >= ${new Date(hourAgo)} GROUP BY 1`),
    run<{ key: string; error: string | null; attempts: number; updated_at: Date }>(db, sql`SELECT key, error, attempts, updated_at
        FROM ingest_files WHERE status = 'failed' ORDER BY updated_at DESC LIMIT 50`),
  ]);
  const byStatus = Object.fromEntries(counts.map((r) => [r.status, Number(r.n)]));
  const minutes = new Map(perMinute.map((r) => [r.minute.getTime(), Number(r.n)]));
  const l = last[0];
  return {
    files: { pending: byStatus.pending ?? 0, done: byStatus.done ?? 0, failed: byStatus.failed ?? 0, skipped: byStatus.skipped ?? 0 },
    lastFileKey: l?.key ?? null,
    lastFileAtMs: l?.key_time?.getTime() ?? null,
    lastIngestedAtMs: l?.finished?.getTime() ?? null,
    lagSeconds: l?.newest ? Math.max(0, Math.round((nowMs - l.newest.getTime()) / 1000)) : null,
    entriesPerMinute: Array.from({ length: 60 }, (_, i) => {
      const startMs = hourAgo + i * 60_000;
      return { startMs, count: minutes.get(startMs) ?? 0 };
    }),
    failedFiles: failed.map((f) => ({ key: f.key, error: f.error, attempts: f.attempts, updatedAtMs: f.updated_at.getTime() })),
  };
}
