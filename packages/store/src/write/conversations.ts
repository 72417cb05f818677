import type { PoolClient } from "pg";

/** Questions of one user about one deal, in a time span, whose conversations must be rebuilt. */
export interface ConversationScope {
  userId: number | null;
  dealId: string | null;
  fromMs: number;
  toMs: number;
}

/** Questions further apart than this start a new conversation. */
export const CONVERSATION_GAP_MINUTES = 30;

/**
 * Rebuilds the conversations touched by a file's questions, inside the
 * file's transaction. A conversation is a run of one user's questions about
 * one deal with gaps under 30 minutes; its id is the id of its first
 * question, so the result depends only on the set of questions stored, not
 * on the order files arrived in (or how often).
 *
 * Only a window around the new questions can change: it is widened to cover
 * every existing conversation within 30 minutes of them (a new question can
 * bridge two), and nothing outside it can join, because it was already more
 * than 30 minutes from all of those.
 */
export async function refreshConversations(client: PoolClient, scopes: ConversationScope[]): Promise<void> {
  const merged = mergeScopes(scopes);
  // A fixed lock order (by user and deal) keeps two workers from deadlocking.
  for (const s of merged) {
    await client.query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", [
      `conversation:${s.userId ?? ""}:${s.dealId ?? ""}`,
    ]);
    await client.query({ name: "refresh-conversations", text: REFRESH_SQL, values: [
      s.userId, s.dealId, new Date(s.fromMs).toISOString(), new Date(s.toMs).toISOString(),
    ] });
  }
}

function mergeScopes(scopes: ConversationScope[]): ConversationScope[] {
  const byPair = new Map<string, ConversationScope>();
  for (const s of scopes) {
    const k = `${s.userId ?? ""}\u0000${s.dealId ?? ""}`;
    const prev = byPair.get(k);
    if (!prev) byPair.set(k, { ...s });
    else {
      prev.fromMs = Math.min(prev.fromMs, s.fromMs);
      prev.toMs = Math.max(prev.toMs, s.toMs);
    }
  }
  return [...byPair.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, s]) => s);
}

const REFRESH_SQL = `
WITH win AS (
  SELECT least($3::timestamptz, min(c.started_at)) AS lo,
         greatest($4::timestamptz, max(c.ended_at)) AS hi
  FROM (SELECT NULL::timestamptz AS started_at, NULL::timestamptz AS ended_at
        UNION ALL
        SELECT started_at, ended_at FROM conversations
        WHERE user_id IS NOT DISTINCT FROM $1::bigint AND deal_id IS NOT DISTINCT FROM $2::text
          AND ended_at >= $3::timestamptz - interval '${CONVERSATION_GAP_MINUTES} minutes'
          AND started_at <= $4::timestamptz + interval '${CONVERSATION_GAP_MINUTES} minutes') c
),
q AS (
  SELECT b.id, b.asked_at,
         (b.outcome <> 'answered' OR b.partial OR b.no_documents OR b.slow OR b.reasked) AS problem,
         CASE WHEN lag(b.asked_at) OVER w IS NULL
                OR b.asked_at - lag(b.asked_at) OVER w >= interval '${CONVERSATION_GAP_MINUTES} minutes'
              THEN 1 ELSE 0 END AS starts
  FROM bot_questions b, win
  WHERE b.user_id IS NOT DISTINCT FROM $1::bigint AND b.deal_id IS NOT DISTINCT FROM $2::text
    AND b.asked_at BETWEEN win.lo - interval '${CONVERSATION_GAP_MINUTES} minutes'
                       AND win.hi + interval '${CONVERSATION_GAP_MINUTES} minutes'
  WINDOW w AS (ORDER BY b.asked_at, b.id)
),
s AS (SELECT q.*, sum(starts) OVER (ORDER BY asked_at, id) AS session FROM q),
c AS (
  SELECT (array_agg(id ORDER BY asked_at, id))[1] AS id, min(asked_at) AS started_at, max(asked_at) AS ended_at,
         count(*)::int AS question_count, count(*) FILTER (WHERE problem)::int AS problem_count
  FROM s GROUP BY session
),
removed AS (
  DELETE FROM conversations o USING win
  WHERE o.user_id IS NOT DISTINCT FROM $1::bigint AND o.deal_id IS NOT DISTINCT FROM $2::text
    AND o.ended_at >= win.lo - interval '${CONVERSATION_GAP_MINUTES} minutes'
    AND o.started_at <= win.hi + interval '${CONVERSATION_GAP_MINUTES} minutes'
    AND o.id NOT IN (SELECT id FROM c)
),
upserted AS (
  INSERT INTO conversations (id, user_id, deal_id, started_at, ended_at, question_count, problem_count, updated_at)
  SELECT id, $1::bigint, $2::text, started_at, ended_at, question_count, problem_count, now() FROM c
  ON CONFLICT (id) DO UPDATE SET started_at = excluded.started_at, ended_at = excluded.ended_at,
    question_count = excluded.question_count, problem_count = excluded.problem_count, updated_at = now()
  WHERE (conversations.started_at, conversations.ended_at, conversations.question_count, conversations.problem_count)
        IS DISTINCT FROM (excluded.started_at, excluded.ended_at, excluded.question_count, excluded.problem_count)
)
UPDATE bot_questions b SET conversation_id = first_ids.conversation_id
FROM (SELECT s.id, s.asked_at, first_value(s.id) OVER (PARTITION BY s.session ORDER BY s.asked_at, s.id) AS conversation_id FROM s) first_ids
WHERE b.id = first_ids.id AND b.asked_at = first_ids.asked_at
  AND b.conversation_id IS DISTINCT FROM first_ids.conversation_id`;
