import { describe, expect, it } from "vitest";
import { copyBigint, copyBool, copyInt, copyJson, copyText, copyTime } from "../src/write/copy-format";

describe("COPY text encoding", () => {
  it("escapes what COPY's text format treats specially and drops NUL", () => {
    expect(copyText("plain")).toBe("plain");
    expect(copyText("a\tb\nc\rd\\e")).toBe("a\\tb\\nc\\rd\\\\e");
    expect(copyText("nul\u0000here")).toBe("nulhere");
    expect(copyText(null)).toBe("\\N");
    expect(copyText("\\N")).toBe("\\\\N"); // the text "\N" is not NULL
  });

  it("stores integers only when they fit the column", () => {
    expect(copyInt(3.6)).toBe("4");
    expect(copyInt(2 ** 40)).toBe("\\N");
    expect(copyInt(Number.NaN)).toBe("\\N");
    expect(copyInt(40000, -32768, 32767)).toBe("\\N");
    expect(copyBigint(2 ** 40)).toBe(String(2 ** 40));
    expect(copyBigint(1.5)).toBe("\\N");
    expect(copyBigint(123n)).toBe("123");
  });

  it("writes booleans and times", () => {
    expect(copyBool(true)).toBe("t");
    expect(copyBool(false)).toBe("f");
    expect(copyBool(null)).toBe("\\N");
    expect(copyTime(Date.parse("2025-04-01T18:28:16.581Z"))).toBe("2025-04-01T18:28:16.581Z");
    expect(copyTime(Number.POSITIVE_INFINITY)).toBe("\\N");
  });

  it("makes JSON that jsonb accepts: NUL dropped, lone surrogates replaced, escapes kept", () => {
    expect(copyJson({ a: "x" })).toBe('{"a":"x"}');
    expect(copyJson({ a: "line\nbreak" })).toBe('{"a":"line\\\\nbreak"}');
    expect(copyJson({ a: "nul\u0000" })).toBe('{"a":"nul"}');
    expect(copyJson({ a: "lone \ud800 surrogate" })).toBe('{"a":"lone \ufffd surrogate"}');
    expect(copyJson({ "k\u0000": 1 })).toBe('{"k":1}');
  });
});
