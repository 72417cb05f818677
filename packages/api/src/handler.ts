import { Kind, type DefinitionNode, type DocumentNode } from "graphql";
import { createPubSub, createYoga, type Plugin, type YogaServerInstance } from "graphql-yoga";
import { DEFAULT_RULES_FILE, rulesSource } from "@log-insights/alerts";
import { useCSRFPrevention } from "@graphql-yoga/plugin-csrf-prevention";
import {
  allowedHostList, Authenticator, DEFAULT_POLICY, principalKey, roleOf,
  type AuthPolicy, type Clock, type OidcSignIn, type Principal,
} from "@log-insights/auth";
import { accessGate } from "./access/gate";
import { CallerLimiter, type CallerLimits } from "./access/limits";
import { createLogger, type Logger } from "@log-insights/config";
import { migrationStatus, type Database } from "@log-insights/store";
import { ResultCache } from "./cache/result-cache";
import { MemoryStore, RedisStore, type CacheStore } from "./cache/store";
import { createContext, type ApiContext } from "./context";
import { apiError, createMaskError, withCode } from "./errors";
import { IngestListener, type DataChange } from "./live/ingest-listener";
import { ApiMetrics } from "./metrics";
import { armorPlugins, costLimitPlugin, noIntrospectionRule } from "./protection";
import { buildSchema } from "./schema";

export interface ApiCacheOptions {
  /** Lifetime of a cached result when no ingest invalidates it first (default 300; 0 turns the cache off). */
  ttlSeconds?: number;
  /** In-memory cache size (default 64 MB). */
  maxMb?: number;
  /** A Redis shared by several instances instead of the in-memory cache. */
  redisUrl?: string | null;
  /** Key prefix in Redis: instances with the same prefix share results and invalidations (default "log-insights:api"). */
  redisPrefix?: string;
}

/** Who may call, and how much (README "Access and privacy"). */
export interface ApiAccessOptions {
  policy?: AuthPolicy;
  /** The dashboard's public URL (PUBLIC_URL): sign-in links, and its host joins the allow-list. */
  publicUrl?: string | null;
  /** Host names requests may be addressed to, besides localhost, 127.0.0.1, [::1] and publicUrl's host ("*": any). */
  allowedHosts?: readonly string[];
  /** Believe X-Forwarded-Proto from a reverse proxy (HSTS, Secure cookies). */
  trustProxy?: boolean;
  limits?: Partial<CallerLimits>;
  /** Single sign-on, when configured (for `me.ssoAvailable`). */
  sso?: OidcSignIn | null;
  /** How long a resolved session or token is reused (default 5 s). */
  principalCacheMs?: number;
  /**
   * The pool that resolves sessions and tokens (default: `pool`). A separate
   * one keeps who-is-asking checks off the readers' statement timeout and
   * connection limit.
   */
  authPool?: Database["pool"];
  clock?: Clock;
}

/** Defaults of the per-caller limits (API_RATE_LIMIT_PER_MINUTE, API_MAX_CONCURRENT, API_MAX_SUBSCRIPTIONS). */
export const DEFAULT_CALLER_LIMITS: CallerLimits = { perMinute: 1_200, concurrent: 12, subscriptions: 5 };

export interface ApiOptions {
  /** The database pool (openDatabase().pool); its statement_timeout is the per-request statement timeout. */
  pool: Database["pool"];
  logger?: Logger;
  /** Introspection and GraphiQL off, field suggestions hidden (default: NODE_ENV === "production"). */
  production?: boolean;
  /** Where GraphQL is served (default "/graphql"; the web app mounts it at "/api/graphql"). */
  graphqlEndpoint?: string;
  paths?: { health?: string; ready?: string; metrics?: string };
  cache?: ApiCacheOptions | false;
  /** Origins allowed to call from a browser; empty (default): no CORS headers, same origin only. */
  corsOrigins?: readonly string[];
  limits?: { maxDepth?: number; maxCost?: number; maxTokens?: number; maxDirectives?: number };
  /** LISTEN for ingest commits (default true): invalidates the cache and feeds Subscription.dataChanged. */
  listen?: boolean;
  /** The pool's statement timeout, for the TIMEOUT error's message (default 5000). */
  statementTimeoutMs?: number;
  /** Also export Node's process metrics (default false; the standalone server turns them on). */
  defaultMetrics?: boolean;
  /** The alert rules file listed by alertRules (default ALERT_RULES_FILE, else packages/alerts/rules.default.yaml). */
  alertRulesFile?: string;
  /** Sign-in, roles and limits; every caller must be signed in or send a token. */
  access?: ApiAccessOptions;
  /**
   * Serve every request as an admin, with no sign-in and no field role checked: ONLY for bench:api's
   * baseline ("auth off"), never reachable from the environment.
   */
  openAccessForBenchmarks?: boolean;
  /** Largest request body accepted (default 100 KB: API_MAX_BODY_KB). */
  maxBodyBytes?: number;
}

export interface ApiHandler {
  /** A fetch handler: GraphQL at graphqlEndpoint, plus the health, readiness and metrics paths. */
  fetch: (request: Request, serverContext?: Record<string, unknown>) => Response | Promise<Response>;
  /** The Yoga instance (a Node request listener too: http.createServer(handler.yoga)). */
  yoga: YogaServerInstance<Record<string, unknown>, ApiContext>;
  metrics: ApiMetrics;
  cache: ResultCache;
  /** Resolves once the ingest LISTEN is in place and the cache store is connected. */
  started: Promise<void>;
  /** Readiness as /readyz reports it. */
  readiness(): Promise<{ ready: boolean; body: Record<string, unknown> }>;
  /** Resolves sessions and tokens (forget() after a sign-out in this process). */
  authenticator: Authenticator;
  /** Drops every cached result (as an ingest commit does). */
  invalidate(): Promise<void>;
  /** Stops listening, ends live subscriptions and closes the cache store (not the pool: it is the caller's). */
  close(): Promise<void>;
}

/** The header that GraphQL CSRF prevention asks of requests a browser could send cross-site without a preflight. */
export const CSRF_HEADER = "x-log-insights-csrf";

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" } });
}

/**
 * The GraphQL API as a fetch handler (Request in, Response out), so any
 * server can mount it: the standalone Node server (server.ts) and a Next.js
 * route handler alike.
 */
export function createApiHandler(options: ApiOptions): ApiHandler {
  const logger = options.logger ?? createLogger("api");
  const production = options.production ?? process.env.NODE_ENV === "production";
  const endpoint = options.graphqlEndpoint ?? "/graphql";
  const paths = { health: "/healthz", ready: "/readyz", metrics: "/metrics", ...options.paths };
  const statementTimeoutMs = options.statementTimeoutMs ?? 5_000;
  const pool = options.pool;
  const metrics = new ApiMetrics(pool, logger, { defaultMetrics: options.defaultMetrics ?? false });
  // Read from the environment here (not only in main.ts) so every host of the handler, the web app included, lists the same rules.
  const alertRules = rulesSource(options.alertRulesFile ?? (process.env.ALERT_RULES_FILE || DEFAULT_RULES_FILE), (err) =>
    logger.error({ error: err.message }, "the alert rules file is invalid; alertRules lists the previous rules"));

  const cacheOptions = options.cache === false ? { ttlSeconds: 0 } : (options.cache ?? {});
  const ttlMs = (cacheOptions.ttlSeconds ?? 300) * 1000;
  let store: CacheStore | null = null;
  if (ttlMs > 0) {
    store = cacheOptions.redisUrl
      ? new RedisStore({ url: cacheOptions.redisUrl, logger, ...(cacheOptions.redisPrefix ? { prefix: cacheOptions.redisPrefix } : {}) })
      : new MemoryStore((cacheOptions.maxMb ?? 64) * 1024 * 1024);
  }
  const cache = new ResultCache(store, ttlMs, metrics, logger);

  const pubsub = createPubSub<{ dataChanged: [DataChange] }>();
  // Open subscriptions, so that close() can end them (a live stream never ends on its own).
  const subscriptions = new Set<AsyncIterator<DataChange>>();
  const access = options.access ?? {};
  const limiter = new CallerLimiter({ ...DEFAULT_CALLER_LIMITS, ...access.limits });
  const live = {
    subscribe: (callerKey: string): AsyncIterable<DataChange> => {
      if (!limiter.openStream(callerKey)) {
        throw apiError("TOO_MANY_SUBSCRIPTIONS", `At most ${limiter.limits.subscriptions} live-update streams at once per session or token: close another tab.`);
      }
      const source = pubsub.subscribe("dataChanged")[Symbol.asyncIterator]();
      subscriptions.add(source);
      let ended = false;
      const end = async (): Promise<IteratorResult<DataChange>> => {
        if (!ended) {
          ended = true;
          limiter.closeStream(callerKey);
        }
        subscriptions.delete(source);
        return (await source.return?.()) ?? { done: true, value: undefined };
      };
      const iterator: AsyncIterableIterator<DataChange> = {
        next: () => source.next(),
        return: end,
        throw: async (err: unknown) => {
          await end();
          throw err;
        },
        [Symbol.asyncIterator]: () => iterator,
      };
      return iterator;
    },
  };
  const invalidate = async (): Promise<void> => {
    metrics.cacheInvalidations.inc();
    await cache.invalidate();
  };
  const listener = options.listen === false ? null : new IngestListener({
    pool,
    logger,
    onChange: (change) => {
      logger.debug({ change }, "ingest committed: dropping cached results");
      void invalidate().finally(() => pubsub.publish("dataChanged", change));
    },
    onReconnect: () => void invalidate(),
  });
  const started = Promise.all([
    listener?.start(),
    store instanceof RedisStore ? store.ready() : undefined,
  ]).then(() => undefined);

  const readiness = async (): Promise<{ ready: boolean; body: Record<string, unknown> }> => {
    try {
      const status = await migrationStatus(pool);
      const body = {
        status: status.current ? "ready" : "migrations pending",
        database: "reachable",
        migrations: { current: status.current, applied: status.applied, pending: status.pending, changed: status.changed },
        listening: listener?.listening ?? false,
        cache: store?.kind ?? "off",
      };
      return { ready: status.current, body };
    } catch (err) {
      logger.warn({ error: (err as Error).message }, "readiness: database not reachable");
      return { ready: false, body: { status: "database unreachable", database: "unreachable" } };
    }
  };

  const routes: Plugin = {
    async onRequest({ url, endResponse }) {
      if (url.pathname === paths.health) endResponse(json({ status: "ok", uptimeSeconds: Math.round(process.uptime()) }));
      else if (url.pathname === paths.ready) {
        const { ready, body } = await readiness();
        endResponse(json(body, ready ? 200 : 503));
      } else if (url.pathname === paths.metrics) {
        endResponse(new Response(await metrics.text(), { headers: { "content-type": metrics.registry.contentType, "cache-control": "no-store" } }));
      }
    },
  };

  const policy = access.policy ?? DEFAULT_POLICY;
  const authenticator = new Authenticator({ db: access.authPool ?? pool, policy, ...(access.clock ? { clock: access.clock } : {}), ...(access.principalCacheMs !== undefined ? { cacheMs: access.principalCacheMs } : {}) });
  const openAccess: Principal | undefined = options.openAccessForBenchmarks ? { kind: "token", tokenId: "0", name: "benchmark (access control off)", role: "admin" } : undefined;
  if (openAccess) logger.warn("access control is OFF (bench:api baseline): every request is served as an admin");
  const gate = accessGate({
    authenticator,
    limiter,
    allowedHosts: allowedHostList(access.allowedHosts ?? [], access.publicUrl),
    trustProxy: access.trustProxy ?? false,
    graphqlEndpoint: endpoint,
    publicPaths: [paths.health, "/__yoga_health"],
    logger,
    ...(openAccess ? { openAccess } : {}),
  });
  const accessServices = { policy, publicUrl: access.publicUrl ?? null, authenticator, sso: access.sso ?? null };

  const yoga = createYoga<Record<string, unknown>, ApiContext>({
    schema: buildSchema({ withoutRoles: options.openAccessForBenchmarks === true }),
    graphqlEndpoint: endpoint,
    healthCheckEndpoint: "/__yoga_health",
    landingPage: false,
    graphiql: production ? false : { title: "log-insights API", subscriptionsProtocol: "SSE" },
    cors: options.corsOrigins && options.corsOrigins.length > 0
      ? { origin: [...options.corsOrigins], methods: ["GET", "POST", "OPTIONS"], allowedHeaders: ["content-type", "accept", "authorization", CSRF_HEADER], credentials: false, maxAge: 600 }
      : false,
    maskedErrors: { maskError: createMaskError(logger, statementTimeoutMs), isDev: false },
    batching: false,
    logging: {
      debug: (...args: unknown[]) => logger.debug({ yoga: args.map(String) }, "yoga"),
      info: (...args: unknown[]) => logger.info({ yoga: args.map(String) }, "yoga"),
      warn: (...args: unknown[]) => logger.warn({ yoga: args.map(String) }, "yoga"),
      // Yoga logs each error that maskError replaced; maskError itself logs the unexpected ones (with the stack).
      error: (...args: unknown[]) => logger.debug({ yoga: args.map((a) => (a instanceof Error ? a.message : String(a))) }, "yoga: error replaced for the client"),
    },
    maxRequestBodySize: options.maxBodyBytes ?? 100 * 1024,
    context: ({ request }) => {
      const principal = gate.principalOf(request);
      return createContext({
        pool, principal, access: accessServices, alertRules: alertRules.get, origin: new URL(request.url).origin,
        // A cached answer never crosses roles: each role has its own partition of the cache.
        cache: cache.forRequest(roleOf(principal) ?? "anonymous"),
        live: { subscribe: () => live.subscribe(principalKey(principal)) },
      });
    },
    plugins: [
      gate.plugin,
      routes,
      // GraphQL CSRF prevention: a request a browser would send cross-site without a preflight (a form post,
      // a plain GET) must carry this header, which only our own pages (and scripts) set.
      useCSRFPrevention({ requestHeaders: [CSRF_HEADER] }),
      requestMetricsPlugin(metrics, endpoint),
      ...armorPlugins({
        maxDepth: options.limits?.maxDepth ?? 8,
        maxAliases: 15,
        maxTokens: options.limits?.maxTokens ?? 2_000,
        maxDirectives: options.limits?.maxDirectives ?? 20,
        production,
      }),
      costLimitPlugin(options.limits?.maxCost ?? 5_000),
      validationCodes(production),
    ],
  });

  let closing: Promise<void> | undefined;
  return {
    fetch: (request, serverContext) => yoga.fetch(request, serverContext ?? {}),
    yoga,
    metrics,
    cache,
    started,
    readiness,
    invalidate,
    authenticator,
    close: () =>
      (closing ??= (async () => {
        await listener?.stop();
        await Promise.all([...subscriptions].map((it) => it.return?.()));
        subscriptions.clear();
        await yoga.dispose();
        await store?.close();
      })()),
  };
}

/** Codes on validation errors, and introspection refused in production. */
function validationCodes(production: boolean): Plugin {
  return {
    onValidate({ addValidationRule }) {
      if (production) addValidationRule(noIntrospectionRule);
      return ({ result, setResult }) => {
        if (result.length === 0) return;
        setResult(result.map((e) => (typeof e.extensions.code === "string" ? e : withCode(e, "GRAPHQL_VALIDATION_FAILED"))));
      };
    },
  };
}

function operationName(document: DocumentNode): string | null {
  const op = document.definitions.find((d: DefinitionNode) => d.kind === Kind.OPERATION_DEFINITION);
  return op && op.kind === Kind.OPERATION_DEFINITION && op.name ? op.name.value : null;
}

/** Request count and latency by operation name, outcome ok/error. */
function requestMetricsPlugin(metrics: ApiMetrics, endpoint: string): Plugin {
  const timing = new WeakMap<Request, { startNs: bigint; operation: string | null; failed: boolean }>();
  return {
    onRequest({ request, url }) {
      const graphiql = request.method === "GET" && (request.headers.get("accept") ?? "").includes("text/html");
      if (url.pathname === endpoint && request.method !== "OPTIONS" && !graphiql) timing.set(request, { startNs: process.hrtime.bigint(), operation: null, failed: false });
    },
    onParams({ params, request }) {
      const t = timing.get(request);
      if (t && typeof params.operationName === "string") t.operation = params.operationName;
    },
    onValidate({ params, context }) {
      const request = (context as { request?: Request }).request;
      const t = request ? timing.get(request) : undefined;
      if (t && !t.operation) t.operation = operationName(params.documentAST as DocumentNode);
    },
    onResultProcess({ request, result }) {
      const t = timing.get(request);
      if (t && !(Symbol.asyncIterator in (result as object))) {
        const results = Array.isArray(result) ? result : [result];
        t.failed = results.some((r) => Array.isArray((r as { errors?: unknown[] }).errors) && (r as { errors: unknown[] }).errors.length > 0);
      }
    },
    onResponse({ request, response }) {
      const t = timing.get(request);
      if (!t) return;
      timing.delete(request);
      const operation = metrics.operationLabel(t.operation);
      const seconds = Number(process.hrtime.bigint() - t.startNs) / 1e9;
      metrics.duration.observe({ operation }, seconds);
      metrics.requests.inc({ operation, outcome: t.failed || response.status >= 400 ? "error" : "ok" });
    },
  };
}
