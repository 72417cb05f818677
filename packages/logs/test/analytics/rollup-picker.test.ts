import { describe, expect, it } from "vitest";
import { coverRanges, describeCover, type CoverSegment } from "../../src/analytics/rollup-picker";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const t = (iso: string) => Date.parse(iso);
/** x mod unit, never negative (times before 1970 are negative). */
const mod = (x: number, unit: number) => (((x % unit) + unit) % unit) + 0;

/** Segments as `grain start/end` with ISO times, for readable expectations. */
function show(segments: CoverSegment[]): string[] {
  return segments.map((s) => `${s.grain} ${new Date(s.fromMs).toISOString()}/${new Date(s.toMs).toISOString()}`);
}

/** Checks one range's cover: in order, disjoint, gapless, exact, aligned, merged, and minimal. */
function expectExactCover(segments: CoverSegment[], fromMs: number, toMs: number): void {
  expect(segments.length).toBeGreaterThan(0);
  expect(segments[0]!.fromMs).toBe(fromMs);
  expect(segments.at(-1)!.toMs).toBe(toMs);
  segments.forEach((s, i) => {
    expect(s.fromMs).toBeLessThan(s.toMs);
    if (i > 0) expect(s.fromMs).toBe(segments[i - 1]!.toMs); // disjoint and no gap: the union is the range
    if (s.grain === "day") {
      expect(mod(s.fromMs, DAY)).toBe(0);
      expect(mod(s.toMs, DAY)).toBe(0);
    }
    if (s.grain === "hour") {
      expect(mod(s.fromMs, HOUR)).toBe(0);
      expect(mod(s.toMs, HOUR)).toBe(0);
      // Not crossing a UTC midnight: whole days inside would have gone to "day".
      expect(Math.floor(s.fromMs / DAY)).toBe(Math.floor((s.toMs - 1) / DAY));
    }
    if (s.grain === "raw") {
      // Holding no whole UTC hour (so shorter than two).
      expect(s.toMs - s.fromMs).toBeLessThan(2 * HOUR);
      expect(Math.ceil(s.fromMs / HOUR) * HOUR + HOUR).toBeGreaterThan(s.toMs);
    }
  });
  // Merged: no two day segments touch, and no two hour segments touch within a UTC day.
  segments.forEach((s, i) => {
    const next = segments[i + 1];
    if (!next) return;
    if (s.grain === "day") expect(next.grain).not.toBe("day");
    if (s.grain === "hour" && next.grain === "hour") expect(mod(next.fromMs, DAY)).toBe(0);
  });
  // Minimal: every whole UTC day inside the range is read from the day rollup.
  const firstMidnight = Math.ceil(fromMs / DAY) * DAY;
  const lastMidnight = Math.floor(toMs / DAY) * DAY;
  expect(describeCover(segments).day).toBe(Math.max(0, lastMidnight - firstMidnight));
  expect(describeCover(segments).raw).toBeLessThan(4 * HOUR);
}

describe("coverRanges: examples", () => {
  it("reads 10:15-13:40 as raw, hour, raw", () => {
    expect(show(coverRanges([{ fromMs: t("2026-05-04T10:15:00Z"), toMs: t("2026-05-04T13:40:00Z") }]))).toEqual([
      "raw 2026-05-04T10:15:00.000Z/2026-05-04T11:00:00.000Z",
      "hour 2026-05-04T11:00:00.000Z/2026-05-04T13:00:00.000Z",
      "raw 2026-05-04T13:00:00.000Z/2026-05-04T13:40:00.000Z",
    ]);
  });

  it("reads a UTC week as one 7-day segment", () => {
    expect(show(coverRanges([{ fromMs: t("2026-05-04T00:00:00Z"), toMs: t("2026-05-11T00:00:00Z") }]))).toEqual([
      "day 2026-05-04T00:00:00.000Z/2026-05-11T00:00:00.000Z",
    ]);
  });

  it("reads a London summer day [23:00 UTC, 23:00 UTC) as two hour segments and no day segment", () => {
    const segments = coverRanges([{ fromMs: t("2026-07-01T23:00:00Z"), toMs: t("2026-07-02T23:00:00Z") }]);
    expect(show(segments)).toEqual(["hour 2026-07-01T23:00:00.000Z/2026-07-02T00:00:00.000Z", "hour 2026-07-02T00:00:00.000Z/2026-07-02T23:00:00.000Z"]);
    expect(describeCover(segments)).toEqual({ day: 0, hour: 24 * HOUR, raw: 0 });
  });

  it("reads an Asia/Kolkata month (local midnights at 18:30 UTC) as raw, hours, days, hours, raw", () => {
    const segments = coverRanges([{ fromMs: t("2026-04-30T18:30:00Z"), toMs: t("2026-05-31T18:30:00Z") }]);
    expect(show(segments)).toEqual([
      "raw 2026-04-30T18:30:00.000Z/2026-04-30T19:00:00.000Z",
      "hour 2026-04-30T19:00:00.000Z/2026-05-01T00:00:00.000Z",
      "day 2026-05-01T00:00:00.000Z/2026-05-31T00:00:00.000Z",
      "hour 2026-05-31T00:00:00.000Z/2026-05-31T18:00:00.000Z",
      "raw 2026-05-31T18:00:00.000Z/2026-05-31T18:30:00.000Z",
    ]);
    expect(describeCover(segments)).toEqual({ day: 30 * DAY, hour: 23 * HOUR, raw: HOUR });
  });

  it("reads a range with no whole UTC hour as a single raw segment, even across an hour", () => {
    expect(show(coverRanges([{ fromMs: t("2026-05-04T10:15:00Z"), toMs: t("2026-05-04T11:45:00Z") }]))).toEqual([
      "raw 2026-05-04T10:15:00.000Z/2026-05-04T11:45:00.000Z",
    ]);
  });

  it("reads a range inside one hour as a single raw segment", () => {
    expect(show(coverRanges([{ fromMs: t("2026-05-04T10:15:00Z"), toMs: t("2026-05-04T10:45:00Z") }]))).toEqual([
      "raw 2026-05-04T10:15:00.000Z/2026-05-04T10:45:00.000Z",
    ]);
  });

  it("splits sub-hour edges at a UTC midnight", () => {
    expect(show(coverRanges([{ fromMs: t("2026-05-04T23:30:00Z"), toMs: t("2026-05-05T00:20:00Z") }]))).toEqual([
      "raw 2026-05-04T23:30:00.000Z/2026-05-05T00:00:00.000Z",
      "raw 2026-05-05T00:00:00.000Z/2026-05-05T00:20:00.000Z",
    ]);
  });

  it("reads an hour-aligned range that ends on a midnight without raw segments", () => {
    expect(show(coverRanges([{ fromMs: t("2026-05-04T06:00:00Z"), toMs: t("2026-05-06T00:00:00Z") }]))).toEqual([
      "hour 2026-05-04T06:00:00.000Z/2026-05-05T00:00:00.000Z",
      "day 2026-05-05T00:00:00.000Z/2026-05-06T00:00:00.000Z",
    ]);
  });

  it("handles times before 1970", () => {
    const fromMs = t("1969-12-30T22:10:00Z");
    const toMs = t("1970-01-01T01:00:00Z");
    const segments = coverRanges([{ fromMs, toMs }]);
    expect(show(segments)).toEqual([
      "raw 1969-12-30T22:10:00.000Z/1969-12-30T23:00:00.000Z",
      "hour 1969-12-30T23:00:00.000Z/1969-12-31T00:00:00.000Z",
      "day 1969-12-31T00:00:00.000Z/1970-01-01T00:00:00.000Z",
      "hour 1970-01-01T00:00:00.000Z/1970-01-01T01:00:00.000Z",
    ]);
    expectExactCover(segments, fromMs, toMs);
  });
});

describe("coverRanges: several ranges", () => {
  it("tags each segment with the index of its range, in range order", () => {
    const ranges = [
      { fromMs: t("2026-05-04T00:00:00Z"), toMs: t("2026-05-05T00:00:00Z") },
      { fromMs: t("2026-05-05T00:00:00Z"), toMs: t("2026-05-05T02:30:00Z") },
      { fromMs: t("2026-05-05T10:00:00Z"), toMs: t("2026-05-05T10:00:00Z") },
      { fromMs: t("2026-05-05T12:00:00Z"), toMs: t("2026-05-05T11:00:00Z") },
      { fromMs: t("2026-05-05T20:00:00Z"), toMs: t("2026-05-05T21:00:00Z") },
    ];
    const segments = coverRanges(ranges);
    expect(segments.map((s) => [s.bucket, s.grain])).toEqual([
      [0, "day"],
      [1, "hour"],
      [1, "raw"],
      [4, "hour"],
    ]);
  });

  it("does not merge days across two ranges", () => {
    const segments = coverRanges([
      { fromMs: t("2026-05-04T00:00:00Z"), toMs: t("2026-05-05T00:00:00Z") },
      { fromMs: t("2026-05-05T00:00:00Z"), toMs: t("2026-05-06T00:00:00Z") },
    ]);
    expect(segments.map((s) => [s.bucket, s.grain, (s.toMs - s.fromMs) / DAY])).toEqual([
      [0, "day", 1],
      [1, "day", 1],
    ]);
  });

  it("returns nothing for no ranges and for empty or reversed ones", () => {
    expect(coverRanges([])).toEqual([]);
    expect(coverRanges([{ fromMs: 5, toMs: 5 }, { fromMs: DAY, toMs: 0 }])).toEqual([]);
  });

  it("refuses non-finite bounds", () => {
    expect(() => coverRanges([{ fromMs: Number.NaN, toMs: DAY }])).toThrow(RangeError);
    expect(() => coverRanges([{ fromMs: 0, toMs: Number.POSITIVE_INFINITY }])).toThrow(RangeError);
  });
});

describe("coverRanges: rawBelowMs", () => {
  const fromMs = t("2026-05-04T10:15:00Z");

  it("reads a range shorter than rawBelowMs as one raw segment", () => {
    expect(coverRanges([{ fromMs, toMs: fromMs + 3 * HOUR }], { rawBelowMs: 6 * HOUR })).toEqual([{ grain: "raw", fromMs, toMs: fromMs + 3 * HOUR, bucket: 0 }]);
    // Even one crossing midnight and holding whole hours.
    const late = t("2026-05-04T22:00:00Z");
    expect(coverRanges([{ fromMs: late, toMs: late + 4 * HOUR }], { rawBelowMs: 6 * HOUR })).toHaveLength(1);
  });

  it("covers a range of rawBelowMs or longer as usual", () => {
    const segments = coverRanges([{ fromMs, toMs: fromMs + 6 * HOUR }], { rawBelowMs: 6 * HOUR });
    expect(segments.map((s) => s.grain)).toEqual(["raw", "hour", "raw"]);
  });

  it("decides per range", () => {
    const segments = coverRanges(
      [
        { fromMs, toMs: fromMs + 30 * MINUTE },
        { fromMs, toMs: fromMs + 2 * DAY },
      ],
      { rawBelowMs: HOUR },
    );
    expect(segments.filter((s) => s.bucket === 0).map((s) => s.grain)).toEqual(["raw"]);
    expect(segments.filter((s) => s.bucket === 1).map((s) => s.grain)).toEqual(["raw", "hour", "day", "hour", "raw"]);
  });
});

describe("coverRanges: random ranges (property)", () => {
  it("covers each range exactly with disjoint, aligned, merged segments", () => {
    let seed = 2024;
    const rand = () => {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      return seed / 2 ** 32;
    };
    const base = t("2025-01-01T00:00:00Z");
    // Lengths from milliseconds to months; starts on and off every boundary.
    const snap = [1, 1_000, MINUTE, 15 * MINUTE, HOUR, DAY];
    for (let i = 0; i < 2_000; i++) {
      const unit = snap[Math.floor(rand() * snap.length)]!;
      const fromMs = base + Math.floor((rand() * 400 * DAY) / unit) * unit;
      const length = Math.max(1, Math.floor((rand() ** 3 * 60 * DAY) / unit) * unit);
      const toMs = fromMs + length;
      const segments = coverRanges([{ fromMs, toMs }]);
      expect(segments.every((s) => s.bucket === 0)).toBe(true);
      expectExactCover(segments, fromMs, toMs);
      const totals = describeCover(segments);
      expect(totals.day + totals.hour + totals.raw).toBe(length);
    }
  });

  it("covers many ranges at once as it covers each alone", () => {
    const ranges = Array.from({ length: 50 }, (_, i) => ({ fromMs: t("2026-01-01T00:00:00Z") + i * 7_777_777, toMs: t("2026-01-01T00:00:00Z") + i * 7_777_777 + i * 3_333_333 }));
    const together = coverRanges(ranges);
    const alone = ranges.flatMap((r, i) => coverRanges([r]).map((s) => ({ ...s, bucket: i })));
    expect(together).toEqual(alone);
  });
});

describe("describeCover", () => {
  it("sums milliseconds per grain", () => {
    const segments = coverRanges([
      { fromMs: t("2026-05-04T10:15:00Z"), toMs: t("2026-05-04T13:40:00Z") },
      { fromMs: t("2026-05-01T00:00:00Z"), toMs: t("2026-05-03T00:00:00Z") },
    ]);
    expect(describeCover(segments)).toEqual({ day: 2 * DAY, hour: 2 * HOUR, raw: 85 * MINUTE });
  });

  it("is all zeros for no segments", () => {
    expect(describeCover([])).toEqual({ day: 0, hour: 0, raw: 0 });
  });
});
