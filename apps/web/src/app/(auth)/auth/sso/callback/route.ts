import { AuthError, readCookie, setCookie, SSO_CALLBACK_PATH, SSO_FLOW_COOKIE } from "@log-insights/auth";
import { createLogger } from "@log-insights/config";
import { api } from "../../../../../server/api";
import { plainPage, requestHostAllowed, requestIsHttps, seeOther, sessionCookie, siteOrigin, webSettings } from "../../../../../server/http";
import { afterSignIn } from "../../../../../server/return-to";
import { ssoFor } from "../../../../../server/sso";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/**
 * Where the provider sends the browser back (SSO_CALLBACK_PATH): state,
 * nonce and PKCE checked, then who it is against OIDC_ALLOWED_DOMAINS and
 * the groups (OidcSignIn.complete). Let in: the session cookie and a 303 to
 * where the person was going. Refused: a plain page that says why, and no
 * session.
 */
export async function GET(request: Request): Promise<Response> {
  if (!requestHostAllowed(request)) return plainPage(421, "Wrong address", "This server does not answer to that host name.");
  const secure = requestIsHttps(request);
  const clearFlow = setCookie(SSO_FLOW_COOKIE, "", { secure, maxAgeSeconds: 0 });
  const sso = ssoFor(siteOrigin(request));
  if (!sso) return seeOther("/signin?error=SSO_NOT_CONFIGURED", [clearFlow]);
  // The URL as the provider was told it (PUBLIC_URL's, or this request's address): openid-client checks it.
  const incoming = new URL(request.url);
  const callbackUrl = new URL(`${SSO_CALLBACK_PATH}${incoming.search}`, sso.settings.publicUrl);
  try {
    const { db } = await api();
    const { session, returnTo } = await sso.complete(db.pool, readCookie(request.headers.get("cookie"), SSO_FLOW_COOKIE), callbackUrl, webSettings().policy);
    return seeOther(afterSignIn(returnTo), [clearFlow, sessionCookie(request, session.secret, session.expiresAtMs)]);
  } catch (err) {
    if (err instanceof AuthError && err.code === "SSO_NOT_ALLOWED") {
      return withCookie(plainPage(403, "You cannot use this dashboard with that account",
        `${err.message} Nobody was signed in. If you should have access, ask an admin of the dashboard; or sign in with another account.`), clearFlow);
    }
    const reason = err instanceof AuthError ? err.message : "something went wrong on our side.";
    if (!(err instanceof AuthError)) createLogger("web").error({ error: (err as Error).message }, "single sign-on callback failed unexpectedly");
    return withCookie(plainPage(400, "Single sign-on did not complete", `${reason} Nobody was signed in. Try again from the sign-in page.`), clearFlow);
  }
}

function withCookie(response: Response, cookie: string): Response {
  response.headers.append("set-cookie", cookie);
  return response;
}
