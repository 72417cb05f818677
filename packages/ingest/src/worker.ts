import type { Pool, PoolClient } from "pg";
import { loadErasedUsers, type ErasedUsers } from "@log-insights/auth/erased-users";
import type { Logger } from "@log-insights/config";
import type { PrivacyOptions } from "@log-insights/logs";
import { decodeObject } from "./decode";
import { FileReader, type FileStats } from "./file-reader";
import {
  ASYNC_COMMIT, abandonAttempt, claimFiles, markDone, markFailedIn, startAttempts,
  type ClaimOptions, type FileResult, type LedgerFile,
} from "./ledger";
import { MissingPartitionError, type PartitionCache } from "./partitions";
import { SourceError, type Source } from "./sources";
import { TooLargeToBatchError, readFile, type ReadFile } from "./read-file";
import { copyEntries, deleteFileRows, writeDerivedRows, type DerivedRows } from "./write-rows";

/** PostgreSQL channel told about every committed batch of files (API caches and live updates listen). */
export const INGEST_CHANNEL = "log_insights_ingest";

export type FileOutcome =
  | { status: "done"; file: LedgerFile; stats: FileStats; durationMs: number }
  | { status: "failed"; file: LedgerFile; error: string; durationMs: number }
  /** The source could not be read for now (an outage): left pending, not counted against the file; the run backs off. */
  | { status: "deferred"; file: LedgerFile; error: string; durationMs: number };

export interface BatchLimits {
  /** Small files claimed together in one transaction. */
  files: number;
  /** Files up to this size (bytes as stored) are read into memory and batched; larger ones are streamed alone. */
  maxFileBytes: number;
  /** Files of a batch read from the source at once (hides S3 latency). */
  parallelReads: number;
  /** Decoded bytes a batch may hold (gzip can hide a lot in a small file); files past it are streamed alone. */
  maxDecodedBytes?: number;
}

export const DEFAULT_BATCH: BatchLimits = { files: 32, maxFileBytes: 512 * 1024, parallelReads: 4, maxDecodedBytes: 32 * 1024 * 1024 };

export interface WorkerContext {
  pool: Pool;
  source: Source;
  partitions: PartitionCache;
  worker: string;
  claim: ClaimOptions;
  slowAnswerMs: number;
  batch: BatchLimits;
  logger: Logger;
  /** Shared by the run's workers: when the source started failing with outage errors (null: it works). */
  outage: SourceOutageClock;
  /** Personal data masking and the client address mode (PRIVACY_* settings). */
  privacy: PrivacyOptions;
}

/**
 * Why: a short S3 outage (503s for a few seconds, longer than the SDK's own
 * retries) used to fail every file in flight, burning one of its attempts
 * each. Errors that say "the source, not this file" (SourceError code
 * "unavailable": 5xx, throttling, resets, timeouts after the SDK's retries) now leave the file pending and make
 * the run back off, like a database outage does, for up to `maxMs` of
 * continuous outage; past that the run gives up on files as before, so a
 * source that stays down still ends a one-shot run.
 */
export class SourceOutageClock {
  private since: number | null = null;
  constructor(readonly maxMs: number, private readonly now: () => number = Date.now) {}
  /** True when an error of this kind should defer the file rather than fail it. */
  defers(err: unknown): boolean {
    // Only "unavailable": a file replaced while read ("changed") needs the next listing's etag, not a wait.
    if (!(err instanceof SourceError) || err.code !== "unavailable") return false;
    this.since ??= this.now();
    return this.now() - this.since < this.maxMs;
  }
  /** A file was read: the source works. */
  recovered(): void {
    this.since = null;
  }
}

/**
 * Errors that say nothing about the file: the database went away or asked us
 * to retry. The file stays pending (its transaction rolled back) and the
 * worker tries again later instead of marking it failed.
 */
export function isTransientDatabaseError(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | null;
  const code = typeof e?.code === "string" ? e.code : "";
  if (/^(08|57P|53)/.test(code) || code === "40001" || code === "40P01" || code === "55P03") return true;
  const msg = typeof e?.message === "string" ? e.message : "";
  return /Connection terminated|ECONNREFUSED|ECONNRESET|terminating connection|Client has encountered a connection error|timeout exceeded when trying to connect|Connection ended unexpectedly/i.test(msg);
}

function describe(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}

/**
 * Claims and ingests the next files: a batch of small files in one
 * transaction, else one large file streamed in its own. A file's rows, its
 * ledger row and the notification commit together or not at all. Returns
 * null when nothing is left. Throws only transient database errors.
 */
export async function ingestNext(ctx: WorkerContext): Promise<FileOutcome[] | null> {
  const batch = await inTransaction(ctx, async (client) => {
    // Erased investors are skipped; read (under the erasure lock, shared) before any file is claimed: see ERASURE_LOCK.
    const erased = await loadErasedUsers(client);
    const files = await claimFiles(client, ctx.source.id, ctx.claim, { kind: "small", limit: ctx.batch.files, maxBytes: ctx.batch.maxFileBytes });
    return files.length === 0 ? null : await ingestBatch(ctx, client, files, erased);
  });
  if (batch === null) return await ingestLargeFile(ctx);
  if (batch.kind === "outcomes") {
    // Files too large once decoded for the batch were let go (still pending): stream them alone now.
    for (const id of batch.streamAlone) batch.outcomes.push(...((await ingestLargeFile(ctx, id)) ?? []));
    return batch.outcomes;
  }
  // The batch's write failed (a value PostgreSQL refused): take its files one by one to find the culprit.
  const outcomes: FileOutcome[] = [];
  for (const id of batch.fileIds) outcomes.push(...((await ingestLargeFile(ctx, id)) ?? []));
  return outcomes;
}

type BatchResult = { kind: "outcomes"; outcomes: FileOutcome[]; streamAlone: number[] } | { kind: "split"; fileIds: number[] };

/** Runs fn in a transaction on its own connection; a broken connection is destroyed, not reused. */
async function inTransaction<T>(ctx: WorkerContext, fn: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await ctx.pool.connect();
  let broken: Error | undefined;
  // A checked-out client whose connection drops while we are busy elsewhere
  // (reading the source) emits 'error'; unheard, that would crash the
  // process. Noted here, it fails the next query as a transient error.
  const onError = (err: Error): void => {
    broken ??= err;
  };
  client.on("error", onError);
  try {
    await client.query("BEGIN");
    await client.query(ASYNC_COMMIT);
    const result = await fn(client);
    await client.query("COMMIT");
    return result;
  } catch (err) {
    try {
      await client.query("ROLLBACK");
    } catch (rollbackError) {
      broken = rollbackError as Error;
    }
    if (isTransientDatabaseError(err)) broken ??= err as Error;
    throw err;
  } finally {
    client.off("error", onError);
    client.release(broken);
  }
}

async function ingestBatch(ctx: WorkerContext, client: PoolClient, files: LedgerFile[], erased: ErasedUsers): Promise<BatchResult> {
  const attempts = await startAttempts(ctx.pool, files.map((f) => f.id), ctx.worker);
  try {
    return await writeBatch(ctx, client, files, attempts, erased);
  } catch (err) {
    if (isTransientDatabaseError(err)) await closeAttempts(ctx, [...attempts.values()], err);
    throw err;
  }
}

/**
 * Closes attempts cut short by the database going away, when it is back:
 * they are not the file's fault and must not count towards giving up on it.
 * Best effort; an attempt left open counts as one crash.
 */
async function closeAttempts(ctx: WorkerContext, attemptIds: number[], err: unknown): Promise<void> {
  await Promise.allSettled(attemptIds.map((id) => abandonAttempt(ctx.pool, id, `database unavailable: ${describe(err)}`)));
}

async function writeBatch(ctx: WorkerContext, client: PoolClient, files: LedgerFile[], attempts: Map<number, number>, erased: ErasedUsers): Promise<BatchResult> {
  const read: ReadFile[] = [];
  const failed: { file: LedgerFile; error: string; durationMs: number }[] = [];
  const deferred: { file: LedgerFile; error: string; durationMs: number }[] = [];
  const letGo: LedgerFile[] = [];
  const budget = { left: ctx.batch.maxDecodedBytes ?? Infinity };
  await forEachLimited(files, ctx.batch.parallelReads, async (file) => {
    const started = performance.now();
    try {
      read.push(await readFile(ctx.source, file, ctx.slowAnswerMs, ctx.partitions.horizons(), budget, ctx.privacy, erased));
      ctx.outage.recovered();
    } catch (err) {
      if (err instanceof TooLargeToBatchError) letGo.push(file);
      else if (ctx.outage.defers(err)) deferred.push({ file, error: describe(err), durationMs: performance.now() - started });
      else failed.push({ file, error: describe(err), durationMs: performance.now() - started });
    }
  });
  for (const f of letGo) await abandonAttempt(ctx.pool, attempts.get(f.id)!, "too large once decoded for a batch; streamed alone");
  // Left pending (the claim ends with this transaction); the attempt does not count against the file.
  for (const f of deferred) await abandonAttempt(ctx.pool, attempts.get(f.file.id)!, `source unavailable, deferred: ${f.error}`);
  // Partitions are created before this transaction touches log_entries (it holds only ledger rows yet).
  const missing = [
    ...read.flatMap((r) => r.entryDayTimes).filter((t) => !ctx.partitions.has(t, "log_entries")),
    ...read.flatMap((r) => r.questionTimes).filter((t) => !ctx.partitions.has(t, "bot_questions")),
  ];
  if (missing.length > 0) await ctx.partitions.ensureTimes(missing);

  const ok = read.sort((a, b) => a.file.id - b.file.id);
  try {
    await client.query("SAVEPOINT batch_rows");
    const derived: DerivedRows = { questions: [], rejections: [], replacedScopes: [] };
    for (const r of ok) {
      if (r.file.entriesStored !== null) derived.replacedScopes.push(...(await deleteFileRows(client, r.file)));
      derived.questions.push(...r.questions);
      for (const rejection of r.rejections) derived.rejections.push({ fileId: r.file.id, rejection });
    }
    await copyEntries(client, ok.map((r) => r.copyText));
    await writeDerivedRows(client, derived);
    await client.query("RELEASE SAVEPOINT batch_rows");
  } catch (err) {
    if (isTransientDatabaseError(err)) throw err;
    // Roll back the rows (the claims stay) and let the caller retry the files one at a time.
    await client.query("ROLLBACK TO SAVEPOINT batch_rows");
    for (const id of attempts.values()) await abandonAttempt(ctx.pool, id, `batch write failed, retried alone: ${describe(err)}`);
    ctx.logger.warn({ error: describe(err), files: files.length }, "batch write failed; ingesting its files one by one");
    return { kind: "split", fileIds: files.map((f) => f.id) };
  }
  const results: FileResult[] = ok.map((r) => ({
    fileId: r.file.id, attemptId: attempts.get(r.file.id)!, ...r.stats, durationMs: r.durationMs,
  }));
  await markDone(client, results);
  for (const f of failed) await markFailedIn(client, f.file.id, attempts.get(f.file.id)!, f.error, f.durationMs);
  await notify(client, ctx, ok);
  for (const f of failed) ctx.logger.warn({ key: f.file.key, error: f.error }, "file failed");
  return {
    kind: "outcomes",
    streamAlone: letGo.map((f) => f.id),
    outcomes: [
      ...ok.map((r): FileOutcome => ({ status: "done", file: r.file, stats: r.stats, durationMs: r.durationMs })),
      ...failed.map((f): FileOutcome => ({ status: "failed", ...f })),
      ...deferred.map((f): FileOutcome => ({ status: "deferred", ...f })),
    ],
  };
}

/**
 * One large file (or one file of a batch whose write failed), streamed from
 * the source into COPY in its own transaction, so memory does not grow with
 * the file. A row that needs a new partition lets the file go: the
 * partitions are made outside the transaction and the file is tried again.
 */
async function ingestLargeFile(ctx: WorkerContext, fileId?: number): Promise<FileOutcome[] | null> {
  for (let tries = 0; tries < 20; tries++) {
    const step = await inTransaction(ctx, async (client) => {
      const shape = fileId === undefined ? { kind: "large" as const, maxBytes: ctx.batch.maxFileBytes } : { kind: "file" as const, fileId };
      const erased = await loadErasedUsers(client);
      const [file] = await claimFiles(client, ctx.source.id, ctx.claim, shape);
      if (!file) return { kind: "none" as const };
      const attemptId = (await startAttempts(ctx.pool, [file.id], ctx.worker)).get(file.id)!;
      const started = performance.now();
      try {
        await client.query("SAVEPOINT file_rows");
        const derived: DerivedRows = { questions: [], rejections: [], replacedScopes: [] };
        if (file.entriesStored !== null) derived.replacedScopes = await deleteFileRows(client, file);
        const reader = new FileReader(file, ctx.partitions.horizons(), ctx.privacy, erased);
        const stream = await ctx.source.open(file.key, file.etag ? { etag: file.etag } : undefined);
        const check = (t: number): void => ctx.partitions.check(t, "log_entries");
        await copyEntries(client, (async function* () {
          for await (const el of decodeObject(stream, file.key)) {
            const line = reader.accept(el, check);
            if (line !== null) yield line;
          }
        })());
        derived.questions = reader.questions(ctx.slowAnswerMs);
        for (const q of derived.questions) ctx.partitions.check(q.askedAtMs, "bot_questions");
        derived.rejections = reader.rejections.map((rejection) => ({ fileId: file.id, rejection }));
        await writeDerivedRows(client, derived);
        const stats = reader.stats(derived.questions.length);
        const durationMs = performance.now() - started;
        ctx.outage.recovered();
        await markDone(client, [{ fileId: file.id, attemptId, ...stats, durationMs }]);
        await notify(client, ctx, [{ file, stats }]);
        return { kind: "done" as const, outcome: { status: "done" as const, file, stats, durationMs } };
      } catch (err) {
        if (isTransientDatabaseError(err)) {
          await closeAttempts(ctx, [attemptId], err);
          throw err;
        }
        await client.query("ROLLBACK TO SAVEPOINT file_rows");
        const durationMs = performance.now() - started;
        if (err instanceof MissingPartitionError) {
          await abandonAttempt(ctx.pool, attemptId, "let go to create a partition, then retried");
          return { kind: "partition" as const, fileId: file.id, timeMs: err.timeMs };
        }
        const error = describe(err);
        if (ctx.outage.defers(err)) {
          await abandonAttempt(ctx.pool, attemptId, `source unavailable, deferred: ${error}`);
          return { kind: "done" as const, outcome: { status: "deferred" as const, file, error, durationMs } };
        }
        await markFailedIn(client, file.id, attemptId, error, durationMs);
        ctx.logger.warn({ key: file.key, error }, "file failed");
        return { kind: "done" as const, outcome: { status: "failed" as const, file, error, durationMs } };
      }
    });
    if (step.kind === "none") return fileId === undefined ? null : [];
    if (step.kind === "done") return [step.outcome];
    // Outside the transaction now: make the partitions (a few days around: a file that reaches back usually does so by days).
    await ctx.partitions.ensure(step.timeMs - 3 * 86_400_000, step.timeMs + 3 * 86_400_000);
    fileId = step.fileId;
  }
  throw new Error(`file ${fileId} kept needing new partitions`);
}

async function notify(client: PoolClient, ctx: WorkerContext, files: { file: LedgerFile; stats: FileStats }[]): Promise<void> {
  if (files.length === 0) return;
  const firsts = files.map((f) => f.stats.firstEntryAtMs).filter((t): t is number => t !== null);
  const lasts = files.map((f) => f.stats.lastEntryAtMs).filter((t): t is number => t !== null);
  await client.query(`SELECT pg_notify($1, $2)`, [INGEST_CHANNEL, JSON.stringify({
    source: ctx.source.id,
    files: files.length,
    entries: files.reduce((n, f) => n + f.stats.entriesStored, 0),
    questions: files.reduce((n, f) => n + f.stats.questions, 0),
    from: firsts.length ? new Date(Math.min(...firsts)).toISOString() : null,
    to: lasts.length ? new Date(Math.max(...lasts)).toISOString() : null,
  })]);
}

async function forEachLimited<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(Math.max(1, limit), items.length) }, async () => {
    while (next < items.length) await fn(items[next++]!);
  });
  await Promise.all(lanes);
}

