import type { Metadata } from "next";
import type { ReactNode } from "react";
import { Suspense } from "react";
import { AppShell } from "../components/AppShell";
import { GraphqlProvider } from "../lib/graphql";
import "./globals.css";

// Every page is rendered per request: the CSP nonce (src/proxy.ts) must reach Next.js's scripts.
export const dynamic = "force-dynamic";

export const metadata: Metadata = {
  title: "log-insights: the deal bot at a glance",
  description: "How investors use the deal bot, where it fails them, and what is missing from the deal documents.",
};

export default function RootLayout({ children }: { children: ReactNode }): ReactNode {
  return (
    <html lang="en">
      <body>
        <GraphqlProvider>
          <Suspense fallback={null}>
            <AppShell>{children}</AppShell>
          </Suspense>
        </GraphqlProvider>
      </body>
    </html>
  );
}
