import { AuthError, setCookie, SSO_FLOW_COOKIE } from "@log-insights/auth";
import { createLogger } from "@log-insights/config";
import { signInPath } from "../../../../../lib/return-to";
import { api } from "../../../../../server/api";
import { plainPage, requestHostAllowed, requestIsHttps, seeOther, siteOrigin } from "../../../../../server/http";
import { afterSignIn } from "../../../../../server/return-to";
import { ssoFor } from "../../../../../server/sso";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/** How long a sign-in at the provider may take (the flow row lives as long). */
const FLOW_SECONDS = 10 * 60;

/**
 * "Sign in with …": starts the OpenID Connect code flow (PKCE, state and
 * nonce: OidcSignIn.begin) and sends the browser to the provider, with a
 * short-lived httpOnly cookie that ties the callback to this browser.
 */
export async function GET(request: Request): Promise<Response> {
  if (!requestHostAllowed(request)) return plainPage(421, "Wrong address", "This server does not answer to that host name.");
  const next = afterSignIn(new URL(request.url).searchParams.get("next"));
  const sso = ssoFor(siteOrigin(request));
  if (!sso) return seeOther(signInPath(next, "SSO_NOT_CONFIGURED"));
  try {
    const { db } = await api();
    const { redirectUrl, flowCookie } = await sso.begin(db.pool, next);
    const secure = requestIsHttps(request);
    return new Response(null, {
      status: 303,
      headers: { location: redirectUrl, "cache-control": "no-store", "set-cookie": setCookie(SSO_FLOW_COOKIE, flowCookie, { secure, maxAgeSeconds: FLOW_SECONDS }) },
    });
  } catch (err) {
    if (!(err instanceof AuthError)) createLogger("web").error({ error: (err as Error).message }, "single sign-on could not start");
    else createLogger("web").warn({ error: err.message }, "single sign-on could not start");
    return seeOther(signInPath(next, "SSO_FAILED"));
  }
}
