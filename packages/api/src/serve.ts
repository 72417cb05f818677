// The GraphQL API on its own Node server, configured from the environment:
// `npm run api` (main.ts). The database is DATABASE_URL or the embedded
// PostgreSQL; migrations are applied first.
import { ConfigError, createLogger, loadEnv } from "@log-insights/config";
import { migrate, openDatabase } from "@log-insights/store";
import { accessFromEnv } from "./access/from-env";
import { startApiServer } from "./server";

export interface ServeOptions {
  /** bench:api's baseline only: every request served as an admin, access control off. */
  openAccessForBenchmarks?: boolean;
}

const logger = createLogger("api");

async function serve(options: ServeOptions): Promise<void> {
  const env = loadEnv();
  const db = await openDatabase({ statementTimeoutMs: env.API_STATEMENT_TIMEOUT_MS, poolSize: env.API_POOL_SIZE, logger });
  await migrate(db.pool, logger);
  const server = await startApiServer({
    pool: db.pool,
    logger,
    production: env.NODE_ENV === "production",
    port: env.PORT ?? 4000,
    host: env.HOST,
    cache: { ttlSeconds: env.API_CACHE_TTL_SECONDS, maxMb: env.API_CACHE_MAX_MB, redisUrl: env.REDIS_URL ?? null },
    corsOrigins: env.API_CORS_ORIGINS,
    limits: { maxDepth: env.API_MAX_DEPTH, maxCost: env.API_MAX_COST },
    statementTimeoutMs: env.API_STATEMENT_TIMEOUT_MS,
    defaultMetrics: true,
    access: accessFromEnv(env),
    maxBodyBytes: env.API_MAX_BODY_KB * 1024,
    ...(options.openAccessForBenchmarks ? { openAccessForBenchmarks: true } : {}),
  });
  logger.info(
    {
      port: server.port,
      url: `${server.url}/graphql`,
      cache: env.API_CACHE_TTL_SECONDS === 0 ? "off" : env.REDIS_URL ? "redis" : "memory",
      embeddedDatabase: db.embedded,
      production: env.NODE_ENV === "production",
      ...(options.openAccessForBenchmarks ? { access: "off (benchmark baseline)" } : {}),
    },
    "API listening",
  );

  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) {
      logger.warn({ signal }, "second signal: exiting now");
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, "shutting down: finishing requests in flight");
    void (async () => {
      try {
        await server.close();
        await db.close();
        logger.info("API stopped");
        logger.flush();
        process.exitCode = 0;
      } catch (err) {
        logger.error({ error: (err as Error).message }, "error while shutting down");
        process.exitCode = 1;
      }
    })();
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

/**
 * Starts the API server from the environment and stops it on SIGINT/SIGTERM;
 * exit status 2 when it cannot start. `npm run api` (main.ts) calls it with
 * no options; only bench:api's baseline (bench/open-server.ts) turns access
 * control off, in code: no environment variable can.
 */
export function serveApiFromEnv(options: ServeOptions = {}): void {
  serve(options).catch((err: unknown) => {
  if (err instanceof ConfigError) logger.error(err.message);
  else logger.error({ error: (err as Error).message, stack: (err as Error).stack }, "the API could not start");
  logger.flush();
  process.exitCode = 2;
  setTimeout(() => process.exit(2), 200).unref();
  });
}
