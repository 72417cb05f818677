/**
 * `--explain`: the queries a reader sends, each with its EXPLAIN (ANALYZE,
 * BUFFERS) plan, to see where a slow reader spends its time.
 */
import type pg from "pg";
import type { Queryable } from "@log-insights/store";

interface Captured {
  text: string;
  values: unknown[];
}

/** A Queryable that forwards to `pool` and records every query it is sent. */
export function recording(pool: pg.Pool): { db: Queryable; queries: Captured[] } {
  const queries: Captured[] = [];
  const db = {
    query: (config: string | pg.QueryConfig, values?: unknown[]) => {
      const text = typeof config === "string" ? config : config.text;
      const vals = (typeof config === "string" ? values : (config.values ?? values)) ?? [];
      queries.push({ text, values: vals });
      return pool.query(config as string, values as unknown[]);
    },
  } as unknown as Queryable;
  return { db, queries };
}

/** EXPLAIN (ANALYZE, BUFFERS) of each query, as text. */
export async function explainAll(pool: pg.Pool, queries: Captured[]): Promise<string[]> {
  const out: string[] = [];
  for (const q of queries) {
    const { rows } = await pool.query<{ "QUERY PLAN": string }>({ text: `EXPLAIN (ANALYZE, BUFFERS) ${q.text}`, values: q.values });
    out.push(`${q.text.replace(/\s+/g, " ").trim()}\n  values: ${JSON.stringify(q.values).slice(0, 300)}\n${rows.map((r) => `  ${r["QUERY PLAN"]}`).join("\n")}`);
  }
  return out;
}
