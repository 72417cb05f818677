import type { Metadata } from "next";
import Link from "next/link";
import type { ReactNode } from "react";
import { peekSignInLink } from "@log-insights/auth";
import { AuthCard } from "../../../../components/AuthCard";
import { signInNotice } from "../../../../lib/sign-in-messages";
import { api } from "../../../../server/api";

// The link's token is in this page's address: the site-wide Referrer-Policy (same-origin) keeps it from other sites.
// (Not "no-referrer": the browser would then send "Origin: null" with the button's form, which the Origin check refuses.)
export const metadata: Metadata = { title: "Sign-in link · log-insights" };

type Search = Promise<Record<string, string | string[] | undefined>>;

/**
 * A one-time sign-in link (SIGN_IN_LINK_PATH, made by `npm run users`, `npm
 * start` or the People page): says whose account it opens and asks for a
 * click. Only the POST of that button uses the link, so a mail scanner or
 * a browser prefetching the page never uses it up.
 */
export default async function SignInLinkPage({ searchParams }: { searchParams: Search }): Promise<ReactNode> {
  const params = await searchParams;
  const token = typeof params.token === "string" && params.token.length >= 20 && params.token.length <= 100 ? params.token : null;
  const account = token ? await peekSignInLink((await api()).db.pool, token) : null;
  if (!account) {
    const notice = signInNotice("LINK_INVALID")!;
    return (
      <AuthCard title="This link does not work any more">
        <p className="notice error" role="alert" data-testid="link-invalid">{notice.text}</p>
        <p><Link href="/signin">Go to the sign-in page</Link></p>
      </AuthCard>
    );
  }
  return (
    <AuthCard title="Sign in with this link">
      <p className="subtitle">This link signs you in once. It is for:</p>
      <p className="link-account" data-testid="link-account">{account.email}</p>
      <form method="post" action="/auth/link/continue">
        <input type="hidden" name="token" value={token!} />
        <button type="submit" className="primary block">Continue as {account.email}</button>
      </form>
      <p className="reason">Not you? Close this page: the link stays unused.</p>
    </AuthCard>
  );
}
