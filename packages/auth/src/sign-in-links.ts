import type { Queryable } from "@log-insights/store";
import { recordAudit, type AuditActor } from "./audit";
import { AuthError } from "./errors";
import { systemClock, type AuthPolicy, type Clock } from "./policy";
import type { Principal } from "./principal";
import { randomSecret, secretHash } from "./secrets";
import { createSession, type NewSession } from "./sessions";
import { findUserByEmail } from "./users";

/** The dashboard's page that takes a link's token (apps/web/src/app/auth/link). */
export const SIGN_IN_LINK_PATH = "/auth/link";

/**
 * A one-time sign-in link for an account: for a first deployment (`npm run
 * users -- add`), for `npm start`'s local admin, and for someone who has no
 * password yet. Used once, valid for `policy.linkMs`; a new link for the
 * same person replaces the unused ones.
 */
export async function createSignInLink(
  db: Queryable, email: string, baseUrl: string, by: AuditActor, policy: AuthPolicy, clock: Clock = systemClock, lifetimeMs = policy.linkMs,
): Promise<{ url: string; expiresAtMs: number }> {
  const user = await findUserByEmail(db, email);
  if (!user) throw new AuthError("NOT_FOUND", `No account for ${email}.`);
  const secret = randomSecret();
  const now = clock();
  await db.query("UPDATE sign_in_links SET used_at = $2 WHERE user_id = $1 AND used_at IS NULL", [user.id, new Date(now)]);
  await db.query(
    "INSERT INTO sign_in_links (id_hash, user_id, created_by, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
    [secretHash(secret), user.id, by.kind === "user" ? by.email : by.kind === "system" ? by.label : by.kind, new Date(now), new Date(now + lifetimeMs)],
  );
  await recordAudit(db, { actor: by, action: "sign_in_link_created", target: user.email });
  const url = new URL(SIGN_IN_LINK_PATH, baseUrl);
  url.searchParams.set("token", secret);
  return { url: url.toString(), expiresAtMs: now + lifetimeMs };
}

/** The account a link would sign in, without using it (the confirmation page shows it). */
export async function peekSignInLink(db: Queryable, secret: string, clock: Clock = systemClock): Promise<{ email: string } | null> {
  const { rows } = await db.query<{ email: string }>(
    `SELECT u.email FROM sign_in_links l JOIN auth_users u ON u.id = l.user_id
     WHERE l.id_hash = $1 AND l.used_at IS NULL AND l.expires_at > $2`,
    [secretHash(secret), new Date(clock())],
  );
  return rows[0] ?? null;
}

/** Uses a link (once: the UPDATE claims it) and starts a session. */
export async function signInWithLink(
  db: Queryable, secret: string, policy: AuthPolicy, clock: Clock = systemClock,
): Promise<{ session: NewSession; principal: Extract<Principal, { kind: "user" }> }> {
  const now = new Date(clock());
  const { rows } = await db.query<{ user_id: string }>(
    "UPDATE sign_in_links SET used_at = $2 WHERE id_hash = $1 AND used_at IS NULL AND expires_at > $2 RETURNING user_id::text",
    [secretHash(secret), now],
  );
  if (!rows[0]) {
    await recordAudit(db, { actor: { kind: "anonymous" }, action: "sign_in_failed", outcome: "failed", filters: { method: "link", reason: "link unknown, used or expired" } });
    throw new AuthError("LINK_INVALID", "This sign-in link was already used or has expired. Ask an admin for a new one.");
  }
  const { rows: users } = await db.query<{ id: string; email: string; role: Extract<Principal, { kind: "user" }>["role"] }>(
    "SELECT id::text, email, role FROM auth_users WHERE id = $1", [rows[0].user_id]);
  const user = users[0]!;
  const session = await createSession(db, user.id, "link", policy, clock);
  const principal = { kind: "user" as const, userId: user.id, email: user.email, role: user.role, sessionHash: session.hash, method: "link" as const };
  await recordAudit(db, { actor: principal, action: "sign_in", filters: { method: "link" } });
  return { session, principal };
}
