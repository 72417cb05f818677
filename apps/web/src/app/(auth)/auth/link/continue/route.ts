import { AuthError, findUserById, signInWithLink } from "@log-insights/auth";
import { createLogger } from "@log-insights/config";
import { api } from "../../../../../server/api";
import { checkFormPost, seeOther, sessionCookie, webSettings } from "../../../../../server/http";
import { ssoButtonLabel } from "../../../../../server/sso";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/**
 * The "Continue" button of a sign-in link: uses the link (once), sets the
 * session cookie, and goes to the overview, or to the account page to set a
 * password when the person has none and there is no single sign-on.
 */
export async function POST(request: Request): Promise<Response> {
  const refused = checkFormPost(request);
  if (refused) return refused;
  if (Number(request.headers.get("content-length") ?? 0) > 4096) return seeOther("/auth/link");
  let token = "";
  try {
    const v = (await request.formData()).get("token");
    token = typeof v === "string" ? v : "";
  } catch {
    // no form: an invalid link
  }
  try {
    const { db } = await api();
    const { session, principal } = await signInWithLink(db.pool, token, webSettings().policy);
    const user = await findUserById(db.pool, principal.userId);
    const to = user && !user.hasPassword && ssoButtonLabel() === null ? "/account?set=1" : "/";
    return seeOther(to, [sessionCookie(request, session.secret, session.expiresAtMs)]);
  } catch (err) {
    if (!(err instanceof AuthError)) createLogger("web").error({ error: (err as Error).message }, "sign-in link failed unexpectedly");
    return seeOther("/auth/link");
  }
}
