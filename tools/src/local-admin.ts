/**
 * Sign-in for `npm start`: the dashboard needs an account, and a first run
 * has none. So after the migrations, when the database has no admin at all,
 * a local admin `admin@localhost` is made (no password), and at every start
 * a fresh one-time sign-in link for it is printed once the dashboard is
 * ready, the way Jupyter prints its token URL. A new link replaces the
 * unused ones; it lives AUTH_LINK_HOURS. On a database whose admins are real
 * people (no admin@localhost), nothing is made and no link is printed.
 */
import { AuthError, addUser, createSignInLink, findUserByEmail, policyFromEnv, recordAudit, setUserRole, type AuditActor } from "@log-insights/auth";
import type { Env, Logger } from "@log-insights/config";
import type { Pool } from "pg";
import { signInLinkBase } from "./cli";

export const LOCAL_ADMIN = "admin@localhost";
const START_ACTOR: AuditActor = { kind: "system", label: "start" };

/** Makes admin@localhost when there is no admin; true when admin@localhost exists (a link can be printed for it). */
export async function ensureLocalAdmin(pool: Pool, logger: Logger): Promise<boolean> {
  const { rows } = await pool.query<{ n: string }>("SELECT count(*) AS n FROM auth_users WHERE role = 'admin'");
  if (Number(rows[0]!.n) === 0) {
    const existing = await findUserByEmail(pool, LOCAL_ADMIN);
    try {
      if (existing) {
        const { previous } = await setUserRole(pool, LOCAL_ADMIN, "admin");
        await recordAudit(pool, { actor: START_ACTOR, action: "role_changed", target: LOCAL_ADMIN, filters: { from: previous, to: "admin", by: "npm start: no admin left" } });
      } else {
        await addUser(pool, { email: LOCAL_ADMIN, role: "admin", createdBy: "start" });
        await recordAudit(pool, { actor: START_ACTOR, action: "user_added", target: LOCAL_ADMIN, filters: { role: "admin", by: "npm start: no admin yet" } });
      }
      logger.info({ email: LOCAL_ADMIN }, "no admin account yet: made a local admin (no password; it signs in with the link printed at each start)");
    } catch (err) {
      // Another `npm start` on the same database made it first.
      if (!(err instanceof AuthError && err.code === "ALREADY_EXISTS")) throw err;
    }
  }
  return (await findUserByEmail(pool, LOCAL_ADMIN)) !== null;
}

/** A new one-time sign-in link for admin@localhost (the unused ones stop working). */
export async function localAdminLink(pool: Pool, env: Env): Promise<{ url: string; expiresAtMs: number }> {
  return createSignInLink(pool, LOCAL_ADMIN, signInLinkBase(env), START_ACTOR, policyFromEnv(env));
}
