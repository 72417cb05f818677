"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { useSyncExternalStore, type ReactNode } from "react";
import { contextParams } from "../lib/url-state";
import { useView } from "../lib/view";
import { AlertBanner } from "./AlertBanner";
import { FilterChips } from "./FilterChips";
import { TimeBar } from "./TimeBar";

const NAV = [
  { href: "/", label: "Overview" },
  { href: "/questions", label: "Questions" },
  { href: "/problems", label: "Problems" },
  { href: "/conversations", label: "Conversations" },
  { href: "/logs", label: "Logs" },
  { href: "/ingestion", label: "Ingestion" },
  { href: "/alerts", label: "Alerts" },
];

const noSubscribe = (): (() => void) => () => undefined;

/**
 * True once running in the browser. Pages depend on the browser's clock and
 * time zone, so they render there only (the server sends the frame): no
 * hydration mismatch between a server's "now" and the reader's.
 */
function useInBrowser(): boolean {
  return useSyncExternalStore(noSubscribe, () => true, () => false);
}

export function AppShell({ children }: { children: ReactNode }): ReactNode {
  const inBrowser = useInBrowser();
  const pathname = usePathname();
  const view = useView();
  const ctx = contextParams(view.params).toString();
  return (
    <div className="shell">
      <nav className="sidebar" aria-label="Main">
        <Link className="brand" href={`/${ctx ? `?${ctx}` : ""}`}>
          log-insights<small>Deal bot analytics</small>
        </Link>
        <ul className="nav">
          {NAV.map((n) => {
            const active = n.href === "/" ? pathname === "/" : pathname.startsWith(n.href);
            return (
              <li key={n.href}>
                <Link href={`${n.href}${ctx ? `?${ctx}` : ""}`} aria-current={active ? "page" : undefined}>
                  {n.label}
                </Link>
              </li>
            );
          })}
        </ul>
      </nav>
      <main className="main" id="main">
        {inBrowser ? (
          <>
            <AlertBanner />
            <TimeBar />
            <FilterChips />
            {children}
          </>
        ) : (
          <div className="skeleton" style={{ height: 120 }} aria-busy="true" aria-label="Loading" />
        )}
      </main>
    </div>
  );
}
