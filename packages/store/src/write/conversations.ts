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
 * A question is flagged `reasked` when the same user asks a near-identical
 * question about the same deal within this many minutes: a strong sign the
 * first answer did not help. Near-identical = pg_trgm similarity of the
 * fingerprints at or above REASK_SIMILARITY, among the next five questions of
 * the conversation: 0.7 keeps "Again: what are the
 * charges?" and typo'd repeats (0.8-0.9) and leaves out the same question
 * about another fund (0.65) or "fees" vs "risks" (0.54).
 */
export const REASK_WINDOW_MINUTES = 10;
export const REASK_SIMILARITY = 0.7;

/**
 * Rebuilds the conversations touched by a transaction's questions, and the
 * `reasked` flags of their questions, in one statement for all of them. A conversation is a run of one user's questions
 * about one deal with gaps under 30 minutes; its id is the id of its first
 * question, so the result depends only on the set of questions stored, not
 * on the order files arrived in (or how often).
 *
 * Only a window around the new questions can change: it is widened to cover
 * every existing conversation within 30 minutes of them (a new question can
 * bridge two), and nothing outside it can join, because it was already more
 * than 30 minutes from all of those.
 *
 * Returns the times of the questions whose conversation or re-ask flag
 * changed (their rollups follow by the triggers of migration 0006).
 */
export async function refreshConversations(client: PoolClient, scopes: ConversationScope[]): Promise<number[]> {
  const merged = mergeScopes(scopes);
  if (merged.length === 0) return [];
  await lockConversationScopes(client, merged);
  const users = merged.map((s) => s.userId);
  const deals = merged.map((s) => s.dealId);
  const { rows } = await client.query<{ asked_at: Date }>({
    name: "conversation-refresh",
    text: REFRESH_SQL,
    values: [users, deals, merged.map((s) => new Date(s.fromMs)), merged.map((s) => new Date(s.toMs))],
  });
  return rows.map((r) => r.asked_at.getTime());
}

/**
 * Makes transactions touching the same users and deals take turns (until
 * commit), so each one sees the other's questions: needed to rebuild their
 * conversations and to join questions cut across two files stored at once
 * by two workers. Locks are taken in one fixed order, so never a deadlock;
 * taking them again in the same transaction is free.
 */
export async function lockConversationScopes(client: PoolClient, scopes: ConversationScope[]): Promise<void> {
  if (scopes.length === 0) return;
  await client.query({
    name: "conversation-locks",
    text: `SELECT pg_advisory_xact_lock(k) FROM (
             SELECT DISTINCT hashtextextended(coalesce(u::text, '') || ':' || coalesce(d, ''), 0) AS k
             FROM unnest($1::bigint[], $2::text[]) AS s(u, d)) locks ORDER BY k`,
    values: [scopes.map((s) => s.userId), scopes.map((s) => s.dealId)],
  });
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
  return [...byPair.values()];
}

const GAP = `interval '${CONVERSATION_GAP_MINUTES} minutes'`;
// Null user or deal ids (not seen in real logs) still group, by null-safe equality.
const SAME_PAIR = (a: string, b: string): string =>
  `(${a}.user_id = ${b}.user_id OR (${a}.user_id IS NULL AND ${b}.user_id IS NULL))
   AND (${a}.deal_id = ${b}.deal_id OR (${a}.deal_id IS NULL AND ${b}.deal_id IS NULL))`;

const REFRESH_SQL = `
WITH scope AS (
  SELECT * FROM unnest($1::bigint[], $2::text[], $3::timestamptz[], $4::timestamptz[]) AS s(user_id, deal_id, lo, hi)
),
win AS (
  SELECT s.user_id, s.deal_id, least(s.lo, min(c.started_at)) AS lo, greatest(s.hi, max(c.ended_at)) AS hi
  FROM scope s LEFT JOIN conversations c
    ON ${SAME_PAIR("c", "s")} AND c.ended_at >= s.lo - ${GAP} AND c.started_at <= s.hi + ${GAP}
  GROUP BY s.user_id, s.deal_id, s.lo, s.hi
),
q AS (
  SELECT b.id, b.asked_at, b.user_id, b.deal_id, b.fingerprint,
         (b.outcome <> 'answered' OR b.partial OR b.no_documents OR b.slow) AS problem,
         CASE WHEN lag(b.asked_at) OVER w IS NULL OR b.asked_at - lag(b.asked_at) OVER w >= ${GAP}
              THEN 1 ELSE 0 END AS starts
  FROM win JOIN bot_questions b
    ON ${SAME_PAIR("b", "win")} AND b.asked_at BETWEEN win.lo - ${GAP} AND win.hi + ${GAP} AND b.merged_into IS NULL
  WINDOW w AS (PARTITION BY b.user_id, b.deal_id ORDER BY b.asked_at, b.id)
),
s AS (
  SELECT q.*, sum(starts) OVER (PARTITION BY user_id, deal_id ORDER BY asked_at, id) AS session FROM q
),
firsts AS (
  SELECT s.*, first_value(id) OVER (PARTITION BY user_id, deal_id, session ORDER BY asked_at, id) AS conversation_id FROM s
),
flagged AS (
  -- Compared with the next few questions of the conversation only (window
  -- functions, no self-join): linear even when a file repeats one question
  -- thousands of times, and re-asks come within a few questions anyway.
  SELECT f.*, coalesce(
           (lead(asked_at, 1) OVER w <= asked_at + interval '${REASK_WINDOW_MINUTES} minutes'
              AND similarity(lead(fingerprint, 1) OVER w, fingerprint) >= ${REASK_SIMILARITY}) OR
           (lead(asked_at, 2) OVER w <= asked_at + interval '${REASK_WINDOW_MINUTES} minutes'
              AND similarity(lead(fingerprint, 2) OVER w, fingerprint) >= ${REASK_SIMILARITY}) OR
           (lead(asked_at, 3) OVER w <= asked_at + interval '${REASK_WINDOW_MINUTES} minutes'
              AND similarity(lead(fingerprint, 3) OVER w, fingerprint) >= ${REASK_SIMILARITY}) OR
           (lead(asked_at, 4) OVER w <= asked_at + interval '${REASK_WINDOW_MINUTES} minutes'
              AND similarity(lead(fingerprint, 4) OVER w, fingerprint) >= ${REASK_SIMILARITY}) OR
           (lead(asked_at, 5) OVER w <= asked_at + interval '${REASK_WINDOW_MINUTES} minutes'
              AND similarity(lead(fingerprint, 5) OVER w, fingerprint) >= ${REASK_SIMILARITY}), false) AS reasked
  FROM firsts f
  WINDOW w AS (PARTITION BY conversation_id ORDER BY asked_at, id)
),
c AS (
  SELECT conversation_id AS id, min(user_id) AS user_id, min(deal_id) AS deal_id,
         min(asked_at) AS started_at, max(asked_at) AS ended_at,
         count(*)::int AS question_count, count(*) FILTER (WHERE problem OR reasked)::int AS problem_count
  FROM flagged GROUP BY conversation_id
),
removed AS (
  DELETE FROM conversations o USING win
  WHERE ${SAME_PAIR("o", "win")}
    AND o.ended_at >= win.lo - ${GAP} AND o.started_at <= win.hi + ${GAP}
    AND o.id NOT IN (SELECT id FROM c)
),
upserted AS (
  INSERT INTO conversations (id, user_id, deal_id, started_at, ended_at, question_count, problem_count, updated_at)
  SELECT id, user_id, deal_id, started_at, ended_at, question_count, problem_count, now() FROM c
  ON CONFLICT (id) DO UPDATE SET started_at = excluded.started_at, ended_at = excluded.ended_at,
    question_count = excluded.question_count, problem_count = excluded.problem_count, updated_at = now()
  WHERE (conversations.started_at, conversations.ended_at, conversations.question_count, conversations.problem_count)
        IS DISTINCT FROM (excluded.started_at, excluded.ended_at, excluded.question_count, excluded.problem_count)
)
UPDATE bot_questions b SET conversation_id = flagged.conversation_id, reasked = flagged.reasked
FROM flagged
WHERE b.id = flagged.id AND b.asked_at = flagged.asked_at
  AND (b.conversation_id, b.reasked) IS DISTINCT FROM (flagged.conversation_id, flagged.reasked)
RETURNING b.asked_at`;
