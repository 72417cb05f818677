import { coverRanges } from "@log-insights/logs";
import { isoDay, rawQuestions } from "./aggregate";
import { checkFilter, checkRange, decodeCursor, encodeCursor, pageSize, type QuestionFilter, type TimeRange } from "./input";
import type { Page, PageArgs } from "./question-lists";
import { empty, run, sql, type Queryable, type Sql } from "./sql";

export interface QuestionGroupRow {
  /** "qg_..." for a stored group; "fp_..." for a text not grouped yet. */
  id: string;
  /** The group's most asked wording. */
  text: string;
  count: number;
  /** Of all questions in the range matching the filter. */
  share: number;
  hedged: number;
  firstAskedAtMs: number;
  lastAskedAtMs: number;
  /** Count in the same length of time just before: the trend. */
  previousCount: number;
}

/**
 * Common questions: near-duplicate questions counted together (groups from
 * regroupQuestions), most asked first. Whole days come from the per-day
 * text counts, the edges and any filter beyond fund and topic from the
 * question rows.
 */
export async function readCommonQuestions(
  db: Queryable,
  range: TimeRange,
  filterIn?: QuestionFilter | null,
  page: PageArgs = {},
): Promise<Page<QuestionGroupRow>> {
  const { fromMs, toMs } = checkRange(range);
  const filter = checkFilter(filterIn);
  const first = pageSize(page.first);
  const cursor = decodeCursor(page.after, ["number", "string"]);
  const afterCond = cursor ? sql`WHERE g.n < ${cursor[0]} OR (g.n = ${cursor[0]} AND g.id > ${cursor[1]})` : empty;
  const rows = await run<{ id: string; text: string; n: string; hedged: string; first: Date; last: Date; total: string; groups: string }>(
    db,
    sql`WITH g AS (${groupCounts({ fromMs, toMs }, filter)}),
        t AS (SELECT sum(n) AS total, count(*) AS groups FROM g)
        SELECT g.*, t.total, t.groups FROM g CROSS JOIN t ${afterCond} ORDER BY g.n DESC, g.id LIMIT ${first + 1}`,
  );
  const pageRows = rows.slice(0, first);
  const previous = new Map<string, number>();
  if (pageRows.length > 0) {
    const prev = await run<{ id: string; n: string }>(
      db,
      sql`SELECT g.id, g.n FROM (${groupCounts({ fromMs: fromMs - (toMs - fromMs), toMs: fromMs }, filter)}) g
          WHERE g.id = ANY(${pageRows.map((r) => r.id)}::text[])`,
    );
    for (const r of prev) previous.set(r.id, Number(r.n));
  }
  const total = Number(rows[0]?.total ?? 0);
  const nodes = pageRows.map((r) => ({
    cursor: encodeCursor([Number(r.n), r.id]),
    node: {
      id: r.id,
      text: r.text,
      count: Number(r.n),
      share: total > 0 ? Number(r.n) / total : 0,
      hedged: Number(r.hedged),
      firstAskedAtMs: r.first.getTime(),
      lastAskedAtMs: r.last.getTime(),
      previousCount: previous.get(r.id) ?? 0,
    },
  }));
  let totalCount = Number(rows[0]?.groups ?? 0);
  if (rows.length === 0 && cursor) {
    const t = await run<{ groups: string }>(db, sql`SELECT count(*) AS groups FROM (${groupCounts({ fromMs, toMs }, filter)}) g`);
    totalCount = Number(t[0]?.groups ?? 0);
  }
  return { nodes, totalCount, endCursor: nodes[nodes.length - 1]?.cursor ?? null, hasNextPage: rows.length > first };
}

/** Per group: id, text, n, hedged, first, last, over one range. */
function groupCounts(range: TimeRange, filter: QuestionFilter): Sql {
  const onlyFundTopic = filter.userId === undefined && filter.dealId === undefined && filter.platform === undefined
    && filter.appVersion === undefined && filter.outcomes === undefined;
  const segments = onlyFundTopic
    ? coverRanges([range]).map((s) => (s.grain === "hour" ? { ...s, grain: "raw" as const } : s))
    : [{ grain: "raw" as const, fromMs: range.fromMs, toMs: range.toMs, bucket: 0 }];
  const days = segments.filter((s) => s.grain === "day");
  const rows = segments.filter((s) => s.grain === "raw");
  const parts: Sql[] = [];
  if (days.length > 0) {
    const fd = sql`${filter.fund !== undefined ? sql`AND fd.fund = ${filter.fund}` : empty} ${filter.topic !== undefined ? sql`AND fd.topic = ${filter.topic}` : empty}`;
    parts.push(sql`SELECT fd.fingerprint, fd.sample_text AS text, fd.questions::bigint AS n, fd.hedged::bigint AS hedged,
        fd.first_asked_at AS first, fd.last_asked_at AS last
      FROM unnest(${days.map((s) => isoDay(s.fromMs))}::date[], ${days.map((s) => isoDay(s.toMs))}::date[]) AS r(lo, hi)
      CROSS JOIN LATERAL (SELECT * FROM question_fingerprint_days fd WHERE fd.day >= r.lo AND fd.day < r.hi ${fd} OFFSET 0) fd`);
  }
  if (rows.length > 0) {
    parts.push(sql`SELECT b.fingerprint, min(b.question) AS text, count(*) AS n, count(*) FILTER (WHERE b.outcome = 'hedged') AS hedged,
        min(b.asked_at) AS first, max(b.asked_at) AS last
      FROM unnest(${rows.map((s) => new Date(s.fromMs))}::timestamptz[], ${rows.map((s) => new Date(s.toMs))}::timestamptz[]) AS r(lo, hi)
      CROSS JOIN LATERAL (${rawQuestions(sql`b.asked_at >= r.lo AND b.asked_at < r.hi`, filter)}) b GROUP BY b.fingerprint`);
  }
  const union = parts.reduce((acc, p) => sql`${acc} UNION ALL ${p}`);
  // Per text first (few thousand rows even over a year), then per group.
  return sql`WITH f AS (
      SELECT u.fingerprint, min(u.text) AS text, sum(u.n) AS n, sum(u.hedged) AS hedged, min(u.first) AS first, max(u.last) AS last
      FROM (${union}) u GROUP BY u.fingerprint
      -- Rows of a day may come in parts not merged yet (migration 0006): a text whose parts add up to nothing was not asked.
      HAVING sum(u.n) > 0)
    SELECT coalesce(qg.group_id, 'fp_' || md5(f.fingerprint)) AS id,
      (array_agg(coalesce(qg.representative, f.text) ORDER BY f.n DESC, f.fingerprint))[1] AS text,
      sum(f.n) AS n, sum(f.hedged) AS hedged, min(f.first) AS first, max(f.last) AS last
    FROM f LEFT JOIN question_groups qg ON qg.fingerprint = f.fingerprint
    GROUP BY 1`;
}

