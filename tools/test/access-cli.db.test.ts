/**
 * `npm run users` and `npm run tokens` as real child processes on a test
 * database: what each prints where (the secret alone on stdout), what it
 * changes (read back with SQL and used: a printed link signs in, a printed
 * password signs in, a printed token authenticates), its exit status (0 ok,
 * 1 refused, 2 usage or configuration), and the audit row of every change.
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_POLICY, resolveSession, resolveToken, signInWithLink, signInWithPassword } from "@log-insights/auth";
import { createTestDatabase, type TestDatabase } from "@log-insights/store/testing";
import { repoRoot } from "../../packages/ingest/test/support/harness";

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function spawnRun(command: string, args: string[], env: Record<string, string | undefined>): Promise<Run> {
  const child = spawn(command, args, { cwd: repoRoot, env: { ...process.env, LOG_LEVEL: "warn", ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => { stdout += d.toString(); });
  child.stderr.on("data", (d: Buffer) => { stderr += d.toString(); });
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
}

describe("npm run users / npm run tokens", () => {
  let db: TestDatabase;
  let env: Record<string, string | undefined>;
  const users = (...args: string[]): Promise<Run> => spawnRun(process.execPath, ["--import", "tsx", path.join(repoRoot, "tools/src/users.ts"), ...args], env);
  const tokens = (...args: string[]): Promise<Run> => spawnRun(process.execPath, ["--import", "tsx", path.join(repoRoot, "tools/src/tokens.ts"), ...args], env);
  const audit = async (action: string): Promise<{ actor_kind: string; actor_label: string; target: string | null; filters: Record<string, unknown> | null }[]> =>
    (await db.pool.query("SELECT actor_kind, actor_label, target, filters FROM audit_log WHERE action = $1 ORDER BY id", [action])).rows as never;

  beforeAll(async () => {
    db = await createTestDatabase();
    // PUBLIC_URL and PORT unset: links point at this machine's dashboard.
    env = { DATABASE_URL: db.url, PUBLIC_URL: undefined, PORT: undefined, AUTH_LINK_HOURS: undefined };
  });

  afterAll(async () => {
    await db?.drop();
  });

  it("users add prints only a one-time sign-in link on stdout; it signs in once", async () => {
    const r = await users("add", "Ada@Example.com", "--role", "admin");
    expect(r.code, r.stderr).toBe(0);
    const url = r.stdout.trim();
    expect(r.stdout).toBe(`${url}\n`);
    expect(url).toMatch(/^http:\/\/localhost:3000\/auth\/link\?token=[A-Za-z0-9_-]{43}$/);
    const token = new URL(url).searchParams.get("token")!;
    expect(r.stderr).toContain("Added ada@example.com as admin");
    expect(r.stderr).toMatch(/works once, until .* 24 h/);
    expect(r.stderr).not.toContain(token);

    const { rows } = await db.pool.query("SELECT email, role, password_hash, created_by FROM auth_users");
    expect(rows).toEqual([{ email: "ada@example.com", role: "admin", password_hash: null, created_by: "cli" }]);
    expect(await audit("user_added")).toEqual([{ actor_kind: "system", actor_label: "cli", target: "ada@example.com", filters: { role: "admin", signIn: "link" } }]);
    expect(await audit("sign_in_link_created")).toMatchObject([{ actor_kind: "system", actor_label: "cli", target: "ada@example.com" }]);

    const signedIn = await signInWithLink(db.pool, token, DEFAULT_POLICY);
    expect(signedIn.principal).toMatchObject({ email: "ada@example.com", role: "admin", method: "link" });
    await expect(signInWithLink(db.pool, token, DEFAULT_POLICY)).rejects.toMatchObject({ code: "LINK_INVALID" });
  }, 60_000);

  it("users add --password prints only a generated password; refuses what exists or is not valid", async () => {
    const r = await users("add", "bo@example.com", "--role", "viewer", "--password");
    expect(r.code, r.stderr).toBe(0);
    const password = r.stdout.trim();
    expect(r.stdout).toBe(`${password}\n`);
    expect(password.length).toBeGreaterThanOrEqual(20);
    expect(r.stderr).toMatch(/change it/);
    expect(r.stderr).not.toContain(password);
    const { principal } = await signInWithPassword(db.pool, { email: "bo@example.com", password, address: null }, DEFAULT_POLICY);
    expect(principal.role).toBe("viewer");

    const again = await users("add", "BO@example.com", "--role", "admin");
    expect(again.code).toBe(1);
    expect(again.stdout).toBe("");
    expect(again.stderr).toContain("bo@example.com already has an account");
    const badRole = await users("add", "cy@example.com", "--role", "owner");
    expect(badRole.code).toBe(2);
    expect(badRole.stderr).toContain('unknown role "owner"');
    const badEmail = await users("add", "not-an-email", "--role", "viewer");
    expect(badEmail.code).toBe(2);
    expect(badEmail.stderr).toContain("not an email address");
    expect((await users("frobnicate")).code).toBe(2);
    expect((await users()).code).toBe(2);
    // A configuration error names the variable, not its value.
    const badConfig = await spawnRun(process.execPath, ["--import", "tsx", path.join(repoRoot, "tools/src/users.ts"), "list"], { ...env, DATABASE_URL: "hunter2 is not a url" });
    expect(badConfig.code).toBe(2);
    expect(badConfig.stderr).toContain("DATABASE_URL");
    expect(badConfig.stderr).not.toContain("hunter2");
    expect(await db.pool.query("SELECT email FROM auth_users ORDER BY email").then((x) => x.rows.map((u) => u.email as string))).toEqual(["ada@example.com", "bo@example.com"]);
  }, 60_000);

  it("users list shows email, role, how they sign in and the last sign-in; --json too", async () => {
    const text = await users("list");
    expect(text.code).toBe(0);
    const lines = text.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^EMAIL\s+ROLE\s+SIGN-IN\s+LAST SIGN-IN/);
    expect(lines[1]).toMatch(/^ada@example\.com\s+admin\s+link only\s+\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC/);
    expect(lines[2]).toMatch(/^bo@example\.com\s+viewer\s+password\s+\d{4}-/);
    const json = await users("list", "--json");
    const list = JSON.parse(json.stdout) as { email: string; role: string; sso: boolean; password: boolean; lastSignInAt: string | null }[];
    expect(list.map((u) => [u.email, u.role, u.sso, u.password])).toEqual([["ada@example.com", "admin", false, false], ["bo@example.com", "viewer", false, true]]);
    expect(list.every((u) => u.lastSignInAt !== null)).toBe(true);
  }, 60_000);

  it("users role changes a role (ending the sessions), users remove removes; never the last admin", async () => {
    const link = await users("link", "bo@example.com");
    const { session: bo } = await signInWithLink(db.pool, new URL(link.stdout.trim()).searchParams.get("token")!, DEFAULT_POLICY);

    const promote = await users("role", "bo@example.com", "support");
    expect(promote.code, promote.stderr).toBe(0);
    expect(promote.stderr).toContain("viewer -> support");
    expect(await resolveSession(db.pool, bo.secret, DEFAULT_POLICY)).toBeNull();
    expect(await audit("role_changed")).toEqual([{ actor_kind: "system", actor_label: "cli", target: "bo@example.com", filters: { from: "viewer", to: "support" } }]);
    expect((await users("role", "bo@example.com", "support")).stderr).toContain("already support");
    expect(await audit("role_changed")).toHaveLength(1);

    const demoteLast = await users("role", "ada@example.com", "viewer");
    expect(demoteLast.code).toBe(1);
    expect(demoteLast.stderr).toContain("only admin");
    const removeLast = await users("remove", "ada@example.com");
    expect(removeLast.code).toBe(1);
    expect(removeLast.stderr).toContain("only admin");
    expect((await db.pool.query("SELECT role FROM auth_users WHERE email = 'ada@example.com'")).rows).toEqual([{ role: "admin" }]);

    const remove = await users("remove", "bo@example.com");
    expect(remove.code, remove.stderr).toBe(0);
    expect(await audit("user_removed")).toEqual([{ actor_kind: "system", actor_label: "cli", target: "bo@example.com", filters: { role: "support" } }]);
    expect((await users("remove", "bo@example.com")).code).toBe(1);
    expect((await users("role", "bo@example.com", "admin")).code).toBe(1);
    const none = await users("link", "bo@example.com");
    expect(none.code).toBe(1);
    expect(none.stderr).toContain("No account for bo@example.com");
  }, 60_000);

  it("users link prints a new link (the unused one stops working), at PUBLIC_URL when set", async () => {
    const first = await users("link", "ada@example.com");
    const second = await spawnRun(process.execPath, ["--import", "tsx", path.join(repoRoot, "tools/src/users.ts"), "link", "ada@example.com"],
      { ...env, PUBLIC_URL: "https://insights.example.com", AUTH_LINK_HOURS: "2" });
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toMatch(/^https:\/\/insights\.example\.com\/auth\/link\?token=[A-Za-z0-9_-]{43}\n$/);
    expect(second.stderr).toContain("2 h");
    const token = (r: Run): string => new URL(r.stdout.trim()).searchParams.get("token")!;
    await expect(signInWithLink(db.pool, token(first), DEFAULT_POLICY)).rejects.toMatchObject({ code: "LINK_INVALID" });
    const { rows } = await db.pool.query<{ hours: number }>(
      "SELECT round(extract(epoch FROM expires_at - created_at) / 3600) AS hours FROM sign_in_links WHERE used_at IS NULL");
    expect(rows.map((r) => Number(r.hours))).toEqual([2]);
    expect((await signInWithLink(db.pool, token(second), DEFAULT_POLICY)).principal.email).toBe("ada@example.com");
  }, 60_000);

  it("tokens create prints only the token (also through npm run -s); it authenticates, shows its last use, and stops on revoke", async () => {
    const viaNpm = await spawnRun("npm", ["run", "-s", "tokens", "--", "create", "--name", "ci bot", "--role", "viewer", "--expires", "30d"], env);
    expect(viaNpm.code, viaNpm.stderr).toBe(0);
    const token = viaNpm.stdout.trim();
    expect(viaNpm.stdout).toBe(`${token}\n`);
    expect(token).toMatch(/^li_[A-Za-z0-9_-]{43}$/);
    expect(viaNpm.stderr).toContain('Created token "ci bot"');
    expect(viaNpm.stderr).not.toContain(token);
    const { rows: stored } = await db.pool.query("SELECT name, role, prefix, created_by, expires_at > now() + interval '29 days' AS month FROM api_tokens");
    expect(stored).toEqual([{ name: "ci bot", role: "viewer", prefix: token.slice(0, 9), created_by: "cli", month: true }]);
    expect(await audit("token_created")).toMatchObject([{ actor_kind: "system", actor_label: "cli", target: "ci bot", filters: { role: "viewer" } }]);

    const before = JSON.parse((await tokens("list", "--json")).stdout) as { name: string; lastUsedAt: string | null }[];
    expect(before).toMatchObject([{ name: "ci bot", lastUsedAt: null }]);
    expect(await resolveToken(db.pool, token)).toMatchObject({ kind: "token", name: "ci bot", role: "viewer" });
    const after = JSON.parse((await tokens("list", "--json")).stdout) as { name: string; role: string; prefix: string; createdBy: string; createdAt: string; expiresAt: string; lastUsedAt: string | null }[];
    expect(after).toMatchObject([{ name: "ci bot", role: "viewer", prefix: token.slice(0, 9), createdBy: "cli" }]);
    expect(after[0]!.lastUsedAt).not.toBeNull();
    const text = await tokens("list");
    expect(text.stdout.split("\n")[0]).toMatch(/^NAME\s+ROLE\s+PREFIX\s+CREATED BY\s+CREATED\s+EXPIRES\s+LAST USED$/);
    expect(text.stdout.split("\n")[1]).toMatch(/^ci bot\s+viewer\s+li_\S+…\s+cli\s+\d{4}-\d\d-\d\d \d\d:\d\d UTC\s+\d{4}-\d\d-\d\d \d\d:\d\d UTC\s+\d{4}-\d\d-\d\d \d\d:\d\d UTC$/);
    expect(text.stdout).not.toContain(token);
    expect(await audit("token_used")).toHaveLength(1);

    const dup = await tokens("create", "--name", "ci bot", "--role", "admin");
    expect(dup.code).toBe(1);
    expect(dup.stdout).toBe("");
    expect((await tokens("create", "--name", "x", "--role", "viewer", "--expires", "3m")).code).toBe(2);
    expect((await tokens("create", "--name", "x", "--role", "root")).code).toBe(2);
    expect((await tokens("create", "--role", "viewer")).code).toBe(2);
    const badName = await tokens("create", "--name", "-bad", "--role", "viewer");
    expect(badName.code).toBe(2);

    const revoke = await tokens("revoke", "ci bot");
    expect(revoke.code, revoke.stderr).toBe(0);
    expect(await resolveToken(db.pool, token)).toBeNull();
    expect(await audit("token_revoked")).toMatchObject([{ actor_kind: "system", actor_label: "cli", target: "ci bot" }]);
    expect((await tokens("revoke", "ci bot")).code).toBe(1);
    expect(JSON.parse((await tokens("list", "--json")).stdout)).toEqual([]);
    expect(JSON.parse((await tokens("list", "--json", "--all")).stdout)).toMatchObject([{ name: "ci bot", status: "revoked" }]);
  }, 90_000);

  it("an expired token is refused and listed as expired", async () => {
    const r = await tokens("create", "--name", "short", "--role", "support", "--expires", "1h");
    expect(r.code, r.stderr).toBe(0);
    const token = r.stdout.trim();
    expect(await resolveToken(db.pool, token)).toMatchObject({ role: "support" });
    await db.pool.query("UPDATE api_tokens SET expires_at = now() - interval '1 minute' WHERE name = 'short'");
    expect(await resolveToken(db.pool, token)).toBeNull();
    expect(JSON.parse((await tokens("list", "--json")).stdout)).toMatchObject([{ name: "short", status: "expired" }]);
    // A new token may take the name only once the old one is revoked.
    expect((await tokens("create", "--name", "short", "--role", "support")).code).toBe(1);
    expect((await tokens("revoke", "short")).code).toBe(0);
    const renewed = await tokens("create", "--name", "short", "--role", "support");
    expect(renewed.code).toBe(0);
    expect(await resolveToken(db.pool, renewed.stdout.trim())).toMatchObject({ name: "short" });
  }, 60_000);
});
