import { coverRanges, type CoverSegment } from "@log-insights/logs";
import { chooseRollup, column, type Dimension } from "./dimensions";
import { questionConditions, rollupConditions } from "./filters";
import type { QuestionFilter, TimeRange } from "./input";
import { empty, raw, refuseNul, run, sql, type Queryable, type Sql } from "./sql";

/** Question counts of one range (and one breakdown value), added up from rollup and question rows alike. */
export interface Totals {
  questions: number;
  answered: number;
  hedged: number;
  failed: number;
  unfinished: number;
  partial: number;
  noDocuments: number;
  slow: number;
  reasked: number;
  cacheHits: number;
  cacheKnown: number;
  conversations: number;
  latencyN: number;
  latencySum: number;
  /** Latency histogram (bin -> count, see @log-insights/logs latencyBin), filled when asked for. */
  bins: Map<number, number>;
}

export function emptyTotals(): Totals {
  return {
    questions: 0, answered: 0, hedged: 0, failed: 0, unfinished: 0, partial: 0, noDocuments: 0, slow: 0,
    reasked: 0, cacheHits: 0, cacheKnown: 0, conversations: 0, latencyN: 0, latencySum: 0, bins: new Map(),
  };
}

export interface AggregateOptions {
  /** Also read latency histograms (one more query). */
  latency?: boolean;
  /** Break each range down by this dimension. */
  groupBy?: Dimension;
  /** Read question rows only (tests compare both paths; benchmarks measure the baseline). */
  forceRaw?: boolean;
  /** Ranges shorter than this are read from question rows (default: never for that reason alone). */
  rawBelowMs?: number;
}

/** Per range index, per breakdown value (null key when not broken down or for a null value). */
export type AggregateResult = Map<number, Map<string | null, Totals>>;

const COUNT_FIELDS = [
  "questions", "answered", "hedged", "failed", "unfinished", "partial", "noDocuments", "slow",
  "reasked", "cacheHits", "cacheKnown", "conversations", "latencyN", "latencySum",
] as const;

// The same measures from rollup rows (sums) and from question rows (counts), in COUNT_FIELDS order.
const ROLLUP_MEASURES = sql`sum(q.questions)::bigint, sum(q.answered)::bigint, sum(q.hedged)::bigint, sum(q.failed)::bigint,
  sum(q.unfinished)::bigint, sum(q.partial)::bigint, sum(q.no_documents)::bigint, sum(q.slow)::bigint, sum(q.reasked)::bigint,
  sum(q.cache_hits)::bigint, sum(q.cache_known)::bigint, sum(q.conversations)::bigint, sum(q.latency_n)::bigint, sum(q.latency_sum)::bigint`;
const RAW_MEASURES = sql`count(*), count(*) FILTER (WHERE b.outcome = 'answered'), count(*) FILTER (WHERE b.outcome = 'hedged'),
  count(*) FILTER (WHERE b.outcome = 'failed'), count(*) FILTER (WHERE b.outcome = 'unfinished'), count(*) FILTER (WHERE b.partial),
  count(*) FILTER (WHERE b.no_documents), count(*) FILTER (WHERE b.slow), count(*) FILTER (WHERE b.reasked),
  count(*) FILTER (WHERE b.cache_hit), count(b.cache_hit), count(*) FILTER (WHERE b.id = b.conversation_id),
  count(b.latency_ms), coalesce(sum(b.latency_ms), 0)`;
/** Same bins as refresh_question_rollups (migration 0002). */
const RAW_BIN = sql`CASE WHEN b.latency_ms <= 1 THEN 0 ELSE ceil(ln(b.latency_ms) / ln(1.04))::int END`;

/**
 * Adds up questions over each range: whole UTC days from the day rollups,
 * whole hours at the edges from the hour rollups, the rest (and anything a
 * rollup cannot filter) from the question rows. Same answer either way: the
 * rollups are rebuilt from the rows in the transaction that writes them, and
 * both paths bin latency identically.
 */
export async function aggregate(
  db: Queryable,
  ranges: readonly TimeRange[],
  filter: QuestionFilter,
  options: AggregateOptions = {},
): Promise<AggregateResult> {
  const choice = options.forceRaw ? null : chooseRollup(filter, options.groupBy);
  const segments: CoverSegment[] = choice
    ? coverRanges(ranges, options.rawBelowMs === undefined ? {} : { rawBelowMs: options.rawBelowMs }).map((s) =>
        s.grain === "hour" && !choice.hourly ? { ...s, grain: "raw" } : s)
    : ranges.map((r, bucket) => ({ grain: "raw", fromMs: r.fromMs, toMs: r.toMs, bucket }));
  const rolled = segments.filter((s) => s.grain !== "raw");
  const rawSegs = segments.filter((s) => s.grain === "raw");
  const result: AggregateResult = new Map();
  const groupKey = options.groupBy;

  const queries: Promise<void>[] = [];
  if (rolled.length > 0 && choice) {
    const key = groupKey ? sql`, ${column(groupKey, "q")}` : empty;
    // LATERAL with OFFSET 0: each segment's rows are read by an index range scan with that segment's bounds
    // (a plain join on unnest() bounds made the planner scan everything and filter).
    const from = sql`FROM unnest(${rolled.map((s) => s.grain)}::text[], ${rolled.map((s) => new Date(s.fromMs))}::timestamptz[],
        ${rolled.map((s) => new Date(s.toMs))}::timestamptz[], ${rolled.map((s) => s.bucket)}::int[]) AS r(grain, lo, hi, idx)
      CROSS JOIN LATERAL (SELECT * FROM question_rollups q
        WHERE q.grain = r.grain AND q.bucket >= r.lo AND q.bucket < r.hi ${rollupConditions(filter, choice)} OFFSET 0) q`;
    queries.push(addCounts(db, result, sql`SELECT r.idx ${key}, ${ROLLUP_MEASURES} ${from} GROUP BY r.idx ${key}`));
    if (options.latency) {
      queries.push(addBins(db, result, sql`SELECT r.idx ${key}, u.bin, sum(u.n)::bigint ${from}
        CROSS JOIN LATERAL unnest(q.latency_bins, q.latency_counts) AS u(bin, n) GROUP BY r.idx ${key}, u.bin`));
    }
  }
  if (rawSegs.length > 0) {
    const key = groupKey ? sql`, ${column(groupKey, "b")}` : empty;
    const from = sql`FROM unnest(${rawSegs.map((s) => new Date(s.fromMs))}::timestamptz[], ${rawSegs.map((s) => new Date(s.toMs))}::timestamptz[],
        ${rawSegs.map((s) => s.bucket)}::int[]) AS r(lo, hi, idx)
      CROSS JOIN LATERAL (${rawQuestions(sql`b.asked_at >= r.lo AND b.asked_at < r.hi`, filter)}) b`;
    queries.push(addCounts(db, result, sql`SELECT r.idx ${key}, ${RAW_MEASURES} ${from} GROUP BY r.idx ${key}`));
    if (options.latency) {
      queries.push(addBins(db, result, sql`SELECT r.idx ${key}, ${RAW_BIN} AS bin, count(*) ${from} WHERE b.latency_ms IS NOT NULL
        GROUP BY r.idx ${key}, bin`));
    }
  }
  await Promise.all(queries);
  return result;
}

/** The columns raw reads use, from rows in one segment (an index range scan per segment: OFFSET 0 keeps it a per-segment subquery). */
export function rawQuestions(bounds: Sql, filter: QuestionFilter): Sql {
  return sql`SELECT b.id, b.asked_at, b.user_id, b.deal_id, b.conversation_id, b.fingerprint, b.question, b.topic, b.fund, b.platform,
      b.app_version, b.outcome, b.partial, b.no_documents, b.slow, b.reasked, b.cache_hit, b.latency_ms
    FROM bot_questions b WHERE ${bounds} ${questionConditions(filter)} OFFSET 0`;
}

function slot(result: AggregateResult, idx: number, key: string | null): Totals {
  let byKey = result.get(idx);
  if (!byKey) result.set(idx, (byKey = new Map()));
  let totals = byKey.get(key);
  if (!totals) byKey.set(key, (totals = emptyTotals()));
  return totals;
}

// Rows come back as arrays (rowMode) so the measures map to COUNT_FIELDS by position.
async function addCounts(db: Queryable, result: AggregateResult, query: Sql): Promise<void> {
  const rows = await runArrays(db, query);
  for (const row of rows) {
    const hasKey = row.length === COUNT_FIELDS.length + 2;
    const totals = slot(result, Number(row[0]), hasKey ? (row[1] as string | null) : null);
    const offset = hasKey ? 2 : 1;
    COUNT_FIELDS.forEach((field, i) => {
      totals[field] += Number(row[offset + i] ?? 0);
    });
  }
}

async function addBins(db: Queryable, result: AggregateResult, query: Sql): Promise<void> {
  const rows = await runArrays(db, query);
  for (const row of rows) {
    const hasKey = row.length === 4;
    const totals = slot(result, Number(row[0]), hasKey ? (row[1] as string | null) : null);
    const bin = Number(row[hasKey ? 2 : 1]);
    totals.bins.set(bin, (totals.bins.get(bin) ?? 0) + Number(row[hasKey ? 3 : 2]));
  }
}

async function runArrays(db: Queryable, query: Sql): Promise<unknown[][]> {
  refuseNul(query);
  const res = await db.query<unknown[]>({ text: query.text, values: query.values, rowMode: "array" });
  return res.rows;
}

/**
 * Distinct users asking in each range. Unfiltered: whole UTC months from
 * question_user_months, whole days from question_user_days, whole hours
 * from question_user_hours, the rest (and any filter) from question rows;
 * distinct over the union, so a user active in several parts counts once.
 * A user's row of a bucket may come in parts not merged yet (migration
 * 0006), some negative: the user counts where the parts add up above zero.
 */
export async function countUsers(db: Queryable, ranges: readonly TimeRange[], filter: QuestionFilter, forceRaw = false): Promise<number[]> {
  const unfiltered = !forceRaw && Object.keys(filter).length === 0;
  const segments: CoverSegment[] = unfiltered
    ? coverRanges(ranges)
    : ranges.map((r, bucket) => ({ grain: "raw", fromMs: r.fromMs, toMs: r.toMs, bucket }));
  const months: CoverSegment[] = [];
  const days: CoverSegment[] = [];
  for (const s of segments.filter((x) => x.grain === "day")) {
    const m0 = monthStartAtOrAfter(s.fromMs);
    const m1 = monthStartAtOrBefore(s.toMs);
    if (m0 < m1) {
      months.push({ ...s, fromMs: m0, toMs: m1 });
      if (s.fromMs < m0) days.push({ ...s, toMs: m0 });
      if (m1 < s.toMs) days.push({ ...s, fromMs: m1 });
    } else days.push(s);
  }
  const hours = segments.filter((s) => s.grain === "hour");
  const rows = segments.filter((s) => s.grain === "raw");
  const parts: Sql[] = [];
  const dated = (list: CoverSegment[], table: "question_user_months" | "question_user_days", column: "month" | "day"): Sql =>
    sql`SELECT r.idx, t.user_id FROM unnest(${list.map((s) => isoDay(s.fromMs))}::date[], ${list.map((s) => isoDay(s.toMs))}::date[],
      ${list.map((s) => s.bucket)}::int[]) AS r(lo, hi, idx)
      CROSS JOIN LATERAL (SELECT t.user_id FROM ${raw(table)} t WHERE t.${raw(column)} >= r.lo AND t.${raw(column)} < r.hi
        GROUP BY t.${raw(column)}, t.user_id HAVING sum(t.questions) > 0 OFFSET 0) t`;
  if (months.length > 0) parts.push(dated(months, "question_user_months", "month"));
  if (days.length > 0) parts.push(dated(days, "question_user_days", "day"));
  if (hours.length > 0) {
    parts.push(sql`SELECT r.idx, t.user_id FROM unnest(${hours.map((s) => new Date(s.fromMs))}::timestamptz[], ${hours.map((s) => new Date(s.toMs))}::timestamptz[],
      ${hours.map((s) => s.bucket)}::int[]) AS r(lo, hi, idx)
      CROSS JOIN LATERAL (SELECT t.user_id FROM question_user_hours t WHERE t.hour >= r.lo AND t.hour < r.hi
        GROUP BY t.hour, t.user_id HAVING sum(t.questions) > 0 OFFSET 0) t`);
  }
  if (rows.length > 0) {
    parts.push(sql`SELECT r.idx, b.user_id FROM unnest(${rows.map((s) => new Date(s.fromMs))}::timestamptz[], ${rows.map((s) => new Date(s.toMs))}::timestamptz[],
      ${rows.map((s) => s.bucket)}::int[]) AS r(lo, hi, idx)
      CROSS JOIN LATERAL (${rawQuestions(sql`b.asked_at >= r.lo AND b.asked_at < r.hi AND b.user_id IS NOT NULL`, filter)}) b`);
  }
  const counts = ranges.map(() => 0);
  if (parts.length === 0) return counts;
  const union = parts.reduce((acc, p) => sql`${acc} UNION ALL ${p}`);
  const found = await run<{ idx: number; users: string }>(db, sql`SELECT idx, count(DISTINCT user_id) AS users FROM (${union}) u GROUP BY idx`);
  for (const r of found) counts[r.idx] = Number(r.users);
  return counts;
}

function monthStartAtOrAfter(ms: number): number {
  const d = new Date(ms);
  const start = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
  return start === ms ? ms : Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
}

function monthStartAtOrBefore(ms: number): number {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}

/** The UTC date (YYYY-MM-DD) of a time: bounds of the per-day tables. */
export function isoDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

