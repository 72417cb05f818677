import type { Queryable } from "@log-insights/store";
import { recordAudit } from "./audit";
import { AuthError } from "./errors";
import { verifyPassword } from "./passwords";
import { systemClock, type AuthPolicy, type Clock } from "./policy";
import type { Principal } from "./principal";
import type { Role } from "./roles";
import { createSession, type NewSession } from "./sessions";
import { clearAccount, lockedUntil, recordFailure, throttleKeys } from "./throttle";
import { findUserByEmail } from "./users";

export interface PasswordSignIn {
  email: string;
  password: string;
  /** The client's address (throttling only; kept as a keyed hash). */
  address: string | null;
}

const WRONG = "That email and password do not match an account.";

/**
 * Checks an email and password: throttled per account and per address,
 * every failure in the audit log. The same answer (and about the same time)
 * for an unknown email as for a wrong password. Returns the account.
 */
export async function checkPassword(
  db: Queryable, input: PasswordSignIn, policy: AuthPolicy, clock: Clock = systemClock,
): Promise<{ id: string; email: string; role: Role }> {
  const email = input.email.trim().toLowerCase().slice(0, 320);
  const keys = await throttleKeys(db, email, input.address);
  const locked = await lockedUntil(db, keys, clock);
  const anonymous = { kind: "anonymous" } as const;
  if (locked !== null) {
    await recordAudit(db, { actor: anonymous, action: "sign_in_failed", outcome: "denied", target: email, filters: { method: "password", reason: "locked out" } });
    const minutes = Math.max(1, Math.ceil((locked - clock()) / 60_000));
    throw new AuthError("LOCKED_OUT", `Too many failed sign-ins. Try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`, Math.ceil((locked - clock()) / 1000));
  }
  const user = await findUserByEmail(db, email);
  const ok = await verifyPassword(user?.passwordHash ?? null, input.password);
  if (!user || !ok) {
    await recordFailure(db, keys, policy, clock);
    await recordAudit(db, { actor: anonymous, action: "sign_in_failed", outcome: "failed", target: email, filters: { method: "password", reason: user ? "wrong password" : "no such account" } });
    throw new AuthError("BAD_CREDENTIALS", WRONG);
  }
  await clearAccount(db, keys);
  return { id: user.id, email: user.email, role: user.role };
}

/** Email and password sign-in (checkPassword), then a session; the sign-in is in the audit log. */
export async function signInWithPassword(
  db: Queryable, input: PasswordSignIn, policy: AuthPolicy, clock: Clock = systemClock,
): Promise<{ session: NewSession; principal: Extract<Principal, { kind: "user" }> }> {
  const user = await checkPassword(db, input, policy, clock);
  const session = await createSession(db, user.id, "password", policy, clock);
  const principal = { kind: "user" as const, userId: user.id, email: user.email, role: user.role, sessionHash: session.hash, method: "password" as const };
  await recordAudit(db, { actor: principal, action: "sign_in", filters: { method: "password" } });
  return { session, principal };
}
