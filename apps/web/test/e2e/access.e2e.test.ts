import { mkdir, readFile } from "node:fs/promises";
import path from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { roleIncludes, ROLES, type Role } from "@log-insights/auth";
import { createTestDatabase, type TestDatabase } from "@log-insights/store/testing";
import { generatedBucket, ingest } from "../../../../packages/ingest/test/support/harness";
import { PAGE_ACCESS } from "../../src/lib/page-access";
import { signInPath } from "../../src/lib/return-to";
import { cookieHeader, signedInContext, type SignedIn } from "./accounts";
import { launchBrowser, settled, startWeb, type WebServer } from "./harness";

// Who may open what, in the production build and chromium: every page of
// the page-access map (which a unit test ties to the files of src/app) for
// anonymous, viewer, support and admin; then the admin pages used as an
// admin would: add a person and sign in with their one-time link (setting
// a password), change a role, remove them; create an API token, use it,
// revoke it; and the audit log showing what was just done, compared with
// the audit_log table, with its own CSV export recorded. Screenshots:
// users.png, tokens.png, audit.png.

const SHOTS = path.resolve(import.meta.dirname, "../../../../artifacts/screenshots");
const HOUR = 3_600_000;

/** The heading each page shows once it has rendered for someone allowed in. */
const HEADINGS: Record<string, string | RegExp> = {
  "/": "Overview", "/questions": "Questions", "/problems": "Problems", "/conversations": "Conversations", "/conversations/[id]": /^Conversation with investor/,
  "/logs": "Logs", "/ingestion": "Ingestion", "/alerts": "Alerts", "/users": "People", "/tokens": "API tokens", "/audit": "Audit log",
  "/account": "Your account", "/signin": "Sign in", "/auth/link": "This link does not work any more",
};

describe("who may open what, and the admin pages", () => {
  let db: TestDatabase;
  let bucket: Awaited<ReturnType<typeof generatedBucket>>;
  let web: WebServer;
  let browser: Browser;
  let conversationId: string;
  const people: Partial<Record<Role, SignedIn>> = {};
  const figures = { pageLoads: 0, fetches: 0 };

  const gql = async (auth: { cookie?: string; bearer?: string }, query: string): Promise<{ status: number; body: { data?: Record<string, unknown>; errors?: { extensions?: { code?: string } }[] } | null }> => {
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (auth.cookie) headers.cookie = auth.cookie;
    if (auth.bearer) headers.authorization = `Bearer ${auth.bearer}`;
    const res = await fetch(`${web.url}/api/graphql`, { method: "POST", headers, body: JSON.stringify({ query }) });
    return { status: res.status, body: res.status === 200 ? ((await res.json()) as never) : null };
  };

  beforeAll(async () => {
    await mkdir(SHOTS, { recursive: true });
    db = await createTestDatabase();
    bucket = await generatedBucket({ seed: 41, days: 3, sessionsPerDay: 12, end: new Date(Math.floor(Date.now() / HOUR) * HOUR) });
    await ingest(db.pool, bucket.dir);
    conversationId = (await db.pool.query<{ id: string }>("SELECT id::text FROM conversations ORDER BY started_at DESC LIMIT 1")).rows[0]!.id;
    web = await startWeb(db.url);
    browser = await launchBrowser();
    for (const role of ROLES) people[role] = await signedInContext(browser, db.pool, web.url, role);
  });
  afterAll(async () => {
    for (const p of Object.values(people)) await p?.context.close();
    await browser?.close();
    await web?.stop();
    await db?.drop();
    await bucket?.cleanup();
  });

  it("every page, for anonymous, viewer, support and admin: allowed pages render, others go to sign in or answer 403 with the role needed", async () => {
    const anonymous = await browser.newContext({ timezoneId: "UTC" });
    try {
      for (const [route, need] of Object.entries(PAGE_ACCESS)) {
        const url = route.replace("[id]", conversationId);
        for (const role of [null, ...ROLES] as (Role | null)[]) {
          const who = role ?? "anonymous";
          // The server's answer, without a browser.
          const res = await fetch(`${web.url}${url}`, { redirect: "manual", headers: role ? { cookie: cookieHeader(people[role]!.secret) } : {} });
          figures.fetches++;
          const allowed = need === "public" || (role !== null && roleIncludes(role, need));
          if (role === null && need !== "public") {
            expect(res.status, `${who} ${url}`).toBe(307);
            expect(res.headers.get("location"), `${who} ${url}`).toBe(signInPath(url));
          } else if (role !== null && route === "/signin") {
            expect(res.status, `${who} ${url}`).toBe(303); // signed in already: straight on
          } else if (allowed) {
            expect(res.status, `${who} ${url}`).toBe(200);
          } else {
            expect(res.status, `${who} ${url}`).toBe(403);
            expect(await res.text(), `${who} ${url}`).toContain(`This page needs the `);
          }
          // What a person sees.
          const page = await (role ? people[role]!.context : anonymous).newPage();
          await page.goto(`${web.url}${url}`);
          figures.pageLoads++;
          if (role === null && need !== "public") {
            await page.waitForURL(`${web.url}${signInPath(url)}`);
            expect(await page.getByRole("heading", { name: "Sign in" }).count(), `${who} ${url}`).toBe(1);
          } else if (role !== null && route === "/signin") {
            await page.waitForURL(`${web.url}/`);
          } else if (allowed) {
            await expect.poll(() => page.locator("h1").first().textContent(), { timeout: 30_000, message: `${who} ${url}` }).toMatch(HEADINGS[route]!);
            expect(await page.getByText("You cannot open this page").count(), `${who} ${url}`).toBe(0);
          } else {
            expect(await page.locator("h1").textContent(), `${who} ${url}`).toBe("You cannot open this page");
            expect(await page.getByTestId("forbidden-message").textContent(), `${who} ${url}`).toContain(`This page needs the ${need} role. You are signed in as ${people[role!]!.email}, with the ${role} role.`);
            expect(await page.locator("nav[aria-label=Main]").count()).toBe(0);
          }
          await page.close();
        }
      }
    } finally {
      await anonymous.close();
    }
    // The navigation offers exactly the pages each role may open.
    const expected: Record<Role, string[]> = {
      viewer: ["Overview", "Questions", "Problems"],
      support: ["Overview", "Questions", "Problems", "Conversations"],
      admin: ["Overview", "Questions", "Problems", "Conversations", "Logs", "Ingestion", "Alerts", "People", "API tokens", "Audit log"],
    };
    for (const role of ROLES) {
      const page = await people[role]!.open("/");
      await page.getByTestId("whoami").waitFor({ timeout: 30_000 });
      expect((await page.locator("nav[aria-label=Main] ul.nav a").allTextContents()), role).toEqual(expected[role]);
      await page.close();
    }
    console.log(`[e2e] access matrix: ${Object.keys(PAGE_ACCESS).length} pages × 4 (anonymous, viewer, support, admin): ${figures.fetches} server answers and ${figures.pageLoads} page loads in chromium`);
  });

  it("People: add someone, who signs in once with their link and sets a password; change their role; remove them", async () => {
    const admin = people.admin!;
    const page = await admin.open("/users");
    await expect.poll(() => page.getByTestId("user-row").count(), { timeout: 30_000 }).toBe(3);
    const email = "new.person@example.com";
    await page.getByRole("form", { name: "Add a person" }).getByLabel("Email address").fill(email);
    await page.getByLabel("Role of the new person").selectOption("support");
    await page.getByRole("button", { name: "Add person" }).click();
    const card = page.getByTestId("new-sign-in-link");
    await card.waitFor({ timeout: 30_000 });
    expect(await card.textContent()).toContain(`${email} was added`);
    const link = await page.getByTestId("sign-in-link-url").inputValue();
    expect(link).toMatch(new RegExp(`^${web.url}/auth/link\\?token=[A-Za-z0-9_-]{40,}$`));
    await expect.poll(() => page.getByTestId("user-row").count(), { timeout: 30_000 }).toBe(4);
    const row = page.getByTestId("user-row").filter({ hasText: email });
    expect(await row.textContent()).toContain("No password yet");
    expect(await row.getByLabel(`Role of ${email}`).inputValue()).toBe("support");
    await settled(page);
    await page.screenshot({ path: path.join(SHOTS, "users.png"), fullPage: true });

    // They use the link (no single sign-on here): signed in, then asked to set a password.
    const theirs = await browser.newContext({ viewport: { width: 1440, height: 900 }, timezoneId: "UTC" });
    try {
      const p = await theirs.newPage();
      await p.goto(link);
      await p.getByRole("button", { name: `Continue as ${email}` }).click();
      await p.waitForURL(`${web.url}/account?set=1`);
      await p.getByRole("heading", { name: "Set a password" }).waitFor({ timeout: 30_000 });
      await p.getByLabel("New password", { exact: true }).fill("short");
      await p.getByLabel("New password again").fill("short");
      await p.getByRole("button", { name: "Save password" }).click();
      expect(await p.getByTestId("account-message").textContent()).toBe("A password needs at least 12 characters.");
      await p.getByLabel("New password", { exact: true }).fill("my new long password");
      await p.getByLabel("New password again").fill("my new long password");
      await p.getByRole("button", { name: "Save password" }).click();
      await expect.poll(() => p.getByTestId("account-message").textContent(), { timeout: 15_000 }).toContain("Your password is saved.");
      // The link is used up; the password works (checked the way the sign-in form does).
      const again = await theirs.newPage();
      await again.goto(link);
      expect(await again.getByTestId("link-invalid").count()).toBe(1);
      const signIn = await fetch(`${web.url}/auth/password`, { method: "POST", redirect: "manual", headers: { origin: web.url, "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams({ email, password: "my new long password" }) });
      expect(signIn.headers.get("location")).toBe("/");
    } finally {
      await theirs.close();
    }
    await page.reload();
    await expect.poll(() => page.getByTestId("user-row").filter({ hasText: email }).textContent(), { timeout: 30_000 }).toContain("Password");

    // A new role: the person's sessions end.
    await page.getByTestId("user-row").filter({ hasText: email }).getByLabel(`Role of ${email}`).selectOption("viewer");
    await expect.poll(() => page.getByTestId("users-message").textContent(), { timeout: 15_000 }).toContain(`${email} is now viewer`);
    expect((await db.pool.query<{ role: string }>("SELECT role FROM auth_users WHERE email = $1", [email])).rows[0]!.role).toBe("viewer");
    expect((await db.pool.query("SELECT 1 FROM auth_sessions s JOIN auth_users u ON u.id = s.user_id WHERE u.email = $1 AND s.revoked_at IS NULL", [email])).rowCount).toBe(0);

    // The last admin cannot be made a viewer: the page says why.
    const self = page.getByTestId("user-row").filter({ hasText: admin.email });
    await self.getByLabel(`Role of ${admin.email}`).selectOption("viewer");
    await expect.poll(() => page.getByTestId("users-message").textContent(), { timeout: 15_000 }).toContain("This is the only admin");

    // Remove, after a confirmation on the page (no browser dialog).
    await page.getByTestId("user-row").filter({ hasText: email }).getByRole("button", { name: "Remove" }).click();
    await page.getByRole("button", { name: "Yes, remove" }).click();
    await expect.poll(() => page.getByTestId("user-row").count(), { timeout: 15_000 }).toBe(3);
    expect((await db.pool.query("SELECT 1 FROM auth_users WHERE email = $1", [email])).rowCount).toBe(0);
    await page.close();
  });

  it("API tokens: created with a role and an expiry, shown once, usable; revoked, it fails against /api/graphql at once", async () => {
    const page = await people.admin!.open("/tokens");
    await page.getByRole("heading", { name: "API tokens" }).waitFor({ timeout: 30_000 });
    await page.getByLabel("Name").fill("weekly report");
    await page.getByLabel("Role of the token").selectOption("viewer");
    await page.getByLabel("Expires after").selectOption("30d");
    await page.getByRole("button", { name: "Create token" }).click();
    await page.getByTestId("new-token").waitFor({ timeout: 30_000 });
    const token = await page.getByTestId("new-token-value").inputValue();
    expect(token).toMatch(/^li_[A-Za-z0-9_-]{40,}$/);
    const row = page.getByTestId("token-row").filter({ hasText: "weekly report" });
    await row.waitFor({ timeout: 15_000 });
    expect(await row.textContent()).toContain(`${token.slice(0, 9)}…`);
    expect(await row.textContent()).toContain("Viewer");
    const stored = (await db.pool.query<{ days: number; token_hash: string }>("SELECT round(extract(epoch FROM expires_at - created_at) / 86400)::int AS days, token_hash FROM api_tokens WHERE name = 'weekly report'")).rows[0]!;
    expect(stored.days).toBe(30);
    expect(stored.token_hash).not.toContain(token);

    const week = `from: "${new Date(Date.now() - 7 * 24 * HOUR).toISOString()}", to: "${new Date().toISOString()}"`;
    const used = await gql({ bearer: token }, `{ me { kind name role } overview(${week}) { questions } }`);
    expect(used.status).toBe(200);
    expect(used.body?.data?.me).toEqual({ kind: "token", name: "weekly report", role: "VIEWER" });
    // A viewer's token gets no answers.
    const answers = await gql({ bearer: token }, `{ problemQuestions(${week}, first: 1) { edges { node { text answer } } } }`);
    expect(answers.body?.errors?.map((e) => e.extensions?.code)).toEqual(["FORBIDDEN"]);
    await page.reload();
    await expect.poll(() => page.getByTestId("token-row").filter({ hasText: "weekly report" }).textContent(), { timeout: 15_000 }).not.toContain("Never");

    await page.getByTestId("token-row").filter({ hasText: "weekly report" }).getByRole("button", { name: "Revoke" }).click();
    await page.getByRole("button", { name: "Yes, revoke" }).click();
    await expect.poll(() => page.getByTestId("tokens-message").textContent(), { timeout: 15_000 }).toContain("was revoked");
    expect((await gql({ bearer: token }, "{ me { name } }")).status).toBe(401);
    await expect.poll(() => page.getByTestId("token-row").count(), { timeout: 15_000 }).toBe(0);
    await page.getByLabel("Show revoked").check();
    await expect.poll(() => page.getByTestId("token-row").filter({ hasText: "weekly report" }).textContent(), { timeout: 15_000 }).toContain("Revoked");
    await settled(page);
    await page.screenshot({ path: path.join(SHOTS, "tokens.png"), fullPage: true });
    await page.close();
  });

  it("the audit log shows what was just done, newest first, as the table holds it; filters; its CSV export is recorded too", async () => {
    const admin = people.admin!;
    const page = await admin.open("/audit?range=24h");
    const rows = page.getByTestId("audit-row");
    await expect.poll(() => rows.count(), { timeout: 30_000 }).toBeGreaterThan(5);
    const db50 = (await db.pool.query<{ action: string; actor_label: string | null; target: string | null }>(
      "SELECT action, actor_label, target FROM audit_log WHERE at >= now() - interval '24 hours' ORDER BY at DESC, id DESC LIMIT 50")).rows;
    const shown = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-action")));
    expect(shown).toEqual(db50.map((r) => r.action));
    const text = (await page.locator("table.audit").innerText());
    for (const line of ["Added a person", "Made a sign-in link", "Changed a role", "Removed a person", "Created an API token", "Revoked an API token", "Used an API token", "Changed a password"]) {
      expect(text, line).toContain(line);
    }
    expect(text).toContain("new.person@example.com");
    expect(text).toContain("from support to viewer");
    expect(text).toContain(`${admin.email} (admin)`);
    await settled(page);
    await page.screenshot({ path: path.join(SHOTS, "audit.png"), fullPage: false });

    // Only token events, only by this admin.
    await page.getByLabel("What", { exact: true }).selectOption("tokens");
    await expect.poll(() => rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-action")).sort().join(",")), { timeout: 15_000 })
      .toBe(["token_created", "token_revoked", "token_used"].join(","));
    await page.getByLabel("Who", { exact: true }).fill(admin.email);
    await page.getByRole("button", { name: "Show" }).click();
    await expect.poll(() => rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-action")).sort().join(",")), { timeout: 15_000 })
      .toBe(["token_created", "token_revoked"].join(","));

    // The CSV holds every row of the filter, and the export itself is recorded.
    await page.getByLabel("What", { exact: true }).selectOption("");
    await expect.poll(() => rows.count(), { timeout: 15_000 }).toBeGreaterThan(2);
    const expected = (await db.pool.query<{ action: string }>("SELECT action FROM audit_log WHERE at >= now() - interval '24 hours' AND actor_label = $1 ORDER BY at DESC, id DESC", [admin.email])).rows;
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Download What happened as CSV" }).click()]);
    const lines = (await readFile((await download.path())!, "utf8")).trim().split("\r\n");
    expect(lines[0]).toBe("When (UTC),Who,Account or token,Action,What,Outcome,On,Details");
    expect(lines.slice(1).map((l) => l.split(",")[3])).toEqual(expected.map((r) => r.action));
    const recorded = (await db.pool.query<{ target: string; filters: Record<string, unknown> }>("SELECT target, filters FROM audit_log WHERE action = 'csv_export' AND actor_label = $1", [admin.email])).rows;
    expect(recorded).toEqual([{ target: "Audit log", filters: expect.objectContaining({ page: "/audit", action: "everything", actor: admin.email, rows: expected.length }) }]);
    await page.close();
  });
});
