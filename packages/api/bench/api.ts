/**
 * `npm run bench:api`: throughput and latency of the GraphQL API under a
 * dashboard's load: 50 concurrent clients, each loading the dashboard's
 * panels one after the other (overview, question counts, answer times,
 * topics, fund and platform breakdowns, problem questions, common
 * questions, knowledge gaps, ingestion), against a generated dataset, with
 * the cache on (in memory), off, and in Redis when one is reachable.
 * The API runs as `npm run api` in a child process, so the load generator
 * (autocannon) does not share its event loop. Prints figures only.
 *
 * Uses DATABASE_URL when set (a fresh database is created and dropped),
 * else the embedded PostgreSQL.
 *
 *   npm run bench:api -- [--days 30] [--sessions-per-day 150] [--seconds 15] [--connections 50]
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { availableParallelism, tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import { Redis } from "ioredis";
import { createLogger } from "@log-insights/config";
import { createPool, databaseUrlFor, migrate, openDatabase, withAdminClient } from "@log-insights/store";
import { parseSource, runIngest } from "@log-insights/ingest";
import { generateBucket } from "../../../tools/src/generate/index";
import { panels } from "./panels";

const { values: args } = parseArgs({
  options: {
    days: { type: "string", default: "30" },
    "sessions-per-day": { type: "string", default: "150" },
    seconds: { type: "string", default: "15" },
    connections: { type: "string", default: "50" },
  },
});
const days = Number(args.days);
const sessionsPerDay = Number(args["sessions-per-day"]);
const seconds = Number(args.seconds);
const connections = Number(args.connections);
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const logger = createLogger("bench", "warn");
const out = (line: string): void => void process.stdout.write(line + "\n");
const fmt = (n: number, digits = 0): string => n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });

const HOUR = 3_600_000;
const END = new Date(Math.floor(Date.now() / HOUR) * HOUR);

async function startApi(env: Record<string, string>): Promise<{ url: string; child: ChildProcess; stop(): Promise<void> }> {
  const child = spawn(process.execPath, ["--import", "tsx", path.join(repoRoot, "packages/api/src/main.ts")], {
    cwd: repoRoot,
    env: { ...process.env, LOG_LEVEL: "info", PORT: "0", HOST: "127.0.0.1", NODE_ENV: "production", ...env },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr!.on("data", (d: Buffer) => {
      stderr += d.toString();
      const line = stderr.split("\n").find((l) => l.includes('"API listening"'));
      if (line) resolve(String((JSON.parse(line) as { url: string }).url).replace(/\/graphql$/, ""));
    });
    void exited.then(() => reject(new Error(`the API exited:\n${stderr}`)));
  });
  return { url, child, stop: async () => { child.kill("SIGTERM"); await exited; } };
}

async function redisReachable(url: string): Promise<boolean> {
  const r = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 1_000, retryStrategy: () => null });
  try {
    await r.connect();
    await r.flushdb().catch(() => undefined);
    return (await r.ping()) === "PONG";
  } catch {
    return false;
  } finally {
    r.disconnect();
  }
}

async function main(): Promise<void> {
  const base = await mkdtemp(path.join(tmpdir(), "li-bench-api-"));
  const bucketDir = path.join(base, "bucket");
  const server = await openDatabase({ logger });
  const dbName = `li_bench_api_${process.pid}`;
  await withAdminClient(server.url, async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${dbName}`);
    await c.query(`CREATE DATABASE ${dbName}`);
  });
  const url = databaseUrlFor(server.url, dbName);
  const pool = createPool(url, { logger, statementTimeoutMs: 0 });
  try {
    await migrate(pool, logger);
    let t0 = performance.now();
    const truth = await generateBucket({ outDir: bucketDir, days, sessionsPerDay, end: END, truthPath: null });
    const genSeconds = (performance.now() - t0) / 1000;
    t0 = performance.now();
    const source = parseSource(bucketDir, {});
    const summary = await runIngest(pool, {
      source, filter: {}, concurrency: availableParallelism(), reprocess: false, retryFailed: false, maxAttempts: 3, slowAnswerMs: 10_000, logger,
    });
    source.close?.();
    out(`machine: ${availableParallelism()} cores, Node ${process.version}, PostgreSQL ${server.embedded ? "embedded" : "DATABASE_URL"}`);
    out(`data: ${days} days x ${sessionsPerDay} sessions/day up to ${END.toISOString()}: ${fmt(summary.files.ingested)} files, ${fmt(summary.entries.stored)} entries, `
      + `${fmt(summary.questions)} questions (generated in ${genSeconds.toFixed(1)} s, ingested in ${((performance.now() - t0) / 1000).toFixed(1)} s; truth: ${fmt(truth.questionsTotal)} questions)`);

    const only = process.env.BENCH_API_PANELS?.split(",");
    const requests = panels(END.getTime()).filter((p) => !only || only.includes(p.name));
    out(`load: ${connections} concurrent clients for ${seconds} s each, every client loading the ${requests.length} dashboard panels in turn `
      + `(${requests.map((r) => r.name).join(", ")}); the API in production mode, statement timeout 5 s`);
    out("");
    out("| cache | requests/s | dashboards/s | p50 ms | p97.5 ms | p99 ms | max ms | errors | hit rate |");
    out("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");

    const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
    const modes: { name: string; env: Record<string, string> }[] = [
      { name: "off", env: { API_CACHE_TTL_SECONDS: "0" } },
      { name: "memory", env: { API_CACHE_TTL_SECONDS: "300" } },
    ];
    if (await redisReachable(redisUrl)) modes.push({ name: "redis", env: { API_CACHE_TTL_SECONDS: "300", REDIS_URL: redisUrl } });
    else out(`(no Redis at ${redisUrl}: the Redis row is left out)`);

    for (const mode of modes) {
      const api = await startApi({ DATABASE_URL: url, ...mode.env });
      try {
        // Each panel once, checked: a benchmark of error responses would measure nothing.
        for (const p of requests) {
          const res = await fetch(`${api.url}/graphql`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: p.query, variables: p.variables }) });
          const body = (await res.json()) as { errors?: unknown[] };
          if (body.errors) throw new Error(`${p.name}: ${JSON.stringify(body.errors)}`);
        }
        // GraphQL errors (a statement timeout, say) come back with status 200: count them from the bodies.
        let graphqlErrors = 0;
        const result = await autocannon({
          url: `${api.url}/graphql`,
          connections,
          duration: seconds,
          setupClient: (client) => {
            client.on("body", (body: Buffer) => {
              if (body.includes('"errors"')) graphqlErrors++;
            });
          },
          requests: requests.map((p) => ({
            method: "POST" as const,
            path: "/graphql",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ query: p.query, variables: p.variables }),
          })),
        });
        const metrics = await (await fetch(`${api.url}/metrics`)).text();
        const hitRate = /^log_insights_api_cache_hit_rate (\S+)$/m.exec(metrics)?.[1];
        const rate = hitRate && hitRate !== "Nan" && hitRate !== "NaN" ? `${fmt(Number(hitRate) * 100, 1)}%` : "-";
        const errors = result.errors + result.non2xx + result.timeouts + graphqlErrors;
        out(`| ${mode.name} | ${fmt(result.requests.average)} | ${fmt(result.requests.average / requests.length, 1)} | ${fmt(result.latency.p50)} | ${fmt(result.latency.p97_5)} | `
          + `${fmt(result.latency.p99)} | ${fmt(result.latency.max)} | ${errors} | ${rate} |`);
      } finally {
        await api.stop();
      }
    }
  } finally {
    await pool.end();
    await withAdminClient(server.url, (c) => c.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`));
    await server.close();
    await rm(base, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:api failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exitCode = 1;
});
