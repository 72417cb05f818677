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

// Issue 14, item 6: secret shapes the redaction missed.
describe("redaction gaps closed (issue 14)", () => {
  it.each(["pushTokens", "apiTokens", "refreshTokens", "accessTokens", "deviceTokens", "fcm_tokens", "API-TOKENS"])("%s is a secret", (key) => {
    expect(isSecretKey(key)).toBe(true);
  });

  it.each(["promptTokens", "maxTokens", "completionTokens", "totalTokens", "inputTokens", "outputTokens", "max_completion_tokens",
    "cache_read_input_tokens", "reasoning_tokens", "tokens", "tokenCount", "tokenLimit"])("%s is a counter, not a secret", (key) => {
    expect(isSecretKey(key)).toBe(false);
  });

  it("redacts lists of tokens under plural names, keeps counts", () => {
    expect(redactSecrets({ pushTokens: ["fcm-abc-123"], apiTokens: 3, deviceTokens: { ios: "apns-456" }, promptTokens: 961 })).toEqual({
      pushTokens: REDACTED,
      apiTokens: 3,
      deviceTokens: REDACTED,
      promptTokens: 961,
    });
  });

  it.each([
    ["connect to postgres://app:s3cret@db:5432/bot failed", `connect to postgres://app:${REDACTED}@db:5432/bot failed`],
    ["REDIS_URL=redis://:pw0rd@cache.internal:6379/0", `REDIS_URL=redis://:${REDACTED}@cache.internal:6379/0`],
    ["amqp://guest:p@ss@mq:5672 and https://u:v@h.example/x", `amqp://guest:${REDACTED}@mq:5672 and https://u:${REDACTED}@h.example/x`],
    ["see https://example.com/a?email=a@b.com and mongodb://host/db", "see https://example.com/a?email=a@b.com and mongodb://host/db"],
  ])("user:password@host in text: %s", (text, expected) => {
    expect(redactString(text)).toBe(expected);
  });

  it("Basic credentials, in a header value and in text; prose left alone", () => {
    expect(redactSecrets({ headers: { "x-upstream-auth": "Basic dXNlcjpwYXNzd29yZA==" } })).toEqual({ headers: { "x-upstream-auth": `Basic ${REDACTED}` } });
    expect(redactString("retrying with Authorization: Basic YWRtaW46aHVudGVyMg")).toBe(`retrying with Authorization: Basic ${REDACTED}`);
    expect(redactString("got basic QWxhZGRpbjpvcGVuIHNlc2FtZQ== back")).toBe(`got basic ${REDACTED} back`);
    for (const prose of ["a basic understanding of the fund", "Basic questions about Sharia compliance", "basic rate taxpayers"]) expect(redactString(prose)).toBe(prose);
  });

  it.each([
    ["OpenAI", "key sk-abcdefghij0123456789ABCDEFGHIJ0123456789abcd used", "key [redacted] used"],
    ["OpenAI project", "OPENAI_API_KEY sk-proj-Ab12Cd34Ef56Gh78Ij90_Kl12-Mn34Op56 set", "OPENAI_API_KEY [redacted] set"],
    ["AWS access key id", "aws AKIAIOSFODNN7EXAMPLE/x and ASIAY34FZKBOKMUTVV7A", "aws [redacted]/x and [redacted]"],
    ["Slack bot", "slack xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx", "slack [redacted]"],
    ["Slack user", "xoxp-123456789012-123456789012-123456789012-abcdef0123456789abcdef0123456789", "[redacted]"],
    ["Slack app, session", "xoxa-2-1234567890-abcdefgh and xoxs-1234567890-abc", "[redacted] and [redacted]"],
    ["GitHub", "ghp_abcdefghijklmnopqrstuvwxyz0123456789 gho_ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", "[redacted] [redacted]"],
    ["GitHub app, user", "ghs_16C7e42F292c6912E7710c838347Ae178B4a and ghu_16C7e42F292c6912E7710c838347Ae178B4a", "[redacted] and [redacted]"],
    ["GitHub fine-grained", "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTU", "[redacted]"],
  ])("vendor key in text: %s", (_name, text, expected) => {
    expect(redactString(text)).toBe(expected);
  });

  it("leaves prose that merely starts like a key alone", () => {
    for (const prose of ["risk-adjusted returns", "sk-learn and task-based", "AKIA is not a key", "ghp_ alone", "xoxb-short"]) expect(redactString(prose)).toBe(prose);
  });

  it("redacts URL-encoded JWTs (%2E / %2e dots, after an encoded =, in any query parameter)", () => {
    const h = "eyJhbGciOiJIUzI1NiJ9";
    const p = "eyJzdWIiOiIxMjM0NTY3ODkwIn0";
    const sig = "dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U";
    expect(redactString(`token ${h}%2E${p}%2E${sig} seen`)).toBe(`token ${REDACTED} seen`);
    expect(redactString(`token ${h}%2e${p}%2e${sig}`)).toBe(`token ${REDACTED}`);
    const encoded = `/cb?next=https%3A%2F%2Fapp.example%2Fcb%3Fid_token%3D${h}%2E${p}%2E${sig}%26x%3D1`;
    expect(redactUrl(encoded)).toBe(`/cb?next=https%3A%2F%2Fapp.example%2Fcb%3Fid_token%3D${REDACTED}%26x%3D1`);
    expect(redactUrl(`/x?state=ok&view=${h}.${p}.${sig}`)).toBe(`/x?state=${REDACTED}&view=${REDACTED}`);
    expect(redactString(`double %3D${h}%252E${p}%252E${sig}`)).toBe(`double %3D${REDACTED}`);
  });

  it("redacts the new shapes in a rejected record's raw text", () => {
    const text = JSON.stringify({ note: "Basic dXNlcjpwYXNz and sk-proj-Ab12Cd34Ef56Gh78Ij90_Kl12 via postgres://a:b3cret@c/d", pushTokens: ["t1"], promptTokens: 5 });
    const out = redactRawText(text);
    expect(out).not.toMatch(/dXNlcjpwYXNz|Ab12Cd34|b3cret|"t1"/);
    expect(JSON.parse(out)).toEqual({ note: `Basic ${REDACTED} and ${REDACTED} via postgres://a:${REDACTED}@c/d`, pushTokens: REDACTED, promptTokens: 5 });
  });

  it("scans 1 MB of hostile text for the new shapes in linear time", () => {
    const MB = 1024 * 1024;
    const hostile = ["sk-".repeat(MB / 3), "sk-a".repeat(MB / 4), "xoxb-".repeat(MB / 5), "github_pat_".repeat(MB / 11), "ghp_".repeat(MB / 4),
      "AKIA".repeat(MB / 4), "basic ".repeat(MB / 6), "Basic " + "A".repeat(MB), "://".repeat(MB / 3), "a://b:c".repeat(MB / 7), "@" + "a://b:c".repeat(MB / 7), "x@" + "a://b:".repeat(MB / 6),
      "eyJ%2E".repeat(MB / 6), "%3DeyJ".repeat(MB / 6)];
    let slowest = 0;
    for (const text of hostile) {
      const t0 = performance.now();
      redactString(text);
      redactRawText(text);
      slowest = Math.max(slowest, performance.now() - t0);
    }
    expect(slowest).toBeLessThan(1500);
  });
});
