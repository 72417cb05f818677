// Browser-safe (no server imports): the proxy, the app shell's navigation
// and the tests all read this one map.
import { roleIncludes, type Role } from "@log-insights/auth/roles";

/** Who may open a page: anyone ("public"), or the least role that may. */
export type PageAccess = "public" | Role;

/**
 * Every page of the dashboard (each src/app/**\/page.tsx, route groups left
 * out) and the least role that may open it. Defined once: src/proxy.ts
 * enforces it on every request, the navigation hides what a role may not
 * open, and a test fails when a page file has no rule here (a new page is
 * never open by accident) or a rule has no page.
 */
export const PAGE_ACCESS = {
  "/": "viewer",
  "/questions": "viewer",
  "/problems": "viewer",
  "/conversations": "support",
  "/conversations/[id]": "support",
  "/logs": "admin",
  "/ingestion": "admin",
  "/alerts": "admin",
  "/users": "admin",
  "/tokens": "admin",
  "/audit": "admin",
  "/account": "viewer",
  "/signin": "public",
  "/auth/link": "public",
} as const satisfies Record<string, PageAccess>;

export type PageRoute = keyof typeof PAGE_ACCESS;

/**
 * Route handlers (src/app/**\/route.ts) anyone may call: the sign-in steps.
 * Each checks what it needs itself (Host, Origin, the flow cookie, the link).
 */
export const PUBLIC_ROUTE_HANDLERS = ["/auth/password", "/auth/link/continue", "/auth/sso/start", "/auth/sso/callback", "/auth/signout"] as const;

/**
 * Route handlers the proxy does not run for: the API handler protects them
 * itself (the same session cookie, or a bearer token; 401 otherwise), and
 * /healthz answers anyone (liveness carries nothing).
 */
export const API_ROUTE_HANDLERS = ["/api/graphql", "/metrics", "/readyz", "/healthz"] as const;

/** The pattern of a path, e.g. "/conversations/[id]" for "/conversations/42"; null when it is no page of the map. */
export function pageRouteOf(pathname: string): PageRoute | null {
  const path = normalize(pathname);
  if (path in PAGE_ACCESS) return path as PageRoute;
  const parts = path.split("/");
  for (const route of Object.keys(PAGE_ACCESS) as PageRoute[]) {
    if (!route.includes("[")) continue;
    const pattern = route.split("/");
    if (pattern.length !== parts.length) continue;
    if (pattern.every((p, i) => (p.startsWith("[") && p.endsWith("]") ? parts[i] !== "" : p === parts[i]))) return route;
  }
  return null;
}

function normalize(pathname: string): string {
  const p = pathname.length > 1 ? pathname.replace(/\/+$/, "") : pathname;
  return p === "" ? "/" : p;
}

/**
 * Who may reach a path: a page's rule; "public" for the sign-in route
 * handlers; "viewer" (signed in, any role) for anything else, so an unknown
 * path is never shown to someone who is not signed in (deny by default).
 */
export function accessOf(pathname: string): PageAccess {
  const route = pageRouteOf(pathname);
  if (route) return PAGE_ACCESS[route];
  if ((PUBLIC_ROUTE_HANDLERS as readonly string[]).includes(normalize(pathname))) return "public";
  return "viewer";
}

export type AccessDecision = { kind: "allow" } | { kind: "sign-in" } | { kind: "forbidden"; need: Role };

/** What the proxy does with a request for `pathname` from someone with `role` (null: not signed in). */
export function decideAccess(pathname: string, role: Role | null): AccessDecision {
  const need = accessOf(pathname);
  if (need === "public") return { kind: "allow" };
  if (role === null) return { kind: "sign-in" };
  return roleIncludes(role, need) ? { kind: "allow" } : { kind: "forbidden", need };
}

/** True when someone with `role` may open the page a link points to (query and hash ignored): for hiding links. */
export function canOpen(role: Role | null, href: string): boolean {
  const path = href.split(/[?#]/)[0] || "/";
  return decideAccess(path, role).kind === "allow";
}

/**
 * Request headers the proxy sets on a page request whose role falls short
 * (any the browser sends are dropped first): the dashboard's layout then
 * answers 403 (forbidden()) and src/app/forbidden.tsx says which role is needed.
 */
export const FORBIDDEN_HEADERS = { need: "x-li-need-role", role: "x-li-role", name: "x-li-name" } as const;
