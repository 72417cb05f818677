import { describe, expect, it } from "vitest";
import { admit, allowedHostList, clientAddress, hostAllowed, isHttps, parseExpiry, parseRole, roleIncludes, safeReturnTo, setCookie, type OidcSettings } from "../src/index";

describe("the Host allow-list (DNS rebinding)", () => {
  const allowed = allowedHostList(["insights.internal"], "https://insights.example.com");
  it.each([
    ["localhost:3000", true], ["127.0.0.1", true], ["[::1]:4000", true], ["insights.example.com", true], ["INSIGHTS.example.com", true],
    ["insights.internal:8080", true], ["evil.example", false], ["localhost.evil.example", false], ["127.0.0.1.nip.io", false],
    ["", false], ["insights.example.com.evil", false], ["a b", false],
  ])("%s → %s", (host, ok) => expect(hostAllowed(host, allowed)).toBe(ok));
  it("no Host header is refused; '*' lets any through", () => {
    expect(hostAllowed(null, allowed)).toBe(false);
    expect(hostAllowed("anything.example", ["*"])).toBe(true);
  });
});

describe("HTTPS and client address behind a proxy", () => {
  const h = (o: Record<string, string>) => new Headers(o);
  it("believes X-Forwarded-* only with TRUST_PROXY", () => {
    expect(isHttps("http://x/", h({ "x-forwarded-proto": "https" }), { trustProxy: false })).toBe(false);
    expect(isHttps("http://x/", h({ "x-forwarded-proto": "https" }), { trustProxy: true })).toBe(true);
    expect(isHttps("https://x/", h({}), { trustProxy: false })).toBe(true);
    expect(clientAddress("10.0.0.1", h({ "x-forwarded-for": "198.51.100.2, 10.0.0.1" }), false)).toBe("10.0.0.1");
    expect(clientAddress("10.0.0.1", h({ "x-forwarded-for": "198.51.100.2, 10.0.0.1" }), true)).toBe("198.51.100.2");
  });
  it("session cookies: httpOnly, SameSite=Lax, Secure over HTTPS", () => {
    expect(setCookie("li_session", "abc", { secure: false, maxAgeSeconds: 60 })).toBe("li_session=abc; Path=/; HttpOnly; SameSite=Lax; Max-Age=60");
    expect(setCookie("__Host-li_session", "abc", { secure: true, maxAgeSeconds: 0 })).toMatch(/; Max-Age=0; Secure$/);
  });
});

describe("return paths after sign-in stay on this site", () => {
  it.each([
    ["/problems?kind=failed", "/problems?kind=failed"], ["/", "/"], ["//evil.example/x", "/"], ["/\\evil.example", "/"],
    ["https://evil.example", "/"], ["javascript:alert(1)", "/"], [null, "/"], ["/a#b", "/a#b"],
  ])("%s → %s", (input, out) => expect(safeReturnTo(input)).toBe(out));
});

describe("roles and durations", () => {
  it("orders the roles", () => {
    expect(roleIncludes("admin", "support")).toBe(true);
    expect(roleIncludes("support", "admin")).toBe(false);
    expect(roleIncludes("viewer", "viewer")).toBe(true);
    expect(parseRole(" Support ")).toBe("support");
    expect(() => parseRole("root")).toThrow(/viewer, support, admin/);
  });
  it("parses token lifetimes", () => {
    expect(parseExpiry("30d")).toBe(30 * 86_400_000);
    expect(parseExpiry("12h")).toBe(12 * 3_600_000);
    expect(() => parseExpiry("6y")).toThrow();
    expect(() => parseExpiry("soon")).toThrow();
  });
});

describe("who single sign-on lets in", () => {
  const base: OidcSettings = {
    issuer: "https://idp.example", clientId: "c", clientSecret: null, publicUrl: "https://insights.example.com", scopes: "openid email",
    allowedDomains: ["example.com"], groupsClaim: "groups", allowedGroups: [], adminGroups: [], supportGroups: [], defaultRole: "viewer", label: "SSO",
  };
  const id = (email: string, groups: string[] = []) => ({ subject: "s", email, name: null, groups });
  it("by email domain, keeping a known person's role", () => {
    expect(admit(base, id("ann@example.com"), null)).toEqual({ role: "viewer" });
    expect(admit(base, id("ann@example.com"), "admin")).toEqual({ role: "admin" });
    expect(admit(base, id("ann@example.com.evil.io"), null)).toEqual({ refused: "the email domain example.com.evil.io is not allowed" });
    expect(admit(base, id("ann@sub.example.com"), null)).toHaveProperty("refused");
  });
  it("by group, with roles from groups at every sign-in", () => {
    const s = { ...base, allowedDomains: [], allowedGroups: ["insights"], adminGroups: ["insights-admins"], supportGroups: ["support"] };
    expect(admit(s, id("x@anywhere.io"), "admin")).toEqual({ refused: "not in an allowed group" });
    expect(admit(s, id("x@anywhere.io", ["insights"]), "admin")).toEqual({ role: "viewer" }); // groups decide, not the old role
    expect(admit(s, id("x@anywhere.io", ["insights", "support"]), null)).toEqual({ role: "support" });
    expect(admit(s, id("x@anywhere.io", ["insights", "support", "insights-admins"]), null)).toEqual({ role: "admin" });
  });
});
