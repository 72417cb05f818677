/**
 * bench:api's second measure of what access control costs: the API handler
 * in this process (no HTTP, no child process), 50 concurrent callers replaying
 * the dashboard's panels through `handler.fetch`, the cache in memory,
 * alternating the baseline (openAccessForBenchmarks: no gate, no field
 * roles) and the real thing (an admin's API token) round after round. Every
 * row of the HTTP bench starts a fresh API process, whose speed varies by
 * itself from one start to the next; here both share one process, one pool
 * and one warm JIT, so the difference left is what the checks cost.
 */
import type pg from "pg";
import { createLogger } from "@log-insights/config";
import { createApiHandler } from "../src/handler";
import type { Panel } from "./panels";

export interface InProcessRow { mode: "off" | "token"; requestsPerSecond: number[] }

/** Medians over `rounds` of each mode's requests per second, modes alternating. */
export async function measureInProcess(pool: pg.Pool, token: string, requests: Panel[], options: { rounds: number; requestsPerRound: number; callers: number }): Promise<InProcessRow[]> {
  const silent = createLogger("bench", "silent");
  const rows: InProcessRow[] = [{ mode: "off", requestsPerSecond: [] }, { mode: "token", requestsPerSecond: [] }];
  for (let round = 0; round < options.rounds; round++) {
    for (const row of round % 2 === 0 ? rows : [...rows].reverse()) {
      const handler = createApiHandler({
        pool, logger: silent, listen: false, production: true, cache: { ttlSeconds: 300 },
        // Limits as high as in the HTTP rows: the checks are measured, not the throttling.
        access: { limits: { perMinute: 1e9, concurrent: 1e6, subscriptions: 5 } },
        ...(row.mode === "off" ? { openAccessForBenchmarks: true } : {}),
      });
      const headers = { "content-type": "application/json", ...(row.mode === "token" ? { authorization: `Bearer ${token}` } : {}) };
      const send = async (p: Panel): Promise<void> => {
        const res = await handler.fetch(new Request("http://localhost/graphql", { method: "POST", headers, body: JSON.stringify({ query: p.query, variables: p.variables }) }));
        const text = await res.text();
        if (res.status !== 200 || text.includes('"errors"')) throw new Error(`in-process ${row.mode} ${p.name}: ${res.status} ${text.slice(0, 200)}`);
      };
      for (let i = 0; i < 3; i++) for (const p of requests) await send(p); // warm: the cache holds every panel
      let next = 0;
      const started = performance.now();
      await Promise.all(Array.from({ length: options.callers }, async () => {
        while (next < options.requestsPerRound) await send(requests[next++ % requests.length]!);
      }));
      row.requestsPerSecond.push(options.requestsPerRound / ((performance.now() - started) / 1000));
      await handler.close();
    }
  }
  return rows;
}
