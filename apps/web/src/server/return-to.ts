import { safeReturnTo } from "@log-insights/auth";
import { isAuthPath } from "../lib/return-to";

/**
 * Where to go after signing in: `next` when it is a path on this site
 * (safeReturnTo: no other host, no "//evil", no "/\\evil") and not one of
 * the sign-in pages themselves; the overview otherwise.
 */
export function afterSignIn(next: string | null | undefined): string {
  const path = safeReturnTo(next ?? null);
  return isAuthPath(path) ? "/" : path;
}
