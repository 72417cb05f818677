import type { Queryable } from "@log-insights/store";
import { systemClock, type AuthPolicy, type Clock } from "./policy";
import type { Principal, SessionMethod } from "./principal";
import type { Role } from "./roles";
import { randomSecret, secretHash } from "./secrets";

/** The session cookie's name: `__Host-` over HTTPS (Secure, whole site, this host only), plain otherwise. */
export function sessionCookieName(secure: boolean): string {
  return secure ? "__Host-li_session" : "li_session";
}

/** Both names, for reading a cookie whatever the scheme it was set under. */
export const SESSION_COOKIE_NAMES = [sessionCookieName(true), sessionCookieName(false)] as const;

export interface NewSession {
  /** The cookie's value: shown to the browser once, kept only as its hash. */
  secret: string;
  hash: string;
  expiresAtMs: number;
}

/** Starts a session for a user (after a successful sign-in) and records the sign-in time. */
export async function createSession(db: Queryable, userId: string, method: SessionMethod, policy: AuthPolicy, clock: Clock = systemClock): Promise<NewSession> {
  const now = clock();
  const secret = randomSecret();
  const hash = secretHash(secret);
  const expiresAtMs = now + policy.sessionMaxMs;
  await db.query(
    `INSERT INTO auth_sessions (id_hash, user_id, method, created_at, last_seen_at, expires_at) VALUES ($1, $2, $3, $4, $4, $5)`,
    [hash, userId, method, new Date(now), new Date(expiresAtMs)],
  );
  await db.query("UPDATE auth_users SET last_sign_in_at = $2 WHERE id = $1", [userId, new Date(now)]);
  return { secret, hash, expiresAtMs };
}

/** How often last_seen_at is written: idle expiry is exact to this, and a busy dashboard does not write on every request. */
const TOUCH_EVERY_MS = 60_000;

/**
 * The signed-in person behind a session cookie, or null when the session
 * does not exist, was revoked, or passed its idle or absolute expiry.
 */
export async function resolveSession(db: Queryable, secret: string, policy: AuthPolicy, clock: Clock = systemClock): Promise<Extract<Principal, { kind: "user" }> | null> {
  if (secret.length < 20 || secret.length > 100) return null;
  const now = clock();
  const hash = secretHash(secret);
  const { rows } = await db.query<{ user_id: string; email: string; role: Role; method: SessionMethod; last_seen_at: Date; expires_at: Date; revoked_at: Date | null }>(
    `SELECT s.user_id::text, u.email, u.role, s.method, s.last_seen_at, s.expires_at, s.revoked_at
     FROM auth_sessions s JOIN auth_users u ON u.id = s.user_id WHERE s.id_hash = $1`,
    [hash],
  );
  const s = rows[0];
  if (!s || s.revoked_at !== null) return null;
  if (now >= s.expires_at.getTime() || now - s.last_seen_at.getTime() >= policy.sessionIdleMs) return null;
  if (now - s.last_seen_at.getTime() >= TOUCH_EVERY_MS) {
    await db.query("UPDATE auth_sessions SET last_seen_at = $2 WHERE id_hash = $1 AND last_seen_at < $2", [hash, new Date(now)]);
  }
  return { kind: "user", userId: s.user_id, email: s.email, role: s.role, sessionHash: hash, method: s.method };
}

/** Ends a session (sign-out). True when there was one to end. */
export async function revokeSession(db: Queryable, secret: string, clock: Clock = systemClock): Promise<boolean> {
  const r = await db.query("UPDATE auth_sessions SET revoked_at = $2 WHERE id_hash = $1 AND revoked_at IS NULL", [secretHash(secret), new Date(clock())]);
  return (r.rowCount ?? 0) > 0;
}

/** Drops sessions that ended more than a day ago (they can never come back). */
export async function pruneSessions(db: Queryable, clock: Clock = systemClock): Promise<number> {
  const r = await db.query("DELETE FROM auth_sessions WHERE expires_at < $1 OR revoked_at < $1", [new Date(clock() - 86_400_000)]);
  return r.rowCount ?? 0;
}
