/**
 * The API under load (issue 8, part 5): `npm run api` (production mode, its
 * in-memory cache, the default pool and statement timeout) as its own
 * process over a generated month of data, 50 concurrent clients replaying
 * the dashboard's panel queries (packages/api/bench/panels.ts) for a
 * sustained period, while the ingest CLI loads another bucket into the same
 * database (each of its commits drops the API's cache, so the load reaches
 * PostgreSQL again). Asserted: every response is 200 without errors, the
 * API's RSS after warm-up grows by less than a generous bound, the ingest
 * finishes, and the API keeps answering while it runs (no second without a
 * response). Printed, not asserted: throughput, p50/p99 latency, peak RSS,
 * the ingest's entries/s.
 *
 *   RELIABILITY_LOAD_SECONDS (default 60), RELIABILITY_LOAD_CLIENTS (50),
 *   RELIABILITY_LOAD_DAYS (30), RELIABILITY_LOAD_SESSIONS (150 per day)
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "@log-insights/store/testing";
import { generatedBucket, ingest, startCli, type CliResult } from "../../../ingest/test/support/harness";
import { panels, type Panel } from "../../bench/panels";
import { tokenFor } from "../support/access";
import { startApiProcess, type ApiProcess } from "../support/process";

const SECONDS = Number(process.env.RELIABILITY_LOAD_SECONDS ?? 60);
const CLIENTS = Number(process.env.RELIABILITY_LOAD_CLIENTS ?? 50);
const DAYS = Number(process.env.RELIABILITY_LOAD_DAYS ?? 30);
const SESSIONS = Number(process.env.RELIABILITY_LOAD_SESSIONS ?? 150);
/** RSS growth allowed after warm-up: generous (a leak of a few KB per request over a minute's ~100k requests shows well above it). */
const RSS_GROWTH_MB = 256;
const HOUR = 3_600_000;

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const fmt = (n: number, digits = 0): string => n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });

describe(`the API under ${CLIENTS} concurrent clients for ${SECONDS} s with ingestion running`, () => {
  let db: TestDatabase;
  let api: ApiProcess;
  const cleanups: (() => Promise<void>)[] = [];
  let data = "";
  let secondDir = "";
  let secondEntries = 0;
  let tokens: string[] = [];
  const headersOf = (n: number): Record<string, string> => ({ "content-type": "application/json", authorization: `Bearer ${tokens[n % tokens.length]!}` });
  const end = Math.floor(Date.now() / HOUR) * HOUR;

  beforeAll(async () => {
    db = await createTestDatabase();
    let t0 = performance.now();
    const first = await generatedBucket({ seed: 81, days: DAYS, sessionsPerDay: SESSIONS, end: new Date(end) });
    const second = await generatedBucket({ seed: 82, days: 2, sessionsPerDay: SESSIONS * 3, end: new Date(end - HOUR) });
    cleanups.push(first.cleanup, second.cleanup);
    const genSeconds = (performance.now() - t0) / 1000;
    t0 = performance.now();
    const summary = await ingest(db.pool, first.dir);
    data = `${DAYS} days x ${SESSIONS} sessions/day: ${fmt(summary.entries.stored)} entries, ${fmt(summary.questions)} questions `
      + `(generated in ${genSeconds.toFixed(1)} s, ingested in ${((performance.now() - t0) / 1000).toFixed(1)} s)`;
    secondDir = second.dir;
    secondEntries = second.truth.entries.total;
    // Each client is a person of its own (an admin token each: the ingestion panel is admin's). Their request
    // rate is a machine's, not a person's, so the per-caller limit is raised (access.db.test.ts tests the limits).
    tokens = await Promise.all(Array.from({ length: CLIENTS }, (_, n) => tokenFor(db.pool, "admin", `load client ${n}`)));
    api = await startApiProcess({ DATABASE_URL: db.url, NODE_ENV: "production", LOG_LEVEL: "info", API_RATE_LIMIT_PER_MINUTE: "1000000" });
  });
  afterAll(async () => {
    await api?.stop();
    await db?.drop();
    for (const c of cleanups) await c();
  });

  it("0 errors, bounded memory, ingestion finishes and does not stall the API", async () => {
    const requests: Panel[] = panels(end);
    const bodies = requests.map((p) => JSON.stringify({ query: p.query, variables: p.variables }));
    // Each panel once, checked, before the clock starts.
    for (const [i, body] of bodies.entries()) {
      const res = await fetch(`${api.url}/graphql`, { method: "POST", headers: headersOf(0), body });
      const text = await res.text();
      expect(res.status, requests[i]!.name).toBe(200);
      expect(text, requests[i]!.name).not.toContain('"errors"');
    }

    const pid = api.child.pid!;
    const latencies: number[] = [];
    const completedAt: number[] = [];
    const errors: string[] = [];
    let errorCount = 0;
    const rss: { t: number; mb: number }[] = [];
    const started = performance.now();
    const deadline = started + SECONDS * 1000;
    const warmupMs = Math.min(15_000, SECONDS * 250);
    const sampler = setInterval(() => rss.push({ t: performance.now() - started, mb: rssMb(pid) }), 500);

    // The ingest starts after the warm-up, into the same database, as its own process.
    let ingestRun: { done: Promise<CliResult> } | null = null;
    let ingestStart = 0;
    let ingestEnd = 0;
    const ingestTimer = setTimeout(() => {
      ingestStart = performance.now() - started;
      ingestRun = startCli([secondDir, "--json", "--concurrency", "1"], { DATABASE_URL: db.url, LOG_LEVEL: "warn" });
      void ingestRun.done.then(() => { ingestEnd = performance.now() - started; });
    }, warmupMs);

    const client = async (n: number): Promise<void> => {
      let i = n % bodies.length;
      while (performance.now() < deadline) {
        const t = performance.now();
        try {
          const res = await fetch(`${api.url}/graphql`, { method: "POST", headers: headersOf(n), body: bodies[i]! });
          const text = await res.text();
          if (res.status !== 200 || text.includes('"errors"')) {
            errorCount++;
            if (errors.length < 5) errors.push(`${requests[i]!.name}: ${res.status} ${text.slice(0, 300)}`);
          }
        } catch (err) {
          errorCount++;
          if (errors.length < 5) errors.push(`${requests[i]!.name}: ${(err as Error).message}`);
        }
        const done = performance.now();
        latencies.push(done - t);
        completedAt.push(done - started);
        i = (i + 1) % bodies.length;
      }
    };
    await Promise.all(Array.from({ length: CLIENTS }, (_, n) => client(n)));
    const elapsed = (performance.now() - started) / 1000;
    clearInterval(sampler);
    clearTimeout(ingestTimer);

    expect(ingestRun, "the load ended before the ingest started: raise RELIABILITY_LOAD_SECONDS").not.toBeNull();
    const ingestResult = await (ingestRun as unknown as { done: Promise<CliResult> }).done;
    expect(ingestResult.code, ingestResult.stderr.slice(-1500)).toBe(0);
    const ingestSummary = JSON.parse(ingestResult.stdout) as { entries: { stored: number; rejected: number }; seconds: number; questions: number };
    expect(ingestSummary.entries.stored + ingestSummary.entries.rejected).toBeGreaterThan(0);
    expect(ingestSummary.entries.stored + ingestSummary.entries.rejected).toBe(secondEntries);

    // Every response 200 without errors.
    expect(errors, `${errorCount} errors`).toEqual([]);
    expect(errorCount).toBe(0);

    // Memory: growth after warm-up.
    const afterWarmup = rss.filter((s) => s.t >= warmupMs);
    const base = afterWarmup[0]?.mb ?? rss[0]!.mb;
    const peak = Math.max(...rss.map((s) => s.mb));
    const peakAfter = Math.max(...afterWarmup.map((s) => s.mb));
    expect(peakAfter - base, `RSS ${fmt(base)} MB after warm-up, peak ${fmt(peakAfter)} MB`).toBeLessThan(RSS_GROWTH_MB);

    // The API kept answering while the ingest ran: no whole second without a completed request.
    const ingestWindowEnd = Math.min(ingestEnd || elapsed * 1000, elapsed * 1000);
    const secondsWithAnswers = new Set(completedAt.filter((t) => t >= ingestStart && t < ingestWindowEnd).map((t) => Math.floor(t / 1000)));
    const quietSeconds: number[] = [];
    for (let s = Math.ceil(ingestStart / 1000); s < Math.floor(ingestWindowEnd / 1000); s++) if (!secondsWithAnswers.has(s)) quietSeconds.push(s);
    expect(quietSeconds, "seconds during the ingest with no API response").toEqual([]);

    const sorted = [...latencies].sort((a, b) => a - b);
    const during = latencies.filter((_, k) => completedAt[k]! >= ingestStart && completedAt[k]! < ingestWindowEnd).sort((a, b) => a - b);
    const metrics = await (await fetch(`${api.url}/metrics`, { headers: headersOf(0) })).text();
    const hitRate = Number(/^log_insights_api_cache_hit_rate (\S+)$/m.exec(metrics)?.[1]);
    console.log([
      `[reliability] load: data ${data}; API: npm run api (NODE_ENV=production, in-memory cache), ${CLIENTS} clients replaying ${requests.length} dashboard panels for ${elapsed.toFixed(0)} s`,
      `[reliability] load: ${fmt(latencies.length)} requests, ${fmt(latencies.length / elapsed)} req/s, p50 ${fmt(percentile(sorted, 50))} ms, p99 ${fmt(percentile(sorted, 99))} ms, max ${fmt(sorted[sorted.length - 1] ?? 0)} ms, `
        + `${errorCount} errors, cache hit rate ${Number.isFinite(hitRate) ? `${fmt(hitRate * 100, 1)}%` : "-"}`,
      `[reliability] load: while ingesting (${fmt(ingestStart / 1000, 1)}-${fmt(ingestWindowEnd / 1000, 1)} s): ${fmt(during.length)} requests, p50 ${fmt(percentile(during, 50))} ms, p99 ${fmt(percentile(during, 99))} ms, 0 seconds without an answer`,
      `[reliability] load: API RSS ${fmt(rss[0]!.mb)} MB at start, ${fmt(base)} MB after warm-up, peak ${fmt(peak)} MB (growth after warm-up ${fmt(peakAfter - base)} MB, bound ${RSS_GROWTH_MB})`,
      `[reliability] load: concurrent ingest: ${fmt(ingestSummary.entries.stored)} entries, ${fmt(ingestSummary.questions)} questions in ${fmt(ingestSummary.seconds, 1)} s = ${fmt(ingestSummary.entries.stored / ingestSummary.seconds)} entries/s (exit 0)`,
    ].join("\n"));
  });
});
