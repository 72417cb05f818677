import { checkRange, type TimeRange } from "./input";
import { run, sql, type Queryable } from "./sql";

/** What the alert rules on ingestion read: freshness and failures, in one round trip. */
export interface IngestHealth {
  /** The newest log entry stored (end of the newest file done), null before the first file. */
  newestEntryAtMs: number | null;
  /** nowMs minus newestEntryAtMs, in seconds (never negative); null before the first file. */
  lagSeconds: number | null;
  /** Files whose last attempt failed within the range (their ledger row was updated then). */
  failedInRange: number;
  /** Files marked failed in the ledger, whenever they failed. */
  failedTotal: number;
}

/**
 * Ingest freshness and failures for alerting (packages/alerts): the lag is
 * measured like readIngestionStatus's (newest stored entry, not newest file
 * listed), and a failed file counts in the range of its last failed attempt,
 * so a rule on "files failed in the last hour" resolves on its own once the
 * failures stop, while failedTotal still shows what is left to fix.
 */
export async function readIngestHealth(db: Queryable, range: TimeRange, nowMs: number): Promise<IngestHealth> {
  const { fromMs, toMs } = checkRange(range);
  const [row] = await run<{ newest: Date | null; failed_in_range: string; failed_total: string }>(db, sql`SELECT
      (SELECT max(last_entry_at) FROM ingest_files WHERE status = 'done') AS newest,
      (SELECT count(*) FROM ingest_files WHERE status = 'failed' AND updated_at >= ${new Date(fromMs)} AND updated_at < ${new Date(toMs)}) AS failed_in_range,
      (SELECT count(*) FROM ingest_files WHERE status = 'failed') AS failed_total`);
  const newest = row?.newest?.getTime() ?? null;
  return {
    newestEntryAtMs: newest,
    lagSeconds: newest === null ? null : Math.max(0, Math.round((nowMs - newest) / 1000)),
    failedInRange: Number(row?.failed_in_range ?? 0),
    failedTotal: Number(row?.failed_total ?? 0),
  };
}
