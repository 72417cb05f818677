/**
 * `npm run bench:api`: throughput and latency of the GraphQL API under a
 * dashboard's load, and what access control costs. 50 concurrent clients,
 * each loading the dashboard's panels one after the other (overview,
 * question counts, answer times, topics, fund and platform breakdowns,
 * problem questions, common questions, knowledge gaps, ingestion), against
 * a generated dataset, in one run:
 *
 * - cache off, in memory, and in Redis when one is reachable;
 * - for each, access control OFF (the baseline: bench/open-server.ts, the
 *   API built exactly as src/main.ts builds it but with the handler's
 *   `openAccessForBenchmarks`, which no environment variable can set), then
 *   ON with a bearer API token, then ON with a session cookie (the Redis
 *   config: off and token only). The token and the person are admins, made
 *   in the bench database with createToken / addUser + createSession: the
 *   Ingestion panel is admin-only, and a viewer would get errors.
 *
 * Each row is a fresh API process (`npm run api`'s src/main.ts, or the
 * baseline's entry), so the load generator (autocannon) does not share its
 * event loop and no row inherits another's warm cache. Every panel is
 * first sent once and checked (no GraphQL errors, the right principal, and
 * an anonymous request refused with 401 when access control is on, served
 * when off), then loaded for 2 s unmeasured (a warm-up). The per-caller
 * limits are raised in the API's environment
 * (API_RATE_LIMIT_PER_MINUTE=10000000, API_MAX_CONCURRENT=1000; the
 * defaults, 1,200 a minute and 12 at once per token or session, would
 * throttle 50 connections sharing one token): the bench measures the cost
 * of the checks, not the limits. Any 429 still counts as an error, with its
 * own column. Errors = connection errors + timeouts + non-2xx + GraphQL
 * errors in 2xx bodies. The "vs off" columns divide by the same cache
 * config's baseline row. With --rounds N every row runs N times (the rows
 * of a cache config in a rotated order each round) and each figure is the
 * median: on a small or busy machine one round's ratios are mostly noise;
 * the load average is printed before and after. The data is VACUUM
 * ANALYZEd after the ingest. Prints figures only.
 *
 * Uses DATABASE_URL when set (a fresh database is created and dropped),
 * else the embedded PostgreSQL.
 *
 *   npm run bench:api -- [--days 30] [--sessions-per-day 150] [--seconds 10] [--connections 50] [--rounds 1]
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import { Redis } from "ioredis";
import { addUser, createSession, createToken, DEFAULT_POLICY, sessionCookieName } from "@log-insights/auth";
import { createLogger } from "@log-insights/config";
import { createPool, databaseUrlFor, migrate, openDatabase, withAdminClient } from "@log-insights/store";
import { parseSource, runIngest } from "@log-insights/ingest";
import { generateBucket } from "../../../tools/src/generate/index";
import { measureInProcess } from "./in-process";
import { panels } from "./panels";

const { values: args } = parseArgs({
  options: {
    days: { type: "string", default: "30" },
    "sessions-per-day": { type: "string", default: "150" },
    seconds: { type: "string", default: "10" },
    connections: { type: "string", default: "50" },
    rounds: { type: "string", default: "1" },
  },
});
const days = Number(args.days);
const sessionsPerDay = Number(args["sessions-per-day"]);
const seconds = Number(args.seconds);
const connections = Number(args.connections);
const rounds = Math.max(1, Math.floor(Number(args.rounds)));
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const logger = createLogger("bench", "warn");
const out = (line: string): void => void process.stdout.write(line + "\n");
const fmt = (n: number, digits = 0): string => n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
const ratio = (n: number, base: number | undefined): string => (base && Number.isFinite(n / base) ? `${(n / base).toFixed(2)}x` : "-");

const HOUR = 3_600_000;
const WARMUP_SECONDS = 2;
const END = new Date(Math.floor(Date.now() / HOUR) * HOUR);

/** The per-caller limits in the API's environment: high enough that 50 connections on one token are never throttled. */
const UNTHROTTLED = { API_RATE_LIMIT_PER_MINUTE: "10000000", API_MAX_CONCURRENT: "1000" };

/** The API's entry: `npm run api`'s, or the baseline's (access control off: bench/open-server.ts). */
const ENTRIES = {
  api: path.join(repoRoot, "packages/api/src/main.ts"),
  open: path.join(repoRoot, "packages/api/bench/open-server.ts"),
};

type Access = "off" | "token" | "session";

/** One row's figures (latencies in ms). */
interface Row {
  rps: number;
  p50: number;
  p97_5: number;
  p99: number;
  max: number;
  errors: number;
  tooMany: number;
  hitRate: number | null;
  detail: string;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length === 0 ? NaN : s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

async function startApi(entry: string, env: Record<string, string>): Promise<{ url: string; child: ChildProcess; log(): string; stop(): Promise<void> }> {
  const child = spawn(process.execPath, ["--import", "tsx", entry], {
    cwd: repoRoot,
    env: { ...process.env, LOG_LEVEL: "info", PORT: "0", HOST: "127.0.0.1", NODE_ENV: "production", ...UNTHROTTLED, ...env },
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
  return { url, child, log: () => stderr, stop: async () => { child.kill("SIGTERM"); await exited; } };
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
    // Statistics and visibility maps now, not from autovacuum during the first rows.
    await pool.query("VACUUM (ANALYZE)");
    out(`machine: ${availableParallelism()} cores, Node ${process.version}, PostgreSQL ${server.embedded ? "embedded" : "DATABASE_URL"}, load average ${loadavg().map((l) => l.toFixed(1)).join(" ")} before the load`);
    out(`data: ${days} days x ${sessionsPerDay} sessions/day up to ${END.toISOString()}: ${fmt(summary.files.ingested)} files, ${fmt(summary.entries.stored)} entries, `
      + `${fmt(summary.questions)} questions (generated in ${genSeconds.toFixed(1)} s, ingested in ${((performance.now() - t0) / 1000).toFixed(1)} s; truth: ${fmt(truth.questionsTotal)} questions)`);

    // The callers of the access-on rows, made as `npm run tokens -- create` and `npm run users -- add` + a sign-in would.
    // Admins: the Ingestion panel is admin-only.
    const { token } = await createToken(pool, { name: "bench:api", role: "admin", createdBy: { kind: "system", label: "bench:api" } });
    const person = await addUser(pool, { email: "bench-api@example.com", role: "admin", createdBy: "bench:api" });
    const session = await createSession(pool, person.id, "password", DEFAULT_POLICY);
    const credentials: Record<Access, Record<string, string>> = {
      off: {},
      token: { authorization: `Bearer ${token}` },
      session: { cookie: `${sessionCookieName(false)}=${session.secret}` },
    };
    const principalKind: Record<Access, string> = { off: "token", token: "token", session: "user" };

    const only = process.env.BENCH_API_PANELS?.split(",");
    const requests = panels(END.getTime()).filter((p) => !only || only.includes(p.name));
    out(`load: ${connections} concurrent clients for ${seconds} s each (after a ${WARMUP_SECONDS} s warm-up), every client loading the ${requests.length} dashboard panels in turn `
      + `(${requests.map((r) => r.name).join(", ")}); the API in production mode, statement timeout 5 s, a fresh API process per row`);
    out(`access: off = the baseline (bench/open-server.ts: openAccessForBenchmarks, every request an admin, no checks); `
      + `token = an admin API token (Authorization: Bearer); session = an admin's session cookie; who is asking is cached 5 s per token or session (the default)`);
    out(`limits: API_RATE_LIMIT_PER_MINUTE=${UNTHROTTLED.API_RATE_LIMIT_PER_MINUTE}, API_MAX_CONCURRENT=${UNTHROTTLED.API_MAX_CONCURRENT} in the API's environment `
      + `(defaults 1,200/min and 12 at once per caller would throttle ${connections} connections on one token); 429s still count as errors`);
    const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
    const caches: { name: string; env: Record<string, string>; access: Access[] }[] = [
      { name: "off", env: { API_CACHE_TTL_SECONDS: "0" }, access: ["off", "token", "session"] },
      { name: "memory", env: { API_CACHE_TTL_SECONDS: "300" }, access: ["off", "token", "session"] },
    ];
    const redis = await redisReachable(redisUrl);
    if (redis) caches.push({ name: "redis", env: { API_CACHE_TTL_SECONDS: "300", REDIS_URL: redisUrl }, access: ["off", "token"] });
    const notes: string[] = redis ? [] : [`(no Redis at ${redisUrl}: the Redis rows are left out)`];

    /** One row: a fresh API process, checked, then under load. */
    const runRow = async (cache: (typeof caches)[number], access: Access): Promise<Row> => {
      if (cache.name === "redis") await redisReachable(redisUrl); // flushes it: no row starts with another's results
      const api = await startApi(access === "off" ? ENTRIES.open : ENTRIES.api, { DATABASE_URL: url, ...cache.env });
      const headers = { "content-type": "application/json", ...credentials[access] };
      try {
        // Checked first: access control on or off as the row says, the right caller, and each panel once without
        // errors (a benchmark of error responses would measure nothing).
        const post = (body: unknown, h: Record<string, string>) => fetch(`${api.url}/graphql`, { method: "POST", headers: h, body: JSON.stringify(body) });
        const anonymous = await post({ query: "{ me { kind } }" }, { "content-type": "application/json" });
        await anonymous.arrayBuffer();
        if (anonymous.status !== (access === "off" ? 200 : 401)) throw new Error(`${cache.name}/${access}: an anonymous request got ${anonymous.status}`);
        const me = (await (await post({ query: "{ me { kind role } }" }, headers)).json()) as { data?: { me: { kind: string; role: string } } };
        if (me.data?.me.role.toLowerCase() !== "admin" || me.data.me.kind !== principalKind[access]) throw new Error(`${cache.name}/${access}: served as ${JSON.stringify(me)}`);
        for (const p of requests) {
          const res = await post({ query: p.query, variables: p.variables }, headers);
          const body = (await res.json()) as { errors?: unknown[] };
          if (res.status !== 200 || body.errors) throw new Error(`${cache.name}/${access} ${p.name}: ${res.status} ${JSON.stringify(body.errors)}`);
        }
        // GraphQL errors (a statement timeout, say) come back with status 200: count them from the bodies.
        let graphqlErrors = 0;
        let measuring = false;
        const onResponse = (status: number, body: string): void => {
          if (measuring && status >= 200 && status < 300 && body.includes('"errors"')) graphqlErrors++;
        };
        const load = (duration: number) => autocannon({
          url: `${api.url}/graphql`,
          connections,
          duration,
          requests: requests.map((p) => ({
            method: "POST" as const,
            path: "/graphql",
            headers,
            body: JSON.stringify({ query: p.query, variables: p.variables }),
            onResponse,
          })),
        });
        // A warm-up under the same load, not measured: the fresh process's JIT, pools and (cache on) the cache.
        const warm = await load(WARMUP_SECONDS);
        if (warm.errors + warm.timeouts + warm.non2xx > 0) notes.push(`(${cache.name}/${access} warm-up: ${warm.errors} connection errors, ${warm.timeouts} timeouts, ${warm.non2xx} non-2xx)`);
        measuring = true;
        const result = await load(seconds);
        const metrics = await (await fetch(`${api.url}/metrics`, { headers: credentials[access] })).text();
        const hitRate = /^log_insights_api_cache_hit_rate (\S+)$/m.exec(metrics)?.[1];
        const codes = Object.entries(result.statusCodeStats ?? {}).map(([code, c]) => `${code}: ${c.count ?? 0}`).join(", ");
        return {
          rps: result.requests.average,
          p50: result.latency.p50,
          p97_5: result.latency.p97_5,
          p99: result.latency.p99,
          max: result.latency.max,
          errors: result.errors + result.timeouts + result.non2xx + graphqlErrors,
          tooMany: result.statusCodeStats?.["429"]?.count ?? 0,
          hitRate: hitRate && hitRate !== "Nan" && hitRate !== "NaN" ? Number(hitRate) : null,
          detail: `${result.errors} connection errors, ${result.timeouts} timeouts, ${result.non2xx} non-2xx [${codes}], ${graphqlErrors} GraphQL errors`,
        };
      } catch (err) {
        const cause = (err as { cause?: unknown }).cause;
        throw new Error(`${cache.name}/${access}: ${(err as Error).message}${cause ? ` (${String(cause)})` : ""}; `
          + `the API ${api.child.exitCode === null ? "is running" : `exited with ${api.child.exitCode}`}; its log ends:\n${api.log().slice(-3000)}`, { cause: err });
      } finally {
        await api.stop();
      }
    };

    // Rounds: the rows of a cache config in a rotated order each round (whoever goes first meets the coldest
    // database), each figure the median over the rounds, errors summed.
    const results = new Map<string, Row[]>();
    for (let round = 0; round < rounds; round++) {
      for (const cache of caches) {
        const k = round % cache.access.length;
        for (const access of [...cache.access.slice(k), ...cache.access.slice(0, k)]) {
          const row = await runRow(cache, access);
          const key = `${cache.name}/${access}`;
          results.set(key, [...(results.get(key) ?? []), row]);
          if (rounds > 1) process.stderr.write(`round ${round + 1}/${rounds} ${key}: ${fmt(row.rps)} req/s, p99 ${fmt(row.p99)} ms\n`);
        }
      }
    }

    out(`rounds: ${rounds}${rounds > 1 ? " (each figure the median over the rounds, the rows of a cache config in a rotated order each round; errors summed)" : ""}; `
      + `load average ${loadavg().map((l) => l.toFixed(1)).join(" ")} after the run (other processes on the machine skew the figures)`);
    out("");
    out("| cache | access | requests/s | req/s vs off | dashboards/s | p50 ms | p97.5 ms | p99 ms | p99 vs off | max ms | errors | of which 429 | hit rate |");
    out("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for (const cache of caches) {
      const rowsOf = (access: Access) => results.get(`${cache.name}/${access}`) ?? [];
      const baseline = rowsOf("off");
      const baseRps = median(baseline.map((r) => r.rps));
      const baseP99 = median(baseline.map((r) => r.p99));
      for (const access of cache.access) {
        const rows = rowsOf(access);
        const m = (f: (r: Row) => number) => median(rows.map(f));
        const errors = rows.reduce((n, r) => n + r.errors, 0);
        const tooMany = rows.reduce((n, r) => n + r.tooMany, 0);
        const hits = rows.flatMap((r) => (r.hitRate === null ? [] : [r.hitRate]));
        const rps = m((r) => r.rps);
        const p99 = m((r) => r.p99);
        out(`| ${cache.name} | ${access === "off" ? "off (baseline)" : access} | ${fmt(rps)} | ${ratio(rps, baseRps)} | ${fmt(rps / requests.length, 1)} | ${fmt(m((r) => r.p50))} | `
          + `${fmt(m((r) => r.p97_5))} | ${fmt(p99)} | ${ratio(p99, baseP99)} | ${fmt(m((r) => r.max))} | ${fmt(errors)} | ${fmt(tooMany)} | `
          + `${hits.length > 0 ? `${fmt(median(hits) * 100, 1)}%` : "-"} |`);
        for (const r of rows) if (r.errors > 0) notes.push(`(${cache.name}/${access}: ${r.detail})`);
      }
    }
    for (const n of notes) out(n);

    // The same comparison inside one process (bench/in-process.ts): no process-to-process variation.
    const inProcess = await measureInProcess(pool, token, requests, { rounds: Math.max(3, rounds), requestsPerRound: 6_000, callers: connections });
    const base = median(inProcess[0]!.requestsPerSecond);
    out("");
    out(`in one process (handler.fetch, ${connections} concurrent callers, cache in memory, modes alternating; median of ${inProcess[0]!.requestsPerSecond.length} rounds of 6,000 requests):`);
    out("");
    out("| access | requests/s | vs off | each round |");
    out("| --- | ---: | ---: | --- |");
    for (const row of inProcess) {
      const rps = median(row.requestsPerSecond);
      out(`| ${row.mode === "off" ? "off (baseline)" : row.mode} | ${fmt(rps)} | ${ratio(rps, base)} | ${row.requestsPerSecond.map((r) => fmt(r)).join(", ")} |`);
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
