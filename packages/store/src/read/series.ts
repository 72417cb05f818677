import { assertTimeZone, timeBuckets, TimeRangeError, type Interval, type TimeBucket } from "@log-insights/logs";
import { aggregate, emptyTotals } from "./aggregate";
import { ReadError } from "./errors";
import { checkFilter, checkRange, type QuestionFilter, type TimeRange } from "./input";
import type { ReadOptions } from "./overview";
import { latencySummary, type LatencySummary } from "./stats";
import type { Queryable } from "./sql";

export interface SeriesRange extends TimeRange {
  interval: Interval;
  /** IANA zone for day, week (Monday) and month boundaries; default UTC. */
  timeZone?: string;
}

export interface CountBucket {
  /** Start of the bucket's whole local interval (the label), even when the range starts later. */
  startMs: number;
  endMs: number;
  count: number;
  answered: number;
  hedged: number;
  failed: number;
  unfinished: number;
}

export interface LatencyBucket extends LatencySummary {
  startMs: number;
  endMs: number;
}

/** The zero-filled buckets of a series (checked range and time zone), or a ReadError with the reason. */
export function seriesBuckets(range: SeriesRange): TimeBucket[] {
  const { fromMs, toMs } = checkRange(range);
  try {
    return timeBuckets(fromMs, toMs, range.interval, assertTimeZone(range.timeZone ?? "UTC"));
  } catch (err) {
    if (err instanceof TimeRangeError) {
      throw new ReadError(err.code === "BAD_TIME_ZONE" ? "BAD_TIME_ZONE" : err.code === "TOO_MANY_BUCKETS" ? "TOO_MANY_BUCKETS" : "BAD_RANGE", err.message);
    }
    throw err;
  }
}

/** Questions per hour, day, week or month in a time zone, every bucket present (zero-filled), by outcome. */
export async function readQuestionCounts(db: Queryable, range: SeriesRange, filterIn?: QuestionFilter | null, options: ReadOptions = {}): Promise<CountBucket[]> {
  const list = seriesBuckets(range);
  const totals = await aggregate(db, list.map((b) => ({ fromMs: b.fromMs, toMs: b.toMs })), checkFilter(filterIn), { forceRaw: options.forceRaw ?? false });
  return list.map((b, i) => {
    const t = totals.get(i)?.get(null) ?? emptyTotals();
    return { startMs: b.startMs, endMs: b.endMs, count: t.questions, answered: t.answered, hedged: t.hedged, failed: t.failed, unfinished: t.unfinished };
  });
}

/** The bot's answer times per bucket: count, mean and percentiles (within 2%), zero-filled. */
export async function readResponseTimes(db: Queryable, range: SeriesRange, filterIn?: QuestionFilter | null, options: ReadOptions = {}): Promise<LatencyBucket[]> {
  const list = seriesBuckets(range);
  const totals = await aggregate(db, list.map((b) => ({ fromMs: b.fromMs, toMs: b.toMs })), checkFilter(filterIn), {
    latency: true,
    forceRaw: options.forceRaw ?? false,
  });
  return list.map((b, i) => ({ startMs: b.startMs, endMs: b.endMs, ...latencySummary(totals.get(i)?.get(null) ?? emptyTotals()) }));
}
