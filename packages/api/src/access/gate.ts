import type { Plugin } from "graphql-yoga";
import { ANONYMOUS, HSTS_VALUE, hostAllowed, isHttps, principalKey, type Authenticator, type Principal } from "@log-insights/auth";
import type { Logger } from "@log-insights/config";
import type { CallerLimiter } from "./limits";

export interface GateOptions {
  authenticator: Authenticator | null;
  limiter: CallerLimiter;
  allowedHosts: readonly string[];
  trustProxy: boolean;
  graphqlEndpoint: string;
  /** Answered to anyone whose Host is right (liveness carries nothing). */
  publicPaths: readonly string[];
  logger: Logger;
  /** The principal of every request when access control is off (bench:api's baseline only). */
  openAccess?: Principal;
}

function refuse(status: number, code: string, message: string, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify({ errors: [{ message, extensions: { code } }] }), {
    status,
    headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store", ...headers },
  });
}

function isStream(request: Request): boolean {
  return (request.headers.get("accept") ?? "").includes("text/event-stream");
}

/**
 * The API's front door, before any GraphQL runs: the Host header against
 * the allow-list (DNS rebinding), who is asking (token or session cookie),
 * anonymous callers refused with 401 everywhere but the liveness path, then
 * the caller's rate and concurrency limits (429). HSTS on responses served
 * over HTTPS. The principal is handed to the GraphQL context through
 * `principalOf`.
 */
export function accessGate(options: GateOptions): { plugin: Plugin; principalOf(request: Request): Principal } {
  const principals = new WeakMap<Request, Principal>();
  const counted = new WeakMap<Request, string>();
  const plugin: Plugin = {
    async onRequest({ request, url, endResponse }) {
      if (options.publicPaths.includes(url.pathname)) return;
      if (options.openAccess) {
        // bench:api's baseline: no Host, credential or limit check at all.
        principals.set(request, options.openAccess);
        return;
      }
      if (!hostAllowed(request.headers.get("host") ?? url.host, options.allowedHosts)) {
        options.logger.warn({ path: url.pathname }, "refused a request addressed to a host not in ALLOWED_HOSTS");
        endResponse(refuse(421, "BAD_HOST", "This server does not answer to that host name (see ALLOWED_HOSTS)."));
        return;
      }
      if (request.method === "OPTIONS") return; // CORS preflight: no credentials, answered by the CORS plugin
      let principal: Principal;
      try {
        principal = options.authenticator ? await options.authenticator.authenticate(request.headers) : ANONYMOUS;
      } catch (err) {
        // No answer on who is asking (database down, or not migrated yet): nothing is served, readiness included.
        options.logger.warn({ error: (err as Error).message, path: url.pathname }, "could not check who is asking: the database is not available");
        endResponse(refuse(503, "UNAVAILABLE", "The database is not reachable (or not migrated yet), so who is asking cannot be checked; try again shortly.", { "retry-after": "5" }));
        return;
      }
      principals.set(request, principal);
      if (principal.kind === "anonymous") {
        endResponse(refuse(401, "UNAUTHENTICATED", "Sign in, or send an API token as 'Authorization: Bearer <token>'.", { "www-authenticate": 'Bearer realm="log-insights"' }));
        return;
      }
      const key = principalKey(principal);
      const rate = options.limiter.take(key);
      if (!rate.ok) {
        endResponse(refuse(429, "RATE_LIMITED", `Too many requests: try again in ${rate.retryAfterSeconds} s.`, { "retry-after": String(rate.retryAfterSeconds) }));
        return;
      }
      if (url.pathname === options.graphqlEndpoint && !isStream(request)) {
        if (!options.limiter.enter(key)) {
          endResponse(refuse(429, "TOO_MANY_REQUESTS_AT_ONCE", `At most ${options.limiter.limits.concurrent} requests at once per session or token.`, { "retry-after": "1" }));
          return;
        }
        counted.set(request, key);
      }
    },
    onResponse({ request, response }) {
      const key = counted.get(request);
      if (key !== undefined) {
        counted.delete(request);
        options.limiter.leave(key);
      }
      if (isHttps(request.url, request.headers, options)) response.headers.set("strict-transport-security", HSTS_VALUE);
    },
  };
  return { plugin, principalOf: (request) => principals.get(request) ?? ANONYMOUS };
}
