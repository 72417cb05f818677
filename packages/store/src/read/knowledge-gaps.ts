import { coverRanges, TOPICS_BY_ID, type TopicId } from "@log-insights/logs";
import { rawQuestions } from "./aggregate";
import { checkRange, decodeCursor, encodeCursor, pageSize, type TimeRange } from "./input";
import { run, sql, type Queryable, type Sql } from "./sql";

/** A fund and topic the bot could not answer from the deal documents. */
export interface KnowledgeGap {
  id: string;
  fund: string | null;
  topic: string | null;
  topicLabel: string;
  /** Hedged answers ("the documents do not say"), partial ones included. */
  hedged: number;
  partial: number;
  /** All questions about this fund and topic. */
  questions: number;
  /** hedged / questions. */
  hedgedShare: number;
  lastAskedAtMs: number | null;
  /** The latest hedged questions, newest first. */
  examples: { id: string; text: string; askedAtMs: number }[];
  /** One sentence for the deals team. */
  summary: string;
}

export interface KnowledgeGapPage {
  gaps: KnowledgeGap[];
  totalCount: number;
  endCursor: string | null;
  hasNextPage: boolean;
}

/**
 * Hedged answers grouped by fund and topic, most frequent first: which
 * documents the deals team should add. Counts come from the fund x topic day
 * rollups and question rows at the edges; examples from the question rows.
 */
export async function readKnowledgeGaps(
  db: Queryable,
  range: TimeRange,
  page: { first?: number | null; after?: string | null } = {},
): Promise<KnowledgeGapPage> {
  const { fromMs, toMs } = checkRange(range);
  const first = pageSize(page.first);
  const after = decodeCursor(page.after, ["number", "nullable-string", "nullable-string"]);
  const segments = coverRanges([{ fromMs, toMs }]);
  const days = segments.filter((s) => s.grain === "day");
  const rows = segments.filter((s) => s.grain !== "day");
  const parts: Sql[] = [];
  if (days.length > 0) {
    parts.push(sql`SELECT q.fund, q.topic, q.hedged::bigint AS hedged, q.partial::bigint AS partial, q.questions::bigint AS questions
      FROM unnest(${days.map((s) => new Date(s.fromMs))}::timestamptz[], ${days.map((s) => new Date(s.toMs))}::timestamptz[]) AS r(lo, hi)
      CROSS JOIN LATERAL (SELECT * FROM question_rollups q WHERE q.grain = 'day' AND q.dimset = 3 AND q.bucket >= r.lo AND q.bucket < r.hi OFFSET 0) q`);
  }
  if (rows.length > 0) {
    parts.push(sql`SELECT b.fund, b.topic, count(*) FILTER (WHERE b.outcome = 'hedged') AS hedged, count(*) FILTER (WHERE b.partial) AS partial,
        count(*) AS questions
      FROM unnest(${rows.map((s) => new Date(s.fromMs))}::timestamptz[], ${rows.map((s) => new Date(s.toMs))}::timestamptz[]) AS r(lo, hi)
      CROSS JOIN LATERAL (${rawQuestions(sql`b.asked_at >= r.lo AND b.asked_at < r.hi`, {})}) b GROUP BY b.fund, b.topic`);
  }
  const union = parts.reduce((acc, p) => sql`${acc} UNION ALL ${p}`);
  const found = await run<{ fund: string | null; topic: string | null; hedged: string; partial: string; questions: string }>(
    db,
    sql`SELECT fund, topic, sum(hedged) AS hedged, sum(partial) AS partial, sum(questions) AS questions
        FROM (${union}) g GROUP BY fund, topic HAVING sum(hedged) > 0`,
  );
  const all = found
    .map((r) => ({ fund: r.fund, topic: r.topic, hedged: Number(r.hedged), partial: Number(r.partial), questions: Number(r.questions) }))
    .sort((a, b) => b.hedged - a.hedged || cmp(a.fund, b.fund) || cmp(a.topic, b.topic));
  const start = after
    ? all.findIndex((g) => isAfter(g, after[0] as number, after[1] as string | null, after[2] as string | null))
    : 0;
  const slice = start < 0 ? [] : all.slice(start, start + first);
  const examples = await readExamples(db, slice, fromMs, toMs);
  const gaps = slice.map((g): KnowledgeGap => {
    const ex = examples.get(key(g.fund, g.topic)) ?? [];
    const label = TOPICS_BY_ID[g.topic as TopicId]?.label ?? g.topic ?? "Unclassified";
    return {
      id: encodeCursor([g.fund, g.topic]),
      ...g,
      topicLabel: label,
      hedgedShare: g.questions > 0 ? g.hedged / g.questions : 0,
      lastAskedAtMs: ex[0]?.askedAtMs ?? null,
      examples: ex,
      summary: gapSummary(g.hedged, g.fund, label),
    };
  });
  const last = slice[slice.length - 1];
  return {
    gaps,
    totalCount: all.length,
    endCursor: last ? encodeCursor([last.hedged, last.fund, last.topic]) : null,
    hasNextPage: start >= 0 && start + first < all.length,
  };
}

/** "Investors asked 14 times about EIS Fund fees & charges and the bot had no answer in the documents." */
export function gapSummary(times: number, fund: string | null, topicLabel: string): string {
  const what = topicLabel.toLowerCase();
  const about = fund === null ? `${what} without naming a fund` : `${fund}: ${what}`;
  return `Investors asked ${times} ${times === 1 ? "time" : "times"} about ${about}, and the bot had no answer in the documents.`;
}

function cmp(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a < b ? -1 : 1;
}

/** Strictly after the cursor position in (hedged desc, fund, topic) order. */
function isAfter(g: { hedged: number; fund: string | null; topic: string | null }, hedged: number, fund: string | null, topic: string | null): boolean {
  if (g.hedged !== hedged) return g.hedged < hedged;
  const f = cmp(g.fund, fund);
  if (f !== 0) return f > 0;
  return cmp(g.topic, topic) > 0;
}

function key(fund: string | null, topic: string | null): string {
  return `${fund ?? ""}\u0000${topic ?? ""}`;
}

async function readExamples(db: Queryable, gaps: { fund: string | null; topic: string | null }[], fromMs: number, toMs: number) {
  const out = new Map<string, { id: string; text: string; askedAtMs: number }[]>();
  if (gaps.length === 0) return out;
  const rows = await run<{ fund: string | null; topic: string | null; id: string; question: string; asked_at: Date }>(
    db,
    sql`SELECT p.fund, p.topic, e.id, e.question, e.asked_at
        FROM unnest(${gaps.map((g) => g.fund)}::text[], ${gaps.map((g) => g.topic)}::text[]) AS p(fund, topic)
        CROSS JOIN LATERAL (
          SELECT b.id, b.question, b.asked_at FROM bot_questions b
          WHERE b.outcome = 'hedged' AND b.merged_into IS NULL AND b.fund IS NOT DISTINCT FROM p.fund AND b.topic IS NOT DISTINCT FROM p.topic
            AND b.asked_at >= ${new Date(fromMs)} AND b.asked_at < ${new Date(toMs)}
          ORDER BY b.asked_at DESC LIMIT 3) e`,
  );
  for (const r of rows) {
    const k = key(r.fund, r.topic);
    const list = out.get(k) ?? [];
    list.push({ id: r.id, text: r.question, askedAtMs: r.asked_at.getTime() });
    out.set(k, list);
  }
  return out;
}
