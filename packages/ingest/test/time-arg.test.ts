import { describe, expect, it } from "vitest";
import { parseTimeArg } from "../src/time-arg";

const now = Date.parse("2026-11-28T12:00:00Z");

describe("parseTimeArg (--since / --until)", () => {
  it("reads a date as the start of that UTC day, and --until includes the day", () => {
    expect(parseTimeArg("2025-04-01", "since", now)).toBe(Date.parse("2025-04-01T00:00:00Z"));
    expect(parseTimeArg("2025-04-01", "until", now)).toBe(Date.parse("2025-04-02T00:00:00Z"));
  });

  it("reads date-times, UTC unless they carry a zone", () => {
    expect(parseTimeArg("2025-04-01T12:30:00Z", "since", now)).toBe(Date.parse("2025-04-01T12:30:00Z"));
    expect(parseTimeArg("2025-04-01T12:30", "since", now)).toBe(Date.parse("2025-04-01T12:30:00Z"));
    expect(parseTimeArg("2025-04-01T12:30:00+02:00", "until", now)).toBe(Date.parse("2025-04-01T10:30:00Z"));
  });

  it("reads durations ago", () => {
    expect(parseTimeArg("90m", "since", now)).toBe(now - 90 * 60_000);
    expect(parseTimeArg("6h", "since", now)).toBe(now - 6 * 3_600_000);
    expect(parseTimeArg("7d", "since", now)).toBe(now - 7 * 86_400_000);
    expect(parseTimeArg("2w", "until", now)).toBe(now - 14 * 86_400_000);
  });

  it("refuses anything else with a message naming the option", () => {
    expect(() => parseTimeArg("yesterday", "since", now)).toThrow(/--since: "yesterday" is not a date/);
    expect(() => parseTimeArg("2025-13-45", "until", now)).toThrow(/--until/);
    expect(() => parseTimeArg("", "since", now)).toThrow(/--since/);
  });
});
