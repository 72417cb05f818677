import type { PoolClient } from "pg";
import type { QuestionRow } from "./questions";

/**
 * How far an orphan outcome's estimated start (its time minus the bot's
 * processing time) may sit from the unfinished start it completes. The two
 * are the same moment give or take the request's overhead; a minute before
 * and five after leave room for clock skew between processes.
 */
export const SPLIT_JOIN_BEFORE_MINUTES = 1;
export const SPLIT_JOIN_AFTER_MINUTES = 5;

/**
 * Joins questions cut across two files: an unfinished start at the end of
 * one file and an orphan outcome (same request, user and deal) at the top of
 * another. The start takes the outcome's answer, latency and flags; the
 * orphan row is kept but hidden (merged_into), so re-ingesting either file
 * joins them again, in whichever order the files arrive. Only pairs
 * involving this transaction's new rows are looked at.
 *
 * Returns the times of the rows changed (their rollups follow by the triggers of migration 0006).
 */
export async function joinSplitQuestions(client: PoolClient, questions: readonly QuestionRow[]): Promise<number[]> {
  const orphans = questions.filter((q) => q.orphanOutcome);
  const starts = questions.filter((q) => q.outcome === "unfinished" && !q.orphanOutcome);
  if (orphans.length === 0 && starts.length === 0) return [];
  const { rows } = await client.query<{ asked_at: Date }>({
    name: "join-split-questions",
    text: JOIN_SQL,
    values: [
      orphans.map((q) => q.id.toString()), orphans.map((q) => new Date(q.askedAtMs)),
      starts.map((q) => q.id.toString()), starts.map((q) => new Date(q.askedAtMs)),
    ],
  });
  return rows.map((r) => r.asked_at.getTime());
}

const NEAR = `u.asked_at BETWEEN o.asked_at - interval '${SPLIT_JOIN_AFTER_MINUTES} minutes'
                          AND o.asked_at + interval '${SPLIT_JOIN_BEFORE_MINUTES} minutes'`;
const SAME_KEY = `u.request_id IS NOT DISTINCT FROM o.request_id AND u.user_id IS NOT DISTINCT FROM o.user_id
  AND u.deal_id IS NOT DISTINCT FROM o.deal_id AND u.file_id <> o.file_id`;
// An unfinished start not joined yet, or already joined to this very orphan (re-ingest).
const OPEN_START = `NOT u.orphan_outcome AND u.merged_into IS NULL
  AND ((u.outcome = 'unfinished' AND u.joined_from IS NULL) OR u.joined_from = o.id)`;
const OPEN_ORPHAN = `o.orphan_outcome AND (o.merged_into IS NULL OR o.merged_into = u.id)`;

const JOIN_SQL = `
WITH new_orphans AS (SELECT * FROM unnest($1::bigint[], $2::timestamptz[]) AS n(id, asked_at)),
new_starts AS (SELECT * FROM unnest($3::bigint[], $4::timestamptz[]) AS n(id, asked_at)),
candidates AS (
  SELECT o.id AS oid, o.asked_at AS oat, u.id AS uid, u.asked_at AS uat
  FROM new_orphans n
  JOIN bot_questions o ON o.id = n.id AND o.asked_at = n.asked_at
  JOIN bot_questions u ON ${SAME_KEY} AND ${NEAR}
  WHERE ${OPEN_START} AND ${OPEN_ORPHAN}
  UNION
  SELECT o.id, o.asked_at, u.id, u.asked_at
  FROM new_starts n
  JOIN bot_questions u ON u.id = n.id AND u.asked_at = n.asked_at
  JOIN bot_questions o ON ${SAME_KEY} AND ${NEAR}
  WHERE ${OPEN_START} AND ${OPEN_ORPHAN}
),
-- Each orphan to its nearest start, and each start to one orphan.
by_orphan AS (
  SELECT DISTINCT ON (oid) * FROM candidates ORDER BY oid, abs(extract(epoch FROM oat - uat)), uid
),
pairs AS (
  SELECT DISTINCT ON (uid) * FROM by_orphan ORDER BY uid, abs(extract(epoch FROM oat - uat)), oid
),
hidden AS (
  UPDATE bot_questions o SET merged_into = p.uid
  FROM pairs p WHERE o.id = p.oid AND o.asked_at = p.oat AND o.merged_into IS DISTINCT FROM p.uid
  RETURNING o.asked_at
),
joined AS (
  UPDATE bot_questions u SET
    joined_from = o.id, outcome = o.outcome, answer = o.answer, answered_at = o.answered_at,
    latency_ms = o.latency_ms, cache_hit = coalesce(o.cache_hit, u.cache_hit),
    document_count = coalesce(o.document_count, u.document_count), prompt_tokens = coalesce(o.prompt_tokens, u.prompt_tokens),
    model = coalesce(o.model, u.model), partial = o.partial, slow = o.slow,
    no_documents = coalesce(o.document_count, u.document_count) = 0
  FROM pairs p JOIN bot_questions o ON o.id = p.oid AND o.asked_at = p.oat
  WHERE u.id = p.uid AND u.asked_at = p.uat
  RETURNING u.asked_at
)
SELECT asked_at FROM hidden UNION ALL SELECT asked_at FROM joined`;
