import SchemaBuilder from "@pothos/core";
import ScopeAuthPlugin from "@pothos/plugin-scope-auth";
import { roleIncludes, type Role } from "@log-insights/auth";
import type { ApiContext } from "../context";
import { apiError } from "../errors";

export interface SchemaTypes {
  Context: ApiContext;
  Scalars: {
    /** Epoch milliseconds inside, ISO-8601 text outside. */
    DateTime: { Input: number; Output: number };
    JSON: { Input: unknown; Output: unknown };
  };
  /** `authScopes: { role: "support" }`: the least role that may resolve the field (packages/auth/src/roles.ts). */
  AuthScopes: { role: Role };
  DefaultFieldNullability: false;
}

export type Types = PothosSchemaTypes.ExtendDefaultTypes<SchemaTypes>;

/**
 * Every field names the least role that may see it, on the field or on its
 * type (`authScopes: { role }`); schema/access.ts refuses to build a schema
 * with a field that names none, so a new field is denied until it says who
 * may see it. A caller without the role gets FORBIDDEN (signed in) or
 * UNAUTHENTICATED (not signed in) for that field, and null in its place.
 */
export const builder = new SchemaBuilder<SchemaTypes>({
  plugins: [ScopeAuthPlugin],
  defaultFieldNullability: false,
  scopeAuth: {
    authorizeOnSubscribe: true,
    // A type's role is checked once per object (in isTypeOf), not again on every field of it: a page of 25
    // questions is 25 checks, not 250 wrapped resolvers. Fields with their own role are still checked each.
    runScopesOnType: true,
    authScopes: (ctx) => ({
      role: (need: Role) => ctx.principal.kind !== "anonymous" && roleIncludes(ctx.principal.role, need),
    }),
    unauthorizedError: (_parent, ctx) =>
      ctx.principal.kind === "anonymous"
        ? apiError("UNAUTHENTICATED", "Sign in (or send an API token) to see this.")
        : apiError("FORBIDDEN", `Your role (${ctx.principal.role}) may not see this.`),
  },
});
