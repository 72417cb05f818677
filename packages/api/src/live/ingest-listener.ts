import { z } from "zod";
import type { Logger } from "@log-insights/config";
import type { Pool, PoolClient } from "pg";

/** The ingest worker's channel (packages/ingest/src/worker.ts: pg_notify after each committed batch). */
export const INGEST_CHANNEL = "log_insights_ingest";

/** What changed, as the worker tells it; every field is optional so a newer worker's payload still parses. */
export interface DataChange {
  atMs: number;
  source: string | null;
  files: number;
  entries: number;
  questions: number;
  fromMs: number | null;
  toMs: number | null;
}

const payloadSchema = z.object({
  source: z.string().max(1_000).nullish(),
  files: z.number().int().nonnegative().nullish(),
  entries: z.number().int().nonnegative().nullish(),
  questions: z.number().int().nonnegative().nullish(),
  from: z.string().nullish(),
  to: z.string().nullish(),
});

export function parseChange(payload: string | undefined, nowMs = Date.now()): DataChange {
  let parsed: z.infer<typeof payloadSchema> = {};
  try {
    const result = payloadSchema.safeParse(JSON.parse(payload ?? "{}"));
    if (result.success) parsed = result.data;
  } catch {
    // An unreadable payload still means "data changed".
  }
  const time = (s: string | null | undefined): number | null => {
    const ms = s ? Date.parse(s) : Number.NaN;
    return Number.isFinite(ms) ? ms : null;
  };
  return {
    atMs: nowMs,
    source: parsed.source ?? null,
    files: parsed.files ?? 0,
    entries: parsed.entries ?? 0,
    questions: parsed.questions ?? 0,
    fromMs: time(parsed.from),
    toMs: time(parsed.to),
  };
}

export interface IngestListenerOptions {
  pool: Pool;
  logger: Logger;
  /** A committed ingest batch. */
  onChange(change: DataChange): void;
  /** The connection was lost and is back: notifications may have been missed. */
  onReconnect(): void;
}

/**
 * LISTENs on the ingest channel on one connection held from the pool, and
 * reconnects (backing off up to 10 s) when it is lost; after a reconnect the
 * owner treats everything as changed, since notifications sent meanwhile
 * are gone.
 */
export class IngestListener {
  private client: PoolClient | null = null;
  private stopped = false;
  private retryTimer: NodeJS.Timeout | null = null;
  private attempts = 0;
  private firstConnect: Promise<void>;
  private resolveFirst!: () => void;
  private everConnected = false;

  constructor(private readonly options: IngestListenerOptions) {
    this.firstConnect = new Promise((resolve) => {
      this.resolveFirst = resolve;
    });
  }

  /** Starts listening; resolves once the first LISTEN is in place (or the listener is stopped). */
  start(): Promise<void> {
    void this.connect();
    return this.firstConnect;
  }

  get listening(): boolean {
    return this.client !== null;
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    let client: PoolClient | null = null;
    try {
      client = await this.options.pool.connect();
      client.on("notification", (msg) => {
        if (msg.channel === INGEST_CHANNEL) this.options.onChange(parseChange(msg.payload));
      });
      const current = client;
      client.on("error", (err) => this.lost(current, err));
      client.on("end", () => this.lost(current, new Error("the connection ended")));
      await client.query(`LISTEN ${INGEST_CHANNEL}`);
      if (this.stopped) {
        client.release(true);
        return;
      }
      this.client = client;
      this.attempts = 0;
      if (this.everConnected) {
        this.options.logger.info("listening for ingest notifications again");
        this.options.onReconnect();
      }
      this.everConnected = true;
      this.resolveFirst();
    } catch (err) {
      client?.release(true);
      this.retry(err);
    }
  }

  private lost(client: PoolClient, err: Error): void {
    if (this.client !== client) return;
    this.client = null;
    client.release(err);
    this.retry(err);
  }

  private retry(err: unknown): void {
    if (this.stopped || this.retryTimer) return;
    const delay = Math.min(500 * 2 ** this.attempts, 10_000);
    this.attempts++;
    this.options.logger.warn({ error: (err as Error).message, retryInMs: delay }, "ingest notifications: connection lost");
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.connect();
    }, delay);
    this.retryTimer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.resolveFirst();
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const client = this.client;
    this.client = null;
    if (!client) return;
    try {
      await client.query(`UNLISTEN ${INGEST_CHANNEL}`);
      client.release();
    } catch (err) {
      client.release(err as Error);
    }
  }
}
