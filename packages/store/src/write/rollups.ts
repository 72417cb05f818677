import type { PoolClient } from "pg";

const DAY_MS = 86_400_000;

/**
 * Rebuilds the rollups (packages/store/migrations/0002_rollups.sql) of every
 * UTC day holding one of `timesMs`, one call per run of consecutive days.
 * Called in the ingest transaction after questions and conversations are
 * written, so readers never see questions without their rollups.
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

function isoDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}
