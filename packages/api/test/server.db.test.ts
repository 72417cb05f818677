import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "@log-insights/store/testing";
import { createLogger } from "@log-insights/config";
import { generatedBucket, ingest } from "../../ingest/test/support/harness";
import { CSRF_HEADER } from "../src/handler";
import { startApiServer, type ApiServer } from "../src/server";
import { iso, type Json } from "./support/api";
import { authedFetch, metric, post } from "./support/process";
import { tokenFor } from "./support/access";

// The standalone server over real HTTP: the live subscription over
// server-sent events receiving each committed ingest batch, /healthz,
// /readyz, /metrics, CORS, and a graceful close.

const END = Date.parse("2026-10-29T00:00:00Z");
const DAY = 86_400_000;
const silent = createLogger("test", "silent");
const SUBSCRIPTION = "subscription Live { dataChanged { at source files entries questions from to } }";

interface SseEvent { event: string; data: Json }

/** Reads server-sent events from a response body as they arrive. */
function sse(res: Response): { events: SseEvent[]; ended: Promise<void>; waitFor(pred: (events: SseEvent[]) => boolean, ms?: number): Promise<void> } {
  const events: SseEvent[] = [];
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  const ended = (async () => {
    for (;;) {
      const { done, value } = await reader.read().catch(() => ({ done: true, value: undefined }));
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let cut: number;
      while ((cut = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (event) events.push({ event, data: data ? JSON.parse(data) : null });
      }
    }
  })();
  return {
    events,
    ended,
    async waitFor(pred, ms = 15_000) {
      const deadline = Date.now() + ms;
      while (!pred(events)) {
        if (Date.now() > deadline) throw new Error(`timed out; events so far: ${JSON.stringify(events)}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
  };
}

describe("standalone server", () => {
  let token = "";
  const authed: typeof fetch = (input, init) => authedFetch(token)(input, init);
  let db: TestDatabase;
  let bucket: { dir: string; cleanup(): Promise<void> };
  let server: ApiServer;

  beforeAll(async () => {
    db = await createTestDatabase();
    token = await tokenFor(db.pool);
    bucket = await generatedBucket({ seed: 51, days: 2, sessionsPerDay: 15, end: new Date(END) });
    await ingest(db.pool, bucket.dir, { filter: { untilMs: END - DAY } });
    server = await startApiServer({ pool: db.pool, logger: silent, port: 0, host: "127.0.0.1", drainMs: 2_000 });
  });
  afterAll(async () => {
    await server?.close();
    await db?.drop();
    await bucket?.cleanup();
  });

  it("Subscription.dataChanged over SSE (POST and GET) receives every committed batch of an ingest", async () => {
    const viaPost = await authed(`${server.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "text/event-stream" },
      body: JSON.stringify({ query: SUBSCRIPTION }),
    });
    expect(viaPost.status).toBe(200);
    expect(viaPost.headers.get("content-type")).toMatch(/text\/event-stream/);
    // A GET a browser could send cross-site without a preflight is refused unless it carries the CSRF header (Yoga's CSRF prevention).
    const noHeader = await authed(`${server.url}/graphql?query=${encodeURIComponent(SUBSCRIPTION)}`, { headers: { accept: "text/event-stream" } });
    expect(noHeader.status).toBe(403);
    await noHeader.body?.cancel();
    const viaGet = await authed(`${server.url}/graphql?query=${encodeURIComponent(SUBSCRIPTION)}`, { headers: { accept: "text/event-stream", [CSRF_HEADER]: "1" } });
    expect(viaGet.status).toBe(200);
    const a = sse(viaPost);
    const b = sse(viaGet);
    await new Promise((r) => setTimeout(r, 100)); // both subscribed

    const summary = await ingest(db.pool, bucket.dir, { filter: { sinceMs: END - DAY } });
    expect(summary.files.ingested).toBeGreaterThan(0);
    const total = (events: SseEvent[], key: string) =>
      events.filter((e) => e.event === "next").reduce((n, e) => n + e.data.data.dataChanged[key], 0);
    for (const stream of [a, b]) {
      await stream.waitFor((events) => total(events, "files") >= summary.files.ingested);
      expect(total(stream.events, "files")).toBe(summary.files.ingested);
      expect(total(stream.events, "entries")).toBe(summary.entries.stored);
      expect(total(stream.events, "questions")).toBe(summary.questions);
      for (const e of stream.events.filter((x) => x.event === "next")) {
        const change = e.data.data.dataChanged;
        expect(Date.parse(change.at)).toBeGreaterThan(Date.now() - 60_000);
        expect(Date.parse(change.from)).toBeGreaterThanOrEqual(END - DAY - 60_000);
        expect(Date.parse(change.to)).toBeLessThanOrEqual(END);
        expect(change.source).toBeTruthy();
      }
    }
    const m = await (await authed(`${server.url}/metrics`)).text();
    expect(metric(m, "log_insights_api_requests_total", 'operation="Live",outcome="ok"')).toBe(2);
  });

  it("/healthz, /readyz and /metrics", async () => {
    const health = await authed(`${server.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: "ok" });

    const ready = await authed(`${server.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: "ready", database: "reachable", migrations: { current: true, pending: [] }, listening: true, cache: "memory" });

    await post(server.url, `query Dash { overview(from: "${iso(END - 2 * DAY)}", to: "${iso(END)}") { questions } }`, undefined, token);
    await post(server.url, `query Dash { overview(from: "${iso(END - 2 * DAY)}", to: "${iso(END)}") { questions } }`, undefined, token);
    await post(server.url, `query Broken { overview(from: "nope", to: "${iso(END)}") { questions } }`, undefined, token);
    const res = await authed(`${server.url}/metrics`);
    expect(res.headers.get("content-type")).toMatch(/text\/plain/);
    const m = await res.text();
    expect(metric(m, "log_insights_api_requests_total", 'operation="Dash",outcome="ok"')).toBe(2);
    expect(metric(m, "log_insights_api_requests_total", 'operation="Broken",outcome="error"')).toBe(1);
    expect(metric(m, "log_insights_api_request_duration_seconds_count", 'operation="Dash"')).toBe(2);
    expect(m).toMatch(/log_insights_api_request_duration_seconds_bucket\{le="0.1",operation="Dash"\} \d/);
    expect(metric(m, "log_insights_api_cache_hits_total", 'field="overview"')).toBe(1);
    expect(metric(m, "log_insights_api_cache_misses_total", 'field="overview"')).toBe(1);
    expect(metric(m, "log_insights_api_cache_hit_rate")).toBeCloseTo(0.5, 9);
    const lag = metric(m, "log_insights_ingest_lag_seconds");
    const newest = (await db.pool.query<{ t: Date }>("SELECT max(last_entry_at) AS t FROM ingest_files WHERE status = 'done'")).rows[0]!.t;
    expect(Math.abs(lag - (Date.now() - newest.getTime()) / 1000)).toBeLessThan(5);
    expect(metric(m, "log_insights_ingest_files", 'status="done"')).toBeGreaterThan(0);
  });

  it("/readyz is 503 while migrations are pending", async () => {
    const pending = await createTestDatabase();
    await pending.pool.query("DELETE FROM schema_migrations WHERE version = (SELECT max(version) FROM schema_migrations)");
    const p = await startApiServer({ pool: pending.pool, logger: silent, port: 0, host: "127.0.0.1", listen: false });
    try {
      const ready = await authedFetch(await tokenFor(pending.pool))(`${p.url}/readyz`);
      expect(ready.status).toBe(503);
      const body = (await ready.json()) as { status: string; migrations: { pending: string[] } };
      expect(body.status).toBe("migrations pending");
      expect(body.migrations.pending.length).toBe(1);
    } finally {
      await p.close();
      await pending.drop();
    }

    const bare = await createTestDatabase({ migrate: false });
    const s = await startApiServer({ pool: bare.pool, logger: silent, port: 0, host: "127.0.0.1", listen: false });
    try {
      // Not migrated: there is no table of tokens to check the caller against, so nothing but liveness answers.
      const ready = await authed(`${s.url}/readyz`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toMatchObject({ errors: [{ extensions: { code: "UNAVAILABLE" } }] });
      expect((await authed(`${s.url}/healthz`)).status).toBe(200);
    } finally {
      await s.close();
      await bare.drop();
    }
  });

  it("CORS: closed by default, open to the configured origins only", async () => {
    const preflight = (url: string, origin: string) => fetch(`${url}/graphql`, {
      method: "OPTIONS",
      headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "content-type" },
    });
    const closed = await preflight(server.url, "http://evil.example");
    expect(closed.headers.get("access-control-allow-origin")).toBeNull();
    const simple = await authed(`${server.url}/graphql`, { method: "POST", headers: { origin: "http://evil.example", "content-type": "application/json" }, body: '{"query":"{ __typename }"}' });
    expect(simple.headers.get("access-control-allow-origin")).toBeNull();

    const open = await startApiServer({ pool: db.pool, logger: silent, port: 0, host: "127.0.0.1", listen: false, corsOrigins: ["http://dash.example"] });
    try {
      const ok = await preflight(open.url, "http://dash.example");
      expect(ok.headers.get("access-control-allow-origin")).toBe("http://dash.example");
      const other = await preflight(open.url, "http://evil.example");
      expect(other.headers.get("access-control-allow-origin")).not.toBe("http://evil.example");
      expect(other.headers.get("access-control-allow-origin")).not.toBe("*");
    } finally {
      await open.close();
    }
  });

  it("close() ends live subscriptions and lets the requests in flight finish", async () => {
    const s = await startApiServer({ pool: db.pool, logger: silent, port: 0, host: "127.0.0.1", drainMs: 5_000 });
    const res = await authed(`${s.url}/graphql`, { method: "POST", headers: { "content-type": "application/json", accept: "text/event-stream" }, body: JSON.stringify({ query: SUBSCRIPTION }) });
    const stream = sse(res);
    const inFlight = post(s.url, `{ conversations(from: "${iso(END - 2 * DAY)}", to: "${iso(END)}", first: 100) { totalCount edges { node { questions { id } } } } }`, undefined, token);
    await new Promise((r) => setTimeout(r, 20));
    const started = Date.now();
    await s.close();
    expect(Date.now() - started).toBeLessThan(4_000);
    await stream.ended;
    const r = await inFlight;
    expect(r.errors).toBeUndefined();
    expect(r.data.conversations.totalCount).toBeGreaterThan(0);
    await expect(fetch(`${s.url}/healthz`)).rejects.toThrow();
  });
});
