import { NextResponse, type NextRequest } from "next/server";
import { ANONYMOUS, HSTS_VALUE, sessionSecret, bearerToken, type Principal } from "@log-insights/auth";
import { createLogger } from "@log-insights/config";
import { decideAccess, FORBIDDEN_HEADERS } from "./lib/page-access";
import { signInPath } from "./lib/return-to";
import { api } from "./server/api";
import { plainPage, requestHostAllowed, requestIsHttps, webSettings } from "./server/http";
import { afterSignIn } from "./server/return-to";

/**
 * Every page request passes here first (Next.js 16 proxy, Node.js runtime),
 * in this order:
 *
 * 1. The Host header against the allow-list (ALLOWED_HOSTS, PUBLIC_URL,
 *    loopback): 421 otherwise (DNS rebinding).
 * 2. Who is asking, checked for real: the session cookie resolved by the
 *    API handler's own Authenticator (the `api()` singleton, shared with the
 *    route handlers through globalThis), so a revoked, expired or unknown
 *    session is anonymous here exactly as it is for /api/graphql.
 * 3. The page's least role (src/lib/page-access.ts, deny by default):
 *    anonymous → 307 to /signin?next=…; signed in without the role → the
 *    request goes on marked with the role it needs (FORBIDDEN_HEADERS), and
 *    the dashboard's layout answers 403 with the page that says which role
 *    is needed (src/app/forbidden.tsx) instead of the page.
 * 4. A Content-Security-Policy with a fresh nonce per page (Next.js puts the
 *    nonce on its own scripts; nothing else may run), and HSTS over HTTPS.
 *
 * /api/graphql, /metrics and /readyz are not matched: the API handler checks
 * the same cookie (or a bearer token) itself.
 */
export async function proxy(request: NextRequest): Promise<NextResponse> {
  const { http } = webSettings();
  const https = requestIsHttps(request, http);
  const finish = (response: NextResponse): NextResponse => {
    if (https) response.headers.set("strict-transport-security", HSTS_VALUE);
    return response;
  };
  if (!requestHostAllowed(request, http)) {
    createLogger("web").warn({ path: request.nextUrl.pathname }, "refused a page request addressed to a host not in ALLOWED_HOSTS");
    return finish(toNext(plainPage(421, "Wrong address", "This server does not answer to that host name. Use the dashboard's own address (an admin can add names with ALLOWED_HOSTS).", [])));
  }

  const nonce = btoa(crypto.randomUUID());
  const dev = process.env.NODE_ENV !== "production";
  const csp = [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "connect-src 'self'",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");

  const path = request.nextUrl.pathname;
  let principal: Principal = ANONYMOUS;
  if (sessionSecret(request.headers) !== null || bearerToken(request.headers.get("authorization")) !== null) {
    try {
      principal = await (await api()).handler.authenticator.authenticate(request.headers);
    } catch (err) {
      createLogger("web").warn({ error: (err as Error).message, path }, "could not check who is asking: the database is not available");
      return finish(toNext(plainPage(503, "Not available yet", "The dashboard cannot reach its database, so it cannot check who you are. Try again in a moment.", [{ href: path, label: "Try again" }])));
    }
  }
  const role = principal.kind === "anonymous" ? null : principal.role;

  // Signed in already: the sign-in page goes straight on.
  if (path === "/signin" && role !== null) return finish(redirectTo(request, afterSignIn(request.nextUrl.searchParams.get("next")), 303));

  const decision = decideAccess(path, role);
  if (decision.kind === "sign-in") return finish(redirectTo(request, signInPath(returnPath(request)), 307));

  const headers = new Headers(request.headers);
  for (const h of Object.values(FORBIDDEN_HEADERS)) headers.delete(h);
  headers.set("x-nonce", nonce);
  headers.set("Content-Security-Policy", csp);
  if (decision.kind === "forbidden") {
    // The page's layout ((dashboard)/layout.tsx) sees these and answers 403 with src/app/forbidden.tsx, never the page.
    headers.set(FORBIDDEN_HEADERS.need, decision.need);
    headers.set(FORBIDDEN_HEADERS.role, role ?? "");
    headers.set(FORBIDDEN_HEADERS.name, principal.kind === "user" ? principal.email : principal.kind === "token" ? principal.name : "");
  }
  const response = NextResponse.next({ request: { headers } });
  response.headers.set("Content-Security-Policy", csp);
  return finish(response);
}

/** The page to come back to after signing in: this one, without Next.js's own `_rsc` parameter. */
function returnPath(request: NextRequest): string {
  const params = new URLSearchParams(request.nextUrl.search);
  params.delete("_rsc");
  const q = params.toString();
  return `${request.nextUrl.pathname}${q ? `?${q}` : ""}`;
}

function toNext(response: Response): NextResponse {
  return new NextResponse(response.body, { status: response.status, headers: response.headers });
}

/** A redirect to a path of this site (Next.js sends it as a relative Location: the browser keeps the address it used). */
function redirectTo(request: NextRequest, path: string, status: 303 | 307): NextResponse {
  const response = NextResponse.redirect(new URL(path, request.url), status);
  response.headers.set("cache-control", "no-store");
  return response;
}

export const config = {
  // Everything but the API's own routes (it checks access itself), Next.js's static files and the icon.
  // Prefetches included: a page a role may not open is not prefetched either.
  matcher: ["/((?!api/|_next/static|_next/image|favicon.ico|icon.svg|healthz|readyz|metrics).*)"],
};
