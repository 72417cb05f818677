import type pg from "pg";
import { createLogger, type Logger } from "@log-insights/config";
import { applyRetention, type RetentionPolicy, type RetentionResult } from "./apply";
import { parseRetentionDuration } from "./duration";

export interface RetentionScheduleOptions {
  /** Time between two runs (default one day). */
  intervalMs?: number;
  /** Delay before the first run (default 60 s: after the worker's start-up ingest has begun). */
  firstRunDelayMs?: number;
  logger?: Logger;
  /** Aborting it stops the schedule (a run in progress finishes). */
  signal?: AbortSignal;
  /** Called after each run (tests, metrics). */
  onRun?: (result: RetentionResult | null, error: unknown) => void;
}

export interface RetentionSchedule {
  /** Stops the schedule; resolves when a run in progress has finished. */
  stop(): Promise<void>;
}

const DAY_MS = 86_400_000;

/**
 * Runs applyRetention (for real, not a dry run) shortly after start, then
 * once every intervalMs; runs never overlap, and a failed run is logged and
 * tried again at the next tick. The timers do not keep the process alive.
 * The policy is checked at once: a bad duration throws here, not a day later.
 */
export function startRetentionSchedule(pool: pg.Pool, policy: RetentionPolicy, options: RetentionScheduleOptions = {}): RetentionSchedule {
  const logger = options.logger ?? createLogger("retention");
  const checked: RetentionPolicy = {
    keepEntries: typeof policy.keepEntries === "string" ? parseRetentionDuration(policy.keepEntries, "keepEntries") : policy.keepEntries,
    keepQuestions: typeof policy.keepQuestions === "string" ? parseRetentionDuration(policy.keepQuestions, "keepQuestions") : policy.keepQuestions,
  };
  const intervalMs = Math.max(1, options.intervalMs ?? DAY_MS);
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | null = null;
  let stopped = false;

  const schedule = (delayMs: number): void => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = run().finally(() => {
        running = null;
        schedule(intervalMs);
      });
    }, delayMs);
    timer.unref();
  };
  const run = async (): Promise<void> => {
    try {
      const result = await applyRetention(pool, checked, { dryRun: false, logger });
      options.onRun?.(result, null);
    } catch (err) {
      logger.error({ error: err instanceof Error ? err.message : String(err) }, "retention failed; trying again at the next run");
      options.onRun?.(null, err);
    }
  };
  const stop = async (): Promise<void> => {
    stopped = true;
    if (timer) clearTimeout(timer);
    await running;
  };
  if (options.signal?.aborted) stopped = true;
  options.signal?.addEventListener("abort", () => void stop(), { once: true });
  schedule(Math.max(0, options.firstRunDelayMs ?? 60_000));
  return { stop };
}
