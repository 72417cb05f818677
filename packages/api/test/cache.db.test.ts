import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "@log-insights/store/testing";
import { createLogger } from "@log-insights/config";
import { count, generatedBucket, ingest } from "../../ingest/test/support/harness";
import type { ApiHandler } from "../src/handler";
import { readsData, testApi } from "./support/access";
import { data, iso } from "./support/api";
import { authedFetch, metric, post, startApiProcess, until, type ApiProcess } from "./support/process";
import { tokenFor } from "./support/access";

// The cache: results per query and arguments, dropped when an ingest commits
// (PostgreSQL NOTIFY, heard by every instance, across processes), shared
// through Redis when REDIS_URL is set.

const END = Date.parse("2026-10-29T00:00:00Z");
const DAY = 86_400_000;
const DAYS = 5;
const vars = { from: iso(END - DAYS * DAY), to: iso(END) };
const OVERVIEW = `query Headline($from: DateTime!, $to: DateTime!) { overview(from: $from, to: $to) { questions answered previous { questions } } }`;
const silent = createLogger("test", "silent");
const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

async function redisUp(): Promise<boolean> {
  const r = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 1_000, retryStrategy: () => null });
  try {
    await r.connect();
    return (await r.ping()) === "PONG";
  } catch {
    return false;
  } finally {
    r.disconnect();
  }
}
const hasRedis = await redisUp();
if (!hasRedis && process.env.CI) throw new Error(`CI needs Redis at ${REDIS_URL} for the shared-cache tests`);
if (!hasRedis) process.stderr.write(`cache.db.test.ts: no Redis at ${REDIS_URL}: the Redis tests are skipped\n`);

describe("result cache", () => {
  let token = "";
  const authed: typeof fetch = (input, init) => authedFetch(token)(input, init);
  let db: TestDatabase;
  let bucket: { dir: string; cleanup(): Promise<void> };
  let day = 0;
  /** Ingests the next day of the bucket (the first call: the first day). */
  const ingestNextDay = async (): Promise<void> => {
    const sinceMs = END - DAYS * DAY + day * DAY;
    day++;
    await ingest(db.pool, bucket.dir, { filter: { sinceMs, untilMs: sinceMs + DAY } });
  };
  const questions = () => count(db.pool, "SELECT count(*) AS n FROM bot_questions WHERE merged_into IS NULL");

  beforeAll(async () => {
    db = await createTestDatabase();
    token = await tokenFor(db.pool);
    bucket = await generatedBucket({ seed: 41, days: DAYS, sessionsPerDay: 15, end: new Date(END) });
    await ingestNextDay();
  });
  afterAll(async () => {
    await db?.drop();
    await bucket?.cleanup();
  });

  it("in memory: hits for the same query and arguments, misses for others, dropped on ingest, expired after the TTL", async () => {
    const api = testApi({ pool: db.pool, logger: silent, cache: { ttlSeconds: 300 } });
    const short = testApi({ pool: db.pool, logger: silent, listen: false, cache: { ttlSeconds: 1 } });
    const off = testApi({ pool: db.pool, logger: silent, listen: false, cache: false });
    try {
      await api.started;
      const first = await data(api, OVERVIEW, vars);
      expect(first.overview.questions).toBe(await questions());
      expect(await data(api, OVERVIEW, vars)).toEqual(first);
      // Same arguments in another order and with null filter fields: the same key.
      await data(api, `query($from: DateTime!, $to: DateTime!) { overview(to: $to, from: $from, filter: { fund: null }) { questions } }`, vars);
      await data(api, OVERVIEW, { ...vars, from: iso(END - DAY) });
      let m = await api.metrics.text();
      expect(metric(m, "log_insights_api_cache_hits_total", 'field="overview"')).toBe(2);
      expect(metric(m, "log_insights_api_cache_misses_total", 'field="overview"')).toBe(2);
      expect(metric(m, "log_insights_api_cache_hit_rate")).toBeCloseTo(0.5, 9);
      expect(api.metrics.hitRate).toBeCloseTo(0.5, 9);

      // An ingest commits: the NOTIFY drops the cached results, the next answer has the new questions.
      await ingestNextDay();
      await until(async () => metric(await api.metrics.text(), "log_insights_api_cache_invalidations_total") >= 1, 10_000, "the invalidation");
      const after = await data(api, OVERVIEW, vars);
      expect(after.overview.questions).toBe(await questions());
      expect(after.overview.questions).toBeGreaterThan(first.overview.questions);
      m = await api.metrics.text();
      expect(metric(m, "log_insights_api_cache_misses_total", 'field="overview"')).toBe(3);

      // TTL: a 1-second cache misses again after 1 s.
      await data(short, OVERVIEW, vars);
      await data(short, OVERVIEW, vars);
      await new Promise((r) => setTimeout(r, 1_100));
      await data(short, OVERVIEW, vars);
      m = await short.metrics.text();
      expect(metric(m, "log_insights_api_cache_hits_total", 'field="overview"')).toBe(1);
      expect(metric(m, "log_insights_api_cache_misses_total", 'field="overview"')).toBe(2);

      // Off: never a hit.
      await data(off, OVERVIEW, vars);
      await data(off, OVERVIEW, vars);
      expect(metric(await off.metrics.text(), "log_insights_api_cache_hits_total", 'field="overview"')).toBe(0);
    } finally {
      await api.close();
      await short.close();
      await off.close();
    }
  });

  it("two API processes sharing the database: one ingest's NOTIFY drops the cached results in both", async () => {
    const env = { DATABASE_URL: db.url, API_CACHE_TTL_SECONDS: "600" };
    const procs: ApiProcess[] = await Promise.all([startApiProcess(env), startApiProcess(env)]);
    try {
      const before = await questions();
      for (const p of procs) {
        expect((await post(p.url, OVERVIEW, vars, token)).data.overview.questions).toBe(before);
        expect((await post(p.url, OVERVIEW, vars, token)).data.overview.questions).toBe(before);
        const m = await (await authed(`${p.url}/metrics`)).text();
        expect(metric(m, "log_insights_api_cache_hits_total", 'field="overview"')).toBe(1);
        expect(metric(m, "log_insights_api_requests_total", 'operation="Headline",outcome="ok"')).toBe(2);
      }
      await ingestNextDay();
      const now = await questions();
      expect(now).toBeGreaterThan(before);
      for (const p of procs) {
        await until(async () => metric(await (await authed(`${p.url}/metrics`)).text(), "log_insights_api_cache_invalidations_total") >= 1, 10_000, `invalidation in ${p.url}`);
        expect((await post(p.url, OVERVIEW, vars, token)).data.overview.questions).toBe(now);
        const m = await (await authed(`${p.url}/metrics`)).text();
        expect(metric(m, "log_insights_api_cache_misses_total", 'field="overview"')).toBe(2);
      }
    } finally {
      const exits = await Promise.all(procs.map((p) => p.stop()));
      for (const e of exits) expect(e.code).toBe(0);
    }
  });

  describe.skipIf(!hasRedis)("Redis", () => {
    const prefix = `log-insights-test:${randomBytes(4).toString("hex")}`;
    afterAll(async () => {
      const r = new Redis(REDIS_URL);
      const keys = await r.keys(`${prefix}:*`);
      if (keys.length > 0) await r.del(...keys);
      r.disconnect();
    });

    it("instances share results, and one instance's invalidation (the generation key) holds for all", async () => {
      let queriesOfB = 0;
      const countedPool = new Proxy(db.pool, {
        get(target, prop, receiver) {
          if (prop === "query") return (...args: unknown[]) => (readsData(args[0]) && queriesOfB++, (target.query as (...a: unknown[]) => unknown)(...args));
          const v = Reflect.get(target, prop, receiver) as unknown;
          return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
        },
      });
      const cache = { ttlSeconds: 300, redisUrl: REDIS_URL, redisPrefix: prefix };
      // A listens for ingests; B does not, so B only learns of the ingest through Redis.
      const a: ApiHandler = testApi({ pool: db.pool, logger: silent, cache });
      const b: ApiHandler = testApi({ pool: countedPool, logger: silent, cache, listen: false });
      try {
        await Promise.all([a.started, b.started]);
        const fromA = await data(a, OVERVIEW, vars);
        queriesOfB = 0;
        const fromB = await data(b, OVERVIEW, vars);
        expect(fromB).toEqual(fromA);
        expect(queriesOfB).toBe(0);
        expect(metric(await b.metrics.text(), "log_insights_api_cache_hits_total", 'field="overview"')).toBe(1);
        const ready = await (await b.fetch(new Request("http://api.test/readyz"))).json();
        expect(ready).toMatchObject({ status: "ready", cache: "redis" });

        // Every kind of result survives the trip through Redis unchanged.
        const page = `query($from: DateTime!, $to: DateTime!) { problemQuestions(from: $from, to: $to, first: 5) { edges { node { id askedAt signals logEntries { id data } } } }
          questionCounts(from: $from, to: $to, interval: DAY) { start count } }`;
        expect(await data(b, page, vars)).toEqual(await data(a, page, vars));

        await ingestNextDay();
        await until(async () => metric(await a.metrics.text(), "log_insights_api_cache_invalidations_total") >= 1, 10_000, "A's invalidation");
        const now = await questions();
        queriesOfB = 0;
        expect((await data(b, OVERVIEW, vars)).overview.questions).toBe(now);
        expect(queriesOfB).toBeGreaterThan(0);
        expect(metric(await b.metrics.text(), "log_insights_api_cache_invalidations_total")).toBe(0);
      } finally {
        await a.close();
        await b.close();
      }
    });

    it("a Redis that cannot be reached is a cache miss, not an error", async () => {
      const api = testApi({ pool: db.pool, logger: silent, listen: false, cache: { redisUrl: "redis://127.0.0.1:1", redisPrefix: prefix } });
      try {
        const d = await data(api, OVERVIEW, vars);
        expect(d.overview.questions).toBe(await questions());
        const ready = await api.fetch(new Request("http://api.test/readyz"));
        expect(ready.status).toBe(200);
      } finally {
        await api.close();
      }
    });
  });
});
