import path from "node:path";
import pg from "pg";
import { createLogger, loadEnv, type Logger } from "@log-insights/config";
import { startEmbeddedPostgres } from "./embedded";

// Why: one place decides where the database is (DATABASE_URL, else an
// embedded server) and how every connection behaves, so that the web app, the
// ingest worker and the tests get the same session settings: UTC, a
// statement timeout, and an application_name that shows up in
// pg_stat_activity.

export interface Database {
  pool: pg.Pool;
  /** Connection URL (holds the password: never log it, use redactUrl). */
  url: string;
  /** true when the server is the embedded one. */
  embedded: boolean;
  /** Ends the pool, then stops the embedded server if this process started it. Idempotent. */
  close(): Promise<void>;
}

export interface PoolOptions {
  /** Maximum connections (default 10). */
  poolSize?: number;
  /** Per-connection statement_timeout in ms (default 30 000; 0 disables it). */
  statementTimeoutMs?: number;
  logger?: Logger;
}

export interface OpenDatabaseOptions extends PoolOptions {
  /** Defaults to env DATABASE_URL; when neither is set the embedded server is used. */
  databaseUrl?: string;
  /** Embedded data directory, resolved against process.cwd(); defaults to env EMBEDDED_PG_DIR (".data/postgres"). */
  embeddedDir?: string;
  /** Environment to read DATABASE_URL / EMBEDDED_PG_DIR from (default process.env; tests pass {}). */
  env?: NodeJS.ProcessEnv;
}

export const APPLICATION_NAME = "log-insights";
/** admin_shutdown, crash_shutdown, cannot_connect_now: a restart or a dropped database, not a bug. */
const SERVER_GOING_AWAY = new Set(["57P01", "57P02", "57P03"]);
export const DEFAULT_STATEMENT_TIMEOUT_MS = 30_000;

/** The URL with its password replaced, for logs and error messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(unparseable database URL)";
  }
}

/**
 * A pool with the project's session defaults, set as startup parameters (no
 * extra round trip, and they hold for every connection the pool opens):
 * TimeZone UTC, JIT off, statement_timeout, idle_in_transaction_session_timeout,
 * application_name. Parameters present in the URL win over these.
 */
export function createPool(url: string, options: PoolOptions = {}): pg.Pool {
  const logger = options.logger ?? createLogger("store");
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: 10_000,
    // A CLI that forgot close() can still exit; servers keep their own handles open.
    allowExitOnIdle: true,
    keepAlive: true,
    application_name: APPLICATION_NAME,
    statement_timeout: options.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS,
    idle_in_transaction_session_timeout: 5 * 60_000,
    // JIT off: the readers' per-segment LATERAL plans are estimated far above
    // their real cost, and compiling them took ~190 of ~195 ms (bench:query at 10M).
    options: "-c TimeZone=UTC -c jit=off",
  });
  // Without a listener an idle client's error (server restart, network) would crash the process.
  // Logged compactly: pg-pool attaches the whole client to the error.
  pool.on("error", (err: Error & { code?: string }) => {
    const fields = { code: err.code, error: err.message };
    if (err.code !== undefined && SERVER_GOING_AWAY.has(err.code)) logger.info(fields, "the server closed an idle connection");
    else logger.warn(fields, "an idle PostgreSQL connection failed");
  });
  return pool;
}

async function verify(pool: pg.Pool, url: string): Promise<void> {
  try {
    await pool.query("SELECT 1");
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw new Error(`Cannot connect to PostgreSQL at ${redactUrl(url)}: ${(err as Error).message}`, { cause: err });
  }
}

/** Opens the project's database: DATABASE_URL when set, else the embedded PostgreSQL. */
export async function openDatabase(options: OpenDatabaseOptions = {}): Promise<Database> {
  const logger = options.logger ?? createLogger("store");
  const env = loadEnv(options.env ?? process.env);
  const databaseUrl = options.databaseUrl ?? env.DATABASE_URL;

  if (databaseUrl !== undefined) {
    const pool = createPool(databaseUrl, { ...options, logger });
    await verify(pool, databaseUrl);
    logger.debug({ url: redactUrl(databaseUrl) }, "connected to PostgreSQL");
    let closing: Promise<void> | undefined;
    return { pool, url: databaseUrl, embedded: false, close: () => (closing ??= pool.end()) };
  }

  const dir = path.resolve(/* turbopackIgnore: true */ process.cwd(), options.embeddedDir ?? env.EMBEDDED_PG_DIR);
  const server = await startEmbeddedPostgres({ dir, logger });
  const pool = createPool(server.url, { ...options, logger });
  try {
    await verify(pool, server.url);
  } catch (err) {
    await server.stop();
    throw err;
  }
  let closing: Promise<void> | undefined;
  return {
    pool,
    url: server.url,
    embedded: true,
    close: () =>
      (closing ??= (async () => {
        try {
          await pool.end();
        } finally {
          await server.stop();
        }
      })()),
  };
}
