import { describe, expect, it } from "vitest";
import { cutoffBefore, floorTo, parseRetentionDuration } from "../src/retention/duration";

const ms = (iso: string) => Date.parse(iso);

describe("parseRetentionDuration", () => {
  it.each([
    ["90d", 90, "day", "90d"],
    ["12w", 12, "week", "12w"],
    ["6mo", 6, "month", "6mo"],
    ["2y", 2, "year", "2y"],
    [" 1 day ", 1, "day", "1d"],
    ["3 Months", 3, "month", "3mo"],
    ["1year", 1, "year", "1y"],
    ["2 weeks", 2, "week", "2w"],
  ])("reads %j", (text, amount, unit, normalized) => {
    expect(parseRetentionDuration(text)).toEqual({ amount, unit, text: normalized });
  });

  it("refuses to keep less than a day, with a clear message", () => {
    expect(() => parseRetentionDuration("0d", "--keep-entries")).toThrow('--keep-entries: "0d" keeps less than 1 day; retention keeps at least 1d');
    expect(() => parseRetentionDuration("12h", "--keep-entries")).toThrow(/keeps less than 1 day/);
    expect(() => parseRetentionDuration("30min")).toThrow(/keeps less than 1 day/);
  });

  it("refuses the ambiguous m, unknown units and other shapes", () => {
    expect(() => parseRetentionDuration("6m", "--keep-questions")).toThrow('--keep-questions: "6m" is ambiguous: write 6mo for months or 6d for days');
    expect(() => parseRetentionDuration("3q")).toThrow(/unknown unit "q"/);
    expect(() => parseRetentionDuration("")).toThrow(/is not a duration such as 90d, 12w, 6mo or 2y/);
    expect(() => parseRetentionDuration("-5d")).toThrow(/is not a duration/);
    expect(() => parseRetentionDuration("1.5y")).toThrow(/is not a duration/);
    expect(() => parseRetentionDuration("d")).toThrow(/is not a duration/);
    expect(() => parseRetentionDuration("200y")).toThrow(/more than 100 years/);
  });
});

describe("cutoffBefore", () => {
  const now = ms("2025-05-31T13:45:10.123Z");
  it("counts days and weeks in exact 24-hour days", () => {
    expect(new Date(cutoffBefore(parseRetentionDuration("90d"), now)).toISOString()).toBe("2025-03-02T13:45:10.123Z");
    expect(new Date(cutoffBefore(parseRetentionDuration("2w"), now)).toISOString()).toBe("2025-05-17T13:45:10.123Z");
  });
  it("counts months and years on the calendar, clamping to the month's end", () => {
    expect(new Date(cutoffBefore(parseRetentionDuration("3mo"), now)).toISOString()).toBe("2025-02-28T13:45:10.123Z");
    expect(new Date(cutoffBefore(parseRetentionDuration("15mo"), now)).toISOString()).toBe("2024-02-29T13:45:10.123Z");
    expect(new Date(cutoffBefore(parseRetentionDuration("2y"), now)).toISOString()).toBe("2023-05-31T13:45:10.123Z");
    expect(new Date(cutoffBefore(parseRetentionDuration("1y"), ms("2024-02-29T00:00:00Z"))).toISOString()).toBe("2023-02-28T00:00:00.000Z");
    expect(new Date(cutoffBefore(parseRetentionDuration("1mo"), ms("2025-01-15T00:00:00Z"))).toISOString()).toBe("2024-12-15T00:00:00.000Z");
  });
});

describe("floorTo", () => {
  it("floors to the UTC day or month: the partition boundary at or before the cut-off", () => {
    expect(new Date(floorTo("day", ms("2025-03-02T13:45:10.123Z"))).toISOString()).toBe("2025-03-02T00:00:00.000Z");
    expect(new Date(floorTo("day", ms("2025-03-02T00:00:00Z"))).toISOString()).toBe("2025-03-02T00:00:00.000Z");
    expect(new Date(floorTo("month", ms("2023-05-31T13:45:10.123Z"))).toISOString()).toBe("2023-05-01T00:00:00.000Z");
  });
});
