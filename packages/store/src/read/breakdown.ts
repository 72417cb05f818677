import { aggregate, emptyTotals } from "./aggregate";
import type { Dimension } from "./dimensions";
import { checkFilter, checkRange, type QuestionFilter, type TimeRange } from "./input";
import type { ReadOptions } from "./overview";
import { ratio } from "./stats";
import type { Queryable } from "./sql";

export interface BreakdownRow {
  /** The topic, fund, platform or app version; null = not known (no fund named, no platform header). */
  value: string | null;
  count: number;
  /** Of all questions in the range that match the filter. */
  share: number;
  answered: number;
  hedged: number;
  failed: number;
  unfinished: number;
  /** Count in the same length of time just before: the trend. */
  previousCount: number;
}

/**
 * Questions by topic, fund, platform or app version over a range, most
 * asked first, with the previous period's count for the trend.
 */
export async function readBreakdown(
  db: Queryable,
  dimension: Dimension,
  range: TimeRange,
  filterIn?: QuestionFilter | null,
  options: ReadOptions = {},
): Promise<BreakdownRow[]> {
  const { fromMs, toMs } = checkRange(range);
  const filter = checkFilter(filterIn);
  const ranges = [{ fromMs, toMs }, { fromMs: fromMs - (toMs - fromMs), toMs: fromMs }];
  const totals = await aggregate(db, ranges, filter, { groupBy: dimension, forceRaw: options.forceRaw ?? false });
  const current = totals.get(0) ?? new Map();
  const previous = totals.get(1) ?? new Map();
  let all = 0;
  for (const t of current.values()) all += t.questions;
  return [...current.entries()]
    .filter(([, t]) => t.questions > 0)
    .map(([value, t]) => ({
      value,
      count: t.questions,
      share: ratio(t.questions, all) ?? 0,
      answered: t.answered,
      hedged: t.hedged,
      failed: t.failed,
      unfinished: t.unfinished,
      previousCount: (previous.get(value) ?? emptyTotals()).questions,
    }))
    .sort((a, b) => b.count - a.count || String(a.value).localeCompare(String(b.value)));
}
