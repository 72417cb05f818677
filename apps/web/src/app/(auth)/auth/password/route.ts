import { AuthError, signInWithPassword } from "@log-insights/auth";
import { createLogger } from "@log-insights/config";
import { signInPath } from "../../../../lib/return-to";
import { api } from "../../../../server/api";
import { checkFormPost, requestAddress, seeOther, sessionCookie, webSettings } from "../../../../server/http";
import { afterSignIn } from "../../../../server/return-to";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/** A sign-in form is a few hundred bytes; anything much larger is not one. */
const MAX_FORM_BYTES = 8 * 1024;

/**
 * The sign-in form's POST: email and password checked by packages/auth
 * (throttled per account and per address, every failure audited), then the
 * session cookie and a 303 to where the person was going. A refusal goes
 * back to the sign-in page with its code (never its text) in the URL.
 */
export async function POST(request: Request): Promise<Response> {
  const refused = checkFormPost(request);
  if (refused) return refused;
  if (Number(request.headers.get("content-length") ?? 0) > MAX_FORM_BYTES) return seeOther(signInPath(null, "MISSING"));
  let form: FormData;
  try {
    form = await request.formData();
  } catch {
    return seeOther(signInPath(null, "MISSING"));
  }
  const field = (name: string): string => {
    const v = form.get(name);
    return typeof v === "string" ? v : "";
  };
  const next = afterSignIn(field("next"));
  const email = field("email").trim();
  const password = field("password");
  if (!email || !password) return seeOther(signInPath(next, "MISSING"));
  const { policy } = webSettings();
  try {
    const { db } = await api();
    const { session } = await signInWithPassword(db.pool, { email, password, address: requestAddress(request) }, policy);
    return seeOther(next, [sessionCookie(request, session.secret, session.expiresAtMs)]);
  } catch (err) {
    if (err instanceof AuthError && (err.code === "BAD_CREDENTIALS" || err.code === "LOCKED_OUT")) {
      const to = new URL(signInPath(next, err.code), "http://x.invalid");
      if (err.code === "LOCKED_OUT" && err.retryAfterSeconds) to.searchParams.set("minutes", String(Math.max(1, Math.ceil(err.retryAfterSeconds / 60))));
      return seeOther(`${to.pathname}${to.search}`);
    }
    createLogger("web").error({ error: (err as Error).message }, "password sign-in failed unexpectedly");
    return seeOther(signInPath(next, "UNAVAILABLE"));
  }
}
