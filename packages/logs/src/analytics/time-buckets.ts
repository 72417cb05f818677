/**
 * Time buckets for charts, in the viewer's time zone: "per day" means per
 * local day, which in Europe/London is 23 hours long on the spring-forward
 * Sunday and 25 on the fall-back one, and starts at 18:30 UTC in
 * Asia/Kolkata (+05:30). The list is built here, once, and zero-filled, so a
 * chart gets every bucket, also the ones with no data.
 *
 * Pure: no I/O (luxon reads the zone rules from the runtime's Intl data).
 */
import { DateTime, IANAZone } from "luxon";

export type Interval = "hour" | "day" | "week" | "month";

const INTERVALS: ReadonlySet<string> = new Set<Interval>(["hour", "day", "week", "month"]);

export type TimeRangeErrorCode = "BAD_TIME_ZONE" | "BAD_RANGE" | "BAD_INTERVAL" | "TOO_MANY_BUCKETS";

/** A time range, zone or interval the API should refuse, with a code it can map to a user error. */
export class TimeRangeError extends Error {
  readonly code: TimeRangeErrorCode;

  constructor(code: TimeRangeErrorCode, message: string) {
    super(message);
    this.name = "TimeRangeError";
    this.code = code;
  }
}

// Characters an IANA zone name can have. Checked before Intl so that nothing
// else (quotes, spaces, offsets like "+05:30" whose sign PostgreSQL reads the
// POSIX way, i.e. reversed) can reach a query, even if a runtime accepts it.
const ZONE_NAME = /^[A-Za-z][A-Za-z0-9_+-]*(?:\/[A-Za-z0-9_+-]+)*$/;

/**
 * The zone name to use, or a TimeRangeError("BAD_TIME_ZONE"). Accepts IANA
 * names ("Europe/London", "America/New_York") and "UTC". The letter case is
 * fixed ("europe/london" -> "Europe/London"); links are kept as given
 * ("Asia/Kolkata" stays, though Node 20's ICU would rename it to the old
 * "Asia/Calcutta"), so the name a user picked is the name shown back.
 */
export function assertTimeZone(tz: string): string {
  if (typeof tz !== "string" || tz.length > 64 || !ZONE_NAME.test(tz) || !IANAZone.isValidZone(tz)) {
    throw new TimeRangeError("BAD_TIME_ZONE", `Unknown time zone ${JSON.stringify(tz)}: expected an IANA name such as "Europe/London" or "UTC"`);
  }
  const resolved = new Intl.DateTimeFormat("en-US", { timeZone: tz }).resolvedOptions().timeZone;
  return resolved.toLowerCase() === tz.toLowerCase() ? resolved : tz;
}

/**
 * One chart bucket. [startMs, endMs) is the whole local interval (what the
 * label names); [fromMs, toMs) is its part inside the requested range (what
 * gets counted), smaller than the interval only for the first and last.
 */
export interface TimeBucket {
  startMs: number;
  endMs: number;
  fromMs: number;
  toMs: number;
}

/**
 * Every local interval (hour, day, week from Monday, month) of `timeZone`
 * that intersects [fromMs, toMs), in order, none skipped.
 *
 * Buckets start on local boundaries: the start of the local hour (at :30 or
 * :45 past the UTC hour in zones with such offsets), local midnight, Monday
 * local midnight (ISO weeks), the 1st at local midnight. Stepping is done in
 * the zone's calendar, so a day across a DST change lasts 23 or 25 hours.
 * Where a DST gap swallows a boundary (e.g. a zone whose clocks jump at
 * midnight) the bucket starts at the first instant that exists after it.
 *
 * @throws TimeRangeError BAD_RANGE when the bounds are not finite or
 *   fromMs >= toMs, BAD_TIME_ZONE, BAD_INTERVAL, or TOO_MANY_BUCKETS when
 *   more than maxBuckets buckets would be returned.
 */
export function timeBuckets(fromMs: number, toMs: number, interval: Interval, timeZone: string, maxBuckets = 5000): TimeBucket[] {
  if (!Number.isFinite(fromMs) || !Number.isFinite(toMs) || fromMs >= toMs) {
    throw new TimeRangeError("BAD_RANGE", `Bad time range [${fromMs}, ${toMs}): expected finite bounds with from < to`);
  }
  if (!INTERVALS.has(interval)) {
    throw new TimeRangeError("BAD_INTERVAL", `Unknown interval ${JSON.stringify(interval)}: expected hour, day, week or month`);
  }
  const zone = assertTimeZone(timeZone);

  let start: DateTime = DateTime.fromMillis(fromMs, { zone }).startOf(interval);
  if (!start.isValid || !DateTime.fromMillis(toMs, { zone }).isValid) {
    throw new TimeRangeError("BAD_RANGE", `Bad time range [${fromMs}, ${toMs}): outside the supported dates`);
  }

  const buckets: TimeBucket[] = [];
  while (start.toMillis() < toMs) {
    if (buckets.length >= maxBuckets) {
      throw new TimeRangeError("TOO_MANY_BUCKETS", `More than ${maxBuckets} ${interval} buckets in [${new Date(fromMs).toISOString()}, ${new Date(toMs).toISOString()}): pick a longer interval or a shorter range`);
    }
    const end = nextStart(start, interval);
    const startMs = start.toMillis();
    const endMs = end.toMillis();
    if (!Number.isFinite(endMs)) {
      throw new TimeRangeError("BAD_RANGE", `Bad time range [${fromMs}, ${toMs}): outside the supported dates`);
    }
    buckets.push({ startMs, endMs, fromMs: Math.max(startMs, fromMs), toMs: Math.min(endMs, toMs) });
    start = end;
  }
  return buckets;
}

/**
 * The start of the interval after the one starting at `start`. Adding one
 * unit and snapping back to the unit's start keeps buckets on local
 * boundaries even after a start that a DST gap had moved (e.g. to 01:00 when
 * midnight did not exist, or to :30 in Australia/Lord_Howe's 30-minute
 * shift); the plain sum is kept when snapping would not move forward.
 */
function nextStart(start: DateTime, interval: Interval): DateTime {
  const plain = start.plus({ [interval]: 1 });
  const snapped = plain.startOf(interval);
  return snapped.toMillis() > start.toMillis() ? snapped : plain;
}
