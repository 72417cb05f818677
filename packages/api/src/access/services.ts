import type { Authenticator, AuthPolicy, OidcSignIn } from "@log-insights/auth";

/** What the access-management fields need besides the database. */
export interface AccessServices {
  policy: AuthPolicy;
  /** Base of the sign-in links the API makes (PUBLIC_URL, else the request's origin). */
  publicUrl: string | null;
  authenticator: Authenticator;
  /** Single sign-on, when configured (the `me` field says whether it is). */
  sso: OidcSignIn | null;
}
