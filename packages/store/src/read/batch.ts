import { readConversation, type Conversation } from "./conversations";
import { readQuestionEntries, type LogEntry } from "./log-entries";
import { QUESTION_COLUMNS, toBotQuestion, type BotQuestion, type QuestionDbRow } from "./question-row";
import { run, sql, type Queryable } from "./sql";

// Batch readers for DataLoader: one query for many ids, so nested GraphQL
// fields (a page of questions each asking for its conversation) never fan out
// into one query per row.

const ID = /^-?\d{1,19}$/;

/** Questions by id (an outcome joined into its question's start leads to that question); missing ids are absent from the map. */
export async function readQuestionsByIds(db: Queryable, ids: readonly string[]): Promise<Map<string, BotQuestion>> {
  const valid = [...new Set(ids.filter((id) => ID.test(id)))];
  const out = new Map<string, BotQuestion>();
  if (valid.length === 0) return out;
  const rows = await run<QuestionDbRow & { asked_for: string }>(db, sql`
    SELECT r.id::text AS asked_for, ${QUESTION_COLUMNS}
    FROM unnest(${valid}::bigint[]) AS r(id)
    CROSS JOIN LATERAL (SELECT coalesce((SELECT m.merged_into FROM bot_questions m WHERE m.id = r.id LIMIT 1), r.id) AS target) t
    JOIN LATERAL (SELECT * FROM bot_questions b WHERE b.id = t.target LIMIT 1) b ON true`);
  for (const r of rows) out.set(r.asked_for, toBotQuestion(r));
  return out;
}

/** Conversations with their questions, by id, in two queries whatever the number of ids. */
export async function readConversationsByIds(db: Queryable, ids: readonly string[]): Promise<Map<string, Conversation>> {
  const valid = [...new Set(ids.filter((id) => ID.test(id)))];
  const out = new Map<string, Conversation>();
  if (valid.length === 0) return out;
  if (valid.length === 1) {
    const one = await readConversation(db, valid[0]!);
    if (one) out.set(one.id, one);
    return out;
  }
  const convs = await run<{ id: string; user_id: string | null; deal_id: string | null; started_at: Date; ended_at: Date; question_count: number; problem_count: number }>(
    db, sql`SELECT * FROM conversations WHERE id = ANY(${valid}::bigint[])`);
  if (convs.length === 0) return out;
  const lo = new Date(Math.min(...convs.map((c) => c.started_at.getTime())));
  const hi = new Date(Math.max(...convs.map((c) => c.ended_at.getTime())));
  const questions = await run<QuestionDbRow>(db, sql`SELECT ${QUESTION_COLUMNS} FROM bot_questions b
    WHERE b.conversation_id = ANY(${convs.map((c) => c.id)}::bigint[]) AND b.asked_at >= ${lo} AND b.asked_at <= ${hi} AND b.merged_into IS NULL
    ORDER BY b.asked_at, b.id`);
  const byConv = new Map<string, BotQuestion[]>();
  for (const q of questions) {
    const list = byConv.get(q.conversation_id!) ?? [];
    list.push(toBotQuestion(q));
    byConv.set(q.conversation_id!, list);
  }
  for (const c of convs) {
    const qs = byConv.get(c.id) ?? [];
    out.set(c.id, {
      id: c.id,
      userId: c.user_id === null ? null : Number(c.user_id),
      dealId: c.deal_id,
      startedAtMs: c.started_at.getTime(),
      endedAtMs: c.ended_at.getTime(),
      questionCount: c.question_count,
      problemCount: c.problem_count,
      firstQuestion: qs[0]?.text ?? null,
      questions: qs,
    });
  }
  return out;
}

/** Log lines of several questions (each as readQuestionEntries). */
export async function readQuestionEntriesByIds(db: Queryable, ids: readonly string[]): Promise<Map<string, LogEntry[]>> {
  const out = new Map<string, LogEntry[]>();
  const valid = [...new Set(ids)];
  const lists = await Promise.all(valid.map((id) => readQuestionEntries(db, id)));
  valid.forEach((id, i) => out.set(id, lists[i]!));
  return out;
}
