/**
 * The three roles, least to most. The contract for every rule in the API's
 * schema, every page of the dashboard, the database's CHECK constraints
 * (migration 0005, compared with this list by a test) and the command line.
 */
export const ROLES = ["viewer", "support", "admin"] as const;

export type Role = (typeof ROLES)[number];

/** What each role may see, in the words the README and the admin pages use. */
export const ROLE_DESCRIPTIONS: Record<Role, string> = {
  viewer: "counts, charts, topics, common questions, knowledge gaps and question texts; no investor ids, answers or conversations",
  support: "everything a viewer sees, plus conversations, answers and investor ids",
  admin: "everything, plus raw log lines, ingestion, alerts, users, API tokens and the audit log",
};

const RANK: Record<Role, number> = { viewer: 1, support: 2, admin: 3 };

/** True when `have` includes everything `need` may see. */
export function roleIncludes(have: Role, need: Role): boolean {
  return RANK[have] >= RANK[need];
}

export function isRole(value: unknown): value is Role {
  return typeof value === "string" && (ROLES as readonly string[]).includes(value);
}

/** The role named by `value` (any case), or an error listing the valid names. */
export function parseRole(value: string): Role {
  const v = value.trim().toLowerCase();
  if (!isRole(v)) throw new Error(`unknown role "${value}": expected one of ${ROLES.join(", ")}`);
  return v;
}

/** The larger of two roles. */
export function higherRole(a: Role, b: Role): Role {
  return RANK[a] >= RANK[b] ? a : b;
}
