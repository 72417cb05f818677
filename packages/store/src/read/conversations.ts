import { questionConditions } from "./filters";
import { checkFilter, checkRange, decodeCursor, encodeCursor, pageSize, type QuestionFilter, type TimeRange } from "./input";
import { limitedCount, type Page, type PageArgs } from "./question-lists";
import { QUESTION_COLUMNS, toBotQuestion, type BotQuestion, type QuestionDbRow } from "./question-row";
import { empty, run, sql, type Queryable } from "./sql";

export interface ConversationSummary {
  id: string;
  userId: number | null;
  dealId: string | null;
  startedAtMs: number;
  endedAtMs: number;
  questionCount: number;
  problemCount: number;
  /** The opening question, for the list. */
  firstQuestion: string | null;
}

export interface Conversation extends ConversationSummary {
  questions: BotQuestion[];
}

/**
 * Conversations started in a range, newest first. User and deal filter the
 * conversation; the other filters keep conversations with at least one
 * matching question.
 */
export async function readConversations(
  db: Queryable,
  range: TimeRange,
  filterIn?: QuestionFilter | null,
  page: PageArgs = {},
): Promise<Page<ConversationSummary>> {
  const { fromMs, toMs } = checkRange(range);
  const filter = checkFilter(filterIn);
  const first = pageSize(page.first);
  const cursor = decodeCursor(page.after, ["number", "string"]);
  const questionFilter = checkFilter({ ...filter, userId: null, dealId: null });
  const hasQuestionFilter = Object.keys(questionFilter).length > 0;
  const where = sql`c.started_at >= ${new Date(fromMs)} AND c.started_at < ${new Date(toMs)}
    ${filter.userId !== undefined ? sql`AND c.user_id = ${filter.userId}` : empty}
    ${filter.dealId !== undefined ? sql`AND c.deal_id = ${filter.dealId}` : empty}
    ${hasQuestionFilter
      ? sql`AND EXISTS (SELECT 1 FROM bot_questions b WHERE b.conversation_id = c.id
              AND b.asked_at >= c.started_at AND b.asked_at <= c.ended_at ${questionConditions(questionFilter)})`
      : empty}`;
  const afterCond = cursor ? sql`AND (c.started_at, c.id) < (${new Date(cursor[0] as number)}::timestamptz, ${cursor[1]}::bigint)` : empty;
  const [rows, total] = await Promise.all([
    run<ConversationDbRow>(db, sql`SELECT c.*, f.question AS first_question FROM conversations c
      LEFT JOIN LATERAL (SELECT b.question FROM bot_questions b WHERE b.id = c.id AND b.asked_at = c.started_at LIMIT 1) f ON true
      WHERE ${where} ${afterCond} ORDER BY c.started_at DESC, c.id DESC LIMIT ${first + 1}`),
    limitedCount(db, sql`FROM conversations c WHERE ${where}`, page.countLimit),
  ]);
  const nodes = rows.slice(0, first).map((r) => ({ cursor: encodeCursor([r.started_at.getTime(), r.id]), node: toSummary(r) }));
  return { nodes, ...total, endCursor: nodes[nodes.length - 1]?.cursor ?? null, hasNextPage: rows.length > first };
}

/** One conversation with its questions and answers in the order they were asked. */
export async function readConversation(db: Queryable, id: string): Promise<Conversation | null> {
  if (!/^-?\d{1,19}$/.test(id)) return null;
  const convs = await run<ConversationDbRow>(db, sql`SELECT c.*, NULL AS first_question FROM conversations c WHERE c.id = ${id}`);
  const c = convs[0];
  if (!c) return null;
  const questions = await run<QuestionDbRow>(db, sql`SELECT ${QUESTION_COLUMNS} FROM bot_questions b
    WHERE b.conversation_id = ${id} AND b.asked_at >= ${c.started_at} AND b.asked_at <= ${c.ended_at} AND b.merged_into IS NULL
    ORDER BY b.asked_at, b.id`);
  return { ...toSummary(c), firstQuestion: questions[0]?.question ?? null, questions: questions.map((q) => toBotQuestion(q)) };
}

interface ConversationDbRow {
  id: string;
  user_id: string | null;
  deal_id: string | null;
  started_at: Date;
  ended_at: Date;
  question_count: number;
  problem_count: number;
  first_question: string | null;
}

function toSummary(r: ConversationDbRow): ConversationSummary {
  return {
    id: r.id,
    userId: r.user_id === null ? null : Number(r.user_id),
    dealId: r.deal_id,
    startedAtMs: r.started_at.getTime(),
    endedAtMs: r.ended_at.getTime(),
    questionCount: r.question_count,
    problemCount: r.problem_count,
    firstQuestion: r.first_question,
  };
}
