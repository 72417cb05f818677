// Browser-safe: where the sign-in page sends people back to.

/** The sign-in page, coming back to `next` (a path on this site) afterwards. */
export function signInPath(next?: string | null, error?: string): string {
  const params = new URLSearchParams();
  if (error) params.set("error", error);
  if (next && next !== "/" && next.startsWith("/") && !next.startsWith("//")) params.set("next", next);
  const q = params.toString();
  return q ? `/signin?${q}` : "/signin";
}

/** Paths that must never be returned to after a sign-in (they would loop, or act again). */
export function isAuthPath(path: string): boolean {
  return path === "/signin" || path.startsWith("/signin?") || path.startsWith("/signin/") || path === "/auth" || path.startsWith("/auth/") || path.startsWith("/auth?")
    || path.startsWith("/api/");
}
