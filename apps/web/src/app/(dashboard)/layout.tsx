import { headers } from "next/headers";
import { forbidden } from "next/navigation";
import type { ReactNode } from "react";
import { Suspense } from "react";
import { AppShell } from "../../components/AppShell";
import { GraphqlProvider } from "../../lib/graphql";
import { MeProvider } from "../../lib/me";
import { FORBIDDEN_HEADERS } from "../../lib/page-access";

/**
 * The dashboard's pages. The proxy has checked the session and the page's
 * least role: when the role falls short it marks the request
 * (FORBIDDEN_HEADERS) and this layout answers 403 (forbidden():
 * src/app/forbidden.tsx says which role is needed) instead of the page.
 * Otherwise: the GraphQL client (with the CSRF header and the live
 * updates), who is signed in (`me`, asked once), and the shell (navigation
 * for the role, time bar, filters, alert banner).
 */
export default async function DashboardLayout({ children }: { children: ReactNode }): Promise<ReactNode> {
  if ((await headers()).get(FORBIDDEN_HEADERS.need)) forbidden();
  return (
    <GraphqlProvider>
      <MeProvider>
        <Suspense fallback={null}>
          <AppShell>{children}</AppShell>
        </Suspense>
      </MeProvider>
    </GraphqlProvider>
  );
}
