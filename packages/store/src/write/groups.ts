import type pg from "pg";
import { groupQuestions, type QuestionItem } from "@log-insights/logs";

export interface RegroupResult {
  fingerprints: number;
  groups: number;
  /** false when another process was regrouping at the same moment (it does the same work). */
  ran: boolean;
  ms: number;
}

/** Fixed key of the regrouping advisory lock: one regrouping at a time across processes. */
const REGROUP_LOCK = "7316842209126419771";

/** True when a fingerprint was asked that no group holds yet. */
export async function needsRegroup(pool: pg.Pool): Promise<boolean> {
  const { rows } = await pool.query(
    `SELECT 1 FROM question_fingerprint_days fd
     WHERE NOT EXISTS (SELECT 1 FROM question_groups g WHERE g.fingerprint = fd.fingerprint) LIMIT 1`,
  );
  return rows.length > 0;
}

/**
 * Groups every distinct question text into "common questions" (near-
 * duplicates merged, @log-insights/logs groupQuestions) and stores each
 * fingerprint's group. It runs over all texts at once because the merging
 * weighs words by how rare they are across everything asked; 100,000
 * distinct texts take ~3 s. Readers count an ungrouped text as its own group
 * until the next run, so nothing waits for it.
 */
export async function regroupQuestions(pool: pg.Pool): Promise<RegroupResult> {
  const started = performance.now();
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    const lock = await client.query<{ ok: boolean }>(`SELECT pg_try_advisory_xact_lock(${REGROUP_LOCK}) AS ok`);
    if (!lock.rows[0]?.ok) {
      await client.query("ROLLBACK");
      return { fingerprints: 0, groups: 0, ran: false, ms: performance.now() - started };
    }
    const { rows } = await client.query<{ fingerprint: string; text: string; n: string; last: Date }>(
      `SELECT fingerprint, min(sample_text) AS text, sum(questions) AS n, max(last_asked_at) AS last
       FROM question_fingerprint_days GROUP BY fingerprint`,
    );
    const items: QuestionItem[] = rows.map((r) => ({ fingerprint: r.fingerprint, text: r.text, count: Number(r.n), lastAskedAtMs: r.last.getTime() }));
    const groups = groupQuestions(items);
    await client.query(`DELETE FROM question_groups`);
    const fps: string[] = [];
    const ids: string[] = [];
    const reps: string[] = [];
    for (const g of groups) {
      for (const fp of g.fingerprints) {
        fps.push(fp);
        ids.push(g.id);
        reps.push(g.representative);
      }
    }
    for (let i = 0; i < fps.length; i += 10_000) {
      await client.query(
        `INSERT INTO question_groups (fingerprint, group_id, representative)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[]) ON CONFLICT (fingerprint) DO NOTHING`,
        [fps.slice(i, i + 10_000), ids.slice(i, i + 10_000), reps.slice(i, i + 10_000)],
      );
    }
    await client.query("COMMIT");
    return { fingerprints: fps.length, groups: groups.length, ran: true, ms: performance.now() - started };
  } catch (err) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
