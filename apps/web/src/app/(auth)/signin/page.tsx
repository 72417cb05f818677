import type { Metadata } from "next";
import type { ReactNode } from "react";
import { AuthCard } from "../../../components/AuthCard";
import { signInNotice } from "../../../lib/sign-in-messages";
import { afterSignIn } from "../../../server/return-to";
import { ssoButtonLabel } from "../../../server/sso";

export const metadata: Metadata = { title: "Sign in · log-insights" };

type Search = Promise<Record<string, string | string[] | undefined>>;
const one = (v: string | string[] | undefined): string | null => (typeof v === "string" ? v : null);

/**
 * The only dashboard page open to everyone: email and password (posted to
 * /auth/password), and single sign-on when it is set up (a link to
 * /auth/sso/start: a GET, because the provider is another site and the CSP's
 * form-action would stop a form's redirect there). `next` is where to go
 * afterwards (a path on this site only).
 */
export default async function SignInPage({ searchParams }: { searchParams: Search }): Promise<ReactNode> {
  const params = await searchParams;
  const next = afterSignIn(one(params.next));
  const notice = signInNotice(one(params.error), one(params.minutes));
  const sso = ssoButtonLabel();
  return (
    <AuthCard title="Sign in">
      <p className="subtitle">To see how investors use the deal bot. Ask an admin if you do not have an account yet.</p>
      {notice && (
        <p className={`notice ${notice.tone}`} role={notice.tone === "error" ? "alert" : "status"} data-testid="signin-notice">{notice.text}</p>
      )}
      {sso && (
        <>
          <a className="button primary block" href={`/auth/sso/start${next !== "/" ? `?next=${encodeURIComponent(next)}` : ""}`} data-testid="sso-button">{sso}</a>
          <div className="or"><span>or with your email and password</span></div>
        </>
      )}
      <form method="post" action="/auth/password" className="signin-form">
        <input type="hidden" name="next" value={next} />
        <label>
          Email address
          <input type="email" name="email" autoComplete="username" required maxLength={320} autoFocus={!sso} />
        </label>
        <label>
          Password
          <input type="password" name="password" autoComplete="current-password" required maxLength={256} />
        </label>
        <button type="submit" className={sso ? "block" : "primary block"}>Sign in</button>
      </form>
      <p className="reason">Forgot your password, or never had one? An admin can send you a one-time sign-in link.</p>
    </AuthCard>
  );
}
