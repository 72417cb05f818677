// Browser-safe and JSX-free (unit tests import it): who is signed in, and what their role lets a page ask for.
import { gql } from "urql";
import { roleIncludes, type Role } from "@log-insights/auth/roles";

/** Who is signed in, as the API sees it. */
export interface Me {
  kind: "user" | "token";
  /** The email of a person (the name of a token). */
  name: string;
  role: Role;
  /** password, sso or link; null for a token. */
  signInMethod: string | null;
}

export const ME = gql`query Me { me { kind name role signInMethod } }`;

export interface RoleFlags {
  role: Role;
  /** May see conversations, answers and investor ids. */
  support: boolean;
  /** May see raw log lines, ingestion, alerts, users, tokens and the audit log. */
  admin: boolean;
}

/** The role's flags for queries (`@include(if: $support)`) and for what a page shows; a viewer's when unknown. */
export function roleFlags(role: Role | null | undefined): RoleFlags {
  const r = role ?? "viewer";
  return { role: r, support: roleIncludes(r, "support"), admin: roleIncludes(r, "admin") };
}
