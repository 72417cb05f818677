import type { GraphQLSchema } from "graphql";
import { higherRole, isRole, type Role } from "@log-insights/auth";

interface WithOptions {
  extensions?: { pothosOptions?: { authScopes?: unknown } } | null;
}

function roleOfScopes(scopes: unknown): Role | null {
  if (scopes && typeof scopes === "object" && "role" in scopes && isRole((scopes as { role: unknown }).role)) return (scopes as { role: Role }).role;
  return null;
}

const ROOTS = new Set(["Query", "Mutation", "Subscription"]);

/**
 * The least role that may resolve each field of the schema ("Type.field" →
 * role): the field's own authScopes and its type's, the stricter of the two;
 * null when neither names one. Root fields need their own. Read from the
 * built schema, so it is what runs, not what a list says.
 */
export function fieldRoles(schema: GraphQLSchema): Map<string, Role | null> {
  const out = new Map<string, Role | null>();
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith("__") || !("getFields" in type) || "getInterfaces" in type === false) continue;
    const typeRole = ROOTS.has(type.name) ? null : roleOfScopes((type as WithOptions).extensions?.pothosOptions?.authScopes);
    const fields = (type as unknown as { getFields(): Record<string, WithOptions> }).getFields();
    for (const [name, field] of Object.entries(fields)) {
      const own = roleOfScopes(field.extensions?.pothosOptions?.authScopes);
      out.set(`${type.name}.${name}`, own && typeRole ? higherRole(own, typeRole) : (own ?? typeRole));
    }
  }
  return out;
}

/** Refuses a schema with a field that names no role: deny by default holds when someone adds a field. */
export function assertEveryFieldHasARole(schema: GraphQLSchema): void {
  const missing = [...fieldRoles(schema)].filter(([, role]) => role === null).map(([f]) => f);
  if (missing.length > 0) {
    throw new Error(`These GraphQL fields name no role (add authScopes: { role } to the field or its type): ${missing.join(", ")}`);
  }
}
