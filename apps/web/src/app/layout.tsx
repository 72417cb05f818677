import type { Metadata } from "next";
import type { ReactNode } from "react";
import "./globals.css";

// Every page is rendered per request: the CSP nonce (src/proxy.ts) must reach Next.js's scripts.
export const dynamic = "force-dynamic";

export const metadata: Metadata = {
  title: "log-insights: the deal bot at a glance",
  description: "How investors use the deal bot, where it fails them, and what is missing from the deal documents.",
};

/** The document. The dashboard's shell is in (dashboard)/layout.tsx; the sign-in pages are in (auth). */
export default function RootLayout({ children }: { children: ReactNode }): ReactNode {
  return (
    <html lang="en">
      <body>{children}</body>
    </html>
  );
}
