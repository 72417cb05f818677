import type pg from "pg";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { addUser, createSession, DEFAULT_POLICY, sessionCookieName, type Role } from "@log-insights/auth";

// Signed-in browsers for the dashboard's browser tests: accounts and
// sessions made with packages/auth itself in the test database (the same
// functions the sign-in routes call), and the session cookie put into a
// chromium context, as the browser would have it after signing in.

/** The cookie name over plain HTTP (the tests' servers are http://127.0.0.1). */
export const SESSION_COOKIE = sessionCookieName(false);

/** A person with a role (and a password when given); the email is made unique per call when it is not given. */
export async function createAccount(pool: pg.Pool, role: Role, options: { email?: string; password?: string } = {}): Promise<{ email: string; role: Role }> {
  const email = options.email ?? `${role}-${Math.random().toString(36).slice(2, 10)}@example.com`;
  await addUser(pool, { email, role, password: options.password ?? null, createdBy: "test" });
  return { email, role };
}

/** A session for an existing account, as if it had just signed in with its password: the cookie's value. */
export async function createSessionFor(pool: pg.Pool, email: string): Promise<string> {
  const { rows } = await pool.query<{ id: string }>("SELECT id::text FROM auth_users WHERE email = $1", [email]);
  if (!rows[0]) throw new Error(`no account ${email}`);
  return (await createSession(pool, rows[0].id, "password", DEFAULT_POLICY)).secret;
}

/** The Cookie header of a session, for fetch() against the server. */
export function cookieHeader(secret: string): string {
  return `${SESSION_COOKIE}=${encodeURIComponent(secret)}`;
}

export interface SignedIn {
  email: string;
  role: Role;
  secret: string;
  context: BrowserContext;
  /** A new page of this context at `path`. */
  open(path: string): Promise<Page>;
}

/** A browser context signed in as a new account of `role` (an account and a session made in the database). */
export async function signedInContext(browser: Browser, pool: pg.Pool, baseUrl: string, role: Role, options: { email?: string; viewport?: { width: number; height: number }; acceptDownloads?: boolean } = {}): Promise<SignedIn> {
  const account = await createAccount(pool, role, options.email ? { email: options.email } : {});
  const secret = await createSessionFor(pool, account.email);
  const context = await browser.newContext({ viewport: options.viewport ?? { width: 1440, height: 900 }, timezoneId: "UTC", acceptDownloads: options.acceptDownloads ?? true });
  await addSessionCookie(context, baseUrl, secret);
  return {
    ...account,
    secret,
    context,
    open: async (path) => {
      const page = await context.newPage();
      await page.goto(`${baseUrl}${path}`);
      return page;
    },
  };
}

export async function addSessionCookie(context: BrowserContext, baseUrl: string, secret: string): Promise<void> {
  await context.addCookies([{ name: SESSION_COOKIE, value: encodeURIComponent(secret), url: baseUrl, httpOnly: true, sameSite: "Lax" }]);
}
