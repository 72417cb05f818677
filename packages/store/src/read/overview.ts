import { aggregate, countUsers, emptyTotals } from "./aggregate";
import { checkFilter, checkRange, type QuestionFilter, type TimeRange } from "./input";
import { latencySummary, ratio, type LatencySummary } from "./stats";
import type { Queryable } from "./sql";

export interface OverviewPeriod {
  fromMs: number;
  toMs: number;
  questions: number;
  users: number;
  conversations: number;
  answered: number;
  hedged: number;
  failed: number;
  unfinished: number;
  partial: number;
  noDocuments: number;
  slow: number;
  reasked: number;
  /** Answered without hedging, over all questions. */
  answeredRate: number | null;
  cacheHitRate: number | null;
  latencyMs: LatencySummary;
}

export interface Overview extends OverviewPeriod {
  /** The same length of time just before. */
  previous: OverviewPeriod;
}

export interface ReadOptions {
  forceRaw?: boolean;
}

/** Headline numbers for a range and the period before it, in one round of queries. */
export async function readOverview(db: Queryable, range: TimeRange, filterIn?: QuestionFilter | null, options: ReadOptions = {}): Promise<Overview> {
  const { fromMs, toMs } = checkRange(range);
  const filter = checkFilter(filterIn);
  const ranges = [{ fromMs, toMs }, { fromMs: fromMs - (toMs - fromMs), toMs: fromMs }];
  const [totals, users] = await Promise.all([
    aggregate(db, ranges, filter, { latency: true, forceRaw: options.forceRaw ?? false }),
    countUsers(db, ranges, filter, options.forceRaw ?? false),
  ]);
  const period = (i: number): OverviewPeriod => {
    const t = totals.get(i)?.get(null) ?? emptyTotals();
    const r = ranges[i] as TimeRange;
    return {
      fromMs: r.fromMs,
      toMs: r.toMs,
      questions: t.questions,
      users: users[i] ?? 0,
      conversations: t.conversations,
      answered: t.answered,
      hedged: t.hedged,
      failed: t.failed,
      unfinished: t.unfinished,
      partial: t.partial,
      noDocuments: t.noDocuments,
      slow: t.slow,
      reasked: t.reasked,
      answeredRate: ratio(t.answered, t.questions),
      cacheHitRate: ratio(t.cacheHits, t.cacheKnown),
      latencyMs: latencySummary(t),
    };
  };
  return { ...period(0), previous: period(1) };
}
