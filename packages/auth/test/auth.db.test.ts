import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "@log-insights/store/testing";
import type { AuthError} from "../src/index";
import {
  addUser, Authenticator, createSession, createSignInLink, createToken, DEFAULT_POLICY, hashPassword, listTokens,
  peekSignInLink, recordAudit, resolveSession, resolveToken, revokeSession, revokeToken, ROLES, setPassword, signInWithLink,
  signInWithPassword, verifyPassword, type AuthPolicy,
} from "../src/index";

// Accounts, passwords, sessions, tokens, links, throttling and the audit log
// against a real PostgreSQL (migration 0005), with an injected clock so that
// expiries and windows are exact. Truth is what the test set up and plain SQL
// on the tables, never the module's own readers.

const T0 = Date.parse("2026-11-02T09:00:00Z");
const MIN = 60_000;
const policy: AuthPolicy = { ...DEFAULT_POLICY, sessionIdleMs: 30 * MIN, sessionMaxMs: 8 * 60 * MIN, accountAttempts: 5, addressAttempts: 8, lockoutWindowMs: 15 * MIN, lockoutMs: 15 * MIN };

describe("packages/auth on PostgreSQL", () => {
  let db: TestDatabase;
  let now = T0;
  const clock = () => now;
  const audit = async (action: string) => (await db.pool.query("SELECT * FROM audit_log WHERE action = $1 ORDER BY id", [action])).rows;

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  it("the database's role constraints are the roles contract", async () => {
    const { rows } = await db.pool.query<{ table: string; def: string }>(
      `SELECT conrelid::regclass::text AS table, pg_get_constraintdef(oid) AS def FROM pg_constraint
       WHERE contype = 'c' AND pg_get_constraintdef(oid) LIKE '%role%' AND conrelid::regclass::text IN ('auth_users', 'api_tokens')`);
    expect(rows.map((r) => r.table).sort()).toEqual(["api_tokens", "auth_users"]);
    for (const r of rows) expect([...r.def.matchAll(/'(\w+)'::text/g)].map((m) => m[1]).sort()).toEqual([...ROLES].sort());
  });

  it("passwords are argon2id hashes with OWASP's parameters, never the password", async () => {
    const hash = await hashPassword("correct horse battery");
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(hash).not.toContain("correct horse");
    expect(await verifyPassword(hash, "correct horse battery")).toBe(true);
    expect(await verifyPassword(hash, "correct horse batterY")).toBe(false);
    expect(await verifyPassword(null, "anything at all")).toBe(false);
    await expect(addUser(db.pool, { email: "short@example.com", role: "viewer", password: "tooshort", createdBy: "test" })).rejects.toMatchObject({ code: "BAD_PASSWORD" });
    await expect(addUser(db.pool, { email: "not an email", role: "viewer", createdBy: "test" })).rejects.toMatchObject({ code: "BAD_EMAIL" });
  });

  it("password sign-in: a session, an audit row; a wrong password and an unknown account get the same refusal", async () => {
    await addUser(db.pool, { email: "Ada@Example.com", role: "support", password: "a long enough password", createdBy: "test" });
    const { session, principal } = await signInWithPassword(db.pool, { email: "ada@example.com", password: "a long enough password", address: "198.51.100.7" }, policy, clock);
    expect(principal).toMatchObject({ kind: "user", email: "ada@example.com", role: "support", method: "password" });
    const stored = (await db.pool.query("SELECT * FROM auth_sessions")).rows;
    expect(stored).toHaveLength(1);
    expect(JSON.stringify(stored)).not.toContain(session.secret);
    expect(Number(stored[0].expires_at.getTime())).toBe(T0 + policy.sessionMaxMs);
    expect(await audit("sign_in")).toHaveLength(1);

    const wrong = await signInWithPassword(db.pool, { email: "ada@example.com", password: "not the password", address: "198.51.100.7" }, policy, clock).catch((e: AuthError) => e);
    const unknown = await signInWithPassword(db.pool, { email: "nobody@example.com", password: "not the password", address: "198.51.100.7" }, policy, clock).catch((e: AuthError) => e);
    expect(wrong).toMatchObject({ code: "BAD_CREDENTIALS" });
    expect(unknown).toMatchObject({ code: "BAD_CREDENTIALS", message: (wrong as AuthError).message });
    const failed = await audit("sign_in_failed");
    expect(failed.map((r) => [r.target, r.outcome, r.filters.reason])).toEqual([
      ["ada@example.com", "failed", "wrong password"], ["nobody@example.com", "failed", "no such account"],
    ]);
    // The address is throttled by a keyed hash: it is nowhere as itself.
    const keys = (await db.pool.query<{ key: string }>("SELECT key FROM sign_in_failures")).rows.map((r) => r.key);
    expect(keys.some((k) => k.startsWith("address:"))).toBe(true);
    expect(JSON.stringify((await db.pool.query("SELECT * FROM sign_in_failures")).rows)).not.toContain("198.51.100.7");
  });

  it("locks an account after 5 failures in the window: even the right password is refused until the lock ends", async () => {
    await addUser(db.pool, { email: "grace@example.com", role: "viewer", password: "grace's real password", createdBy: "test" });
    const attempt = (password: string, address = "203.0.113.9") =>
      signInWithPassword(db.pool, { email: "grace@example.com", password, address }, policy, clock).then(() => "ok", (e: AuthError) => e.code);
    for (let i = 0; i < 4; i++) expect(await attempt("guess " + i)).toBe("BAD_CREDENTIALS");
    now += MIN;
    expect(await attempt("guess 5")).toBe("BAD_CREDENTIALS");
    expect(await attempt("grace's real password")).toBe("LOCKED_OUT");
    expect(await attempt("grace's real password", "192.0.2.1")).toBe("LOCKED_OUT"); // another address: the account is locked
    now += policy.lockoutMs - 1_000;
    expect(await attempt("grace's real password")).toBe("LOCKED_OUT");
    now += 2_000;
    expect(await attempt("grace's real password")).toBe("ok");
    expect((await audit("sign_in_failed")).filter((r) => r.target === "grace@example.com" && r.outcome === "denied")).toHaveLength(3);
  });

  it("failures counted in a window: spread out, they never lock", async () => {
    await addUser(db.pool, { email: "slow@example.com", role: "viewer", password: "slow and steady pw", createdBy: "test" });
    for (let i = 0; i < 12; i++) {
      now += 4 * MIN; // 4 failures per 16 minutes: under 5 per 15-minute window from the first
      const code = await signInWithPassword(db.pool, { email: "slow@example.com", password: "wrong", address: `10.1.0.${i}` }, policy, clock).then(() => "ok", (e: AuthError) => e.code);
      expect(code).toBe("BAD_CREDENTIALS");
    }
  });

  it("locks an address that fails across many accounts", async () => {
    now += 60 * MIN;
    for (let i = 0; i < policy.addressAttempts; i++) {
      await signInWithPassword(db.pool, { email: `spray${i}@example.com`, password: "password123456", address: "203.0.113.66" }, policy, clock).catch(() => undefined);
    }
    await addUser(db.pool, { email: "victim@example.com", role: "viewer", password: "victim's password!", createdBy: "test" });
    const fromThere = await signInWithPassword(db.pool, { email: "victim@example.com", password: "victim's password!", address: "203.0.113.66" }, policy, clock).then(() => "ok", (e: AuthError) => e.code);
    const fromElsewhere = await signInWithPassword(db.pool, { email: "victim@example.com", password: "victim's password!", address: "203.0.113.67" }, policy, clock).then(() => "ok", (e: AuthError) => e.code);
    expect([fromThere, fromElsewhere]).toEqual(["LOCKED_OUT", "ok"]);
  });

  it("sessions end after the idle time, after the absolute time, and when revoked", async () => {
    const user = await addUser(db.pool, { email: "sess@example.com", role: "admin", createdBy: "test" });
    const start = now;
    const s = await createSession(db.pool, user.id, "link", policy, clock);
    expect(await resolveSession(db.pool, s.secret, policy, clock)).toMatchObject({ email: "sess@example.com", role: "admin" });
    // Used every 20 minutes, it lives on past 30 minutes of age...
    for (let t = 20; t <= 460; t += 20) {
      now = start + t * MIN;
      expect(await resolveSession(db.pool, s.secret, policy, clock), `at ${t} min`).not.toBeNull();
    }
    // ...but not past the absolute expiry (8 h).
    now = start + 481 * MIN;
    expect(await resolveSession(db.pool, s.secret, policy, clock)).toBeNull();

    const idle = await createSession(db.pool, user.id, "link", policy, clock);
    now += 29 * MIN;
    expect(await resolveSession(db.pool, idle.secret, policy, clock)).not.toBeNull();
    now += 29 * MIN;
    expect(await resolveSession(db.pool, idle.secret, policy, clock)).not.toBeNull(); // 58 min old, used 29 min ago
    now += 30 * MIN + 1;
    expect(await resolveSession(db.pool, idle.secret, policy, clock)).toBeNull();

    const revoked = await createSession(db.pool, user.id, "link", policy, clock);
    expect(await revokeSession(db.pool, revoked.secret, clock)).toBe(true);
    expect(await resolveSession(db.pool, revoked.secret, policy, clock)).toBeNull();
    expect(await resolveSession(db.pool, "x".repeat(43), policy, clock)).toBeNull();
  });

  it("a new password ends the other sessions but keeps the current one", async () => {
    const user = await addUser(db.pool, { email: "pw@example.com", role: "viewer", createdBy: "test" });
    const a = await createSession(db.pool, user.id, "link", policy, clock);
    const b = await createSession(db.pool, user.id, "link", policy, clock);
    await setPassword(db.pool, user.id, "a brand new password", a.hash);
    expect(await resolveSession(db.pool, a.secret, policy, clock)).not.toBeNull();
    expect(await resolveSession(db.pool, b.secret, policy, clock)).toBeNull();
  });

  it("API tokens: stored hashed, shown once, last use recorded at most once a minute, expiry and revocation", async () => {
    const by = { kind: "system" as const, label: "test" };
    const { token, apiToken } = await createToken(db.pool, { name: "grafana", role: "viewer", expiresInMs: 60 * MIN, createdBy: by }, clock);
    expect(token).toMatch(/^li_[A-Za-z0-9_-]{43}$/);
    expect(apiToken.prefix).toBe(token.slice(0, 9));
    const rows = (await db.pool.query("SELECT * FROM api_tokens")).rows;
    expect(JSON.stringify(rows)).not.toContain(token.slice(9));
    await expect(createToken(db.pool, { name: "grafana", role: "admin", createdBy: by }, clock)).rejects.toMatchObject({ code: "ALREADY_EXISTS" });

    // Twenty requests at once in the same minute: one audit row, one last_used_at write.
    const resolved = await Promise.all(Array.from({ length: 20 }, () => resolveToken(db.pool, token, clock)));
    expect(resolved.every((p) => p?.role === "viewer" && p.name === "grafana")).toBe(true);
    expect((await audit("token_used")).filter((r) => r.target === "grafana")).toHaveLength(1);
    now += 30_000;
    await resolveToken(db.pool, token, clock);
    expect((await audit("token_used")).filter((r) => r.target === "grafana")).toHaveLength(1);
    now += 31_000;
    await resolveToken(db.pool, token, clock);
    expect((await audit("token_used")).filter((r) => r.target === "grafana")).toHaveLength(2);
    expect((await listTokens(db.pool))[0]!.lastUsedAtMs).toBe(now);

    now += 60 * MIN;
    expect(await resolveToken(db.pool, token, clock)).toBeNull(); // expired
    const other = await createToken(db.pool, { name: "script", role: "admin", createdBy: by }, clock);
    expect(await resolveToken(db.pool, other.token, clock)).not.toBeNull();
    await revokeToken(db.pool, "script", by, clock);
    expect(await resolveToken(db.pool, other.token, clock)).toBeNull();
    expect(await resolveToken(db.pool, "li_" + "A".repeat(43), clock)).toBeNull();
    // A revoked name can be used again.
    await createToken(db.pool, { name: "script", role: "viewer", createdBy: by }, clock);
    expect((await audit("token_created")).map((r) => r.target)).toEqual(["grafana", "script", "script"]);
    expect((await audit("token_revoked")).map((r) => r.target)).toEqual(["script"]);
  });

  it("the authenticator: a bearer token wins over the cookie, an unknown one is anonymous, results are cached briefly", async () => {
    const auth = new Authenticator({ db: db.pool, policy, clock, cacheMs: 5_000 });
    const { token } = await createToken(db.pool, { name: "cached", role: "support", createdBy: { kind: "system", label: "test" } }, clock);
    const user = await addUser(db.pool, { email: "cookie@example.com", role: "admin", createdBy: "test" });
    const s = await createSession(db.pool, user.id, "link", policy, clock);
    const h = (o: Record<string, string>) => new Headers(o);
    expect(await auth.authenticate(h({ authorization: `Bearer ${token}`, cookie: `li_session=${s.secret}` }))).toMatchObject({ kind: "token", role: "support" });
    expect(await auth.authenticate(h({ cookie: `other=1; li_session=${s.secret}` }))).toMatchObject({ kind: "user", role: "admin" });
    expect(await auth.authenticate(h({ cookie: `__Host-li_session=${s.secret}` }))).toMatchObject({ kind: "user" });
    expect(await auth.authenticate(h({ authorization: "Bearer li_nope", cookie: `li_session=${s.secret}` }))).toEqual({ kind: "anonymous" });
    expect(await auth.authenticate(h({}))).toEqual({ kind: "anonymous" });
    await revokeSession(db.pool, s.secret, clock);
    expect(await auth.authenticate(h({ cookie: `li_session=${s.secret}` }))).toMatchObject({ kind: "user" }); // cached
    now += 5_001;
    expect(await auth.authenticate(h({ cookie: `li_session=${s.secret}` }))).toEqual({ kind: "anonymous" });
  });

  it("one-time sign-in links: used once, expire, and a new one replaces the unused", async () => {
    await addUser(db.pool, { email: "link@example.com", role: "viewer", createdBy: "test" });
    const system = { kind: "system" as const, label: "test" };
    const first = await createSignInLink(db.pool, "link@example.com", "http://localhost:3000", system, policy, clock);
    const second = await createSignInLink(db.pool, "link@example.com", "http://localhost:3000", system, policy, clock);
    const secretOf = (url: string) => new URL(url).searchParams.get("token")!;
    expect(new URL(second.url).pathname).toBe("/auth/link");
    expect(await peekSignInLink(db.pool, secretOf(first.url), clock)).toBeNull();
    expect(await peekSignInLink(db.pool, secretOf(second.url), clock)).toEqual({ email: "link@example.com" });
    const [a, b] = await Promise.all([1, 2].map(() => signInWithLink(db.pool, secretOf(second.url), policy, clock).then(() => "ok", (e: AuthError) => e.code)));
    expect([a, b].sort()).toEqual(["LINK_INVALID", "ok"]);
    const third = await createSignInLink(db.pool, "link@example.com", "http://localhost:3000", system, policy, clock);
    now += policy.linkMs;
    await expect(signInWithLink(db.pool, secretOf(third.url), policy, clock)).rejects.toMatchObject({ code: "LINK_INVALID" });
    expect(JSON.stringify((await db.pool.query("SELECT * FROM sign_in_links")).rows)).not.toContain(secretOf(third.url));
  });

  it("the audit log stores hostile text: NUL and lone surrogates become U+FFFD, in the target and in the filters", async () => {
    await recordAudit(db.pool, { actor: { kind: "system", label: "test" }, action: "view_conversation", target: "a\u0000b", filters: { q: "x\u0000y\ud800z", n: 1 } });
    const { rows } = await db.pool.query<{ target: string; filters: { q: string; n: number } }>("SELECT target, filters FROM audit_log WHERE action = 'view_conversation' ORDER BY id DESC LIMIT 1");
    expect(rows[0]).toEqual({ target: "a\uFFFDb", filters: { q: "x\uFFFDy\uFFFDz", n: 1 } });
  });

  it("the audit log is append-only: UPDATE, DELETE and TRUNCATE are refused; only an erasure's transaction may update", async () => {
    await recordAudit(db.pool, { actor: { kind: "system", label: "test" }, action: "csv_export", target: "t", filters: { userId: 42 } });
    for (const sql of ["UPDATE audit_log SET target = 'x'", "DELETE FROM audit_log", "TRUNCATE audit_log"]) {
      await expect(db.pool.query(sql), sql).rejects.toThrow(/append-only/);
    }
    const c = await db.pool.connect();
    try {
      await c.query("BEGIN");
      await c.query("SELECT set_config('log_insights.audit_erasure', 'on', true)");
      const r = await c.query("UPDATE audit_log SET filters = filters - 'userId' WHERE filters ? 'userId'");
      expect(r.rowCount).toBe(1);
      await c.query("DELETE FROM audit_log").then(() => expect.fail("a delete went through"), (e: Error) => expect(e.message).toMatch(/append-only/));
      await c.query("ROLLBACK");
    } finally {
      c.release();
    }
    await expect(db.pool.query("UPDATE audit_log SET target = 'x'")).rejects.toThrow(/append-only/); // the setting ended with its transaction
  });
});
