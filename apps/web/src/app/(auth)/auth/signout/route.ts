import { recordAudit, revokeSession, sessionSecret } from "@log-insights/auth";
import { createLogger } from "@log-insights/config";
import { api } from "../../../../server/api";
import { checkFormPost, clearedSessionCookies, seeOther } from "../../../../server/http";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/**
 * "Sign out": ends the session in the database (revokeSession), drops it
 * from the API's session cache at once (authenticator.forget: the cookie
 * stops working for /api/graphql in this process now, not in 5 s), records
 * `sign_out`, deletes the cookie and goes to the sign-in page.
 */
export async function POST(request: Request): Promise<Response> {
  const refused = checkFormPost(request);
  if (refused) return refused;
  const secret = sessionSecret(request.headers);
  if (secret !== null) {
    try {
      const { db, handler } = await api();
      const principal = await handler.authenticator.authenticate(request.headers);
      const ended = await revokeSession(db.pool, secret);
      handler.authenticator.forget(secret);
      if (ended && principal.kind === "user") await recordAudit(db.pool, { actor: principal, action: "sign_out", filters: { method: principal.method } });
    } catch (err) {
      createLogger("web").error({ error: (err as Error).message }, "sign-out could not end the session in the database");
      return seeOther("/signin?error=UNAVAILABLE");
    }
  }
  return seeOther("/signin?error=SIGNED_OUT", clearedSessionCookies(request));
}
