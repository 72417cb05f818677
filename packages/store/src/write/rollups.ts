import type { PoolClient } from "pg";
import type { Queryable } from "../read/sql";

const DAY_MS = 86_400_000;

/**
 * Rebuilds the rollups (packages/store/migrations/0002_rollups.sql) of every
 * UTC day holding one of `timesMs` from their question rows, one call per run
 * of consecutive days: the reference and the repair tool. The ingest does not
 * call it: triggers on bot_questions append each change's deltas
 * (migration 0006) and compactRollups merges them.
 */
export async function refreshRollups(client: PoolClient, timesMs: Iterable<number>): Promise<number> {
  const days = [...new Set([...timesMs].map((t) => Math.floor(t / DAY_MS)))].sort((a, b) => a - b);
  let refreshed = 0;
  for (let i = 0; i < days.length; ) {
    let j = i;
    while (j + 1 < days.length && days[j + 1] === (days[j] as number) + 1) j++;
    await client.query({
      name: "refresh-rollups",
      text: `SELECT refresh_question_rollups($1::date, $2::date)`,
      values: [isoDay(days[i] as number), isoDay(days[j] as number)],
    });
    refreshed += j - i + 1;
    i = j + 1;
  }
  return refreshed;
}

/**
 * Merges the rollup rows the triggers appended since the last merge, key by
 * key, into one row each (compact_question_rollups, migration 0006): off the
 * ingest transaction, after it commits. Readers add parts up, so answers are
 * exact before and after; merging keeps the tables small and equal to a
 * rebuild. With `wait: false` it returns null at once when another merge or a
 * rebuild is running (that one, or the next, takes the work). Returns the
 * rows written.
 */
export async function compactRollups(db: Queryable, options: { wait?: boolean } = {}): Promise<number | null> {
  const { rows } = await db.query<{ n: number }>("SELECT compact_question_rollups($1) AS n", [options.wait ?? true]);
  const n = rows[0]?.n ?? 0;
  return n < 0 ? null : n;
}

function isoDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}
