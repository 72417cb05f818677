import { DateTime } from "luxon";
import { describe, expect, it } from "vitest";
import { TimeRangeError, assertTimeZone, timeBuckets, type TimeBucket } from "../../src/analytics/time-buckets";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const t = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString();

/** The buckets as readable ISO strings: [start, end) and, when clipped, [from, to). */
function show(buckets: TimeBucket[]): string[] {
  return buckets.map((b) =>
    b.fromMs === b.startMs && b.toMs === b.endMs ? `${iso(b.startMs)}/${iso(b.endMs)}` : `${iso(b.startMs)}/${iso(b.endMs)} [${iso(b.fromMs)}/${iso(b.toMs)}]`,
  );
}

/** The TimeRangeError code thrown by fn, or null. */
function codeOf(fn: () => unknown): string | null {
  try {
    fn();
  } catch (error) {
    if (error instanceof TimeRangeError) return error.code;
    throw error;
  }
  return null;
}

/** Invariants of every result: contiguous, clipped to the range, covering it exactly. */
function expectWellFormed(buckets: TimeBucket[], fromMs: number, toMs: number): void {
  expect(buckets.length).toBeGreaterThan(0);
  expect(buckets[0]!.startMs).toBeLessThanOrEqual(fromMs);
  expect(buckets[0]!.fromMs).toBe(fromMs);
  expect(buckets.at(-1)!.endMs).toBeGreaterThanOrEqual(toMs);
  expect(buckets.at(-1)!.toMs).toBe(toMs);
  buckets.forEach((b, i) => {
    expect(b.startMs).toBeLessThan(b.endMs);
    expect(b.fromMs).toBe(Math.max(b.startMs, fromMs));
    expect(b.toMs).toBe(Math.min(b.endMs, toMs));
    expect(b.fromMs).toBeLessThan(b.toMs);
    if (i > 0) expect(b.startMs).toBe(buckets[i - 1]!.endMs);
  });
}

describe("assertTimeZone", () => {
  it("accepts IANA names and UTC", () => {
    expect(assertTimeZone("UTC")).toBe("UTC");
    expect(assertTimeZone("Europe/London")).toBe("Europe/London");
    expect(assertTimeZone("America/New_York")).toBe("America/New_York");
    expect(assertTimeZone("America/Argentina/Buenos_Aires")).toBe("America/Argentina/Buenos_Aires");
    expect(assertTimeZone("Etc/GMT+5")).toBe("Etc/GMT+5");
  });

  it("fixes the letter case", () => {
    expect(assertTimeZone("utc")).toBe("UTC");
    expect(assertTimeZone("europe/london")).toBe("Europe/London");
  });

  it("keeps a link as the user wrote it", () => {
    expect(assertTimeZone("Asia/Kolkata")).toBe("Asia/Kolkata");
    expect(assertTimeZone("Asia/Calcutta")).toBe("Asia/Calcutta");
  });

  it.each(["Mars/Base", "", "'; DROP TABLE x; --", "Europe/London'", " Europe/London", "Europe/London ", "+05:30", "Z", "local", "Europe/", "../etc/passwd", "Europe/Atlantis"])(
    "refuses %j with BAD_TIME_ZONE naming the zone",
    (zone) => {
      expect(codeOf(() => assertTimeZone(zone))).toBe("BAD_TIME_ZONE");
      expect(() => assertTimeZone(zone)).toThrow(JSON.stringify(zone));
    },
  );

  it("throws a TimeRangeError that is an Error with a name and a code", () => {
    try {
      assertTimeZone("Mars/Base");
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(Error);
      expect(error).toBeInstanceOf(TimeRangeError);
      expect((error as TimeRangeError).name).toBe("TimeRangeError");
      expect((error as TimeRangeError).code).toBe("BAD_TIME_ZONE");
      expect((error as TimeRangeError).message).toContain("Mars/Base");
    }
  });
});

describe("timeBuckets in UTC", () => {
  it("gives whole days, clipping the first and last", () => {
    const from = t("2026-01-01T06:00:00Z");
    const to = t("2026-01-04T12:00:00Z");
    const buckets = timeBuckets(from, to, "day", "UTC");
    expect(show(buckets)).toEqual([
      "2026-01-01T00:00:00.000Z/2026-01-02T00:00:00.000Z [2026-01-01T06:00:00.000Z/2026-01-02T00:00:00.000Z]",
      "2026-01-02T00:00:00.000Z/2026-01-03T00:00:00.000Z",
      "2026-01-03T00:00:00.000Z/2026-01-04T00:00:00.000Z",
      "2026-01-04T00:00:00.000Z/2026-01-05T00:00:00.000Z [2026-01-04T00:00:00.000Z/2026-01-04T12:00:00.000Z]",
    ]);
    expectWellFormed(buckets, from, to);
  });

  it("gives one bucket per day for an aligned range, none past the end", () => {
    const buckets = timeBuckets(t("2026-02-01T00:00:00Z"), t("2026-03-01T00:00:00Z"), "day", "UTC");
    expect(buckets).toHaveLength(28);
    for (const b of buckets) {
      expect(b.endMs - b.startMs).toBe(DAY);
      expect(b.fromMs).toBe(b.startMs);
      expect(b.toMs).toBe(b.endMs);
    }
  });

  it("gives one bucket for a range inside one hour", () => {
    expect(show(timeBuckets(t("2026-01-01T10:15:00Z"), t("2026-01-01T10:40:00Z"), "hour", "UTC"))).toEqual([
      "2026-01-01T10:00:00.000Z/2026-01-01T11:00:00.000Z [2026-01-01T10:15:00.000Z/2026-01-01T10:40:00.000Z]",
    ]);
  });

  it("gives weeks from Monday", () => {
    // 2026-01-01 is a Thursday; its week began on Monday 2025-12-29.
    const buckets = timeBuckets(t("2026-01-01T00:00:00Z"), t("2026-01-20T00:00:00Z"), "week", "UTC");
    expect(show(buckets)).toEqual([
      "2025-12-29T00:00:00.000Z/2026-01-05T00:00:00.000Z [2026-01-01T00:00:00.000Z/2026-01-05T00:00:00.000Z]",
      "2026-01-05T00:00:00.000Z/2026-01-12T00:00:00.000Z",
      "2026-01-12T00:00:00.000Z/2026-01-19T00:00:00.000Z",
      "2026-01-19T00:00:00.000Z/2026-01-26T00:00:00.000Z [2026-01-19T00:00:00.000Z/2026-01-20T00:00:00.000Z]",
    ]);
    for (const b of buckets) expect(new Date(b.startMs).getUTCDay()).toBe(1);
  });

  it("gives calendar months of 28 to 31 days", () => {
    const buckets = timeBuckets(t("2026-01-15T00:00:00Z"), t("2026-05-01T00:00:00Z"), "month", "UTC");
    expect(buckets.map((b) => iso(b.startMs))).toEqual(["2026-01-01T00:00:00.000Z", "2026-02-01T00:00:00.000Z", "2026-03-01T00:00:00.000Z", "2026-04-01T00:00:00.000Z"]);
    expect(buckets.map((b) => (b.endMs - b.startMs) / DAY)).toEqual([31, 28, 31, 30]);
    expect(iso(buckets[0]!.fromMs)).toBe("2026-01-15T00:00:00.000Z");
    expect(buckets.at(-1)!.toMs).toBe(buckets.at(-1)!.endMs);
  });

  it("handles a leap February and a range of a single millisecond", () => {
    const feb = timeBuckets(t("2028-02-10T00:00:00Z"), t("2028-02-10T00:00:00.001Z"), "month", "UTC");
    expect(feb).toHaveLength(1);
    expect((feb[0]!.endMs - feb[0]!.startMs) / DAY).toBe(29);
    expect(feb[0]!.toMs - feb[0]!.fromMs).toBe(1);
  });
});

describe("timeBuckets across DST in Europe/London", () => {
  it("makes 2026-03-29 (spring forward) a 23-hour day", () => {
    const from = t("2026-03-28T00:00:00Z");
    const to = t("2026-03-30T23:00:00Z");
    const buckets = timeBuckets(from, to, "day", "Europe/London");
    expect(show(buckets)).toEqual([
      "2026-03-28T00:00:00.000Z/2026-03-29T00:00:00.000Z",
      "2026-03-29T00:00:00.000Z/2026-03-29T23:00:00.000Z",
      "2026-03-29T23:00:00.000Z/2026-03-30T23:00:00.000Z",
    ]);
    expect(buckets.map((b) => (b.endMs - b.startMs) / HOUR)).toEqual([24, 23, 24]);
  });

  it("makes 2026-10-25 (fall back) a 25-hour day", () => {
    const buckets = timeBuckets(t("2026-10-24T12:00:00Z"), t("2026-10-26T12:00:00Z"), "day", "Europe/London");
    expect(show(buckets)).toEqual([
      "2026-10-23T23:00:00.000Z/2026-10-24T23:00:00.000Z [2026-10-24T12:00:00.000Z/2026-10-24T23:00:00.000Z]",
      "2026-10-24T23:00:00.000Z/2026-10-26T00:00:00.000Z",
      "2026-10-26T00:00:00.000Z/2026-10-27T00:00:00.000Z [2026-10-26T00:00:00.000Z/2026-10-26T12:00:00.000Z]",
    ]);
    expect((buckets[1]!.endMs - buckets[1]!.startMs) / HOUR).toBe(25);
  });

  it("gives 23 hourly buckets on the spring-forward day and 25 on the fall-back day", () => {
    const spring = timeBuckets(t("2026-03-29T00:00:00Z"), t("2026-03-29T23:00:00Z"), "hour", "Europe/London");
    expect(spring).toHaveLength(23);
    const fall = timeBuckets(t("2026-10-24T23:00:00Z"), t("2026-10-26T00:00:00Z"), "hour", "Europe/London");
    expect(fall).toHaveLength(25);
    for (const b of [...spring, ...fall]) expect(b.endMs - b.startMs).toBe(HOUR);
  });

  it("starts weeks on Monday local midnight (BST: Sunday 23:00 UTC)", () => {
    // Sunday 2026-06-14 22:30 UTC is Sunday 23:30 in London; 23:30 UTC is already Monday 00:30.
    const from = t("2026-06-14T22:30:00Z");
    const to = t("2026-06-14T23:30:00Z");
    const buckets = timeBuckets(from, to, "week", "Europe/London");
    expect(show(buckets)).toEqual([
      "2026-06-07T23:00:00.000Z/2026-06-14T23:00:00.000Z [2026-06-14T22:30:00.000Z/2026-06-14T23:00:00.000Z]",
      "2026-06-14T23:00:00.000Z/2026-06-21T23:00:00.000Z [2026-06-14T23:00:00.000Z/2026-06-14T23:30:00.000Z]",
    ]);
    for (const b of buckets) {
      const local = DateTime.fromMillis(b.startMs, { zone: "Europe/London" });
      expect(local.weekday).toBe(1);
      expect(local.toFormat("HH:mm")).toBe("00:00");
    }
  });

  it("makes the week with the spring-forward Sunday 167 hours long", () => {
    const buckets = timeBuckets(t("2026-03-25T12:00:00Z"), t("2026-03-31T12:00:00Z"), "week", "Europe/London");
    expect(show(buckets)).toEqual([
      "2026-03-23T00:00:00.000Z/2026-03-29T23:00:00.000Z [2026-03-25T12:00:00.000Z/2026-03-29T23:00:00.000Z]",
      "2026-03-29T23:00:00.000Z/2026-04-05T23:00:00.000Z [2026-03-29T23:00:00.000Z/2026-03-31T12:00:00.000Z]",
    ]);
    expect((buckets[0]!.endMs - buckets[0]!.startMs) / HOUR).toBe(167);
  });

  it("starts months at local midnight on the 1st", () => {
    const buckets = timeBuckets(t("2026-03-15T00:00:00Z"), t("2026-11-15T00:00:00Z"), "month", "Europe/London");
    expect(buckets).toHaveLength(9);
    for (const b of buckets) {
      const local = DateTime.fromMillis(b.startMs, { zone: "Europe/London" });
      expect(local.day).toBe(1);
      expect(local.toFormat("HH:mm")).toBe("00:00");
    }
    expect(iso(buckets[1]!.startMs)).toBe("2026-03-31T23:00:00.000Z"); // April, in BST
    expect(iso(buckets[8]!.startMs)).toBe("2026-11-01T00:00:00.000Z"); // November, in GMT
  });
});

describe("timeBuckets in other zones", () => {
  it("starts Asia/Kolkata (+05:30) days at 18:30 UTC", () => {
    const from = t("2026-05-01T00:00:00Z");
    const to = t("2026-05-03T00:00:00Z");
    const buckets = timeBuckets(from, to, "day", "Asia/Kolkata");
    expect(show(buckets)).toEqual([
      "2026-04-30T18:30:00.000Z/2026-05-01T18:30:00.000Z [2026-05-01T00:00:00.000Z/2026-05-01T18:30:00.000Z]",
      "2026-05-01T18:30:00.000Z/2026-05-02T18:30:00.000Z",
      "2026-05-02T18:30:00.000Z/2026-05-03T18:30:00.000Z [2026-05-02T18:30:00.000Z/2026-05-03T00:00:00.000Z]",
    ]);
    expectWellFormed(buckets, from, to);
  });

  it("starts Asia/Kolkata hours at :30 UTC and Asia/Kathmandu (+05:45) hours at :15 UTC", () => {
    const kolkata = timeBuckets(t("2026-05-01T10:00:00Z"), t("2026-05-01T12:00:00Z"), "hour", "Asia/Kolkata");
    expect(kolkata.map((b) => iso(b.startMs))).toEqual(["2026-05-01T09:30:00.000Z", "2026-05-01T10:30:00.000Z", "2026-05-01T11:30:00.000Z"]);
    const kathmandu = timeBuckets(t("2026-05-01T10:00:00Z"), t("2026-05-01T11:00:00Z"), "hour", "Asia/Kathmandu");
    expect(kathmandu.map((b) => iso(b.startMs))).toEqual(["2026-05-01T09:15:00.000Z", "2026-05-01T10:15:00.000Z"]);
  });

  it("follows America/New_York across its DST changes (2026-03-08 and 2026-11-01)", () => {
    const march = timeBuckets(t("2026-03-07T05:00:00Z"), t("2026-03-09T04:00:00Z"), "day", "America/New_York");
    expect(show(march)).toEqual(["2026-03-07T05:00:00.000Z/2026-03-08T05:00:00.000Z", "2026-03-08T05:00:00.000Z/2026-03-09T04:00:00.000Z"]);
    expect((march[1]!.endMs - march[1]!.startMs) / HOUR).toBe(23);
    const november = timeBuckets(t("2026-11-01T04:00:00Z"), t("2026-11-02T05:00:00Z"), "day", "America/New_York");
    expect(show(november)).toEqual(["2026-11-01T04:00:00.000Z/2026-11-02T05:00:00.000Z"]);
  });

  it("gives the same instants for a zone name in any letter case", () => {
    const a = timeBuckets(t("2026-03-01T00:00:00Z"), t("2026-04-01T00:00:00Z"), "day", "america/new_york");
    const b = timeBuckets(t("2026-03-01T00:00:00Z"), t("2026-04-01T00:00:00Z"), "day", "America/New_York");
    expect(a).toEqual(b);
  });

  it("keeps hours on local boundaries across Australia/Lord_Howe's 30-minute DST shifts", () => {
    // 2026-10-04 02:00 (+10:30) jumps to 02:30 (+11): the local hour 02:00 is only 30 minutes long.
    const spring = timeBuckets(t("2026-10-03T13:30:00Z"), t("2026-10-03T18:00:00Z"), "hour", "Australia/Lord_Howe");
    expectWellFormed(spring, t("2026-10-03T13:30:00Z"), t("2026-10-03T18:00:00Z"));
    expect(spring.map((b) => (b.endMs - b.startMs) / 60_000)).toEqual([60, 60, 30, 60, 60]);
    expect(spring.map((b) => DateTime.fromMillis(b.startMs, { zone: "Australia/Lord_Howe" }).toFormat("HH:mm"))).toEqual(["00:00", "01:00", "02:30", "03:00", "04:00"]);
    // 2026-04-05 02:00 (+11) falls back to 01:30 (+10:30).
    const fall = timeBuckets(t("2026-04-04T13:00:00Z"), t("2026-04-04T17:00:00Z"), "hour", "Australia/Lord_Howe");
    expectWellFormed(fall, t("2026-04-04T13:00:00Z"), t("2026-04-04T17:00:00Z"));
    expect(fall.map((b) => (b.endMs - b.startMs) / 60_000)).toEqual([60, 60, 30, 60, 60]);
    expect(fall.map((b) => DateTime.fromMillis(b.startMs, { zone: "Australia/Lord_Howe" }).toFormat("HH:mm"))).toEqual(["00:00", "01:00", "01:30", "02:00", "03:00"]);
  });

  it("starts the day at the first existing instant where midnight is skipped (America/Havana, 2026-03-08)", () => {
    const buckets = timeBuckets(t("2026-03-07T12:00:00Z"), t("2026-03-10T12:00:00Z"), "day", "America/Havana");
    expectWellFormed(buckets, t("2026-03-07T12:00:00Z"), t("2026-03-10T12:00:00Z"));
    expect(buckets.map((b) => (b.endMs - b.startMs) / HOUR)).toEqual([24, 23, 24, 24]);
    // The day after the gap is back on local midnight.
    expect(buckets.slice(2).map((b) => DateTime.fromMillis(b.startMs, { zone: "America/Havana" }).toFormat("HH:mm"))).toEqual(["00:00", "00:00"]);
  });

  it("is well formed for random ranges, zones and intervals", () => {
    let seed = 12345;
    const rand = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 2 ** 32;
    };
    const zones = ["UTC", "Europe/London", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe", "Pacific/Chatham", "America/Sao_Paulo"];
    const spans = { hour: 3 * DAY, day: 90 * DAY, week: 400 * DAY, month: 1_000 * DAY } as const;
    for (let i = 0; i < 200; i++) {
      const interval = (["hour", "day", "week", "month"] as const)[i % 4]!;
      const zone = zones[Math.floor(rand() * zones.length)]!;
      const from = t("2024-01-01T00:00:00Z") + Math.floor(rand() * 3 * 365 * DAY);
      const to = from + 1 + Math.floor(rand() * spans[interval]);
      const buckets = timeBuckets(from, to, interval, zone);
      expectWellFormed(buckets, from, to);
      for (const b of buckets) {
        const local = DateTime.fromMillis(b.startMs, { zone });
        // Every start is a local boundary of its unit (or a DST-shifted one, only in Lord_Howe/Chatham hours).
        if (interval !== "hour") expect(local.toFormat("HH:mm"), `${zone} ${interval} ${iso(b.startMs)}`).toBe("00:00");
        if (interval === "week") expect(local.weekday).toBe(1);
        if (interval === "month") expect(local.day).toBe(1);
      }
    }
  });
});

describe("timeBuckets errors", () => {
  it("refuses an empty, reversed or non-finite range with BAD_RANGE", () => {
    const now = t("2026-01-01T00:00:00Z");
    expect(codeOf(() => timeBuckets(now, now, "day", "UTC"))).toBe("BAD_RANGE");
    expect(codeOf(() => timeBuckets(now + 1, now, "day", "UTC"))).toBe("BAD_RANGE");
    expect(codeOf(() => timeBuckets(Number.NaN, now, "day", "UTC"))).toBe("BAD_RANGE");
    expect(codeOf(() => timeBuckets(now, Number.POSITIVE_INFINITY, "day", "UTC"))).toBe("BAD_RANGE");
    expect(codeOf(() => timeBuckets(now, 9e15, "month", "UTC"))).toBe("BAD_RANGE");
  });

  it("refuses a bad zone with BAD_TIME_ZONE", () => {
    expect(codeOf(() => timeBuckets(0, DAY, "day", "Mars/Base"))).toBe("BAD_TIME_ZONE");
    expect(codeOf(() => timeBuckets(0, DAY, "day", "'; DROP TABLE x; --"))).toBe("BAD_TIME_ZONE");
  });

  it("refuses an unknown interval with BAD_INTERVAL", () => {
    expect(codeOf(() => timeBuckets(0, DAY, "minute" as never, "UTC"))).toBe("BAD_INTERVAL");
  });

  it("refuses more than maxBuckets buckets with TOO_MANY_BUCKETS, counting partial buckets", () => {
    const from = t("2026-01-01T00:00:00Z");
    expect(timeBuckets(from, from + 5_000 * HOUR, "hour", "UTC")).toHaveLength(5_000);
    expect(codeOf(() => timeBuckets(from, from + 5_000 * HOUR + 1, "hour", "UTC"))).toBe("TOO_MANY_BUCKETS");
    expect(codeOf(() => timeBuckets(from, from + 10 * 365 * DAY, "hour", "UTC"))).toBe("TOO_MANY_BUCKETS");
    expect(timeBuckets(from, from + 7 * DAY, "day", "UTC", 7)).toHaveLength(7);
    expect(codeOf(() => timeBuckets(from + 1, from + 7 * DAY, "day", "UTC", 6))).toBe("TOO_MANY_BUCKETS");
    expect(codeOf(() => timeBuckets(from + HOUR, from + 7 * DAY + HOUR, "day", "UTC", 7))).toBe("TOO_MANY_BUCKETS");
  });

  it("fails fast on a huge range instead of building it", () => {
    const started = performance.now();
    expect(codeOf(() => timeBuckets(0, 8e15, "hour", "UTC"))).toBe("TOO_MANY_BUCKETS");
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});
