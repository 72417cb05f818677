import { copyFile, mkdir } from "node:fs/promises";
import path from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSignInLink, DEFAULT_POLICY } from "@log-insights/auth";
import { createTestDatabase, type TestDatabase } from "@log-insights/store/testing";
import { generatedBucket, ingest } from "../../../../packages/ingest/test/support/harness";
import { addSessionCookie, cookieHeader, createAccount, createSessionFor, SESSION_COOKIE } from "./accounts";
import { freePort, launchBrowser, settled, startWeb, type WebServer } from "./harness";
import { startIdp, type TestIdp } from "./oidc";

// Signing in and out of the production build in chromium, every way there
// is: a real OpenID provider (oidc-provider) on loopback for single sign-on,
// with accounts in an allowed and a refused email domain and a groups
// claim that decides the role; email and password, with the lock-out;
// one-time sign-in links; sessions that expire; sign-out. What the browser
// shows is checked against the database (sessions, accounts, audit rows).

const SHOTS = path.resolve(import.meta.dirname, "../../../../artifacts/screenshots");
const DOC_IMAGES = path.resolve(import.meta.dirname, "../../../../docs/images");
const HOUR = 3_600_000;
const LOCKOUT_ATTEMPTS = 3;
const PASSWORD = "a long enough password";

describe("signing in and out in a real browser", () => {
  let db: TestDatabase;
  let bucket: Awaited<ReturnType<typeof generatedBucket>>;
  let idp: TestIdp;
  let web: WebServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  async function newContext(): Promise<BrowserContext> {
    const c = await browser.newContext({ viewport: { width: 1440, height: 900 }, timezoneId: "UTC" });
    contexts.push(c);
    return c;
  }

  async function page(c?: BrowserContext): Promise<Page> {
    return (c ?? (await newContext())).newPage();
  }

  async function signInWithPassword(p: Page, email: string, password: string): Promise<void> {
    await p.getByLabel("Email address").fill(email);
    await p.getByLabel("Password", { exact: true }).fill(password);
    await p.getByRole("button", { name: "Sign in", exact: true }).click();
  }

  /** Through the provider's own login and consent pages, as a person would. */
  async function signInWithSso(p: Page, login: string): Promise<void> {
    await p.getByTestId("sso-button").click();
    await p.waitForURL(`${idp.issuer}/**`);
    await p.locator("input[name=login]").fill(login);
    await p.locator("input[name=password]").fill("anything");
    await p.getByRole("button", { name: "Sign-in" }).click();
    await p.getByRole("button", { name: "Continue" }).click();
  }

  const sessionCookieOf = async (c: BrowserContext): Promise<string | undefined> => (await c.cookies(web.url)).find((k) => k.name === SESSION_COOKIE)?.value;

  const me = async (secret: string): Promise<{ status: number; body: { data?: { me?: { name: string; role: string } } } | null }> => {
    const res = await fetch(`${web.url}/api/graphql`, { method: "POST", headers: { "content-type": "application/json", cookie: cookieHeader(decodeURIComponent(secret)) }, body: JSON.stringify({ query: "{ me { name role } }" }) });
    return { status: res.status, body: res.ok ? ((await res.json()) as never) : null };
  };

  const audit = async (action: string, target?: string) =>
    (await db.pool.query<{ actor_label: string | null; outcome: string; target: string | null; filters: Record<string, unknown> | null }>(
      `SELECT actor_label, outcome, target, filters FROM audit_log WHERE action = $1 ${target ? "AND (target = $2 OR actor_label = $2)" : ""} ORDER BY id`,
      target ? [action, target] : [action])).rows;

  beforeAll(async () => {
    await mkdir(SHOTS, { recursive: true });
    db = await createTestDatabase();
    bucket = await generatedBucket({ seed: 31, days: 2, sessionsPerDay: 10, end: new Date(Math.floor(Date.now() / HOUR) * HOUR) });
    await ingest(db.pool, bucket.dir);
    const port = await freePort();
    idp = await startIdp(`http://127.0.0.1:${port}/auth/sso/callback`, [
      { login: "ann", email: "ann@corp.example", name: "Ann Admin", groups: ["li-admins", "staff"] },
      { login: "sam", email: "sam@corp.example", name: "Sam Support", groups: ["li-support", "staff"] },
      { login: "val", email: "val@corp.example", name: "Val Viewer", groups: ["staff"] },
      { login: "eve", email: "eve@elsewhere.example", name: "Eve Outsider", groups: ["li-admins"] },
    ]);
    web = await startWeb(db.url, {
      port,
      env: {
        OIDC_ISSUER_URL: idp.issuer,
        OIDC_CLIENT_ID: idp.clientId,
        OIDC_CLIENT_SECRET: idp.clientSecret,
        OIDC_ALLOWED_DOMAINS: "corp.example",
        OIDC_ADMIN_GROUPS: "li-admins",
        OIDC_SUPPORT_GROUPS: "li-support",
        OIDC_BUTTON_LABEL: "Sign in with Corp SSO",
        AUTH_LOCKOUT_ATTEMPTS: String(LOCKOUT_ATTEMPTS),
      },
    });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await web?.stop();
    await idp?.close();
    await db?.drop();
    await bucket?.cleanup();
  });

  it("anonymous: every page sends to the sign-in page, which keeps where they were going", async () => {
    const p = await page();
    await p.goto(`${web.url}/problems?kind=failed`);
    await p.waitForURL(/\/signin\?/);
    expect(new URL(p.url()).searchParams.get("next")).toBe("/problems?kind=failed");
    expect(await p.getByRole("heading", { name: "Sign in" }).count()).toBe(1);
    expect(await p.getByTestId("sso-button").textContent()).toBe("Sign in with Corp SSO");
    expect(await p.locator("nav[aria-label=Main]").count()).toBe(0);
    await settled(p);
    await p.screenshot({ path: path.join(SHOTS, "signin.png") });
    await mkdir(DOC_IMAGES, { recursive: true });
    await copyFile(path.join(SHOTS, "signin.png"), path.join(DOC_IMAGES, "signin.png"));
    // Not even the API answers without a session.
    expect((await fetch(`${web.url}/api/graphql`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: "{ me { name } }" }) })).status).toBe(401);
  });

  it("single sign-on: the code flow at a real provider lands on the page asked for, with the role from the groups claim", async () => {
    const c = await newContext();
    const p = await c.newPage();
    await p.goto(`${web.url}/questions`);
    await p.waitForURL(/\/signin\?next=%2Fquestions/);
    await signInWithSso(p, "ann");
    await p.waitForURL(`${web.url}/questions`);
    const who = p.getByTestId("whoami");
    await who.waitFor({ timeout: 30_000 });
    expect(await who.textContent()).toContain("ann@corp.example");
    expect(await who.textContent()).toContain("Admin");
    expect(await p.locator("nav[aria-label=Main]").getByRole("link", { name: "Audit log" }).count()).toBe(1);
    const { rows } = await db.pool.query<{ role: string; oidc_subject: string; display_name: string }>("SELECT role, oidc_subject, display_name FROM auth_users WHERE email = 'ann@corp.example'");
    expect(rows).toEqual([{ role: "admin", oidc_subject: "ann", display_name: "Ann Admin" }]);
    expect((await audit("sign_in", "ann@corp.example")).map((r) => r.filters?.method)).toEqual(["sso"]);
    const secret = (await sessionCookieOf(c))!;
    expect((await me(secret)).body?.data?.me).toEqual({ name: "ann@corp.example", role: "ADMIN" });
    // The flow cookie is gone once used; the session cookie is httpOnly, SameSite=Lax, for the session's whole lifetime.
    const cookies = await c.cookies(web.url);
    expect(cookies.map((k) => k.name)).not.toContain("li_sso_flow");
    const session = cookies.find((k) => k.name === SESSION_COOKIE)!;
    expect(session).toMatchObject({ httpOnly: true, sameSite: "Lax", secure: false });
    expect(session.expires * 1000 - Date.now()).toBeGreaterThan(DEFAULT_POLICY.sessionMaxMs - 120_000);

    for (const [login, role, label] of [["sam", "support", "Support"], ["val", "viewer", "Viewer"]] as const) {
      const other = await page();
      await other.goto(`${web.url}/signin`);
      await signInWithSso(other, login);
      await other.waitForURL(`${web.url}/`);
      await expect.poll(() => other.getByTestId("whoami").textContent(), { timeout: 30_000 }).toContain(label);
      const r = await db.pool.query<{ role: string }>("SELECT role FROM auth_users WHERE email = $1", [`${login}@corp.example`]);
      expect(r.rows[0]?.role).toBe(role);
    }
  });

  it("single sign-on refuses a domain that is not allowed: a page that says why, and no session", async () => {
    const c = await newContext();
    const p = await c.newPage();
    await p.goto(`${web.url}/signin`);
    await signInWithSso(p, "eve");
    await p.waitForURL(/\/auth\/sso\/callback/);
    expect(await p.getByRole("heading").first().textContent()).toBe("You cannot use this dashboard with that account");
    expect(await p.getByTestId("plain-message").textContent()).toContain("the email domain elsewhere.example is not allowed");
    expect(await sessionCookieOf(c)).toBeUndefined();
    expect((await db.pool.query("SELECT 1 FROM auth_users WHERE email = 'eve@elsewhere.example'")).rowCount).toBe(0);
    const refused = await audit("sign_in_failed", "eve@elsewhere.example");
    expect(refused).toEqual([expect.objectContaining({ outcome: "denied", filters: { method: "sso", reason: "the email domain elsewhere.example is not allowed" } })]);
    // Going on from there still needs a sign-in.
    await p.goto(`${web.url}/`);
    await p.waitForURL(/\/signin/);
  });

  it("email and password: a wrong one is refused, the right one signs in and returns to the page asked for", async () => {
    const { email } = await createAccount(db.pool, "support", { password: PASSWORD });
    const c = await newContext();
    const p = await c.newPage();
    await p.goto(`${web.url}/conversations`);
    await p.waitForURL(/\/signin\?next=%2Fconversations/);
    await signInWithPassword(p, email, "not the password at all");
    await p.waitForURL(/error=BAD_CREDENTIALS/);
    expect(await p.getByTestId("signin-notice").textContent()).toBe("That email and password do not match an account. Check both and try again.");
    expect(new URL(p.url()).searchParams.get("next")).toBe("/conversations");
    await signInWithPassword(p, email, PASSWORD);
    await p.waitForURL(`${web.url}/conversations`);
    await expect.poll(() => p.getByTestId("conversation-row").count(), { timeout: 30_000 }).toBeGreaterThan(0);
    expect(await p.getByTestId("whoami").textContent()).toContain("Support");
    const nav = await p.locator("nav[aria-label=Main]").getByRole("link").allTextContents();
    expect(nav).toContain("Conversations");
    expect(nav).not.toContain("Logs");
    expect(nav).not.toContain("People");
    expect((await audit("sign_in_failed", email)).map((r) => r.filters?.reason)).toEqual(["wrong password"]);
  });

  it(`locks an account after ${LOCKOUT_ATTEMPTS} failures: the right password is refused while locked`, async () => {
    const { email } = await createAccount(db.pool, "viewer", { password: PASSWORD });
    const p = await page();
    await p.goto(`${web.url}/signin`);
    for (let i = 0; i < LOCKOUT_ATTEMPTS; i++) {
      await signInWithPassword(p, email, `wrong guess number ${i}`);
      await p.waitForURL(/error=BAD_CREDENTIALS/);
      await p.goto(`${web.url}/signin`);
    }
    await signInWithPassword(p, email, PASSWORD);
    await p.waitForURL(/error=LOCKED_OUT/);
    expect(await p.getByTestId("signin-notice").textContent()).toBe("Too many failed sign-ins for this account. Try again in 15 minutes.");
    expect(await sessionCookieOf(p.context())).toBeUndefined();
    const { rows } = await db.pool.query<{ n: string }>("SELECT count(*) AS n FROM auth_sessions s JOIN auth_users u ON u.id = s.user_id WHERE u.email = $1", [email]);
    expect(rows[0]!.n).toBe("0");
    expect((await audit("sign_in_failed", email)).map((r) => r.filters?.reason)).toEqual([...Array.from({ length: LOCKOUT_ATTEMPTS }, () => "wrong password"), "locked out"]);
  });

  it("a one-time sign-in link: looking at it uses nothing, the button uses it, and only once", async () => {
    const { email } = await createAccount(db.pool, "viewer");
    const { url } = await createSignInLink(db.pool, email, web.url, { kind: "system", label: "test" }, DEFAULT_POLICY);
    const first = await page();
    const second = await page();
    for (const p of [first, second]) {
      await p.goto(url);
      expect(await p.getByTestId("link-account").textContent()).toBe(email);
    }
    await first.getByRole("button", { name: `Continue as ${email}` }).click();
    // Single sign-on is set up here, so nobody is asked to set a password.
    await first.waitForURL(`${web.url}/`);
    await expect.poll(() => first.getByTestId("whoami").textContent(), { timeout: 30_000 }).toContain(email);
    await second.getByRole("button", { name: `Continue as ${email}` }).click();
    await second.waitForURL(`${web.url}/auth/link`);
    expect(await second.getByTestId("link-invalid").textContent()).toContain("already used or has expired");
    expect(await sessionCookieOf(second.context())).toBeUndefined();
    const again = await page();
    await again.goto(url);
    expect(await again.getByTestId("link-invalid").count()).toBe(1);
    expect((await audit("sign_in", email)).map((r) => r.filters?.method)).toEqual(["link"]);
  });

  it("an expired session sends the open page, and the next page, back to the sign-in page", async () => {
    const { email } = await createAccount(db.pool, "viewer");
    const secret = await createSessionFor(db.pool, email);
    const c = await newContext();
    await addSessionCookie(c, web.url, secret);
    const p = await c.newPage();
    await p.goto(`${web.url}/questions`);
    await expect.poll(() => p.getByTestId("common-question").count(), { timeout: 30_000 }).toBeGreaterThan(0);
    await db.pool.query("UPDATE auth_sessions SET expires_at = now() - interval '1 second' WHERE user_id = (SELECT id FROM auth_users WHERE email = $1)", [email]);
    // Past the API's 5 s cache of resolved sessions.
    await new Promise((r) => setTimeout(r, 5_500));
    expect((await me(secret)).status).toBe(401);
    // The open page: its next API call gets 401, and the browser goes to sign in, coming back here afterwards.
    await p.getByLabel("Period").selectOption("7d");
    await p.waitForURL(/\/signin\?next=/, { timeout: 30_000 });
    expect(new URL(p.url()).searchParams.get("next")).toMatch(/^\/questions(\?range=7d)?$/);
    // A fresh page load: the proxy itself refuses the session.
    const fresh = await c.newPage();
    await fresh.goto(`${web.url}/problems`);
    await fresh.waitForURL(/\/signin\?next=%2Fproblems/);
    // An idle session ends the same way (last seen longer ago than AUTH_SESSION_IDLE_MINUTES).
    const idle = await createSessionFor(db.pool, email);
    await db.pool.query("UPDATE auth_sessions SET last_seen_at = now() - interval '9 hours' WHERE id_hash = encode(sha256($1::bytea), 'hex')", [idle]);
    expect((await me(idle)).status).toBe(401);
  });

  it("sign-out ends the session at once: the old cookie no longer works against /api/graphql", async () => {
    const { email } = await createAccount(db.pool, "admin");
    const secret = await createSessionFor(db.pool, email);
    const c = await newContext();
    await addSessionCookie(c, web.url, secret);
    const p = await c.newPage();
    await p.goto(`${web.url}/`);
    await p.getByTestId("whoami").waitFor({ timeout: 30_000 });
    expect((await me(secret)).status).toBe(200);
    await p.getByRole("button", { name: "Sign out" }).click();
    await p.waitForURL(/\/signin\?error=SIGNED_OUT/);
    expect(await p.getByTestId("signin-notice").textContent()).toBe("You are signed out.");
    expect(await sessionCookieOf(c)).toBeUndefined();
    // Not 5 s later: now (the route handler dropped it from the API's cache).
    expect((await me(secret)).status).toBe(401);
    const { rows } = await db.pool.query<{ revoked: boolean }>("SELECT revoked_at IS NOT NULL AS revoked FROM auth_sessions WHERE id_hash = encode(sha256($1::bytea), 'hex')", [secret]);
    expect(rows).toEqual([{ revoked: true }]);
    expect((await audit("sign_out", email)).length).toBe(1);
    // The page needs a sign-in again.
    await p.goto(`${web.url}/`);
    await p.waitForURL(/\/signin/);
  });

  it("forms posted from another site are refused, and so is another Host", async () => {
    const { email } = await createAccount(db.pool, "viewer", { password: PASSWORD });
    const form = new URLSearchParams({ email, password: PASSWORD });
    const cross = await fetch(`${web.url}/auth/password`, { method: "POST", redirect: "manual", headers: { origin: "https://evil.example", "content-type": "application/x-www-form-urlencoded" }, body: form });
    expect(cross.status).toBe(403);
    expect(cross.headers.get("set-cookie")).toBeNull();
    const noOrigin = await fetch(`${web.url}/auth/password`, { method: "POST", redirect: "manual", headers: { "content-type": "application/x-www-form-urlencoded" }, body: form });
    expect(noOrigin.status).toBe(403);
    const own = await fetch(`${web.url}/auth/password`, { method: "POST", redirect: "manual", headers: { origin: web.url, "content-type": "application/x-www-form-urlencoded" }, body: form });
    expect(own.status).toBe(303);
    expect(own.headers.get("set-cookie")).toMatch(/^li_session=[^;]+; Path=\/; HttpOnly; SameSite=Lax; Max-Age=\d+$/);
    // A page from another site posting the sign-out form of a signed-in browser: refused, the session lives on.
    const secret = await createSessionFor(db.pool, email);
    const out = await fetch(`${web.url}/auth/signout`, { method: "POST", redirect: "manual", headers: { origin: "https://evil.example", cookie: cookieHeader(secret) } });
    expect(out.status).toBe(403);
    expect((await me(secret)).status).toBe(200);
  });
});
