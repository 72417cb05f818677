import { describe, expect, it } from "vitest";
import { ErasedUsers, NO_ERASED_USERS, erasedUserHash, investorIdsNamedIn, parseInvestorId, scrubAuditText } from "../src/index";

// The pure parts of erasing an investor (the rest is tools/test/erase-user.db.test.ts, on PostgreSQL).

describe("scrubAuditText", () => {
  const none = new Set<string>();
  const qids = new Set(["1234567890123456789", "9223372036854775000"]);

  it.each([
    ['{"userId": 3587, "dealId": "d-1"}', '{"userId": "[erased]", "dealId": "d-1"}'],
    ['{"userId": "3587"}', '{"userId": "[erased]"}'],
    ['{"authUserId": 3587}', '{"authUserId": "[erased]"}'],
    ['{"auth_user_id": 3587, "rows": 3587}', '{"auth_user_id": "[erased]", "rows": 3587}'],
    ['{"text": "auth_user_id=3587", "from": "2025-05-01"}', '{"text": "auth_user_id=[erased]", "from": "2025-05-01"}'],
    ['{"note": "user:3587 and user:35870"}', '{"note": "user:[erased] and user:35870"}'],
  ])("takes the id out of %s", (text, expected) => {
    expect(scrubAuditText(text, "3587", none, true)).toBe(expected);
  });

  it.each([
    '{"userId": 35870}',
    '{"userId": 13587}',
    '{"rows": 3587, "userIds": "someone else"}',
    '{"conversationId": "9223372036854775001", "big": 9223372036854775001}',
  ])("leaves %s exactly as it is", (text) => {
    expect(scrubAuditText(text, "3587", qids, true)).toBe(text);
  });

  it("takes out their question and conversation ids, as numbers, strings or in question:<id>, and keeps the JSON valid", () => {
    const text = '{"conversationId": "9223372036854775000", "ids": [1, 1234567890123456789], "target": "question:1234567890123456789", "note": "a, 1234567890123456789"}';
    const out = scrubAuditText(text, "3587", qids, true);
    expect(out).toBe('{"conversationId": "[erased]", "ids": [1, "[erased]"], "target": "question:[erased]", "note": "a, 1234567890123456789"}');
    expect(() => JSON.parse(out) as unknown).not.toThrow();
  });

  it("scrubs targets", () => {
    expect(scrubAuditText("user:3587", "3587", none, false)).toBe("user:[erased]");
    expect(scrubAuditText("user:35871", "3587", none, false)).toBe("user:35871");
    expect(scrubAuditText("question:1234567890123456789", "3587", qids, false)).toBe("question:[erased]");
    expect(scrubAuditText("9223372036854775000", "3587", qids, false)).toBe("[erased]");
    expect(scrubAuditText("Common questions", "3587", qids, false)).toBe("Common questions");
  });
});

describe("erased investors as the ingest checks them", () => {
  it("finds the ids a text names in the identifying shapes only", () => {
    expect(investorIdsNamedIn('{"authUserId":12,"req":{"headers":{"cookie":"auth_user_id=13"}},"userId": "14","user_id":15}')).toEqual(["12", "13", "14", "15"]);
    expect(investorIdsNamedIn('{"rows":12,"authUserIds":[16],"dealId":"17","message":"user 18"}')).toEqual([]);
    expect(investorIdsNamedIn('{"authUserId":0012}')).toEqual(["12"]);
  });

  it("matches by keyed hash, memoized; nothing is hashed when none were erased", () => {
    const key = "k".repeat(32);
    const erased = new ErasedUsers(key, new Set([erasedUserHash(key, 3587)]));
    expect(erased.size).toBe(1);
    expect(erased.has(3587)).toBe(true);
    expect(erased.has("3587")).toBe(true);
    expect(erased.has(3588)).toBe(false);
    expect(erased.has(null)).toBe(false);
    expect(erased.namedIn('{"req":{"headers":{"cookie":"auth_user_id=3587"}}}')).toBe(true);
    expect(erased.namedIn('{"authUserId":35870}')).toBe(false);
    expect(new ErasedUsers("another key", new Set([erasedUserHash(key, 3587)])).has(3587)).toBe(false);
    expect(NO_ERASED_USERS.has(3587)).toBe(false);
    expect(NO_ERASED_USERS.namedIn('{"authUserId":3587}')).toBe(false);
  });

  it("reads an investor id as the logs hold it", () => {
    expect(parseInvestorId(" 3587 ")).toBe("3587");
    expect(parseInvestorId("003587")).toBe("3587");
    for (const bad of ["", "0", "-1", "12a", "1e3", "1234567890123456789"]) expect(() => parseInvestorId(bad)).toThrow(/not an investor id/);
  });
});
