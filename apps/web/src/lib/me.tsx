"use client";

import { createContext, useContext, type ReactNode } from "react";
import { useQuery } from "urql";
import type { Role } from "@log-insights/auth/roles";
import { errorText } from "./graphql";
import { ME, roleFlags, type Me, type RoleFlags } from "./me-query";

export { ME, roleFlags, type Me, type RoleFlags };

const MeContext = createContext<Me | null>(null);

/**
 * Asks the API once who is signed in, and gives every page and the shell
 * the answer: the navigation shows only what the role may open, and the
 * pages ask only for the fields the role may see. Until it is known the
 * pages are not shown (a 401 sends the browser to the sign-in page).
 */
export function MeProvider({ children }: { children: ReactNode }): ReactNode {
  const [result, reexecute] = useQuery<{ me: { kind: string; name: string; role: string; signInMethod: string | null } }>({ query: ME, requestPolicy: "cache-first" });
  const raw = result.data?.me;
  if (!raw) {
    if (result.error && result.error.response?.status !== 401) {
      return (
        <div className="signin-wrap">
          <div className="card state" role="alert" style={{ maxWidth: 520, margin: "12vh auto" }}>
            <span className="error-text">Could not check who you are: {errorText(result.error)}</span>
            <button type="button" onClick={() => reexecute({ requestPolicy: "network-only" })}>Try again</button>
          </div>
        </div>
      );
    }
    return <div className="skeleton" style={{ height: "100vh" }} aria-busy="true" aria-label="Loading" />;
  }
  const me: Me = { kind: raw.kind === "token" ? "token" : "user", name: raw.name, role: raw.role.toLowerCase() as Role, signInMethod: raw.signInMethod };
  return <MeContext.Provider value={me}>{children}</MeContext.Provider>;
}

/** Who is signed in; null outside the dashboard's pages. */
export function useMe(): Me | null {
  return useContext(MeContext);
}

export function useRole(): RoleFlags {
  return roleFlags(useMe()?.role);
}
