import type pg from "pg";
import { createLogger, type Logger } from "@log-insights/config";
import { DeliveryError, describeUrl, formatRequest, send, type Channel, type ChannelName } from "./notify/channels";
import type { AlertMessage } from "./notify/message";

// Delivery of the outbox (alert_notifications), outside any transaction that
// writes data: a sender takes one due notification with a short lease
// (FOR UPDATE SKIP LOCKED, so several workers never send the same row at
// once, and no connection or transaction is held while the receiver thinks),
// sends it, and records the result:
// - 2xx: delivered.
// - retryable (5xx, 408, 429, timeout, network): tried again after an
//   exponential backoff (30 s, 1 min, 2 min, … capped at 30 min), until
//   maxAttempts; then failed, with the last error. Nothing is dropped
//   silently: every attempt count and last error is in the table (and in the
//   API, Alert.notifications), and each failure is logged with the receiver's
//   origin (never its full URL: Slack's webhook path is a secret).
// - not retryable (another 4xx, a channel no longer configured): failed at once.
// Per rule and channel the order holds: a notification waits while an older
// one of the same rule and channel is still pending, so a receiver never
// sees "resolved" before the "firing" it resolves.
// A worker killed mid-send leaves the lease to expire and the row is sent
// again (at least once: receivers see at most a duplicate, never a gap).

export interface DeliveryOptions {
  channels: readonly Channel[];
  /** The pass's clock (ms). */
  nowMs: number;
  /** Base URL of the dashboard for links (ALERT_DASHBOARD_URL). */
  dashboardUrl?: string | null;
  /** The repeat interval (Alertmanager's endsAt for firing alerts). */
  repeatMs: number;
  /** Attempts before a notification is given up as failed (default 8: ~1 h of retries). */
  maxAttempts?: number;
  /** First retry delay, doubled each attempt (default 30 s), and its cap (default 30 min). */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** Per-request timeout (default 10 s). */
  timeoutMs?: number;
  /** At most this many notifications per pass (default 100). */
  limit?: number;
  /** Aborts requests in flight (the schedule stopping); their rows are retried later. */
  signal?: AbortSignal;
  logger?: Logger;
}

export interface DeliveryResult {
  delivered: number;
  /** Failed this time, to be tried again. */
  retrying: number;
  /** Given up: status failed. */
  failed: number;
}

interface ClaimedRow {
  id: string;
  rule_id: string;
  channel: ChannelName;
  kind: string;
  payload: AlertMessage;
  attempts: number;
}

export const DEFAULT_MAX_ATTEMPTS = 8;

/** The delay before attempt `attempts + 1`. */
export function backoffDelay(attempts: number, baseMs = 30_000, maxMs = 30 * 60_000): number {
  return Math.min(maxMs, baseMs * 2 ** Math.max(0, attempts - 1));
}

/** Sends every due notification once; never throws for a receiver's failure (only when the database fails). */
export async function deliverPending(pool: pg.Pool, options: DeliveryOptions): Promise<DeliveryResult> {
  const logger = options.logger ?? createLogger("alerts");
  const maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const limit = options.limit ?? 100;
  const now = new Date(options.nowMs);
  const byName = new Map(options.channels.map((c) => [c.name, c]));
  const result: DeliveryResult = { delivered: 0, retrying: 0, failed: 0 };

  for (let i = 0; i < limit && !options.signal?.aborted; i++) {
    const claimed = await pool.query<ClaimedRow>(
      `UPDATE alert_notifications n SET attempts = n.attempts + 1, locked_until = $2, updated_at = $1
       WHERE n.id = (
         SELECT c.id FROM alert_notifications c
         WHERE c.status = 'pending' AND c.next_attempt_at <= $1 AND (c.locked_until IS NULL OR c.locked_until <= $1)
           AND NOT EXISTS (SELECT 1 FROM alert_notifications o
                           WHERE o.status = 'pending' AND o.rule_id = c.rule_id AND o.channel = c.channel AND o.id < c.id)
         ORDER BY c.next_attempt_at, c.id
         LIMIT 1
         FOR UPDATE SKIP LOCKED)
       RETURNING n.id, n.rule_id, n.channel, n.kind, n.payload, n.attempts`,
      [now, new Date(options.nowMs + timeoutMs + 60_000)],
    );
    const row = claimed.rows[0];
    if (!row) break;
    const channel = byName.get(row.channel);
    let error: DeliveryError | null = null;
    if (!channel) {
      error = new DeliveryError(`the ${row.channel} channel is not configured any more`, false);
    } else {
      try {
        const request = formatRequest(channel, row.payload, { dashboardUrl: options.dashboardUrl ?? null, nowMs: options.nowMs, repeatMs: options.repeatMs });
        await send(request, { timeoutMs, ...(options.signal ? { signal: options.signal } : {}) });
      } catch (err) {
        error = err instanceof DeliveryError ? err : new DeliveryError(`${describeUrl(channel.url)}: ${(err as Error).message}`, true);
      }
    }
    const fields = { notification: row.id, rule: row.rule_id, channel: row.channel, kind: row.kind, attempt: row.attempts };
    if (error === null) {
      await pool.query(
        `UPDATE alert_notifications SET status = 'delivered', delivered_at = $2, locked_until = NULL, updated_at = $2 WHERE id = $1`,
        [row.id, now],
      );
      result.delivered++;
      logger.info(fields, "alert notification delivered");
    } else if (error.retryable && row.attempts < maxAttempts && !options.signal?.aborted) {
      const next = options.nowMs + backoffDelay(row.attempts, options.backoffMs, options.maxBackoffMs);
      await pool.query(
        `UPDATE alert_notifications SET next_attempt_at = $2, locked_until = NULL, last_error = $3, updated_at = $4 WHERE id = $1`,
        [row.id, new Date(next), error.message, now],
      );
      result.retrying++;
      logger.warn({ ...fields, error: error.message, retryAt: new Date(next).toISOString() }, "alert notification failed; will retry");
    } else if (options.signal?.aborted) {
      // Stopping: the attempt did not really happen; give it back.
      await pool.query(`UPDATE alert_notifications SET attempts = attempts - 1, locked_until = NULL, updated_at = $2 WHERE id = $1`, [row.id, now]);
      break;
    } else {
      await pool.query(
        `UPDATE alert_notifications SET status = 'failed', locked_until = NULL, last_error = $2, updated_at = $3 WHERE id = $1`,
        [row.id, error.message, now],
      );
      result.failed++;
      logger.error({ ...fields, error: error.message }, "alert notification could not be delivered; given up (see alert_notifications)");
    }
  }
  return result;
}
