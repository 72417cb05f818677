import { randomBytes } from "node:crypto";
import type pg from "pg";
import { addUser, createSession, createToken, DEFAULT_POLICY, type Role } from "@log-insights/auth";
import { createApiHandler, type ApiHandler, type ApiOptions } from "../../src/handler";

/** A real API token of `role`, created in the database (as `npm run tokens -- create` does). */
export async function tokenFor(pool: pg.Pool, role: Role = "admin", name = `test ${role} ${randomBytes(3).toString("hex")}`): Promise<string> {
  return (await createToken(pool, { name, role, createdBy: { kind: "system", label: "test" } })).token;
}

/** A real signed-in person of `role`: the account and a session; returns the session cookie's value. */
export async function sessionFor(pool: pg.Pool, role: Role, email = `${role}-${randomBytes(3).toString("hex")}@example.com`): Promise<{ cookie: string; email: string }> {
  const user = await addUser(pool, { email, role, createdBy: "test" });
  const session = await createSession(pool, user.id, "password", DEFAULT_POLICY);
  return { cookie: `li_session=${session.secret}`, email };
}

/**
 * The API handler as the tests of its behaviour use it: requests addressed
 * to http://api.test (added to the host allow-list) and, unless a request
 * carries its own Authorization or Cookie, sent with a real token of `role`
 * (default admin: those tests are about what the fields answer; who may see
 * which field is access.db.test.ts's subject).
 */
export function testApi(options: ApiOptions, role: Role = "admin"): ApiHandler {
  const handler = createApiHandler({ ...options, access: { ...options.access, allowedHosts: ["api.test", ...(options.access?.allowedHosts ?? [])] } });
  let token: Promise<string> | undefined;
  const fetch: ApiHandler["fetch"] = async (request, serverContext) => {
    if (!request.headers.has("authorization") && !request.headers.has("cookie")) {
      const headers = new Headers(request.headers);
      // A database that cannot be reached cannot hold a token: send one that cannot resolve (the gate answers UNAVAILABLE).
      headers.set("authorization", `Bearer ${await (token ??= tokenFor((options.access?.authPool ?? options.pool) as pg.Pool, role).catch(() => "li_no-database"))}`);
      request = new Request(request, { headers });
    }
    return handler.fetch(request, serverContext);
  };
  return { ...handler, fetch };
}

/** True for a statement that reads the data (a reader's), not one of access control's own (tokens, sessions, the audit log). */
export function readsData(statement: unknown): boolean {
  const text = typeof statement === "string" ? statement : String((statement as { text?: unknown } | null)?.text ?? "");
  return !/\b(audit_log|api_tokens|auth_sessions|auth_users|auth_settings)\b/.test(text);
}
