import { describe, expect, it } from "vitest";
import { keyTimeFromKey } from "../src/key-time";

const UUID = "ee37f984-b136-4380-bd2d-51d9d0a5d705";

describe("keyTimeFromKey", () => {
  it("reads the documented key shape", () => {
    expect(keyTimeFromKey(`2025/04/02/2025-04-02T16:39:44.999Z-${UUID}.json.gz`)).toBe(
      Date.parse("2025-04-02T16:39:44.999Z"),
    );
  });

  it("reads the basename at any folder depth, and with no folder", () => {
    const t = Date.parse("2025-04-02T16:39:44.999Z");
    for (const dir of ["", "logs/", "a/b/c/d/e/", "2025/04/", "2024/12/31/", "/"]) {
      expect(keyTimeFromKey(`${dir}2025-04-02T16:39:44.999Z-${UUID}.json.gz`)).toBe(t);
    }
  });

  it("never reads a date from the folders", () => {
    expect(keyTimeFromKey(`2025/04/02/${UUID}.json.gz`)).toBeNull();
    expect(keyTimeFromKey("2025-04-02T16:39:44.999Z/file.json.gz")).toBeNull();
  });

  it("tolerates missing milliseconds and other fraction lengths", () => {
    expect(keyTimeFromKey(`x/2025-04-02T16:39:44Z-${UUID}.json.gz`)).toBe(Date.parse("2025-04-02T16:39:44Z"));
    expect(keyTimeFromKey(`x/2025-04-02T16:39:44.5Z-${UUID}.json.gz`)).toBe(Date.parse("2025-04-02T16:39:44.500Z"));
    expect(keyTimeFromKey(`x/2025-04-02T16:39:44.123456Z-${UUID}.json.gz`)).toBe(
      Date.parse("2025-04-02T16:39:44.123Z"),
    );
  });

  it("accepts other extensions, URL-encoded colons and explicit offsets", () => {
    const t = Date.parse("2025-04-02T16:39:44.999Z");
    expect(keyTimeFromKey(`2025-04-02T16:39:44.999Z-${UUID}.ndjson`)).toBe(t);
    expect(keyTimeFromKey(`2025-04-02T16:39:44.999Z.json`)).toBe(t);
    expect(keyTimeFromKey(`2025-04-02T16%3A39%3A44.999Z-${UUID}.json.gz`)).toBe(t);
    expect(keyTimeFromKey(`2025-04-02T18:39:44.999+02:00-${UUID}.json.gz`)).toBe(t);
    expect(keyTimeFromKey(`2025-04-02T15:39:44.999-0100-${UUID}.json.gz`)).toBe(t);
  });

  it("returns null when the basename holds no valid time", () => {
    for (const key of [
      "",
      "/",
      "readme.txt",
      `2025/04/02/${UUID}.json.gz`,
      `2025-04-02-${UUID}.json.gz`, // date only
      `2025-04-02T16:39:44.999-${UUID}.json.gz`, // no zone
      `2025-13-02T16:39:44.999Z-${UUID}.json.gz`, // month 13
      `2025-02-30T16:39:44.999Z-${UUID}.json.gz`, // 30 February
      `2025-04-02T24:00:00.000Z-${UUID}.json.gz`, // hour 24
      `2025-04-02T16:60:44.999Z-${UUID}.json.gz`,
      `0099-04-02T16:39:44.999Z-${UUID}.json.gz`,
      `2025-04-02T16:39:44.999Zjunk.json.gz`, // no separator after the time
      `prefix-2025-04-02T16:39:44.999Z-${UUID}.json.gz`, // time not at the start
    ]) {
      expect(keyTimeFromKey(key), key).toBeNull();
    }
  });

  it("handles leap days", () => {
    expect(keyTimeFromKey("2024-02-29T00:00:00Z-a.json")).toBe(Date.parse("2024-02-29T00:00:00Z"));
    expect(keyTimeFromKey("2025-02-29T00:00:00Z-a.json")).toBeNull();
  });
});
