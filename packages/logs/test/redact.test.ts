import { describe, expect, it } from "vitest";
import {
  REDACTED,
  isSecretKey,
  redactCookieHeader,
  redactQueryObject,
  redactRawText,
  redactSecrets,
  redactString,
  redactUrl,
} from "../src/redact";
import { deepFreeze } from "./helpers";

describe("isSecretKey", () => {
  it.each([
    "cookie",
    "Cookie",
    "set-cookie",
    "authorization",
    "Proxy-Authorization",
    "access_token",
    "refresh_token",
    "id_token",
    "x-api-key",
    "apiKey",
    "API_KEY",
    "client_secret",
    "clientSecret",
    "password",
    "passwd",
    "sessionId",
    "session_token",
    "credentials",
    "x-amz-security-token",
    "privateKey",
    "signature",
  ])("%s is a secret", (key) => {
    expect(isSecretKey(key)).toBe(true);
  });

  it.each([
    "promptTokens",
    "maxTokens",
    "completion_tokens",
    "tokenCount",
    "cacheKey",
    "authUserId",
    "auth_user_id",
    "dealId",
    "user-agent",
    "x-amzn-trace-id",
    "host",
    "documentCount",
  ])("%s is not a secret", (key) => {
    expect(isSecretKey(key)).toBe(false);
  });
});

describe("redactCookieHeader", () => {
  it("keeps only auth_user_id", () => {
    expect(redactCookieHeader("auth_user_id=3587; access_token=07c1168d; refresh_token=649bed97")).toBe(
      "auth_user_id=3587",
    );
  });

  it("drops unknown cookies (assumed secret)", () => {
    expect(redactCookieHeader("_ga=GA1.2.3; auth_user_id=1; connect.sid=s%3Aabc")).toBe("auth_user_id=1");
  });

  it("marks a cookie with nothing kept as redacted", () => {
    expect(redactCookieHeader("access_token=abc; refresh_token=def")).toBe(REDACTED);
  });
});

describe("redactSecrets", () => {
  const input = {
    req: {
      headers: {
        cookie: "auth_user_id=3587; access_token=AT-SECRET; refresh_token=RT-SECRET",
        authorization: "Bearer 4bbbf1f75e1cb7d2470aa97851461cb08235950b",
        access_token: "ACCESS_TOKEN",
        "X-Api-Key": "XK-SECRET",
        "user-agent": "Cur8Mobile/2.2.9",
      },
    },
    nested: { deeper: { client_secret: "CS-SECRET", keep: "visible" } },
    list: [{ password: "PW-SECRET" }, { id_token: "IT-SECRET", n: 1 }, "plain"],
    promptTokens: 961,
    cacheKey: "deal-bot:342",
    note: "retrying with Authorization: Bearer abcdef0123456789abcdef and token=TOK-SECRET",
  };

  const out = redactSecrets(deepFreeze(structuredClone(input)));

  it("redacts header secrets in place with [redacted]", () => {
    expect(out.req.headers).toEqual({
      cookie: "auth_user_id=3587",
      authorization: REDACTED,
      access_token: REDACTED,
      "X-Api-Key": REDACTED,
      "user-agent": "Cur8Mobile/2.2.9",
    });
  });

  it("redacts nested objects and arrays", () => {
    expect(out.nested.deeper).toEqual({ client_secret: REDACTED, keep: "visible" });
    expect(out.list).toEqual([{ password: REDACTED }, { id_token: REDACTED, n: 1 }, "plain"]);
  });

  it("leaves counters and non-secret keys alone", () => {
    expect(out.promptTokens).toBe(961);
    expect(out.cacheKey).toBe("deal-bot:342");
  });

  it("redacts bearer tokens and secret pairs inside text", () => {
    expect(out.note).toBe(`retrying with Authorization: Bearer ${REDACTED} and token=${REDACTED}`);
  });

  it("leaves no secret anywhere", () => {
    expect(JSON.stringify(out)).not.toMatch(/SECRET|4bbbf1f7|ACCESS_TOKEN"|abcdef0123/);
  });

  it("returns the same reference when there is nothing to redact (copy-on-write)", () => {
    const clean = deepFreeze({ a: { b: [1, "two", { c: "three" }] }, promptTokens: 3 });
    expect(redactSecrets(clean)).toBe(clean);
  });

  it("copies only the changed path", () => {
    const value = deepFreeze({ untouched: { x: 1 }, headers: { cookie: "access_token=a" } });
    const r = redactSecrets(value);
    expect(r).not.toBe(value);
    expect(r.untouched).toBe(value.untouched);
    expect(r.headers).toEqual({ cookie: REDACTED });
  });

  it("redacts a whole object or array under a secret key", () => {
    expect(redactSecrets({ credentials: { user: "u", pass: "p" }, tokens: ["a"] })).toEqual({
      credentials: REDACTED,
      tokens: ["a"],
    });
  });

  it("filters a parsed cookie jar and set-cookie arrays", () => {
    expect(
      redactSecrets({
        cookies: { auth_user_id: "5", access_token: "x" },
        "set-cookie": ["access_token=x; Path=/; HttpOnly", "auth_user_id=5; Path=/"],
      }),
    ).toEqual({ cookies: { auth_user_id: "5" }, "set-cookie": [REDACTED, "auth_user_id=5"] });
  });
});

describe("redactString", () => {
  it("redacts a bearer token and a JWT anywhere in text", () => {
    expect(redactString("header was Bearer abc.def-123_456789xyz ok")).toBe(`header was Bearer ${REDACTED} ok`);
    expect(redactString("jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.sflKxwRJSMeKKF2QT4fw")).toBe(
      `jwt ${REDACTED}`,
    );
  });

  it("leaves prose about bearer instruments alone", () => {
    const text = "Bearer bonds and bearer instruments were common before 2024.";
    expect(redactString(text)).toBe(text);
  });

  it("leaves non-secret pairs alone", () => {
    expect(redactString("Root=1-a4299e98-81e3ed92; Sampled=1")).toBe("Root=1-a4299e98-81e3ed92; Sampled=1");
  });
});

describe("redactUrl", () => {
  it.each([
    ["/deals/709/bot/query", "/deals/709/bot/query"],
    ["/deals?page=2&sort=asc", "/deals?page=2&sort=asc"],
    ["/cb?code=abc&state=xyz&next=/home", `/cb?code=${REDACTED}&state=${REDACTED}&next=/home`],
    ["/x?access_token=a&token=b&api_key=c&key=d", `/x?access_token=${REDACTED}&token=${REDACTED}&api_key=${REDACTED}&key=${REDACTED}`],
    ["/x?secret=a&password=b&signature=c", `/x?secret=${REDACTED}&password=${REDACTED}&signature=${REDACTED}`],
    ["/x?X-Amz-Signature=a&X-Amz-Credential=b&ok=1", `/x?X-Amz-Signature=${REDACTED}&X-Amz-Credential=${REDACTED}&ok=1`],
    ["/x?refresh%5Ftoken=a", `/x?refresh%5Ftoken=${REDACTED}`],
    ["/login#id_token=abc&x=1", `/login#id_token=${REDACTED}&x=1`],
    ["https://user:pw@host.example/p?q=1", `https://user:${REDACTED}@host.example/p?q=1`],
  ])("%s", (url, expected) => {
    expect(redactUrl(url)).toBe(expected);
  });
});

describe("redactRawText", () => {
  const record = {
    level: "LOUD",
    req: {
      headers: {
        cookie: "auth_user_id=3587; access_token=COOKIE-SECRET-1; refresh_token=COOKIE-SECRET-2",
        authorization: "Bearer HEADER0SECRET0123456789",
        access_token: "HEADER-SECRET-3",
      },
    },
    creds: { password: "PW-SECRET-4", nested: { apiKey: 123456789 } },
    list: [{ token: "LIST-SECRET-5" }],
    note: "called with Bearer NOTE0SECRET0123456789 and ?access_token=URL-SECRET-6",
  };

  it.each([
    ["compact", JSON.stringify(record)],
    ["pretty-printed", JSON.stringify(record, null, 2)],
  ])("leaves no secret in %s JSON and keeps auth_user_id", (_name, text) => {
    const out = redactRawText(text);
    expect(out).not.toMatch(/SECRET|123456789/);
    expect(out).toContain("auth_user_id=3587");
    expect(out).toContain(REDACTED);
    // Still JSON when the input was.
    expect(() => JSON.parse(out) as unknown).not.toThrow();
  });

  it("redacts a truncated record", () => {
    const text = JSON.stringify(record).slice(0, 120);
    expect(text).toContain("COOKIE-SECRET-1");
    const out = redactRawText(text);
    expect(out).not.toContain("SECRET");
    expect(out).toContain("auth_user_id=3587");
  });

  it("redacts a cut-off secret value", () => {
    expect(redactRawText('{"level":"x","access_token":"abc-sec')).toBe(`{"level":"x","access_token":"${REDACTED}"`);
  });

  it("leaves non-secret text unchanged", () => {
    const text = '{"level":"LOUD","promptTokens":5,"message":"hello"}';
    expect(redactRawText(text)).toBe(text);
  });
});

// Regressions found by the reliability suite's fuzzing (packages/logs/test/reliability).
describe("redaction regressions", () => {
  it("finds a secret pair hidden inside another pair's value", () => {
    expect(redactString("page=2#id_token=abc.def.ghi")).not.toContain("abc.def.ghi");
    expect(redactString("next=/cb?token=s3cr3tvalue1234")).not.toContain("s3cr3tvalue1234");
  });

  it("redacts URL-only secret parameters in a parsed query object", () => {
    const q = redactQueryObject({ code: "oauth-code-123", sig: "signature-456", page: "2" });
    expect(JSON.stringify(q)).not.toMatch(/oauth-code-123|signature-456/);
    expect(q.page).toBe("2");
  });

  it("scans a long run of JWT-like text in linear time and still redacts real tokens", () => {
    const jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U";
    const hostile = "eyJ-".repeat(250_000); // 1 MB: took minutes with the old pattern
    const out = redactString(`${hostile} ${jwt}`);
    expect(out).not.toContain(jwt);
    expect(out.length).toBeGreaterThan(hostile.length - 10);
  });

  it("survives values nested far deeper than the stack", () => {
    let deep: unknown = "x";
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(() => redactSecrets({ cookie: deep, other: deep })).not.toThrow();
  });
});
