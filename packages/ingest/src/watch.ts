import type { Pool } from "pg";
import { runIngest, type IngestRunOptions, type IngestSummary } from "./pipeline";

export interface WatchOptions {
  /** Time between the end of one run and the next listing. */
  intervalMs: number;
  /** Aborting stops the loop after the files in hand (or at once while waiting). */
  signal: AbortSignal;
  /** Called after every run (progress, logs). */
  onRun?: (run: IngestSummary, total: IngestSummary) => void;
  /** Called before every run: lets the caller show progress for it. */
  beforeRun?: () => Partial<Pick<IngestRunOptions, "onPlan" | "onFile">>;
}

export function emptySummary(): IngestSummary {
  return {
    files: { seen: 0, ingested: 0, skipped: 0, failed: 0 },
    entries: { read: 0, stored: 0, rejected: 0 },
    questions: 0,
    seconds: 0,
    failedFiles: [],
  };
}

/** Adds one run to a running total (a watch session's summary). */
export function addRun(total: IngestSummary, run: IngestSummary): void {
  total.files.seen = run.files.seen;
  total.files.ingested += run.files.ingested;
  total.files.failed += run.files.failed;
  total.files.skipped = Math.max(0, total.files.seen - total.files.ingested - total.files.failed);
  total.entries.read += run.entries.read;
  total.entries.stored += run.entries.stored;
  total.entries.rejected += run.entries.rejected;
  total.questions += run.questions;
  total.failedFiles = run.failedFiles;
}

/**
 * Ingest runs one after another: list the source, ingest what is new, wait,
 * again, until the signal aborts. Only the first run re-processes (when
 * asked); later runs pick up new and replaced objects.
 */
export async function watchSource(pool: Pool, run: IngestRunOptions, opts: WatchOptions): Promise<IngestSummary> {
  const total = emptySummary();
  const started = performance.now();
  let first = true;
  while (!opts.signal.aborted) {
    const summary = await runIngest(pool, {
      ...run,
      ...opts.beforeRun?.(),
      reprocess: run.reprocess && first,
      shouldStop: () => opts.signal.aborted || (run.shouldStop?.() ?? false),
    });
    first = false;
    addRun(total, summary);
    opts.onRun?.(summary, total);
    if (opts.signal.aborted) break;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, opts.intervalMs);
      opts.signal.addEventListener("abort", done, { once: true });
      function done(): void {
        clearTimeout(timer);
        opts.signal.removeEventListener("abort", done);
        resolve();
      }
    });
  }
  total.seconds = Math.round((performance.now() - started) / 10) / 100;
  return total;
}
