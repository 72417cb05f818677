import { hostname } from "node:os";
import type { Pool } from "pg";
import { compactRollups, markFilesBeyondRetention, needsRegroup, regroupQuestions } from "@log-insights/store";
import type { Logger } from "@log-insights/config";
import { DEFAULT_PRIVACY, resolvePrivacy, type PrivacyOptions } from "@log-insights/logs";
import {
  countByStatus, failCrashLoopingFiles, failedFiles, registerObjects, registerSkipped, requeue, requeueFailed,
  type FileFilter, type ObjectToRegister,
} from "./ledger";
import { PartitionCache } from "./partitions";
import type { Source } from "./sources";
import { DEFAULT_BATCH, SourceOutageClock, ingestNext, isTransientDatabaseError, type BatchLimits, type FileOutcome, type WorkerContext } from "./worker";

/** Continuous source outage a run rides out (files left pending, backing off) before it fails files as before. */
export const DEFAULT_SOURCE_OUTAGE_MS = 120_000;

export interface IngestRunOptions {
  source: Source;
  filter: FileFilter;
  concurrency: number;
  reprocess: boolean;
  retryFailed: boolean;
  maxAttempts: number;
  slowAnswerMs: number;
  logger: Logger;
  /** Called after every file (progress display). */
  onFile?: (outcome: FileOutcome, totals: IngestSummary) => void;
  /** Called once the listing is done, with the number of files to ingest. */
  onPlan?: (pending: number) => void;
  /** How files are grouped into transactions (defaults: DEFAULT_BATCH). */
  batch?: BatchLimits;
  /** Rebuild the common-question groups after the run when questions were stored (default true). */
  regroup?: boolean;
  /** Checked between files: when it returns true, workers stop after the file in hand. */
  shouldStop?: () => boolean;
  /** How long a continuous source outage is waited out (default DEFAULT_SOURCE_OUTAGE_MS). */
  sourceOutageMs?: number;
  /** Personal data masking and the client address mode (default: masked, truncated; the CLI passes privacyFromEnv). */
  privacy?: PrivacyOptions;
}

/** The run's result; `--json` prints exactly this shape. */
export interface IngestSummary {
  files: { seen: number; ingested: number; skipped: number; failed: number };
  entries: { read: number; stored: number; rejected: number };
  questions: number;
  seconds: number;
  /** Selected files that are failed after the run (this run's and earlier ones'), with the error. */
  failedFiles: { key: string; error: string | null; attempts: number }[];
  /** Files skipped because their key time is before the retention horizon (rows dropped); part of files.skipped. Set when above 0. */
  beyondRetention?: number;
}

const LIST_BATCH = 1000;

/** Lists the source into the ledger: new and replaced objects become pending. */
export async function discover(pool: Pool, source: Source, filter: FileFilter): Promise<{ seen: number; unsupported: number }> {
  let seen = 0;
  let unsupported = 0;
  let batch: ObjectToRegister[] = [];
  let skipped: ObjectToRegister[] = [];
  const flush = async (): Promise<void> => {
    await registerObjects(pool, source.id, batch);
    await registerSkipped(pool, source.id, skipped, "not a log file format the ingestor reads");
    batch = [];
    skipped = [];
  };
  for await (const o of source.list(filter)) {
    seen++;
    const row = { key: o.key, etag: o.etag, size: o.size, keyTimeMs: o.keyTimeMs };
    if (o.kind === "log") batch.push(row);
    else {
      unsupported++;
      skipped.push(row);
    }
    if (batch.length + skipped.length >= LIST_BATCH) await flush();
  }
  await flush();
  return { seen, unsupported };
}

/** Creates up front the partitions that the pending files' key times point at (±1 day). */
async function preparePartitions(pool: Pool, partitions: PartitionCache, sourceId: string): Promise<void> {
  const { rows } = await pool.query<{ lo: Date | null; hi: Date | null }>(
    `SELECT min(key_time) AS lo, max(key_time) AS hi FROM ingest_files WHERE source = $1 AND status IN ('pending', 'failed')`,
    [sourceId],
  );
  const lo = rows[0]?.lo;
  const hi = rows[0]?.hi;
  await partitions.load();
  if (lo && hi) await partitions.ensure(lo.getTime() - 86_400_000, hi.getTime() + 86_400_000);
}

/**
 * One ingest run: list the source into the ledger, then let `concurrency`
 * workers claim and ingest files until none is left. Files that fail are
 * recorded and the run goes on; transient database errors make a worker
 * wait and try again.
 */
export async function runIngest(pool: Pool, opts: IngestRunOptions): Promise<IngestSummary> {
  const started = performance.now();
  const { source, filter, logger } = opts;
  const privacy = opts.privacy ?? DEFAULT_PRIVACY;
  resolvePrivacy(privacy); // a hash mode without a key fails here, before any file is claimed
  const listed = await discover(pool, source, filter);
  if (opts.reprocess) await requeue(pool, source.id, filter);
  else await requeueFailed(pool, source.id, filter, opts.maxAttempts, opts.retryFailed);
  await failCrashLoopingFiles(pool, source.id, opts.maxAttempts);
  // Files from before the retention horizon stay out, even replaced or --reprocess'd: their days were dropped (and their rollups kept).
  const beyondRetention = (await markFilesBeyondRetention(pool, source.id)).skipped;
  if (beyondRetention > 0) logger.info({ files: beyondRetention }, "files older than the retention horizon skipped");

  const partitions = new PartitionCache(pool);
  await preparePartitions(pool, partitions, source.id);

  const summary: IngestSummary = {
    files: { seen: listed.seen, ingested: 0, skipped: 0, failed: 0 },
    entries: { read: 0, stored: 0, rejected: 0 },
    questions: 0,
    seconds: 0,
    failedFiles: [],
    ...(beyondRetention > 0 ? { beyondRetention } : {}),
  };
  const before = await countByStatus(pool, source.id, filter);
  opts.onPlan?.(before.pending);

  const ctx: WorkerContext = {
    pool,
    source,
    partitions,
    worker: `${hostname()}:${process.pid}`,
    claim: { filter, maxAttempts: opts.maxAttempts },
    slowAnswerMs: opts.slowAnswerMs,
    batch: opts.batch ?? DEFAULT_BATCH,
    logger,
    outage: new SourceOutageClock(opts.sourceOutageMs ?? DEFAULT_SOURCE_OUTAGE_MS),
    privacy,
  };

  const record = (outcome: FileOutcome): void => {
    if (outcome.status === "done") {
      summary.files.ingested++;
      summary.entries.read += outcome.stats.entriesRead;
      summary.entries.stored += outcome.stats.entriesStored;
      summary.entries.rejected += outcome.stats.entriesRejected;
      summary.questions += outcome.stats.questions;
      logger.info({ key: outcome.file.key, entries: outcome.stats.entriesStored, rejected: outcome.stats.entriesRejected,
        questions: outcome.stats.questions, ms: Math.round(outcome.durationMs) }, "file ingested");
    } else if (outcome.status === "failed") {
      summary.files.failed++;
    } else {
      return; // deferred: still pending, taken again after the back-off
    }
    opts.onFile?.(outcome, summary);
  };

  const compactAfterBatch = async (): Promise<void> => {
    try {
      await compactRollups(pool, { wait: false });
    } catch (err) {
      // Readers add the parts up: a merge put off changes no answer, and the end of the run merges again.
      if (!isTransientDatabaseError(err)) throw err;
      logger.warn({ error: (err as Error).message }, "rollup merge put off");
    }
  };

  const work = async (): Promise<void> => {
    let backoffMs = 250;
    let sourceBackoffMs = 250;
    while (!opts.shouldStop?.()) {
      let outcomes: FileOutcome[] | null;
      try {
        outcomes = await ingestNext(ctx);
        backoffMs = 250;
      } catch (err) {
        if (!isTransientDatabaseError(err)) throw err;
        logger.warn({ error: (err as Error).message, retryInMs: backoffMs }, "database unavailable, retrying");
        await new Promise((r) => setTimeout(r, backoffMs));
        backoffMs = Math.min(backoffMs * 2, 10_000);
        continue;
      }
      if (!outcomes) return;
      outcomes.forEach(record);
      // Merge the rollup parts this batch appended, off its transaction; skipped while another worker merges.
      if (outcomes.some((o) => o.status === "done")) await compactAfterBatch();
      const deferred = outcomes.filter((o): o is Extract<FileOutcome, { status: "deferred" }> => o.status === "deferred");
      if (deferred.length > 0) {
        logger.warn({ files: deferred.length, error: deferred[0]!.error, retryInMs: sourceBackoffMs }, "source unavailable, retrying");
        await new Promise((r) => setTimeout(r, sourceBackoffMs));
        sourceBackoffMs = Math.min(sourceBackoffMs * 2, 10_000);
      } else {
        sourceBackoffMs = 250;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, opts.concurrency) }, work));
  // Everything committed is merged before the run reports: the rollup tables equal a rebuild from scratch.
  await compactRollups(pool);

  // Common-question groups need every text at once (word rarity), so they are rebuilt after the run, not per file.
  if (opts.regroup !== false && (summary.questions > 0 || (await needsRegroup(pool)))) {
    const grouped = await regroupQuestions(pool);
    logger.info({ fingerprints: grouped.fingerprints, groups: grouped.groups, ms: Math.round(grouped.ms) }, "common questions regrouped");
  }

  summary.files.skipped = Math.max(0, summary.files.seen - summary.files.ingested - summary.files.failed);
  summary.failedFiles = await failedFiles(pool, source.id, filter);
  summary.seconds = Math.round((performance.now() - started) / 10) / 100;
  return summary;
}
