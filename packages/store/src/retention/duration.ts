/**
 * How long retention keeps data: `90d`, `12w`, `6mo`, `2y` (also `90 days`,
 * `6 months`, `1 year`). Months and years are calendar ones, counted back in
 * UTC (keeping 1mo on 31 March keeps from 28/29 February). Pure: no I/O.
 *
 * `m` alone is refused: to the ingest's --since it means minutes, here it
 * would mean months; spelling it `mo` removes the doubt.
 */

export type DurationUnit = "day" | "week" | "month" | "year";

export interface RetentionDuration {
  amount: number;
  unit: DurationUnit;
  /** As written, normalized: "90d", "12w", "6mo", "2y". */
  text: string;
}

const UNITS: Record<string, DurationUnit> = {
  d: "day", day: "day", days: "day",
  w: "week", wk: "week", week: "week", weeks: "week",
  mo: "month", mon: "month", month: "month", months: "month",
  y: "year", yr: "year", year: "year", years: "year",
};
const SHORT: Record<DurationUnit, string> = { day: "d", week: "w", month: "mo", year: "y" };
const HINT = "a duration such as 90d, 12w, 6mo or 2y";

/** Thrown for a value that is not a duration retention accepts; the message names the option. */
export class RetentionDurationError extends Error {
  override name = "RetentionDurationError";
}

/** Parses a retention duration; `name` (e.g. "--keep-entries") is used in error messages. */
export function parseRetentionDuration(value: string, name = "duration"): RetentionDuration {
  const v = value.trim().toLowerCase();
  const m = /^(\d+)\s*([a-z]+)$/.exec(v);
  if (!m) throw new RetentionDurationError(`${name}: "${value}" is not ${HINT}`);
  const amount = Number(m[1]);
  const word = m[2]!;
  if (word === "m") throw new RetentionDurationError(`${name}: "${value}" is ambiguous: write ${amount}mo for months or ${amount}d for days`);
  if (["h", "hr", "hour", "hours", "min", "minute", "minutes", "s", "sec", "second", "seconds"].includes(word)) {
    throw new RetentionDurationError(`${name}: "${value}" keeps less than 1 day; retention keeps at least 1d`);
  }
  const unit = UNITS[word];
  if (unit === undefined) throw new RetentionDurationError(`${name}: "${value}" has an unknown unit "${word}"; expected ${HINT}`);
  if (!Number.isSafeInteger(amount) || amount < 1) {
    throw new RetentionDurationError(`${name}: "${value}" keeps less than 1 day; retention keeps at least 1d`);
  }
  if (amount * { day: 1, week: 7, month: 31, year: 366 }[unit] > 100 * 366) {
    throw new RetentionDurationError(`${name}: "${value}" is more than 100 years`);
  }
  return { amount, unit, text: `${amount}${SHORT[unit]}` };
}

const DAY_MS = 86_400_000;

/** The instant `duration` before `nowMs`: rows older than this are past retention. */
export function cutoffBefore(duration: RetentionDuration, nowMs: number): number {
  if (duration.unit === "day") return nowMs - duration.amount * DAY_MS;
  if (duration.unit === "week") return nowMs - duration.amount * 7 * DAY_MS;
  const months = duration.unit === "month" ? duration.amount : duration.amount * 12;
  const d = new Date(nowMs);
  const total = d.getUTCFullYear() * 12 + d.getUTCMonth() - months;
  const year = Math.floor(total / 12);
  const month = total - year * 12;
  // The same day of the month, or the month's last day when it has fewer.
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const day = Math.min(d.getUTCDate(), lastDay);
  return Date.UTC(year, month, day, d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds());
}

/** The start of the UTC day or month holding `ms`: partitions that end at or before it are wholly past the cut-off. */
export function floorTo(unit: "day" | "month", ms: number): number {
  if (unit === "day") return Math.floor(ms / DAY_MS) * DAY_MS;
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}
