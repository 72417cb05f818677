import type { Pool, PoolClient } from "pg";
import type { Logger } from "@log-insights/config";
import {
  claimNext, markDone, markFailed, startAttempt, abandonAttempt,
  type ClaimOptions, type LedgerFile,
} from "./ledger";
import { MissingPartitionError, type PartitionCache } from "./partitions";
import { storeFile, type StoredFile } from "./store-file";
import type { Source } from "./sources";

/** PostgreSQL channel told about every committed file (the API's caches and live updates listen). */
export const INGEST_CHANNEL = "log_insights_ingest";

export type FileOutcome =
  | { status: "done"; file: LedgerFile; stored: StoredFile; durationMs: number }
  | { status: "failed"; file: LedgerFile; error: string; durationMs: number };

export interface WorkerContext {
  pool: Pool;
  source: Source;
  partitions: PartitionCache;
  worker: string;
  claim: ClaimOptions;
  slowAnswerMs: number;
  logger: Logger;
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
  return /Connection terminated|ECONNREFUSED|ECONNRESET|terminating connection|Client has encountered a connection error|timeout exceeded when trying to connect/i.test(msg);
}

function describe(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}

/**
 * Claims and ingests one file in one transaction: the file's rows, its
 * ledger row and the notification commit together or not at all. Returns
 * null when no file is left to claim. Throws only transient database errors.
 */
export async function ingestNextFile(ctx: WorkerContext): Promise<FileOutcome | null> {
  let step = await attemptFile(ctx);
  // A file that needed a new partition was let go; take that very file back
  // (if another worker got it meanwhile, it is theirs and we move on).
  for (let tries = 0; step.kind === "retry" && tries < 20; tries++) {
    step = await attemptFile(ctx, step.fileId);
    if (step.kind === "none") step = await attemptFile(ctx);
  }
  if (step.kind === "retry") throw new Error(`file ${step.fileId} kept needing new partitions`);
  return step.kind === "none" ? null : step.outcome;
}

type Step = { kind: "none" } | { kind: "retry"; fileId: number } | { kind: "outcome"; outcome: FileOutcome };

async function attemptFile(ctx: WorkerContext, onlyFileId?: number): Promise<Step> {
  const client = await ctx.pool.connect();
  let broken: Error | undefined;
  let released = false;
  const release = (): void => {
    if (released) return;
    released = true;
    client.release(broken); // a broken connection is destroyed, not reused
  };
  try {
    await client.query("BEGIN");
    const claim = onlyFileId === undefined ? ctx.claim : { ...ctx.claim, fileId: onlyFileId };
    const file = await claimNext(client, ctx.source.id, claim);
    if (!file) {
      await client.query("COMMIT");
      return { kind: "none" };
    }
    const attemptId = await startAttempt(ctx.pool, file.id, ctx.worker);
    const started = performance.now();
    try {
      const stored = await storeFile(client, file, { source: ctx.source, partitions: ctx.partitions, slowAnswerMs: ctx.slowAnswerMs });
      const durationMs = performance.now() - started;
      await markDone(client, file.id, attemptId, { ...stored, durationMs });
      await client.query(`SELECT pg_notify($1, $2)`, [INGEST_CHANNEL, JSON.stringify({
        source: file.source, key: file.key, fileId: file.id, entries: stored.entriesStored, questions: stored.questions,
        from: stored.firstEntryAtMs === null ? null : new Date(stored.firstEntryAtMs).toISOString(),
        to: stored.lastEntryAtMs === null ? null : new Date(stored.lastEntryAtMs).toISOString(),
      })]);
      await client.query("COMMIT");
      return { kind: "outcome", outcome: { status: "done", file, stored, durationMs } };
    } catch (err) {
      try {
        await client.query("ROLLBACK");
      } catch (rollbackError) {
        broken = rollbackError as Error;
      }
      if (err instanceof MissingPartitionError && !broken) {
        await abandonAttempt(ctx.pool, attemptId, "let go to create a partition, then retried");
        release();
        // A few days around it: a file that reaches back in time usually does so by days.
        await ctx.partitions.ensure(err.timeMs - 3 * 86_400_000, err.timeMs + 3 * 86_400_000);
        return { kind: "retry", fileId: file.id };
      }
      if (broken || isTransientDatabaseError(err)) throw err;
      const durationMs = performance.now() - started;
      const error = describe(err);
      await markFailed(ctx.pool, file.id, attemptId, error, durationMs);
      ctx.logger.warn({ key: file.key, error }, "file failed");
      return { kind: "outcome", outcome: { status: "failed", file, error, durationMs } };
    }
  } catch (err) {
    if (isTransientDatabaseError(err)) broken ??= err as Error;
    throw err;
  } finally {
    release();
  }
}
