import {
  allowedHostList, clientAddress, hostAllowed, isHttps, policyFromEnv, sessionCookieName, setCookie, SESSION_COOKIE_NAMES,
  type AuthPolicy, type HttpSettings,
} from "@log-insights/auth";
import { loadEnv, type Env } from "@log-insights/config";

// The HTTP rules of the dashboard's own server code (the proxy and the
// sign-in route handlers), from packages/auth's http.ts so the API and the
// pages apply the same ones: the Host allow-list, HTTPS behind a proxy, the
// client's address, the session cookie, and the Origin check of forms.

let cached: { env: Env; http: HttpSettings; policy: AuthPolicy } | undefined;

/** The validated environment and what follows from it (read once per process). */
export function webSettings(): { env: Env; http: HttpSettings; policy: AuthPolicy } {
  if (!cached) {
    const env = loadEnv();
    cached = {
      env,
      http: { allowedHosts: allowedHostList(env.ALLOWED_HOSTS, env.PUBLIC_URL), trustProxy: env.TRUST_PROXY, publicUrl: env.PUBLIC_URL ?? null },
      policy: policyFromEnv(env),
    };
  }
  return cached;
}

/**
 * True when the browser reached us over HTTPS. `next start` itself speaks
 * plain HTTP, so: behind a trusted proxy (TRUST_PROXY), what the proxy says
 * (X-Forwarded-Proto); otherwise PUBLIC_URL's scheme. Never the request
 * URL's scheme alone: Next.js builds it from an X-Forwarded-Proto the
 * client itself may have sent.
 */
export function requestIsHttps(request: Request, http = webSettings().http): boolean {
  if (http.trustProxy) return isHttps(request.url, request.headers, http);
  return http.publicUrl?.startsWith("https:") ?? false;
}

/** True when the Host header names this service (ALLOWED_HOSTS, PUBLIC_URL's host, loopback). */
export function requestHostAllowed(request: Request, http = webSettings().http): boolean {
  return hostAllowed(request.headers.get("host"), http.allowedHosts);
}

/**
 * This site's origin as the browser sees it: PUBLIC_URL's when set, else the
 * scheme and Host of the request (the Host is checked against the allow-list
 * before this is used).
 */
export function siteOrigin(request: Request, http = webSettings().http): string {
  if (http.publicUrl) return new URL(http.publicUrl).origin;
  const host = request.headers.get("host") ?? new URL(request.url).host;
  return `${requestIsHttps(request, http) ? "https" : "http"}://${host}`;
}

/** The origins a form of ours may be posted from: PUBLIC_URL's, and the request's own scheme and Host. */
export function ownOrigins(request: Request, http = webSettings().http): string[] {
  const host = request.headers.get("host") ?? new URL(request.url).host;
  const own = `${requestIsHttps(request, http) ? "https" : "http"}://${host}`.toLowerCase();
  const origins = new Set([own]);
  if (http.publicUrl) origins.add(new URL(http.publicUrl).origin.toLowerCase());
  return [...origins];
}

/**
 * Where a form post came from: the Origin header, else the Referer's origin
 * (older browsers, some privacy settings). Null when neither says.
 */
export function postOrigin(headers: Pick<Headers, "get">): string | null {
  const origin = headers.get("origin");
  if (origin && origin !== "null") return origin.toLowerCase();
  if (origin === "null") return "null";
  const referer = headers.get("referer");
  if (!referer) return null;
  try {
    return new URL(referer).origin.toLowerCase();
  } catch {
    return null;
  }
}

/**
 * The checks every form POST route makes before reading the form: the Host
 * header (421: DNS rebinding) and that the form was posted from one of our
 * own pages (403: cross-site request forgery, including "login CSRF").
 * Null when both pass.
 */
export function checkFormPost(request: Request, http = webSettings().http): Response | null {
  if (!requestHostAllowed(request, http)) return plainPage(421, "Wrong address", "This server does not answer to that host name. Use the dashboard's own address.");
  const from = postOrigin(request.headers);
  if (from === null || !ownOrigins(request, http).includes(from)) {
    return plainPage(403, "Form refused", "This form was not sent from the dashboard's own pages, so it was ignored. Go back to the dashboard and try again.");
  }
  return null;
}

/**
 * The client's address for sign-in throttling: the first X-Forwarded-For hop
 * behind a trusted proxy (TRUST_PROXY); otherwise the socket's address,
 * which `next start` passes to the app as X-Forwarded-For (it sets that
 * header from the socket when the client did not send one).
 */
export function requestAddress(request: Request, http = webSettings().http): string | null {
  const forwarded = request.headers.get("x-forwarded-for")?.split(",")[0]?.trim() || null;
  return clientAddress(forwarded, request.headers, http.trustProxy);
}

/** The Set-Cookie of a new session: httpOnly, SameSite=Lax, Secure (and `__Host-`) over HTTPS, lasting until the session's absolute expiry. */
export function sessionCookie(request: Request, secret: string, expiresAtMs: number, nowMs = Date.now(), http = webSettings().http): string {
  const secure = requestIsHttps(request, http);
  return setCookie(sessionCookieName(secure), secret, { secure, maxAgeSeconds: (expiresAtMs - nowMs) / 1000 });
}

/** Set-Cookie values that delete the session cookie under either name. */
export function clearedSessionCookies(request: Request, http = webSettings().http): string[] {
  const secure = requestIsHttps(request, http);
  return SESSION_COOKIE_NAMES.filter((name) => secure || !name.startsWith("__Host-")).map((name) => setCookie(name, "", { secure: name.startsWith("__Host-") || secure, maxAgeSeconds: 0 }));
}

/** A 303 See Other to a path of this site (after a form post the browser follows it with a GET). */
export function seeOther(location: string, cookies: readonly string[] = []): Response {
  const headers = new Headers({ location, "cache-control": "no-store" });
  for (const c of cookies) headers.append("set-cookie", c);
  return new Response(null, { status: 303, headers });
}

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Text made safe inside HTML. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/**
 * A small self-contained page (no script; inline styles, which the CSP
 * allows) for answers that come from route handlers and the proxy rather
 * than from React pages: wrong host, refused form, refused single sign-on.
 */
export function plainPage(status: number, title: string, message: string, links: readonly { href: string; label: string }[] = [{ href: "/signin", label: "Go to the sign-in page" }]): Response {
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · log-insights</title>
<style>body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;background:#f6f7f9;color:#1b1f24}
main{max-width:460px;margin:12vh auto;background:#fff;border:1px solid #d8dee4;border-radius:10px;padding:28px;box-shadow:0 1px 8px rgba(27,31,36,.06)}
h1{font-size:1.3rem;margin:0 0 8px}p{color:#57606a;margin:0 0 16px}a{color:#0b5cad;font-weight:600}.brand{font-weight:700;color:#0f2740;margin-bottom:18px}</style></head>
<body><main><div class="brand">log-insights</div><h1>${escapeHtml(title)}</h1><p data-testid="plain-message">${escapeHtml(message)}</p>
${links.map((l) => `<p><a href="${escapeHtml(l.href)}">${escapeHtml(l.label)}</a></p>`).join("")}</main></body></html>`;
  return new Response(html, { status, headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" } });
}
