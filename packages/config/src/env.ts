import { z } from "zod";

/**
 * Every environment variable the product reads, in one schema validated
 * once: the database, the ingest, the API and dashboard. Each has a default
 * except secrets (and PORT, whose default depends on the program: 3000 for
 * `npm start`, 4000 for `npm run api`). A bad value fails with the
 * variable's name. Documented in the README and `.env.example`; a test
 * (packages/config/test/env-docs.test.ts) keeps the three in step.
 */

const list = z
  .string()
  .transform((s) => s.split(",").map((x) => x.trim()).filter((x) => x.length > 0));

// A retention duration's shape (the full check, e.g. at least 1 day, is
// parseRetentionDuration in packages/store/src/retention/duration.ts).
const retentionDuration = z
  .string()
  .regex(/^\s*[1-9]\d*\s*(d|days?|w|wk|weeks?|mo|mon|months?|y|yr|years?)\s*$/i, "expected a duration such as 90d, 12w, 6mo or 2y");

export const envSchema = z.object({
  // --- general
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /** HTTP port; unset: 3000 for `npm start`, 4000 for `npm run api`; 0 picks a free one. */
  PORT: z.coerce.number().int().min(0).max(65_535).optional(),

  // --- database
  /** A real PostgreSQL server; when unset an embedded one is started. */
  DATABASE_URL: z.string().url().optional(),
  /** Where the embedded PostgreSQL keeps its data (reused across runs). */
  EMBEDDED_PG_DIR: z.string().min(1).default(".data/postgres"),

  // --- ingest
  /** Default ingest source: `s3://bucket/prefix` or a folder. */
  LOGS_SOURCE: z.string().min(1).optional(),
  AWS_S3_BUCKET: z.string().min(1).optional(),
  AWS_REGION: z.string().min(1).default("us-east-1"),
  /** S3-compatible server (MinIO, LocalStack, s3rver); path-style addressing is used. */
  AWS_ENDPOINT_URL: z.string().url().optional(),
  /** A file that failed (or killed its worker) this many times is not retried without --retry-failed. */
  INGEST_MAX_ATTEMPTS: z.coerce.number().int().positive().default(3),
  /** Watch mode: seconds between two listings of the source. */
  INGEST_POLL_SECONDS: z.coerce.number().positive().default(30),

  // --- retention
  /** How long raw log entries are kept (daily partitions): `90d`, `12w`, `6mo`, `2y`; at least 1 day. */
  RETENTION_KEEP_ENTRIES: retentionDuration.default("90d"),
  /** How long question rows are kept (monthly partitions); their rollups are kept for ever. */
  RETENTION_KEEP_QUESTIONS: retentionDuration.default("2y"),

  // --- API and dashboard
  /** Interface `npm run api` listens on; unset: all of them. */
  API_HOST: z.string().min(1).optional(),
  /** Shared cache for several API instances; unset: an in-memory cache per process. */
  REDIS_URL: z.string().url().optional(),
  /** How long a cached result lives when no ingest invalidates it first; 0 turns the cache off. */
  API_CACHE_TTL_SECONDS: z.coerce.number().int().min(0).default(300),
  /** Size of the in-memory cache. */
  API_CACHE_MAX_MB: z.coerce.number().positive().default(64),
  /** Origins allowed to call the API from a browser (comma-separated); empty: none (same origin only). */
  API_CORS_ORIGINS: list.default([]),
  /** Per-statement timeout of the API's connections: no request holds the database longer. */
  API_STATEMENT_TIMEOUT_MS: z.coerce.number().int().positive().default(5_000),
  API_POOL_SIZE: z.coerce.number().int().positive().default(10),
  /** Deepest query accepted (fields nested in fields). */
  API_MAX_DEPTH: z.coerce.number().int().positive().default(8),
  /** Largest query cost accepted (see packages/api/src/protection.ts). */
  API_MAX_COST: z.coerce.number().int().positive().default(5_000),

  // --- alerts
  /** The alert rules (YAML or JSON); unset: packages/alerts/rules.default.yaml. */
  ALERT_RULES_FILE: z.string().min(1).optional(),
  /** Seconds between two evaluations of the rules by the worker. */
  ALERT_EVAL_SECONDS: z.coerce.number().int().min(5).max(86_400).default(60),
  /** A rule still firing notifies again after this many minutes (a rule's `repeat` wins). */
  ALERT_REPEAT_MINUTES: z.coerce.number().int().min(1).max(43_200).default(240),
  /** Generic JSON webhook receiving every notification (may hold a secret: never logged). */
  ALERT_WEBHOOK_URL: z.string().url().optional(),
  /** Slack incoming webhook (its path is a secret: never logged). */
  ALERT_SLACK_WEBHOOK_URL: z.string().url().optional(),
  /** Prometheus Alertmanager base URL; alerts are POSTed to /api/v2/alerts. */
  ALERTMANAGER_URL: z.string().url().optional(),
  /** The dashboard's public URL, for links in notifications; unset: no links. */
  ALERT_DASHBOARD_URL: z.string().url().optional(),
  /** Attempts to deliver a notification before it is recorded as failed. */
  ALERT_DELIVERY_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(8),
});

export type Env = z.infer<typeof envSchema>;

export class ConfigError extends Error {
  override name = "ConfigError";
}

/** Parses an environment (default: process.env); throws a ConfigError naming each bad variable. */
export function loadEnv(source: NodeJS.ProcessEnv = process.env): Env {
  // Empty strings mean "unset" (docker-compose and .env files produce them).
  // Values are never echoed: DATABASE_URL and REDIS_URL may hold passwords.
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ""));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new ConfigError(`Invalid environment configuration:\n${lines.join("\n")}`);
  }
  return parsed.data;
}
