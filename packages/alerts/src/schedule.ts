import { setTimeout as sleep } from "node:timers/promises";
import type pg from "pg";
import { createLogger, loadEnv, type Logger } from "@log-insights/config";
import { deliverPending, DEFAULT_MAX_ATTEMPTS, type DeliveryResult } from "./delivery";
import { evaluateRules, type EvaluationResult } from "./evaluate";
import { channelsFrom, describeUrl, type Channel } from "./notify/channels";
import { DEFAULT_RULES_FILE, rulesSource, type RuleSet } from "./rules";

// The worker's alert loop: every ALERT_EVAL_SECONDS it evaluates the rules
// (evaluate.ts: one transaction, outbox rows included), and every few
// seconds it delivers what is due in the outbox (delivery.ts: retries with
// backoff). It runs beside the ingest on its own connections, one at a time,
// never inside an ingest transaction; a failing receiver or database error
// is logged and the loop carries on, so alerts can neither stop nor slow the
// ingest. The API never runs this: it only reads the state.

export interface AlertScheduleOptions {
  /** Stops the loop (and aborts requests in flight, which are retried on the next start). */
  signal?: AbortSignal;
  /** Environment to read the ALERT_* settings from (default process.env); the options below win over it. */
  env?: NodeJS.ProcessEnv;
  rulesFile?: string;
  evalSeconds?: number;
  repeatMinutes?: number;
  /** Channels to notify (default: from the environment, else the rules file's `notifications:`). */
  channels?: Channel[];
  dashboardUrl?: string | null;
  maxAttempts?: number;
  /** First retry delay (default 30 s). */
  backoffMs?: number;
  /** The clock (tests). */
  now?: () => number;
  logger?: Logger;
}

export interface PassResult {
  evaluation: EvaluationResult | null;
  delivery: DeliveryResult | null;
}

export interface AlertSchedule {
  /** Where the rules are read from. */
  rulesFile: string;
  /** One pass now: evaluate (when due, or when `force`), then deliver. Errors are logged, not thrown. */
  runOnce(force?: boolean): Promise<PassResult>;
  /** Resolves when the loop has ended (after the signal aborted or stop()). */
  done: Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts evaluating the alert rules every ALERT_EVAL_SECONDS (default 60) and
 * delivering notifications, until `options.signal` aborts. Resolves once the
 * rules are loaded; rejects (AlertRulesError, ConfigError) when the rules file
 * or an ALERT_* variable is invalid, so a misconfiguration stops the worker
 * at start. A rules file broken later is logged and the last good rules kept.
 */
export async function startAlertSchedule(pool: pg.Pool, options: AlertScheduleOptions = {}): Promise<AlertSchedule> {
  const logger = options.logger ?? createLogger("alerts");
  const env = loadEnv(options.env ?? process.env);
  const now = options.now ?? Date.now;
  const rulesFile = options.rulesFile ?? env.ALERT_RULES_FILE ?? DEFAULT_RULES_FILE;
  const evalMs = (options.evalSeconds ?? env.ALERT_EVAL_SECONDS) * 1000;
  const repeatMs = (options.repeatMinutes ?? env.ALERT_REPEAT_MINUTES) * 60_000;
  const dashboardUrl = options.dashboardUrl !== undefined ? options.dashboardUrl : (env.ALERT_DASHBOARD_URL ?? null);
  const maxAttempts = options.maxAttempts ?? env.ALERT_DELIVERY_ATTEMPTS ?? DEFAULT_MAX_ATTEMPTS;
  const source = rulesSource(rulesFile, (err) => logger.error({ error: err.message }, "the alert rules file is invalid; keeping the previous rules"));
  const first: RuleSet = await source.get();
  const channelsOf = (rules: RuleSet): Channel[] => options.channels ?? channelsFrom(env, rules.channels);
  logger.info(
    { rulesFile, rules: first.rules.length, evalSeconds: evalMs / 1000, channels: channelsOf(first).map((c) => `${c.name} ${describeUrl(c.url)}`) },
    channelsOf(first).length > 0 ? "alerts: evaluating rules" : "alerts: evaluating rules; no notification channel is configured (states and history only)",
  );

  const stopper = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, stopper.signal]) : stopper.signal;
  let lastEvalMs = -Infinity;
  let running: Promise<PassResult> | null = null;

  const pass = async (force: boolean): Promise<PassResult> => {
    const result: PassResult = { evaluation: null, delivery: null };
    let rules = first;
    try {
      rules = await source.get();
    } catch (err) {
      logger.error({ error: (err as Error).message }, "alerts: cannot read the rules file");
    }
    const channels = channelsOf(rules);
    const t = now();
    if (force || t - lastEvalMs >= evalMs) {
      try {
        // Half an interval: with several workers, the first to tick evaluates and the others skip.
        result.evaluation = await evaluateRules(pool, rules.rules, {
          nowMs: t,
          repeatMs,
          channels: channels.map((c) => c.name),
          minIntervalMs: force ? 0 : evalMs / 2,
          logger,
        });
        lastEvalMs = t;
      } catch (err) {
        logger.error({ error: (err as Error).message }, "alerts: evaluation failed; will try again");
      }
    }
    try {
      result.delivery = await deliverPending(pool, {
        channels,
        nowMs: now(),
        dashboardUrl,
        repeatMs,
        maxAttempts,
        ...(options.backoffMs !== undefined ? { backoffMs: options.backoffMs } : {}),
        signal,
        logger,
      });
    } catch (err) {
      logger.error({ error: (err as Error).message }, "alerts: delivery failed; will try again");
    }
    return result;
  };
  // One pass at a time: runOnce() during a scheduled pass waits for it, then runs its own.
  const runOnce = async (force = false): Promise<PassResult> => {
    while (running) await running.catch(() => undefined);
    running = pass(force);
    try {
      return await running;
    } finally {
      running = null;
    }
  };

  // Delivery is due more often than evaluation (retries back off from 30 s).
  const tickMs = Math.min(evalMs, 15_000);
  const done = (async () => {
    while (!signal.aborted) {
      await runOnce();
      try {
        await sleep(tickMs, undefined, { signal, ref: false });
      } catch {
        break;
      }
    }
    logger.info("alerts: stopped");
  })();

  return {
    rulesFile,
    runOnce,
    done,
    stop: async () => {
      stopper.abort();
      await done;
    },
  };
}
