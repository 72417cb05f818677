import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  buildSchema as schemaFromSdl, getNamedType, Kind, parse, TypeInfo, validate, visit, visitWithTypeInfo,
  type DirectiveNode, type DocumentNode, type GraphQLSchema,
} from "graphql";
import { describe, expect, it } from "vitest";
import { buildSchema, CSRF_HEADER as API_CSRF_HEADER, fieldRoles } from "@log-insights/api";
import { AUDIT_ACTIONS } from "@log-insights/auth/audit-actions";
import { roleIncludes, ROLES, type Role } from "@log-insights/auth/roles";
import { ACTION_GROUPS, ACTION_WORDS, actorWords, filtersWords } from "../src/lib/access-words";
import { CSRF_HEADER } from "../src/lib/csrf";
import { exportFilters } from "../src/lib/csv";
import { ME, roleFlags } from "../src/lib/me-query";
import { accessOf, API_ROUTE_HANDLERS, canOpen, decideAccess, PAGE_ACCESS, pageRouteOf, PUBLIC_ROUTE_HANDLERS } from "../src/lib/page-access";
import * as queries from "../src/lib/queries";
import { isAuthPath, signInPath } from "../src/lib/return-to";
import { signInNotice } from "../src/lib/sign-in-messages";
import { filterForRole } from "../src/lib/url-state";
import { checkFormPost, clearedSessionCookies, escapeHtml, plainPage, postOrigin, requestAddress, sessionCookie } from "../src/server/http";
import { afterSignIn } from "../src/server/return-to";

const APP = fileURLToPath(new URL("../src/app", import.meta.url));

/** Every file named `name` under src/app, as its URL route (route groups like "(dashboard)" left out) and its folder. */
function appFiles(name: "page.tsx" | "route.ts"): { route: string; dir: string }[] {
  const out: { route: string; dir: string }[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) walk(path.join(dir, e.name));
      else if (e.name === name) {
        const rel = path.relative(APP, dir);
        const segments = rel === "" ? [] : rel.split(path.sep).filter((s) => !/^\(.+\)$/.test(s));
        out.push({ route: `/${segments.join("/")}`, dir: rel });
      }
    }
  };
  walk(APP);
  return out;
}

describe("page access: one map, deny by default", () => {
  const pages = appFiles("page.tsx");

  it("every page file under src/app has a rule, and every rule a page", () => {
    expect(pages.length).toBeGreaterThanOrEqual(14);
    const missing = pages.map((p) => p.route).filter((r) => !(r in PAGE_ACCESS));
    expect(missing, "add these pages to PAGE_ACCESS in src/lib/page-access.ts").toEqual([]);
    expect(Object.keys(PAGE_ACCESS).sort()).toEqual(pages.map((p) => p.route).sort());
  });

  it("every page that needs a role sits under (dashboard), whose layout answers 403 for the proxy", () => {
    for (const p of pages) {
      const need = PAGE_ACCESS[p.route as keyof typeof PAGE_ACCESS];
      if (need === "public") expect(p.dir.startsWith("(dashboard)"), p.route).toBe(false);
      else expect(p.dir.split(path.sep)[0], p.route).toBe("(dashboard)");
    }
  });

  it("every route handler is a sign-in step (public) or protected by the API handler", () => {
    const routes = appFiles("route.ts").map((r) => r.route).sort();
    expect(routes).toEqual([...PUBLIC_ROUTE_HANDLERS, ...API_ROUTE_HANDLERS].sort());
  });

  it("matches paths to routes, dynamic segments included", () => {
    expect(pageRouteOf("/")).toBe("/");
    expect(pageRouteOf("/conversations/123")).toBe("/conversations/[id]");
    expect(pageRouteOf("/conversations/123/")).toBe("/conversations/[id]");
    expect(pageRouteOf("/conversations/")).toBe("/conversations");
    expect(pageRouteOf("/conversations/1/2")).toBeNull();
    expect(pageRouteOf("/logsx")).toBeNull();
  });

  it("decides for anonymous, viewer, support and admin", () => {
    const roles: (Role | null)[] = [null, ...ROLES];
    for (const [route, need] of Object.entries(PAGE_ACCESS)) {
      const p = route.replace("[id]", "42");
      for (const role of roles) {
        const d = decideAccess(p, role);
        if (need === "public") expect(d, `${role} ${p}`).toEqual({ kind: "allow" });
        else if (role === null) expect(d, p).toEqual({ kind: "sign-in" });
        else if (roleIncludes(role, need)) expect(d, `${role} ${p}`).toEqual({ kind: "allow" });
        else expect(d, `${role} ${p}`).toEqual({ kind: "forbidden", need });
      }
    }
    // What no rule names needs a signed-in person: an unknown path is never shown to anonymous.
    expect(decideAccess("/no-such-page", null)).toEqual({ kind: "sign-in" });
    expect(decideAccess("/no-such-page", "viewer")).toEqual({ kind: "allow" });
    expect(accessOf("/auth/password")).toBe("public");
    expect(accessOf("/auth/anything-else")).toBe("viewer");
    expect(decideAccess("/logs", "support")).toEqual({ kind: "forbidden", need: "admin" });
  });

  it("hides links a role may not open", () => {
    expect(canOpen("viewer", "/problems?kind=failed")).toBe(true);
    expect(canOpen("viewer", "/conversations?q=fees")).toBe(false);
    expect(canOpen("support", "/conversations/7#q-1")).toBe(true);
    expect(canOpen("support", "/ingestion")).toBe(false);
    expect(canOpen("admin", "/audit")).toBe(true);
    expect(canOpen(null, "/")).toBe(false);
  });
});

describe("return paths after signing in", () => {
  it("keeps a path on this site, drops anything else", () => {
    expect(afterSignIn("/problems?kind=failed")).toBe("/problems?kind=failed");
    expect(afterSignIn("/conversations/12#q-3")).toBe("/conversations/12#q-3");
    for (const bad of ["https://evil.example/", "//evil.example", "/\\evil.example", "javascript:alert(1)", "", null, undefined, "evil"]) {
      expect(afterSignIn(bad), String(bad)).toBe("/");
    }
  });
  it("never returns to the sign-in steps themselves (no loops)", () => {
    for (const p of ["/signin", "/signin?next=/x", "/auth/link?token=abc", "/auth/sso/callback?code=1", "/auth/signout", "/api/graphql"]) {
      expect(isAuthPath(p), p).toBe(true);
      expect(afterSignIn(p), p).toBe("/");
    }
    expect(isAuthPath("/authors")).toBe(false);
  });
  it("builds the sign-in link with the page to come back to", () => {
    expect(signInPath("/logs?level=error")).toBe("/signin?next=%2Flogs%3Flevel%3Derror");
    expect(signInPath("/")).toBe("/signin");
    expect(signInPath("//evil")).toBe("/signin");
    expect(signInPath(null, "SIGNED_OUT")).toBe("/signin?error=SIGNED_OUT");
    expect(new URLSearchParams(signInPath("/a?b=1&c=2").split("?")[1]).get("next")).toBe("/a?b=1&c=2");
  });
});

describe("sign-in messages", () => {
  it("says how long a lock-out lasts, and nothing for unknown codes", () => {
    expect(signInNotice("LOCKED_OUT", "15")?.text).toBe("Too many failed sign-ins for this account. Try again in 15 minutes.");
    expect(signInNotice("LOCKED_OUT", "1")?.text).toContain("in 1 minute.");
    expect(signInNotice("LOCKED_OUT", "<b>")?.text).toContain("in a few minutes");
    expect(signInNotice("BAD_CREDENTIALS")?.tone).toBe("error");
    expect(signInNotice("SIGNED_OUT")).toEqual({ tone: "info", text: "You are signed out." });
    expect(signInNotice("<script>")).toBeNull();
    expect(signInNotice(null)).toBeNull();
  });
});

describe("forms and cookies (server/http.ts)", () => {
  const http = { allowedHosts: ["localhost", "127.0.0.1", "[::1]", "insights.example.com"], trustProxy: false, publicUrl: null };
  const post = (headers: Record<string, string>, url = "http://127.0.0.1:3000/auth/password") => new Request(url, { method: "POST", headers });

  it("accepts a form posted from our own pages only", () => {
    expect(checkFormPost(post({ host: "127.0.0.1:3000", origin: "http://127.0.0.1:3000" }), http)).toBeNull();
    expect(checkFormPost(post({ host: "127.0.0.1:3000", referer: "http://127.0.0.1:3000/signin?next=/x" }), http)).toBeNull();
    expect(checkFormPost(post({ host: "127.0.0.1:3000", origin: "http://evil.example" }), http)?.status).toBe(403);
    expect(checkFormPost(post({ host: "127.0.0.1:3000", origin: "null" }), http)?.status).toBe(403);
    expect(checkFormPost(post({ host: "127.0.0.1:3000" }), http)?.status).toBe(403);
    expect(checkFormPost(post({ host: "127.0.0.1:3000", origin: "https://127.0.0.1:3000" }), http)?.status).toBe(403);
    expect(checkFormPost(post({ host: "127.0.0.1:3000", origin: "http://localhost:3000" }), http)?.status).toBe(403);
    // DNS rebinding: a name that is not ours, even with a matching Origin.
    expect(checkFormPost(post({ host: "rebind.evil.example:3000", origin: "http://rebind.evil.example:3000" }), http)?.status).toBe(421);
    // Behind a proxy that terminates TLS, with PUBLIC_URL.
    const behind = { ...http, trustProxy: true, publicUrl: "https://insights.example.com" };
    expect(checkFormPost(post({ host: "insights.example.com", origin: "https://insights.example.com", "x-forwarded-proto": "https" }, "http://insights.example.com/auth/password"), behind)).toBeNull();
  });

  it("reads where a post came from", () => {
    expect(postOrigin(new Headers({ origin: "HTTP://A.example" }))).toBe("http://a.example");
    expect(postOrigin(new Headers({ referer: "https://b.example/x?y" }))).toBe("https://b.example");
    expect(postOrigin(new Headers({ referer: "not a url" }))).toBeNull();
    expect(postOrigin(new Headers())).toBeNull();
  });

  it("sets the session cookie httpOnly, SameSite=Lax, for the session's absolute lifetime; Secure and __Host- over HTTPS", () => {
    const now = 1_000_000;
    const plain = sessionCookie(new Request("http://127.0.0.1:3000/auth/password"), "s3cret", now + 7 * 86_400_000, now, http);
    expect(plain).toBe("li_session=s3cret; Path=/; HttpOnly; SameSite=Lax; Max-Age=604800");
    const proxied = { ...http, trustProxy: true };
    const tls = new Request("http://insights.example.com/auth/password", { headers: { "x-forwarded-proto": "https" } });
    expect(sessionCookie(tls, "s3cret", now + 3600_000, now, proxied)).toBe("__Host-li_session=s3cret; Path=/; HttpOnly; SameSite=Lax; Max-Age=3600; Secure");
    // PUBLIC_URL's scheme decides when no proxy is trusted.
    expect(sessionCookie(new Request("http://insights.example.com/x"), "s", now + 1000, now, { ...http, publicUrl: "https://insights.example.com" })).toMatch(/^__Host-li_session=s;.*; Secure$/);
    expect(clearedSessionCookies(new Request("http://127.0.0.1/"), http)).toEqual(["li_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0"]);
    expect(clearedSessionCookies(tls, proxied)).toHaveLength(2);
  });

  it("does not believe a client's own X-Forwarded-Proto without TRUST_PROXY (Next.js builds request.url from it)", () => {
    const spoofed = new Request("https://127.0.0.1:3000/auth/password", { headers: { "x-forwarded-proto": "https", host: "127.0.0.1:3000", origin: "https://127.0.0.1:3000" } });
    expect(sessionCookie(spoofed, "s", 2000, 1000, http)).toMatch(/^li_session=s;/);
    expect(checkFormPost(spoofed, http)?.status).toBe(403);
  });

  it("counts sign-ins by the socket's address, or the first forwarded hop behind a trusted proxy", () => {
    const r = new Request("http://127.0.0.1/", { headers: { "x-forwarded-for": "203.0.113.9, 10.0.0.1" } });
    expect(requestAddress(r, http)).toBe("203.0.113.9");
    expect(requestAddress(new Request("http://127.0.0.1/"), http)).toBeNull();
  });

  it("escapes what it shows on its plain pages", async () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe("&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
    const page = plainPage(403, "No <b>", "the email domain <script>alert(1)</script> is not allowed");
    expect(page.status).toBe(403);
    const html = await page.text();
    expect(html).not.toContain("<script>alert");
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
  });
});

describe("the browser's copy of the CSRF header", () => {
  it("is the API's", () => expect(CSRF_HEADER).toBe(API_CSRF_HEADER));
});

describe("what each role's queries ask for", () => {
  // The committed SDL (packages/api/schema.graphql, checked against the code by the API's own test) to
  // validate and walk the documents; the roles of its fields from the schema the code builds.
  const sdl = readFileSync(fileURLToPath(new URL("../../../packages/api/schema.graphql", import.meta.url)), "utf8");
  const schema: GraphQLSchema = schemaFromSdl(sdl);
  const roles = fieldRoles(buildSchema());

  /** The least role of the page (or shell part) that sends each document. */
  const DOCUMENT_ROLES: Record<string, Role> = {
    OVERVIEW: "viewer", QUESTION_COUNTS: "viewer", RESPONSE_TIMES: "viewer", BREAKDOWN: "viewer", TOPICS: "viewer",
    COMMON_QUESTIONS: "viewer", OTHER_TOPICS: "viewer", KNOWLEDGE_GAPS: "viewer", PROBLEM_QUESTIONS: "viewer", FIRING_ALERTS: "viewer",
    RECORD_CSV_EXPORT: "viewer", CHANGE_PASSWORD: "viewer",
    SEARCH_QUESTIONS: "support", CONVERSATIONS: "support", CONVERSATION: "support",
    QUESTION_LOG: "admin", LOG_ENTRIES: "admin", LOG_COUNTS: "admin", ERROR_GROUPS: "admin", INGESTION: "admin", ALERT_RULES: "admin", ALERTS: "admin",
    USERS: "admin", ADD_USER: "admin", CREATE_SIGN_IN_LINK: "admin", SET_USER_ROLE: "admin", REMOVE_USER: "admin",
    API_TOKENS: "admin", CREATE_API_TOKEN: "admin", REVOKE_API_TOKEN: "admin", AUDIT_LOG: "admin",
  };
  const documents: [string, DocumentNode, Role][] = [
    ...Object.entries(queries).map(([name, doc]) => [name, doc as DocumentNode, DOCUMENT_ROLES[name]!] as [string, DocumentNode, Role]),
    ["ME", ME as DocumentNode, "viewer"],
    ["LiveUpdates (graphql.tsx)", parse(readFileSync(fileURLToPath(new URL("../src/lib/graphql.tsx", import.meta.url)), "utf8").match(/subscription LiveUpdates[^"]+/)![0]), "viewer"],
  ];

  /** The fields ("Type.field") a document selects when sent with these variables (@include / @skip applied). */
  function selectedFields(doc: DocumentNode, variables: Record<string, unknown>): string[] {
    const info = new TypeInfo(schema);
    const out: string[] = [];
    const included = (directives: readonly DirectiveNode[] | undefined): boolean => (directives ?? []).every((d) => {
      const arg = d.arguments?.find((a) => a.name.value === "if")?.value;
      const value = arg?.kind === Kind.VARIABLE ? variables[arg.name.value] : arg?.kind === Kind.BOOLEAN ? arg.value : true;
      return d.name.value === "include" ? value === true : d.name.value === "skip" ? value !== true : true;
    });
    visit(doc, visitWithTypeInfo(info, {
      Field: {
        enter(node) {
          if (!included(node.directives)) return false;
          const parent = info.getParentType();
          if (parent && !node.name.value.startsWith("__")) out.push(`${getNamedType(parent).name}.${node.name.value}`);
          return undefined;
        },
      },
    }));
    return out;
  }

  it("every document of src/lib/queries.ts has its page's role here, and is valid against the schema", () => {
    expect(Object.keys(queries).filter((n) => !(n in DOCUMENT_ROLES))).toEqual([]);
    for (const [name, doc] of documents) expect(validate(schema, doc).map((e) => e.message), name).toEqual([]);
  });

  it("asks each role only for fields it may see (so a viewer's pages get no FORBIDDEN errors)", () => {
    for (const [name, doc, least] of documents) {
      for (const role of ROLES.filter((r) => roleIncludes(r, least))) {
        const flags = roleFlags(role);
        for (const field of selectedFields(doc, { support: flags.support, admin: flags.admin })) {
          const need = roles.get(field);
          expect(need, `${field} has no role in the schema`).toBeTruthy();
          expect(roleIncludes(role, need!), `${name} as ${role} asks for ${field} (needs ${need})`).toBe(true);
        }
      }
    }
  });

  it("a viewer's question lists ask for no answer, investor or conversation; support's do", () => {
    const viewer = selectedFields(queries.PROBLEM_QUESTIONS as DocumentNode, { support: false });
    expect(viewer).toContain("BotQuestion.text");
    for (const f of ["BotQuestion.answer", "BotQuestion.userId", "BotQuestion.conversationId"]) expect(viewer).not.toContain(f);
    const support = selectedFields(queries.PROBLEM_QUESTIONS as DocumentNode, { support: true });
    for (const f of ["BotQuestion.answer", "BotQuestion.userId", "BotQuestion.conversationId"]) expect(support).toContain(f);
  });
});

describe("the filter a role may use", () => {
  it("drops the investor below support", () => {
    expect(filterForRole({ userId: 7, fund: "EIS" }, false)).toEqual({ fund: "EIS" });
    expect(filterForRole({ userId: 7, fund: "EIS" }, true)).toEqual({ userId: 7, fund: "EIS" });
    expect(filterForRole({ fund: "EIS" }, false)).toEqual({ fund: "EIS" });
  });
});

describe("CSV exports in the audit log", () => {
  it("records the page, the range, the filters in force and the table's own", () => {
    expect(exportFilters("/problems", { fromMs: Date.UTC(2026, 10, 1), toMs: Date.UTC(2026, 10, 8) }, { fund: "EIS Fund", outcomes: [] }, { kind: "failed", search: "" })).toEqual({
      page: "/problems", from: "2026-11-01T00:00:00.000Z", to: "2026-11-08T00:00:00.000Z", fund: "EIS Fund", kind: "failed",
    });
  });
});

describe("the audit log in words", () => {
  it("has words for every action, and its groups name real actions", () => {
    for (const a of AUDIT_ACTIONS) expect(ACTION_WORDS[a], a).toMatch(/^[A-Z]/);
    for (const g of ACTION_GROUPS) for (const a of g.actions) expect(AUDIT_ACTIONS).toContain(a);
  });
  it("says who", () => {
    expect(actorWords({ actorKind: "user", actorLabel: "ann@example.com", role: "admin" })).toBe("ann@example.com (admin)");
    expect(actorWords({ actorKind: "token", actorLabel: "prometheus", role: "viewer" })).toBe("API token “prometheus” (viewer)");
    expect(actorWords({ actorKind: "anonymous", actorLabel: null, role: null })).toBe("Someone not signed in");
    expect(actorWords({ actorKind: "system", actorLabel: "cli", role: null })).toBe("The system (cli)");
    expect(actorWords({ actorKind: "system", actorLabel: "sso", role: null })).toBe("Single sign-on");
  });
  it("puts filters into a sentence", () => {
    expect(filtersWords({ page: "/problems", from: "2026-11-01T00:00:00.000Z", to: "2026-11-08T00:00:00.000Z", fund: "EIS Fund", rows: 25 }))
      .toBe("from 1 Nov 2026, 00:00 to 8 Nov 2026, 00:00 · page /problems · fund EIS Fund · 25 rows");
    expect(filtersWords({ to: "admin", from: "viewer" })).toBe("from viewer to admin");
    expect(filtersWords({ method: "sso" })).toBe("with single sign-on");
    expect(filtersWords({ method: "password", reason: "wrong password" })).toBe("with password · why wrong password");
    expect(filtersWords({ outcomes: ["FAILED", "HEDGED"], rows: 1 })).toBe("outcome failed, hedged · 1 row");
    expect(filtersWords({ userId: 42, dealId: "d-1" })).toBe("investor 42 · deal d-1");
    expect(filtersWords(null)).toBe("");
    expect(filtersWords({ from: "2026-11-01T00:00:00.000Z", to: "2026-11-08T00:00:00.000Z" }, "Asia/Kolkata")).toBe("from 1 Nov 2026, 05:30 to 8 Nov 2026, 05:30");
  });
});
