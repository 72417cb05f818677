import client from "prom-client";
import type { Logger } from "@log-insights/config";
import { readIngestionStatus, type Queryable } from "@log-insights/store";

// Prometheus metrics of one API instance, in its own registry (two instances
// in one process, as in the tests, never share counters).

const MAX_OPERATIONS = 200;
const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

export class ApiMetrics {
  readonly registry = new client.Registry();
  readonly requests: client.Counter<"operation" | "outcome">;
  readonly duration: client.Histogram<"operation">;
  readonly cacheHits: client.Counter<"field">;
  readonly cacheMisses: client.Counter<"field">;
  readonly cacheInvalidations: client.Counter;
  private readonly operations = new Set<string>();
  private hits = 0;
  private misses = 0;

  constructor(db: Queryable, logger: Logger, options: { defaultMetrics?: boolean } = {}) {
    const registers = [this.registry];
    this.requests = new client.Counter({
      name: "log_insights_api_requests_total",
      help: "GraphQL requests by operation name and outcome (ok: no errors in the result).",
      labelNames: ["operation", "outcome"],
      registers,
    });
    this.duration = new client.Histogram({
      name: "log_insights_api_request_duration_seconds",
      help: "GraphQL request latency by operation name (to the response headers; for subscriptions, the opening).",
      labelNames: ["operation"],
      buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.cacheHits = new client.Counter({ name: "log_insights_api_cache_hits_total", help: "Reader results served from the cache.", labelNames: ["field"], registers });
    this.cacheMisses = new client.Counter({ name: "log_insights_api_cache_misses_total", help: "Reader results read from the database.", labelNames: ["field"], registers });
    this.cacheInvalidations = new client.Counter({
      name: "log_insights_api_cache_invalidations_total",
      help: "Cache generations dropped (an ingest committed, or the notification connection came back).",
      registers,
    });
    const hitRate: client.Gauge = new client.Gauge({
      name: "log_insights_api_cache_hit_rate",
      help: "Cache hits over hits and misses since the process started (NaN before the first lookup).",
      registers,
      collect: () => hitRate.set(this.hitRate ?? Number.NaN),
    });
    // One read of the ledger per scrape, shared by the two gauges (prom-client collects them concurrently).
    let status: { at: number; read: Promise<Awaited<ReturnType<typeof readIngestionStatus>> | null> } | null = null;
    const ingestion = () => {
      if (!status || Date.now() - status.at > 1_000) {
        status = {
          at: Date.now(),
          read: readIngestionStatus(db).catch((err: unknown) => {
            logger.warn({ error: (err as Error).message }, "metrics: could not read the ingestion status");
            return null;
          }),
        };
      }
      return status.read;
    };
    new client.Gauge({
      name: "log_insights_ingest_files",
      help: "Files in the ingest ledger by status.",
      labelNames: ["status"],
      registers,
      async collect() {
        const s = await ingestion();
        if (s) for (const [status_, n] of Object.entries(s.files)) this.set({ status: status_ }, n);
      },
    });
    new client.Gauge({
      name: "log_insights_ingest_lag_seconds",
      help: "How far the newest stored log entry is behind now (NaN when nothing is stored).",
      registers,
      async collect() {
        const s = await ingestion();
        if (s) this.set(s.lagSeconds ?? Number.NaN);
      },
    });
    if (options.defaultMetrics) client.collectDefaultMetrics({ register: this.registry });
  }

  /** A bounded label: named operations as they are, at most MAX_OPERATIONS of them. */
  operationLabel(name: string | null | undefined): string {
    if (!name) return "anonymous";
    if (!NAME.test(name)) return "invalid";
    if (this.operations.has(name)) return name;
    if (this.operations.size >= MAX_OPERATIONS) return "other";
    this.operations.add(name);
    return name;
  }

  hit(field: string): void {
    this.hits++;
    this.cacheHits.inc({ field });
  }

  miss(field: string): void {
    this.misses++;
    this.cacheMisses.inc({ field });
  }

  get hitRate(): number | null {
    const total = this.hits + this.misses;
    return total > 0 ? this.hits / total : null;
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}
