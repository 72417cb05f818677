// `npm run api`: the GraphQL API on its own Node server. The database is
// DATABASE_URL or the embedded PostgreSQL; migrations are applied first.
import { ConfigError, createLogger, loadEnv } from "@log-insights/config";
import { migrate, openDatabase } from "@log-insights/store";
import { loadApiEnv } from "./config";
import { startApiServer } from "./server";

const logger = createLogger("api");

async function main(): Promise<void> {
  const env = loadEnv();
  const api = loadApiEnv();
  const db = await openDatabase({ statementTimeoutMs: api.API_STATEMENT_TIMEOUT_MS, poolSize: api.API_POOL_SIZE, logger });
  await migrate(db.pool, logger);
  const server = await startApiServer({
    pool: db.pool,
    logger,
    production: env.NODE_ENV === "production",
    port: api.PORT,
    ...(api.API_HOST ? { host: api.API_HOST } : {}),
    cache: { ttlSeconds: api.API_CACHE_TTL_SECONDS, maxMb: api.API_CACHE_MAX_MB, redisUrl: api.REDIS_URL ?? null },
    corsOrigins: api.API_CORS_ORIGINS,
    limits: { maxDepth: api.API_MAX_DEPTH, maxCost: api.API_MAX_COST },
    statementTimeoutMs: api.API_STATEMENT_TIMEOUT_MS,
    defaultMetrics: true,
  });
  logger.info(
    {
      port: server.port,
      url: `${server.url}/graphql`,
      cache: api.API_CACHE_TTL_SECONDS === 0 ? "off" : api.REDIS_URL ? "redis" : "memory",
      embeddedDatabase: db.embedded,
      production: env.NODE_ENV === "production",
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

main().catch((err: unknown) => {
  if (err instanceof ConfigError) logger.error(err.message);
  else logger.error({ error: (err as Error).message, stack: (err as Error).stack }, "the API could not start");
  logger.flush();
  process.exitCode = 2;
  setTimeout(() => process.exit(2), 200).unref();
});
