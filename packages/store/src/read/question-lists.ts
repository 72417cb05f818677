import { ReadError } from "./errors";
import { questionConditions } from "./filters";
import { checkFilter, checkRange, decodeCursor, encodeCursor, pageSize, type QuestionFilter, type TimeRange } from "./input";
import {
  ATTENTION_SQL, PROBLEM_CONDITION, PROBLEM_KINDS, QUESTION_COLUMNS, toBotQuestion,
  type BotQuestion, type ProblemKind, type QuestionDbRow,
} from "./question-row";
import { empty, join, run, sql, type Queryable, type Sql } from "./sql";

export interface Page<T> {
  nodes: { cursor: string; node: T }[];
  /** Rows matching over all pages, counted up to COUNT_LIMIT. */
  totalCount: number;
  /** false when there are more than COUNT_LIMIT rows (totalCount is then COUNT_LIMIT: show "10,000+"). */
  totalCountIsExact?: boolean;
  endCursor: string | null;
  hasNextPage: boolean;
}

export interface PageArgs {
  first?: number | null;
  after?: string | null;
  /** Count at most this many rows (default COUNT_LIMIT). */
  countLimit?: number;
}

/**
 * Lists count their rows only up to here: an exact count of a year of
 * problems reads millions of index entries for a number nobody needs
 * exactly ("10,000+" says it), while the page itself stays a keyset read.
 */
export const COUNT_LIMIT = 10_000;

/** count(*) of a list's rows, stopping after `limit` + 1. */
export async function limitedCount(db: Queryable, fromWhere: Sql, limit = COUNT_LIMIT): Promise<{ totalCount: number; totalCountIsExact: boolean }> {
  const rows = await run<{ n: string }>(db, sql`SELECT count(*) AS n FROM (SELECT 1 ${fromWhere} LIMIT ${limit + 1}) c`);
  const n = Number(rows[0]?.n ?? 0);
  return n > limit ? { totalCount: limit, totalCountIsExact: false } : { totalCount: n, totalCountIsExact: true };
}

/**
 * Questions with at least one of `kinds` (default: every kind), worst first
 * ("needs attention": the attention score, then newest), keyset-paged so a
 * page never repeats or skips a question when new ones arrive.
 */
export async function readProblemQuestions(
  db: Queryable,
  range: TimeRange,
  kinds: readonly ProblemKind[] | null | undefined,
  filterIn?: QuestionFilter | null,
  page: PageArgs = {},
): Promise<Page<BotQuestion>> {
  const { fromMs, toMs } = checkRange(range);
  const filter = checkFilter(filterIn);
  const chosen = kinds && kinds.length > 0 ? kinds : PROBLEM_KINDS;
  for (const k of chosen) if (!PROBLEM_KINDS.includes(k)) throw new ReadError("BAD_FILTER", `unknown problem kind "${String(k).slice(0, 40)}"`);
  // attention > 0 holds for every problem; said explicitly so the partial attention index applies.
  const where = sql`b.asked_at >= ${new Date(fromMs)} AND b.asked_at < ${new Date(toMs)} ${questionConditions(filter)}
    AND b.attention > 0 AND (${join(chosen.map((k) => PROBLEM_CONDITION[k]), " OR ")})`;
  return pageQuestions(db, where, page, "attention");
}

/** Longest search text accepted: a pasted paragraph is not a search. */
export const MAX_SEARCH_CHARS = 200;
const DEFAULT_SEARCH_SPAN_MS = 366 * 86_400_000;

/**
 * Questions whose question or answer matches `text`: full-text (stemmed
 * words, so "fee" finds "fees", in question and answer) or the literal text
 * inside the question (trigram index: "EIS" or "5%" find exact mentions).
 * Newest first. The range defaults to the last year.
 */
export async function searchQuestions(
  db: Queryable,
  text: string,
  range: Partial<TimeRange>,
  filterIn?: QuestionFilter | null,
  page: PageArgs = {},
): Promise<Page<BotQuestion> & { terms: string[] }> {
  const trimmed = text.trim();
  if (trimmed.length === 0) throw new ReadError("BAD_SEARCH", "the search text is empty");
  if (trimmed.length > MAX_SEARCH_CHARS) throw new ReadError("BAD_SEARCH", `the search text may have at most ${MAX_SEARCH_CHARS} characters`);
  const toMs = range.toMs ?? Date.now() + 86_400_000;
  const { fromMs } = checkRange({ fromMs: range.fromMs ?? toMs - DEFAULT_SEARCH_SPAN_MS, toMs });
  const filter = checkFilter(filterIn);
  const like = `%${trimmed.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const where = sql`b.asked_at >= ${new Date(fromMs)} AND b.asked_at < ${new Date(toMs)} ${questionConditions(filter)}
    AND (b.search @@ websearch_to_tsquery('english', ${trimmed}) OR b.question ILIKE ${like})`;
  const result = await pageQuestions(db, where, page, "recent");
  return { ...result, terms: searchTerms(trimmed) };
}

/** The words of a search, for highlighting matches in the UI. */
export function searchTerms(text: string): string[] {
  const words = text.toLowerCase().match(/[\p{L}\p{N}%£$€.]+/gu) ?? [];
  return [...new Set(words.filter((w) => w.length > 1 && !["or", "and", "the"].includes(w)))];
}

/** One question by id, or null; the id of an outcome joined into its question's start leads to that question. */
export async function readQuestion(db: Queryable, id: string): Promise<BotQuestion | null> {
  if (!/^-?\d{1,19}$/.test(id)) return null;
  const rows = await run<QuestionDbRow>(db, sql`SELECT ${QUESTION_COLUMNS} FROM bot_questions b
    WHERE b.id = coalesce((SELECT m.merged_into FROM bot_questions m WHERE m.id = ${id} LIMIT 1), ${id}::bigint) LIMIT 1`);
  return rows[0] ? toBotQuestion(rows[0]) : null;
}

async function pageQuestions(db: Queryable, where: Sql, page: PageArgs, order: "attention" | "recent"): Promise<Page<BotQuestion>> {
  const first = pageSize(page.first);
  const cursor = decodeCursor(page.after, ["number", "number", "string"]);
  // Worst first reads the partial index (attention DESC, asked_at DESC, id DESC); newest first the asked_at index.
  const afterCond = !cursor ? empty
    : order === "attention"
      ? sql`AND (${ATTENTION_SQL}, b.asked_at, b.id) < (${cursor[0]}::real, ${new Date(cursor[1] as number)}::timestamptz, ${cursor[2]}::bigint)`
      : sql`AND (b.asked_at, b.id) < (${new Date(cursor[1] as number)}::timestamptz, ${cursor[2]}::bigint)`;
  const orderBy = order === "attention" ? sql`${ATTENTION_SQL} DESC, b.asked_at DESC, b.id DESC` : sql`b.asked_at DESC, b.id DESC`;
  const [rows, total] = await Promise.all([
    run<QuestionDbRow & { score: number }>(db, sql`SELECT ${QUESTION_COLUMNS}, ${ATTENTION_SQL} AS score FROM bot_questions b
      WHERE ${where} ${afterCond} ORDER BY ${orderBy} LIMIT ${first + 1}`),
    limitedCount(db, sql`FROM bot_questions b WHERE ${where}`, page.countLimit),
  ]);
  const pageRows = rows.slice(0, first);
  const nodes = pageRows.map((r) => ({ cursor: encodeCursor([order === "attention" ? Number(r.score) : 0, r.asked_at.getTime(), r.id]), node: toBotQuestion(r) }));
  return {
    nodes,
    ...total,
    endCursor: nodes[nodes.length - 1]?.cursor ?? null,
    hasNextPage: rows.length > first,
  };
}
