"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { useSyncExternalStore, type ReactNode } from "react";
import { useMe } from "../lib/me";
import { canOpen } from "../lib/page-access";
import { contextParams } from "../lib/url-state";
import { useView } from "../lib/view";
import { AlertBanner } from "./AlertBanner";
import { FilterChips } from "./FilterChips";
import { TimeBar } from "./TimeBar";

export const NAV = [
  { href: "/", label: "Overview" },
  { href: "/questions", label: "Questions" },
  { href: "/problems", label: "Problems" },
  { href: "/conversations", label: "Conversations" },
  { href: "/logs", label: "Logs" },
  { href: "/ingestion", label: "Ingestion" },
  { href: "/alerts", label: "Alerts" },
];

/** Pages about who may see what (admins only). */
export const ADMIN_NAV = [
  { href: "/users", label: "People" },
  { href: "/tokens", label: "API tokens" },
  { href: "/audit", label: "Audit log" },
];

/** Pages that are not about the data: no time bar, filters or alert banner. */
const PLAIN_PAGES = ["/users", "/tokens", "/account"];

const ROLE_NAMES: Record<string, string> = { viewer: "Viewer", support: "Support", admin: "Admin" };

const noSubscribe = (): (() => void) => () => undefined;

/**
 * True once running in the browser. Pages depend on the browser's clock and
 * time zone, so they render there only (the server sends the frame): no
 * hydration mismatch between a server's "now" and the reader's.
 */
function useInBrowser(): boolean {
  return useSyncExternalStore(noSubscribe, () => true, () => false);
}

function NavList({ items, pathname, ctx, label }: { items: readonly { href: string; label: string }[]; pathname: string; ctx: string; label?: string }): ReactNode {
  if (items.length === 0) return null;
  return (
    <>
      {label && <div className="nav-section">{label}</div>}
      <ul className="nav">
        {items.map((n) => {
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
    </>
  );
}

export function AppShell({ children }: { children: ReactNode }): ReactNode {
  const inBrowser = useInBrowser();
  const pathname = usePathname();
  const view = useView();
  const me = useMe();
  const role = me?.role ?? null;
  const ctx = contextParams(view.params).toString();
  const plain = PLAIN_PAGES.some((p) => pathname.startsWith(p));
  return (
    <div className="shell">
      <nav className="sidebar" aria-label="Main">
        <Link className="brand" href={`/${ctx ? `?${ctx}` : ""}`}>
          log-insights<small>Deal bot analytics</small>
        </Link>
        <NavList items={NAV.filter((n) => canOpen(role, n.href))} pathname={pathname} ctx={ctx} />
        <NavList items={ADMIN_NAV.filter((n) => canOpen(role, n.href))} pathname={pathname} ctx={ctx} label="Access" />
        {me && (
          <div className="whoami" data-testid="whoami">
            <div className="whoami-name" title={me.name}>{me.name}</div>
            <div className="whoami-role">{ROLE_NAMES[me.role] ?? me.role}</div>
            <div className="whoami-actions">
              {me.kind === "user" && <Link href="/account" aria-current={pathname === "/account" ? "page" : undefined}>Your account</Link>}
              <form method="post" action="/auth/signout">
                <button type="submit">Sign out</button>
              </form>
            </div>
          </div>
        )}
      </nav>
      <main className="main" id="main">
        {inBrowser ? (
          plain ? children : (
            <>
              <AlertBanner />
              <TimeBar />
              <FilterChips />
              {children}
            </>
          )
        ) : (
          <div className="skeleton" style={{ height: 120 }} aria-busy="true" aria-label="Loading" />
        )}
      </main>
    </div>
  );
}
