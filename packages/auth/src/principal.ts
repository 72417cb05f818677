import type { Role } from "./roles";

/** Who is asking: a signed-in person, an API token, or nobody. */
export type Principal =
  | { kind: "user"; userId: string; email: string; role: Role; sessionHash: string; method: SessionMethod }
  | { kind: "token"; tokenId: string; name: string; role: Role }
  | { kind: "anonymous" };

export type SessionMethod = "password" | "sso" | "link";

export const ANONYMOUS: Principal = { kind: "anonymous" };

/** The role of a principal; null for anonymous. */
export function roleOf(p: Principal): Role | null {
  return p.kind === "anonymous" ? null : p.role;
}

/** A stable key per caller: rate limits, subscription caps and the cache's partition use it. */
export function principalKey(p: Principal): string {
  if (p.kind === "user") return `session:${p.sessionHash}`;
  if (p.kind === "token") return `token:${p.tokenId}`;
  return "anonymous";
}
