import "server-only";
import { accessFromEnv, createApiHandler, type ApiHandler } from "@log-insights/api";
import { createLogger, loadEnv, type Env } from "@log-insights/config";
import { migrate, migratesOnStart, openDatabase, requireCurrentSchema, type Database } from "@log-insights/store";
import { siteOrigin } from "./http";

/** Where the dashboard mounts the GraphQL API. */
export const GRAPHQL_PATH = "/api/graphql";

export interface WebApi {
  handler: ApiHandler;
  db: Database;
  env: Env;
}

/**
 * The one instance per server process, kept on globalThis: Next.js bundles
 * the proxy (src/proxy.ts) and the route handlers separately, so a module
 * variable would give each bundle its own pool, cache, ingest listener and
 * session cache. Both bundles run in the same Node.js process (`next start`
 * requires the proxy's bundle), so they share this one: the proxy checks a
 * session with the very authenticator whose forget() the sign-out route
 * calls.
 */
const KEY = Symbol.for("log-insights.web.api");
type Holder = { [KEY]?: Promise<WebApi> };

/**
 * The API inside the Next.js server: one database pool, cache and ingest
 * listener per server process, opened on the first request (never at build
 * time). DATABASE_URL, else the embedded PostgreSQL.
 */
export function api(): Promise<WebApi> {
  const holder = globalThis as Holder;
  holder[KEY] ??= (async () => {
    const logger = createLogger("web");
    const env = loadEnv();
    const db = await openDatabase({ statementTimeoutMs: env.API_STATEMENT_TIMEOUT_MS, poolSize: env.API_POOL_SIZE, logger });
    try {
      // LOG_INSIGHTS_MIGRATE_ON_START=false (Docker: a read-only role): only check; the schema's owner migrates.
      if (migratesOnStart()) await migrate(db.pool, logger);
      else await requireCurrentSchema(db.pool);
    } catch (err) {
      await db.close().catch(() => undefined); // the next request opens a new pool
      throw err;
    }
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
    return { handler, db, env };
  })().catch((err: unknown) => {
    delete holder[KEY]; // the next request tries again (database down at start)
    throw err;
  });
  return holder[KEY];
}

/**
 * The request as the browser addressed it. Next.js builds a route handler's
 * request.url from its own listening name ("localhost"), not from the Host
 * header; the API makes links from the request's origin when PUBLIC_URL is
 * unset (one-time sign-in links), so it gets this site's origin (PUBLIC_URL,
 * else the scheme and the Host header, which the API checks against the
 * allow-list before anything else).
 */
function asAddressed(request: Request): Request {
  try {
    const url = new URL(request.url);
    const origin = siteOrigin(request);
    if (origin === url.origin) return request;
    const hasBody = request.method !== "GET" && request.method !== "HEAD";
    return new Request(new URL(`${url.pathname}${url.search}`, origin), {
      method: request.method, headers: request.headers, signal: request.signal,
      ...(hasBody ? { body: request.body, duplex: "half" } : {}),
    } as RequestInit);
  } catch {
    return request; // a Host header that is no address: the API refuses it (421)
  }
}

/** Passes a request to the API, or answers 503 with a reason when the database cannot be opened. */
export async function forward(request: Request): Promise<Response> {
  try {
    const { handler } = await api();
    return await handler.fetch(asAddressed(request));
  } catch (err) {
    createLogger("web").error({ error: (err as Error).message }, "the API could not start");
    return Response.json({ errors: [{ message: "The database is not available yet. Try again in a moment.", extensions: { code: "UNAVAILABLE" } }] }, { status: 503 });
  }
}
