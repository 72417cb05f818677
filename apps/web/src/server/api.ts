import "server-only";
import { accessFromEnv, createApiHandler, type ApiHandler } from "@log-insights/api";
import { createLogger, loadEnv } from "@log-insights/config";
import { migrate, openDatabase, type Database } from "@log-insights/store";

/** Where the dashboard mounts the GraphQL API. */
export const GRAPHQL_PATH = "/api/graphql";

let instance: Promise<{ handler: ApiHandler; db: Database }> | undefined;

/**
 * The API inside the Next.js server: one database pool, cache and ingest
 * listener per server process, opened on the first request (never at build
 * time). DATABASE_URL, else the embedded PostgreSQL.
 */
export function api(): Promise<{ handler: ApiHandler; db: Database }> {
  instance ??= (async () => {
    const logger = createLogger("web");
    const env = loadEnv();
    const db = await openDatabase({ statementTimeoutMs: env.API_STATEMENT_TIMEOUT_MS, poolSize: env.API_POOL_SIZE, logger });
    await migrate(db.pool, logger);
    const handler = createApiHandler({
      pool: db.pool,
      logger,
      graphqlEndpoint: GRAPHQL_PATH,
      paths: { health: "/healthz", ready: "/readyz", metrics: "/metrics" },
      cache: { ttlSeconds: env.API_CACHE_TTL_SECONDS, maxMb: env.API_CACHE_MAX_MB, redisUrl: env.REDIS_URL ?? null },
      corsOrigins: env.API_CORS_ORIGINS,
      limits: { maxDepth: env.API_MAX_DEPTH, maxCost: env.API_MAX_COST },
      statementTimeoutMs: env.API_STATEMENT_TIMEOUT_MS,
      access: accessFromEnv(env),
      maxBodyBytes: env.API_MAX_BODY_KB * 1024,
    });
    await handler.started;
    const shutdown = (): void => {
      void handler.close().finally(() => db.close());
    };
    process.once("SIGTERM", shutdown);
    process.once("SIGINT", shutdown);
    return { handler, db };
  })().catch((err: unknown) => {
    instance = undefined; // the next request tries again (database down at start)
    throw err;
  });
  return instance;
}

/** Passes a request to the API, or answers 503 with a reason when the database cannot be opened. */
export async function forward(request: Request): Promise<Response> {
  try {
    const { handler } = await api();
    return await handler.fetch(request);
  } catch (err) {
    createLogger("web").error({ error: (err as Error).message }, "the API could not start");
    return Response.json({ errors: [{ message: "The database is not available yet. Try again in a moment.", extensions: { code: "UNAVAILABLE" } }] }, { status: 503 });
  }
}
