import type pg from "pg";
import type { Queryable } from "@log-insights/store";
import { AuthError } from "./errors";
import { checkPasswordPolicy, hashPassword } from "./passwords";
import type { Role } from "./roles";

/** A person who may use the dashboard (the product's own staff: never an investor). */
export interface User {
  id: string;
  email: string;
  role: Role;
  displayName: string | null;
  hasPassword: boolean;
  sso: boolean;
  createdAtMs: number;
  createdBy: string | null;
  lastSignInAtMs: number | null;
}

interface UserRow {
  id: string; email: string; role: Role; display_name: string | null; password_hash: string | null;
  oidc_subject: string | null; created_at: Date; created_by: string | null; last_sign_in_at: Date | null;
}

const COLUMNS = "id::text, email, role, display_name, password_hash, oidc_subject, created_at, created_by, last_sign_in_at";

function toUser(r: UserRow): User {
  return {
    id: r.id, email: r.email, role: r.role, displayName: r.display_name, hasPassword: r.password_hash !== null,
    sso: r.oidc_subject !== null, createdAtMs: r.created_at.getTime(), createdBy: r.created_by, lastSignInAtMs: r.last_sign_in_at?.getTime() ?? null,
  };
}

const EMAIL_RE = /^[^\s@]{1,64}@[^\s@]{1,255}$/;

/** Lower case, trimmed; refuses what is not an address. */
export function normalizeEmail(email: string): string {
  const e = email.trim().toLowerCase();
  const domain = e.split("@")[1] ?? "";
  if (!EMAIL_RE.test(e) || (!domain.includes(".") && domain !== "localhost")) throw new AuthError("BAD_EMAIL", "That is not an email address.");
  return e;
}

export async function findUserByEmail(db: Queryable, email: string): Promise<(User & { passwordHash: string | null }) | null> {
  const { rows } = await db.query<UserRow>(`SELECT ${COLUMNS} FROM auth_users WHERE email = $1`, [email.trim().toLowerCase()]);
  return rows[0] ? { ...toUser(rows[0]), passwordHash: rows[0].password_hash } : null;
}

export async function findUserById(db: Queryable, id: string): Promise<User | null> {
  const { rows } = await db.query<UserRow>(`SELECT ${COLUMNS} FROM auth_users WHERE id = $1`, [id]);
  return rows[0] ? toUser(rows[0]) : null;
}

export async function listUsers(db: Queryable): Promise<User[]> {
  const { rows } = await db.query<UserRow>(`SELECT ${COLUMNS} FROM auth_users ORDER BY email`);
  return rows.map(toUser);
}

export interface AddUserInput {
  email: string;
  role: Role;
  displayName?: string | null;
  password?: string | null;
  createdBy: string;
}

export async function addUser(db: Queryable, input: AddUserInput): Promise<User> {
  const email = normalizeEmail(input.email);
  if (input.password != null) checkPasswordPolicy(input.password, email);
  const passwordHash = input.password != null ? await hashPassword(input.password) : null;
  const { rows } = await db.query<UserRow>(
    `INSERT INTO auth_users (email, role, display_name, password_hash, created_by) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (email) DO NOTHING RETURNING ${COLUMNS}`,
    [email, input.role, input.displayName ?? null, passwordHash, input.createdBy],
  );
  if (!rows[0]) throw new AuthError("ALREADY_EXISTS", `${email} already has an account.`);
  return toUser(rows[0]);
}

async function adminsBesides(db: Queryable, email: string): Promise<number> {
  const { rows } = await db.query<{ n: string }>("SELECT count(*) AS n FROM auth_users WHERE role = 'admin' AND email <> $1", [email]);
  return Number(rows[0]!.n);
}

/** Changes a role and ends the person's sessions (they sign in again with the new role). The last admin stays an admin. */
export async function setUserRole(pool: pg.Pool, email: string, role: Role): Promise<{ user: User; previous: Role }> {
  const e = email.trim().toLowerCase();
  return inTransaction(pool, async (c) => {
    const { rows } = await c.query<UserRow>(`SELECT ${COLUMNS} FROM auth_users WHERE email = $1 FOR UPDATE`, [e]);
    const before = rows[0];
    if (!before) throw new AuthError("NOT_FOUND", `No account for ${e}.`);
    await c.query("LOCK TABLE auth_users IN SHARE ROW EXCLUSIVE MODE");
    if (before.role === "admin" && role !== "admin" && (await adminsBesides(c, e)) === 0) {
      throw new AuthError("LAST_ADMIN", "This is the only admin: make someone else an admin first.");
    }
    const { rows: after } = await c.query<UserRow>(`UPDATE auth_users SET role = $2 WHERE email = $1 RETURNING ${COLUMNS}`, [e, role]);
    if (before.role !== role) await c.query("UPDATE auth_sessions SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL", [before.id]);
    return { user: toUser(after[0]!), previous: before.role };
  });
}

/** Removes an account; its sessions and links go with it. The last admin cannot be removed. */
export async function removeUser(pool: pg.Pool, email: string): Promise<User> {
  const e = email.trim().toLowerCase();
  return inTransaction(pool, async (c) => {
    await c.query("LOCK TABLE auth_users IN SHARE ROW EXCLUSIVE MODE");
    const { rows } = await c.query<UserRow>(`SELECT ${COLUMNS} FROM auth_users WHERE email = $1`, [e]);
    const user = rows[0];
    if (!user) throw new AuthError("NOT_FOUND", `No account for ${e}.`);
    if (user.role === "admin" && (await adminsBesides(c, e)) === 0) throw new AuthError("LAST_ADMIN", "This is the only admin: make someone else an admin first.");
    await c.query("DELETE FROM auth_users WHERE id = $1", [user.id]);
    return toUser(user);
  });
}

/** Sets (or replaces) a password; other sessions of the person end, the current one (keepSession) stays. */
export async function setPassword(db: Queryable, userId: string, password: string, keepSessionHash?: string | null): Promise<void> {
  const user = await findUserById(db, userId);
  if (!user) throw new AuthError("NOT_FOUND", "No such account.");
  checkPasswordPolicy(password, user.email);
  await db.query("UPDATE auth_users SET password_hash = $2 WHERE id = $1", [userId, await hashPassword(password)]);
  await db.query("UPDATE auth_sessions SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL AND id_hash IS DISTINCT FROM $2", [userId, keepSessionHash ?? null]);
}

export async function inTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    const result = await fn(client);
    await client.query("COMMIT");
    return result;
  } catch (err) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
