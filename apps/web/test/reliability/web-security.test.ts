/**
 * Web security of the dashboard (issue 8, part 4), systematic: the
 * production build (`next start`, NODE_ENV=production) on a database whose
 * questions, answers and log messages carry HTML and script.
 *
 * - Every page route, in chromium: the HTML from the logs shows as text, no
 *   dialog opens, no injected element or script exists or runs, no CSP
 *   violation is reported.
 * - Every page route and the API: Content-Security-Policy with a fresh nonce
 *   and frame-ancestors 'none' (pages), X-Content-Type-Options nosniff,
 *   X-Frame-Options DENY, Referrer-Policy; framing by another origin fails.
 * - CORS closed by default: a preflight or a request from another origin gets
 *   no Access-Control-Allow-Origin, and a page on another origin cannot read
 *   the API; only origins listed in API_CORS_ORIGINS are let in.
 * - GraphQL introspection and GraphiQL off in production, on in development.
 * - Access: every page and the API refuse anonymous callers; a Host header
 *   that is not ours gets 421 (DNS rebinding); a sign-in or sign-out form
 *   posted from another origin gets 403; behind a trusted proxy (TRUST_PROXY)
 *   over HTTPS the session cookie is `__Host-`, Secure, and pages carry HSTS,
 *   and without TRUST_PROXY a client's own X-Forwarded-Proto changes nothing.
 *   The pages and the API are read signed in as an admin (an account and a
 *   session made with packages/auth in the test database).
 *
 * Needs the production build in apps/web/.next (the e2e project builds it;
 * locally: cd apps/web && NODE_ENV=production npx next build).
 */
import { existsSync } from "node:fs";
import { request as httpRequest } from "node:http";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createToken } from "@log-insights/auth";
import { createLogger } from "@log-insights/config";
import { createTestDatabase, type TestDatabase } from "@log-insights/store/testing";
import { createApiHandler } from "../../../../packages/api/src/handler";
import { generatedBucket, ingest } from "../../../../packages/ingest/test/support/harness";
import { addSessionCookie, cookieHeader, createAccount, createSessionFor } from "../e2e/accounts";
import { webDir } from "../e2e/build";
import { freePort, launchBrowser, settled, startWeb, type WebServer } from "../e2e/harness";
import { editFirstSession } from "../e2e/plant";

const HOUR = 3_600_000;
// Each payload sets window.__xss if it ever runs; the question is found by "quokka".
const QUESTION = `<script>window.__xss="script"</script> What are the quokka fees? <img src=x onerror="window.__xss='img'"> <svg onload="window.__xss='svg'"></svg>`;
const ANSWER = `<b>bold?</b> The quokka fee is 1%. <iframe src="javascript:window.__xss='iframe'"></iframe><a href="javascript:window.__xss='link'">click</a>`;
const MESSAGE = `<img src=x onerror="window.__xss='log'"> payment failed for <script>window.__xss='logscript'</script>`;
const INJECTED_SELECTOR = "img[src=x], svg[onload], iframe[src^=javascript], a[href^=javascript], b:has-text('bold?')";

/** Rewrites the first chat session of the newest file: its questions, answers, and one error message, to HTML. */
async function plantHtml(dir: string): Promise<void> {
  await editFirstSession(dir, (entries, start, inSession) => {
    for (const e of entries) {
      if (!inSession(e)) continue;
      if ("query" in e) e.query = QUESTION;
      if ("requestMessage" in e) e.requestMessage = QUESTION;
      if ("answer" in e) e.answer = ANSWER;
    }
    entries.push({ level: 50, time: (start.time as number | undefined) ?? Date.parse(String(start.timestamp)), pid: 1, hostname: "h", context: "PaymentService", message: MESSAGE });
  });
}

/** A GET with any Host header (fetch() does not let a caller set Host). */
function rawGet(url: string, headers: Record<string, string>): Promise<{ status: number; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { headers }, (res) => {
      res.resume();
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
    });
    req.on("error", reject);
    req.end();
  });
}

/** Pages anyone may open (the rest need a session). */
const PUBLIC_ROUTES = new Set(["/signin", "/auth/link"]);

describe("web security of the production dashboard", () => {
  let db: TestDatabase;
  let bucket: Awaited<ReturnType<typeof generatedBucket>>;
  let web: WebServer;
  let browser: Browser;
  let routes: string[];
  /** The Cookie header of an admin's session. */
  let cookie: string;
  let adminSecret: string;
  /** An admin API token, for the handlers the test builds itself. */
  let token: string;
  const figures = { pages: 0, headerChecks: 0 };
  const authed = (init: RequestInit = {}): RequestInit => ({ ...init, headers: { ...(init.headers as Record<string, string> | undefined), cookie } });

  beforeAll(async () => {
    if (!existsSync(path.join(webDir, ".next", "BUILD_ID"))) {
      throw new Error(`no production build of the dashboard in ${path.join(webDir, ".next")}: run \`cd apps/web && NODE_ENV=production npx next build\` (CI's e2e project builds it before this suite)`);
    }
    db = await createTestDatabase();
    bucket = await generatedBucket({ seed: 17, days: 3, sessionsPerDay: 15, end: new Date(Math.floor(Date.now() / HOUR) * HOUR) });
    await plantHtml(bucket.dir);
    await ingest(db.pool, bucket.dir);
    const { rows } = await db.pool.query<{ id: string; cid: string }>("SELECT id::text AS id, conversation_id::text AS cid FROM bot_questions WHERE question LIKE '%quokka%' ORDER BY asked_at LIMIT 1");
    expect(rows.length).toBe(1);
    const { email } = await createAccount(db.pool, "admin");
    adminSecret = await createSessionFor(db.pool, email);
    cookie = cookieHeader(adminSecret);
    token = (await createToken(db.pool, { name: "web-security test", role: "admin", createdBy: { kind: "system", label: "test" } })).token;
    web = await startWeb(db.url);
    browser = await launchBrowser();
    // Every page of the app (src/app/**/page.tsx), the planted conversation, a search that finds it, and a page that does not exist.
    routes = ["/", "/questions", "/problems", "/conversations", "/conversations?q=quokka", `/conversations/${rows[0]!.cid}`, "/logs", "/logs?level=error", "/ingestion", "/alerts",
      "/users", "/tokens", "/audit", "/account", "/signin", "/auth/link", "/no-such-page"];
  });
  afterAll(async () => {
    await browser?.close();
    await web?.stop();
    await db?.drop();
    await bucket?.cleanup();
  });

  function expectSecurityHeaders(h: Headers, what: string, page: boolean): void {
    figures.headerChecks++;
    expect(h.get("x-content-type-options"), what).toBe("nosniff");
    expect(h.get("x-frame-options"), what).toBe("DENY");
    expect(h.get("referrer-policy"), what).toBe("same-origin");
    expect(h.get("x-powered-by"), what).toBeNull();
    if (!page) return;
    const csp = h.get("content-security-policy") ?? "";
    expect(csp, what).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]{16,}' 'strict-dynamic'(;|$)/);
    expect(csp, what).not.toMatch(/unsafe-eval/);
    expect(csp, what).toMatch(/frame-ancestors 'none'/);
    expect(csp, what).toMatch(/object-src 'none'/);
    expect(csp, what).toMatch(/base-uri 'self'/);
    expect(csp, what).toMatch(/default-src 'self'/);
  }

  it("security headers on every page (a fresh nonce each time) and on the API and health routes", async () => {
    const nonces = new Set<string>();
    for (const route of routes) {
      for (let i = 0; i < 2; i++) {
        const res = await fetch(`${web.url}${route}`, PUBLIC_ROUTES.has(route) ? {} : authed());
        expect(res.status, route).toBe(route === "/no-such-page" ? 404 : 200);
        expectSecurityHeaders(res.headers, route, true);
        nonces.add(/'nonce-([^']+)'/.exec(res.headers.get("content-security-policy")!)![1]!);
        const html = await res.text();
        // Every script Next.js renders carries the nonce; the planted HTML is escaped in server-rendered pages.
        for (const tag of html.match(/<script\b[^>]*>/g) ?? []) expect(tag, route).toMatch(/nonce="[^"]+"/);
        expect(html, route).not.toMatch(/<img src=x|<svg onload|<script>window\.__xss/);
      }
    }
    expect(nonces.size).toBe(routes.length * 2);
    const api = await fetch(`${web.url}/api/graphql`, authed({ method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: "{ ingestion { lagSeconds } }" }) }));
    expect(api.status).toBe(200);
    expect(api.headers.get("content-type")).toMatch(/^application\/(graphql-response\+)?json/);
    expectSecurityHeaders(api.headers, "/api/graphql", false);
    for (const route of ["/healthz", "/readyz", "/metrics"]) expectSecurityHeaders((await fetch(`${web.url}${route}`, authed())).headers, route, false);
    // Refusals carry them too.
    expectSecurityHeaders((await fetch(`${web.url}/api/graphql`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" })).headers, "/api/graphql 401", false);
  });

  it("nothing but the sign-in pages and /healthz answers without a session; another Host gets 421; forms from another origin get 403", async () => {
    for (const route of routes.filter((r) => !PUBLIC_ROUTES.has(r))) {
      const res = await fetch(`${web.url}${route}`, { redirect: "manual" });
      expect(res.status, route).toBe(307);
      // The sign-in page, coming back to the page asked for ("/" is where it goes anyway: no next).
      expect(res.headers.get("location"), route).toBe(route === "/" ? "/signin" : `/signin?next=${encodeURIComponent(route)}`);
    }
    for (const route of ["/api/graphql", "/metrics", "/readyz"]) expect((await fetch(`${web.url}${route}`, { redirect: "manual" })).status, route).toBe(401);
    expect((await fetch(`${web.url}/healthz`)).status).toBe(200);
    // DNS rebinding: a page or the API addressed to a name that is not ours, even with a session.
    for (const route of ["/", "/signin", "/api/graphql"]) {
      expect((await rawGet(`${web.url}${route}`, { host: "rebound.evil.example", cookie })).status, route).toBe(421);
    }
    expect((await rawGet(`${web.url}/`, { host: new URL(web.url).host, cookie })).status).toBe(200);
    // Login CSRF and sign-out CSRF: a form posted by another site.
    for (const route of ["/auth/password", "/auth/signout", "/auth/link/continue"]) {
      const res = await fetch(`${web.url}${route}`, { method: "POST", redirect: "manual", headers: { origin: "https://evil.example", "content-type": "application/x-www-form-urlencoded", cookie }, body: "email=a%40b.example&password=x&token=y" });
      expect(res.status, route).toBe(403);
      expect(res.headers.get("set-cookie"), route).toBeNull();
    }
    expect((await fetch(`${web.url}/api/graphql`, authed({ method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: "{ me { role } }" }) }))).status).toBe(200);
    // The API's CSRF rule: a GET (or a form post) without the dashboard's header is refused even with the cookie.
    const get = await fetch(`${web.url}/api/graphql?query=${encodeURIComponent("{ me { role } }")}`, authed());
    expect(get.status).toBe(403);
    const withHeader = await fetch(`${web.url}/api/graphql?query=${encodeURIComponent("{ me { role } }")}`, authed({ headers: { "x-log-insights-csrf": "1" } }));
    expect(withHeader.status).toBe(200);
    // A client's own X-Forwarded-Proto is not believed without TRUST_PROXY: no HSTS, no Secure cookie.
    const spoofed = await fetch(`${web.url}/signin`, { headers: { "x-forwarded-proto": "https" } });
    expect(spoofed.headers.get("strict-transport-security")).toBeNull();
  });

  it("behind a trusted proxy over HTTPS: HSTS on pages, and a __Host- Secure session cookie", async () => {
    const proxied = await startWeb(db.url, { env: { TRUST_PROXY: "true" } });
    try {
      const https = { "x-forwarded-proto": "https", "x-forwarded-for": "203.0.113.7" };
      const page = await fetch(`${proxied.url}/signin`, { headers: https });
      expect(page.headers.get("strict-transport-security")).toBe("max-age=31536000; includeSubDomains");
      expect((await fetch(`${proxied.url}/signin`)).headers.get("strict-transport-security")).toBeNull();
      const { email } = await createAccount(db.pool, "viewer", { password: "a long enough password" });
      const origin = `https://${new URL(proxied.url).host}`;
      const res = await fetch(`${proxied.url}/auth/password`, { method: "POST", redirect: "manual", headers: { ...https, origin, "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams({ email, password: "a long enough password" }) });
      expect(res.status).toBe(303);
      expect(res.headers.get("set-cookie")).toMatch(/^__Host-li_session=[^;]+; Path=\/; HttpOnly; SameSite=Lax; Max-Age=\d+; Secure$/);
      // Over https the form's origin is https: the http origin is another site.
      const wrong = await fetch(`${proxied.url}/auth/password`, { method: "POST", redirect: "manual", headers: { ...https, origin: proxied.url, "content-type": "application/x-www-form-urlencoded" }, body: "email=x&password=y" });
      expect(wrong.status).toBe(403);
    } finally {
      await proxied.stop();
    }
  });

  it("every page renders HTML and script from the logs as text: no dialog, no injected element, nothing runs, no CSP violation", async () => {
    const dialogs: string[] = [];
    const violations: string[] = [];
    const check = async (page: Page, route: string): Promise<void> => {
      expect(await page.evaluate(() => (window as { __xss?: unknown }).__xss), route).toBeUndefined();
      expect(await page.locator(INJECTED_SELECTOR).count(), route).toBe(0);
    };
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, timezoneId: "UTC" });
    await addSessionCookie(context, web.url, adminSecret);
    for (const route of routes) {
      const page = await context.newPage();
      page.on("dialog", (d) => { dialogs.push(`${route}: ${d.message()}`); void d.dismiss(); });
      page.on("console", (m) => { if (/Content.Security.Policy|Refused to/i.test(m.text())) violations.push(`${route}: ${m.text()}`); });
      await page.goto(`${web.url}${route}`);
      await settled(page);
      await check(page, route);
      figures.pages++;
      await page.close();
    }
    // Where the planted texts are shown, they are shown literally.
    const search = await context.newPage();
    search.on("dialog", (d) => { dialogs.push(`search: ${d.message()}`); void d.dismiss(); });
    await search.goto(`${web.url}/conversations?q=quokka`);
    const row = search.getByTestId("question-row").first();
    await row.waitFor({ timeout: 30_000 });
    expect(await row.textContent()).toContain(`<script>window.__xss="script"</script> What are the quokka fees?`);
    await row.getByRole("link").first().click();
    await search.locator(".bubble.q").first().waitFor({ timeout: 30_000 });
    expect(await search.locator(".bubble.q", { hasText: "quokka" }).first().textContent()).toContain(`<img src=x onerror="window.__xss='img'">`);
    expect(await search.locator(".bubble.a", { hasText: "quokka fee" }).first().textContent()).toContain(`<iframe src="javascript:window.__xss='iframe'"></iframe>`);
    await search.getByRole("button", { name: "Show log lines" }).first().click();
    await expect.poll(() => search.getByTestId("log-lines").first().textContent(), { timeout: 20_000 }).toContain("Processing deal bot query");
    await check(search, "conversation");
    await search.close();
    const logs = await context.newPage();
    await logs.goto(`${web.url}/logs`);
    await expect.poll(() => logs.getByText("payment failed for", { exact: false }).count(), { timeout: 30_000 }).toBeGreaterThan(0);
    expect(await logs.getByText("payment failed for", { exact: false }).first().textContent()).toContain("<img src=x onerror=");
    await check(logs, "logs");
    await logs.close();
    await context.close();
    expect(dialogs).toEqual([]);
    expect(violations).toEqual([]);
  });

  it("another origin cannot frame the dashboard", async () => {
    const page = await browser.newPage();
    const port = await freePort();
    // A page on another origin (localhost vs 127.0.0.1 is another origin) embedding the dashboard.
    await page.route(`http://localhost:${port}/`, (route) => route.fulfill({ contentType: "text/html", body: `<iframe id="f" src="${web.url}/"></iframe>` }));
    await page.goto(`http://localhost:${port}/`);
    await page.waitForTimeout(1500);
    const child = page.frames().find((f) => f !== page.mainFrame());
    const content = child ? await child.evaluate(() => document.body?.innerText ?? "").catch(() => "") : "";
    expect(content).not.toMatch(/log-insights|Overview/);
    await page.close();
  });

  it("CORS is closed by default: no Access-Control-Allow-Origin, and a page on another origin cannot read the API", async () => {
    const evil = "https://evil.example";
    const preflight = await fetch(`${web.url}/api/graphql`, {
      method: "OPTIONS", headers: { origin: evil, "access-control-request-method": "POST", "access-control-request-headers": "content-type" },
    });
    expect(preflight.headers.get("access-control-allow-origin")).toBeNull();
    expect(preflight.headers.get("access-control-allow-credentials")).toBeNull();
    const post = await fetch(`${web.url}/api/graphql`, authed({ method: "POST", headers: { origin: evil, "content-type": "application/json" }, body: JSON.stringify({ query: "{ ingestion { lagSeconds } }" }) }));
    expect(post.headers.get("access-control-allow-origin")).toBeNull();
    for (const route of ["/", "/healthz", "/metrics"]) expect((await fetch(`${web.url}${route}`, authed({ headers: { origin: evil } }))).headers.get("access-control-allow-origin"), route).toBeNull();

    const page = await browser.newPage();
    const port = await freePort();
    await page.route(`http://localhost:${port}/`, (route) => route.fulfill({ contentType: "text/html", body: "<p>elsewhere</p>" }));
    await page.goto(`http://localhost:${port}/`);
    const result = await page.evaluate(async (url) => {
      try {
        const res = await fetch(`${url}/api/graphql`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: "{ overview(from: \"2020-01-01\", to: \"2024-01-01\") { questions } }" }) });
        return `read ${res.status}: ${await res.text()}`;
      } catch (err) {
        return `blocked: ${(err as Error).message}`;
      }
    }, web.url);
    expect(result).toMatch(/^blocked/);
    await page.close();

    // Only the origins an operator lists (API_CORS_ORIGINS) are let in.
    const silent = createLogger("test", "silent");
    const open = createApiHandler({ pool: db.pool, logger: silent, listen: false, corsOrigins: ["https://dashboard.example"], access: { allowedHosts: ["api.test"] } });
    try {
      const pre = (origin: string) => open.fetch(new Request("http://api.test/graphql", { method: "OPTIONS", headers: { origin, "access-control-request-method": "POST" } }));
      expect((await pre("https://dashboard.example")).headers.get("access-control-allow-origin")).toBe("https://dashboard.example");
      expect((await pre(evil)).headers.get("access-control-allow-origin")).not.toBe(evil);
    } finally {
      await open.close();
    }
  });

  it("introspection and GraphiQL: off in production (next start and the handler), on in development", async () => {
    const intro = JSON.stringify({ query: "{ __schema { queryType { name } } }" });
    const prod = (await (await fetch(`${web.url}/api/graphql`, authed({ method: "POST", headers: { "content-type": "application/json" }, body: intro }))).json()) as { data?: unknown; errors?: { extensions?: { code?: string } }[] };
    expect(prod.errors?.map((e) => e.extensions?.code)).toEqual(["INTROSPECTION_DISABLED"]);
    expect(prod.data ?? null).toBeNull();
    const typeQuery = (await (await fetch(`${web.url}/api/graphql`, authed({ method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: '{ __type(name: "Query") { name } }' }) }))).json()) as { errors?: { extensions?: { code?: string } }[] };
    expect(typeQuery.errors?.map((e) => e.extensions?.code)).toEqual(["INTROSPECTION_DISABLED"]);
    const ide = await fetch(`${web.url}/api/graphql`, authed({ headers: { accept: "text/html" } }));
    expect(await ide.text()).not.toMatch(/graphiql/i);
    const hint = (await (await fetch(`${web.url}/api/graphql`, authed({ method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: "{ ingestio { lagSeconds } }" }) }))).json()) as { errors?: { message: string }[] };
    expect(hint.errors?.[0]?.message).not.toMatch(/Did you mean/);

    const silent = createLogger("test", "silent");
    for (const production of [false, true]) {
      const handler = createApiHandler({ pool: db.pool, logger: silent, listen: false, production, graphqlEndpoint: "/api/graphql", access: { allowedHosts: ["api.test"] } });
      try {
        const bearer = { authorization: `Bearer ${token}` };
        const r = (await (await handler.fetch(new Request("http://api.test/api/graphql", { method: "POST", headers: { "content-type": "application/json", ...bearer }, body: intro }))).json()) as { data?: { __schema?: { queryType: { name: string } } }; errors?: unknown[] };
        const page = await (await handler.fetch(new Request("http://api.test/api/graphql", { headers: { accept: "text/html", ...bearer } }))).text();
        if (production) {
          expect(r.errors).toHaveLength(1);
          expect(page).not.toMatch(/graphiql/i);
        } else {
          expect(r.data?.__schema?.queryType.name).toBe("Query");
          expect(page).toMatch(/graphiql/i);
        }
      } finally {
        await handler.close();
      }
    }
    console.log(`[reliability] web-security: ${routes.length} page routes in chromium (${figures.pages} page loads, 0 dialogs, 0 injected elements, 0 CSP violations), `
      + `${figures.headerChecks} header checks, CORS closed, introspection and GraphiQL off in production`);
  });
});
