import { describe, expect, it } from "vitest";
import { levelFromLabel, parseEntry } from "../src/parse-entry";
import type { NormalizedEntry } from "../src/types";
import { bot, deepFreeze } from "./helpers";

const KEY_TIME = Date.parse("2025-04-02T16:39:44.999Z");

function ok(raw: unknown, index = 0, keyTimeMs: number | null = KEY_TIME): NormalizedEntry {
  const r = parseEntry(raw, index, keyTimeMs);
  if (!r.ok) throw new Error(`unexpected rejection: ${r.reason}`);
  return r.entry;
}

function rejected(raw: unknown, keyTimeMs: number | null = KEY_TIME): string {
  const r = parseEntry(raw, 0, keyTimeMs);
  if (r.ok) throw new Error(`unexpectedly accepted: ${JSON.stringify(raw)}`);
  return r.reason;
}

const session = { reqId: 2629, userId: 8387, dealId: "342", platform: "Android", appVersion: "2.3.0" };

describe("parseEntry: normalization of a real-shaped entry", () => {
  const raw = bot.start(session, "What is the projected IRR?");
  const e = ok(raw, 7);

  it("promotes the hot fields to columns", () => {
    expect(e).toMatchObject({
      index: 7,
      timeMs: raw.time,
      timeSource: "timestamp",
      level: 30,
      context: "DealBotService",
      message: "Processing deal bot query",
      userId: 8387,
      dealId: "342",
      requestId: "2629",
      hostname: "ad9b37fc-25a46f0c-e3aa-46",
      pid: 27,
      method: "POST",
      url: "/deals/342/bot/query",
      platform: "Android",
      appVersion: "2.3.0",
      latencyMs: null,
    });
  });

  it("keeps everything else in data, without repeating promoted fields", () => {
    expect(Object.keys(e.data).sort()).toEqual(["messageLength", "query", "req"]);
    expect(e.data.query).toBe("What is the projected IRR?");
    const req = e.data.req as Record<string, unknown>;
    expect(Object.keys(req).sort()).toEqual(["headers", "params", "query", "remoteAddress", "remotePort"]);
    const headers = req.headers as Record<string, unknown>;
    expect(headers).not.toHaveProperty("x-application-platform");
    expect(headers).not.toHaveProperty("x-application-version");
    expect(headers["user-agent"]).toBe("Cur8Mobile/2.2.9 (iOS 16.4)");
    expect(headers.host).toBe("api.example.dev");
  });

  it("removes secrets from data but keeps the auth_user_id cookie", () => {
    const headers = (e.data.req as Record<string, Record<string, unknown>>).headers!;
    expect(headers.cookie).toBe("auth_user_id=8387");
    expect(JSON.stringify(e)).not.toContain("secret");
  });

  it("does not mutate its input", () => {
    const frozen = deepFreeze(structuredClone(raw));
    const before = JSON.stringify(frozen);
    ok(frozen);
    expect(JSON.stringify(frozen)).toBe(before);
  });

  it("redacts secret headers as [redacted] and secret query parameters in the url", () => {
    const admin = ok({
      level: 30,
      timestamp: "2025-05-02T11:05:34.164Z",
      req: {
        id: 69,
        method: "PUT",
        url: "/admin/deals?access_token=abc123&page=2",
        headers: { authorization: "Bearer 4bbbf1f75e1cb7d2470aa97851461cb0", access_token: "ACCESS_TOKEN" },
      },
      context: "DealBotService",
      message: "Context invalidated successfully",
      dealId: "369",
    });
    expect(admin.url).toBe("/admin/deals?access_token=[redacted]&page=2");
    expect(admin.data.req).toEqual({ headers: { authorization: "[redacted]", access_token: "[redacted]" } });
  });
});

describe("parseEntry: time fallback", () => {
  it("uses timestamp first when both are present", () => {
    const e = ok({ level: 30, time: 1743611982609, timestamp: "2025-04-02T16:39:42.609Z" });
    expect(e.timeSource).toBe("timestamp");
    expect(e.timeMs).toBe(1743611982609);
    expect(e.data).toEqual({});
  });

  it("keeps time in data when it disagrees with timestamp", () => {
    const e = ok({ level: 30, time: 1743611982000, timestamp: "2025-04-02T16:39:42.609Z" });
    expect(e.timeMs).toBe(Date.parse("2025-04-02T16:39:42.609Z"));
    expect(e.data).toEqual({ time: 1743611982000 });
  });

  it("falls back to time when timestamp is missing", () => {
    const e = ok({ level: 30, time: 1743611982609 });
    expect(e.timeSource).toBe("time");
    expect(e.timeMs).toBe(1743611982609);
  });

  it("falls back to the key's time when both are missing", () => {
    const e = ok({ level: 30, message: "x" }, 0, KEY_TIME);
    expect(e.timeSource).toBe("key");
    expect(e.timeMs).toBe(KEY_TIME);
  });

  it("uses timestamp when time is missing (the real admin entry)", () => {
    const e = ok({ level: "info", timestamp: "2025-05-02T11:05:34.164Z" }, 0, null);
    expect(e.timeSource).toBe("timestamp");
    expect(e.timeMs).toBe(Date.parse("2025-05-02T11:05:34.164Z"));
  });
});

describe("parseEntry: levels", () => {
  it.each([
    ["trace", 10],
    ["debug", 20],
    ["info", 30],
    ["warn", 40],
    ["error", 50],
    ["fatal", 60],
    ["INFO", 30],
    [" Warn ", 40],
  ])("maps the pino label %j to %i", (label, level) => {
    expect(ok({ level: label, time: 1 }).level).toBe(level);
  });

  it("keeps numeric levels as they are", () => {
    expect(ok({ level: 50, time: 1 }).level).toBe(50);
    expect(ok({ level: 35, time: 1 }).level).toBe(35);
  });

  it("levelFromLabel returns undefined for unknown labels (and inherited names)", () => {
    expect(levelFromLabel("loud")).toBeUndefined();
    expect(levelFromLabel("toString")).toBeUndefined();
  });
});

describe("parseEntry: rejection contract", () => {
  it.each([
    [[], /not a JSON object/],
    [null, /not a JSON object/],
    [42, /not a JSON object/],
    ["{\"level\":30}", /not a JSON object/],
  ])("rejects a non-object: %j", (raw, reason) => {
    expect(rejected(raw)).toMatch(reason);
  });

  it("rejects a missing level", () => {
    expect(rejected({ time: 1, message: "x" })).toBe("level is missing");
  });

  it.each([["loud"], ["30"], [null], [true], [{}]])("rejects the level %j", (level) => {
    expect(rejected({ level, time: 1 })).toMatch(/^level must be a finite number or a pino label/);
  });

  it("rejects a non-finite numeric level", () => {
    expect(rejected({ level: Number.POSITIVE_INFINITY, time: 1 })).toMatch(/^level must be/);
    expect(rejected({ level: Number.NaN, time: 1 })).toMatch(/^level must be/);
  });

  it.each([["yesterday"], ["1743611982609"], [null], [{}]])("rejects time present but %j", (time) => {
    expect(rejected({ level: 30, time, timestamp: "2025-04-02T16:39:42.609Z" })).toMatch(
      /^time must be epoch milliseconds/,
    );
  });

  it.each([["yesterday"], ["not a date"], [""]])("rejects the unparseable timestamp %j", (timestamp) => {
    expect(rejected({ level: 30, time: 1, timestamp })).toMatch(/^timestamp is not a parseable date/);
  });

  it("rejects a non-string timestamp", () => {
    expect(rejected({ level: 30, timestamp: 1743611982609 })).toMatch(/^timestamp must be a date string/);
  });

  it("rejects an entry with no time at all when the key has none", () => {
    expect(rejected({ level: 30, message: "x" }, null)).toMatch(/^no time/);
  });

  it("reports every broken field in one reason", () => {
    const reason = rejected({ time: "x", timestamp: "y" });
    expect(reason).toContain("level is missing");
    expect(reason).toContain("time must be");
    expect(reason).toContain("timestamp is not a parseable date");
  });

  it("accepts everything else (unknown fields, odd types of non-contract fields)", () => {
    const e = ok({ level: 30, time: 1, pid: "abc", hostname: 5, req: "GET /", somethingNew: { a: [1, 2] } });
    expect(e.pid).toBeNull();
    expect(e.hostname).toBeNull();
    expect(e.requestId).toBeNull();
    // Promoted fields of an unexpected type stay in data: nothing is lost.
    expect(e.data).toEqual({ pid: "abc", hostname: 5, req: "GET /", somethingNew: { a: [1, 2] } });
  });
});

describe("parseEntry: field coercions", () => {
  it("coerces a numeric dealId and req.id to strings", () => {
    const e = ok({ level: 30, time: 1, dealId: 342, req: { id: 2629 } });
    expect(e.dealId).toBe("342");
    expect(e.requestId).toBe("2629");
    expect(e.data).toEqual({});
  });

  it("keeps a string req.id as is", () => {
    expect(ok({ level: 30, time: 1, req: { id: "req-7" } }).requestId).toBe("req-7");
  });

  it("accepts authUserId as a digit string", () => {
    expect(ok({ level: 30, time: 1, authUserId: "3587" }).userId).toBe(3587);
  });

  it("takes processingTimeMs as latency, rounded to whole milliseconds", () => {
    const e = ok({ level: 30, time: 1, processingTimeMs: 3604.4 });
    expect(e.latencyMs).toBe(3604);
    expect(e.data).toEqual({});
  });

  it("promotes pino's msg when message is absent", () => {
    const e = ok({ level: 30, time: 1, msg: "hello" });
    expect(e.message).toBe("hello");
    expect(e.data).toEqual({});
  });

  it("keeps a non-string message in data when msg is promoted instead", () => {
    const e = ok({ level: 30, time: 1, msg: "hello", message: { text: "structured" } });
    expect(e.message).toBe("hello");
    expect(e.data).toEqual({ message: { text: "structured" } });
  });

  it("keeps a __proto__ key from JSON as plain data", () => {
    const raw = JSON.parse('{"level":30,"time":1,"__proto__":{"polluted":true}}') as unknown;
    const e = ok(raw);
    expect(Object.hasOwn(e.data, "__proto__")).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
