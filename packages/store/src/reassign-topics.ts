import type pg from "pg";
import { classifyQuestion } from "@log-insights/logs";
import { compactRollups } from "./write/rollups";

export interface ReassignOptions {
  sinceMs?: number;
  untilMs?: number;
  /** Count what would change, change nothing. */
  dryRun?: boolean;
  batchSize?: number;
}

export interface ReassignResult {
  read: number;
  changed: number;
  byTopic: Record<string, number>;
}

/**
 * Re-classifies stored questions (topic and fund) after the taxonomy changed.
 * New questions are classified at ingest; this brings the old ones in line.
 * Walks bot_questions in (asked_at, id) order a batch at a time and rewrites
 * only the rows whose topic or fund changed; the rollups change with them
 * in the same transaction (the triggers of migration 0006: each batch moves
 * its own questions' counts, not their whole days), merged after the commit.
 */
export async function reassignTopics(pool: pg.Pool, opts: ReassignOptions = {}): Promise<ReassignResult> {
  const batchSize = opts.batchSize ?? 5_000;
  const until = new Date(opts.untilMs ?? Date.parse("9999-01-01T00:00:00Z"));
  let after: { askedAt: Date; id: string } = { askedAt: new Date(opts.sinceMs ?? 0), id: "-1" };
  const result: ReassignResult = { read: 0, changed: 0, byTopic: {} };
  for (;;) {
    const { rows } = await pool.query<{ id: string; asked_at: Date; question: string; topic: string | null; fund: string | null }>(
      `SELECT id, asked_at, question, topic, fund FROM bot_questions
       WHERE (asked_at, id) > ($1, $2::bigint) AND asked_at < $3
       ORDER BY asked_at, id LIMIT $4`,
      [after.askedAt, after.id, until, batchSize],
    );
    if (rows.length === 0) {
      if (result.changed > 0) await compactRollups(pool);
      return result;
    }
    const updates = rows.flatMap((r) => {
      const c = classifyQuestion(r.question);
      result.byTopic[c.topic] = (result.byTopic[c.topic] ?? 0) + 1;
      return c.topic === r.topic && c.fund === r.fund ? [] : [{ id: r.id, askedAt: r.asked_at, topic: c.topic, fund: c.fund }];
    });
    if (updates.length > 0 && !opts.dryRun) {
      const client = await pool.connect();
      try {
        await client.query("BEGIN");
        await client.query(
          `UPDATE bot_questions b SET topic = u.topic, fund = u.fund
           FROM unnest($1::bigint[], $2::timestamptz[], $3::text[], $4::text[]) AS u(id, asked_at, topic, fund)
           WHERE b.id = u.id AND b.asked_at = u.asked_at`,
          [updates.map((u) => u.id), updates.map((u) => u.askedAt), updates.map((u) => u.topic), updates.map((u) => u.fund)],
        );
        await client.query("COMMIT");
      } catch (err) {
        await client.query("ROLLBACK").catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
    }
    result.read += rows.length;
    result.changed += updates.length;
    const last = rows[rows.length - 1]!;
    after = { askedAt: last.asked_at, id: last.id };
  }
}
