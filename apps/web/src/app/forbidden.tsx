import Link from "next/link";
import { headers } from "next/headers";
import type { ReactNode } from "react";
import { isRole, ROLE_DESCRIPTIONS } from "@log-insights/auth/roles";
import { AuthCard } from "../components/AuthCard";
import { FORBIDDEN_HEADERS } from "../lib/page-access";

/** The 403 page: which role the page needs, which one the person has, and where they can go instead. */
export default async function Forbidden(): Promise<ReactNode> {
  const h = await headers();
  // Set by the proxy (which drops any the browser sent): the role the page needs, and who is asking.
  const need = h.get(FORBIDDEN_HEADERS.need);
  const have = h.get(FORBIDDEN_HEADERS.role);
  const name = h.get(FORBIDDEN_HEADERS.name);
  return (
    <AuthCard title="You cannot open this page" wide>
      <p data-testid="forbidden-message">
        {isRole(need) ? <>This page needs the <strong>{need}</strong> role.</> : "Your role does not include this page."}
        {isRole(have) && <> {name ? <>You are signed in as {name}, with</> : "You have"} the <strong>{have}</strong> role.</>}
      </p>
      {isRole(have) && <p className="reason">The {have} role sees {ROLE_DESCRIPTIONS[have]}.</p>}
      {isRole(need) && <p className="reason">The {need} role sees {ROLE_DESCRIPTIONS[need]}. Ask an admin if you need it.</p>}
      <div className="signin-actions">
        <Link className="button primary" href="/">Go to the overview</Link>
        <form method="post" action="/auth/signout"><button type="submit">Sign in as someone else</button></form>
      </div>
    </AuthCard>
  );
}
