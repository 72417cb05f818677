import { z } from "zod";

/**
 * Every environment variable the product reads, in one schema validated
 * once: the database, the ingest, the API and dashboard. Each has a default
 * except secrets (and PORT, whose default depends on the program: 3000 for
 * `npm start`, 4000 for `npm run api`). A bad value fails with the
 * variable's name. Documented in the README and `.env.example`; a test
 * (packages/config/test/env-docs.test.ts) keeps the three in step.
 */

const boolFlag = z
  .string()
  .regex(/^(true|false|1|0|yes|no|on|off)$/i, "expected true or false")
  .transform((s) => /^(true|1|yes|on)$/i.test(s));

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

  // --- privacy (personal data at ingest; packages/logs/src/privacy)
  /** Mask emails, phone numbers, IBANs, card numbers and NI numbers in questions, answers, messages and errors before storing them. */
  PRIVACY_MASK_PII: boolFlag.default(true),
  /** Client IP addresses: `truncate` (IPv4 to /24, IPv6 to /48) or `hash` (HMAC-SHA256 with PRIVACY_IP_HASH_KEY). */
  PRIVACY_IP_MODE: z.enum(["truncate", "hash"]).default("truncate"),
  /** The key of PRIVACY_IP_MODE=hash (required then). A secret: never logged. */
  PRIVACY_IP_HASH_KEY: z.string().min(16, "use at least 16 characters").optional(),

  // --- API and dashboard
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

  // --- access (packages/auth; README "Access and privacy")
  /** Interface `npm start` and `npm run api` listen on; 0.0.0.0 (or ::) opens them to the network. */
  HOST: z.string().min(1).default("127.0.0.1"),
  /** The dashboard's address as people reach it (https://insights.example.com): SSO redirects, sign-in links, Secure cookies, the Host allow-list. */
  PUBLIC_URL: z.string().url().optional(),
  /** Host names (and host:port) requests may be addressed to, comma-separated; always includes localhost, 127.0.0.1, [::1] and PUBLIC_URL's host. */
  ALLOWED_HOSTS: list.default([]),
  /** Trust X-Forwarded-Proto / X-Forwarded-For from a reverse proxy in front (HTTPS detection, sign-in throttling by address). */
  TRUST_PROXY: boolFlag.default(false),
  /** Key for keyed hashes (sign-in addresses, erased investors); unset: a random key kept in the database. */
  AUTH_SECRET: z.string().min(32, "use at least 32 characters").optional(),
  AUTH_SESSION_IDLE_MINUTES: z.coerce.number().int().min(1).max(43_200).default(480),
  AUTH_SESSION_MAX_HOURS: z.coerce.number().int().min(1).max(8_760).default(168),
  /** Failed sign-ins of one account within AUTH_LOCKOUT_MINUTES that lock it for AUTH_LOCKOUT_MINUTES. */
  AUTH_LOCKOUT_ATTEMPTS: z.coerce.number().int().min(1).max(1_000).default(5),
  /** Failed sign-ins from one address within AUTH_LOCKOUT_MINUTES that lock it out. */
  AUTH_LOCKOUT_ADDRESS_ATTEMPTS: z.coerce.number().int().min(1).max(100_000).default(20),
  AUTH_LOCKOUT_MINUTES: z.coerce.number().int().min(1).max(1_440).default(15),
  /** How long a one-time sign-in link (npm run users -- add, npm start) stays valid. */
  AUTH_LINK_HOURS: z.coerce.number().int().min(1).max(720).default(24),
  /** Single sign-on: the provider's issuer URL (Google: https://accounts.google.com). */
  OIDC_ISSUER_URL: z.string().url().optional(),
  OIDC_CLIENT_ID: z.string().min(1).optional(),
  /** A secret: never logged. */
  OIDC_CLIENT_SECRET: z.string().min(1).optional(),
  OIDC_SCOPES: z.string().min(1).default("openid email profile"),
  /** Email domains allowed to sign in with SSO, comma-separated. */
  OIDC_ALLOWED_DOMAINS: list.default([]),
  /** The ID token claim that lists the person's groups. */
  OIDC_GROUPS_CLAIM: z.string().min(1).default("groups"),
  /** Groups allowed to sign in with SSO, comma-separated. */
  OIDC_ALLOWED_GROUPS: list.default([]),
  /** Groups whose members are admins / support; when either is set the role follows the groups at every sign-in. */
  OIDC_ADMIN_GROUPS: list.default([]),
  OIDC_SUPPORT_GROUPS: list.default([]),
  /** The role of an SSO user in no role group who has no account yet. */
  OIDC_DEFAULT_ROLE: z.enum(["viewer", "support", "admin"]).default("viewer"),
  OIDC_BUTTON_LABEL: z.string().min(1).max(60).default("Sign in with single sign-on"),
  /** API requests per minute per session or token. */
  API_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(1_200),
  /** API requests at once per session or token. */
  API_MAX_CONCURRENT: z.coerce.number().int().min(1).default(12),
  /** Open live-update streams per session or token. */
  API_MAX_SUBSCRIPTIONS: z.coerce.number().int().min(1).default(5),
  /** Largest request body accepted by the API, in KB. */
  API_MAX_BODY_KB: z.coerce.number().int().min(1).max(10_240).default(100),

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
  const problems = crossChecks(parsed.data);
  if (problems.length > 0) throw new ConfigError(`Invalid environment configuration:\n${problems.map((p) => `  ${p}`).join("\n")}`);
  return parsed.data;
}

/** Rules between variables (each message names the variables, never a value). */
function crossChecks(env: Env): string[] {
  const problems: string[] = [];
  if (env.PRIVACY_IP_MODE === "hash" && !env.PRIVACY_IP_HASH_KEY) {
    problems.push("PRIVACY_IP_HASH_KEY: required when PRIVACY_IP_MODE is hash (the secret key of the address hashes)");
  }
  if (env.OIDC_ISSUER_URL) {
    if (!env.OIDC_CLIENT_ID) problems.push("OIDC_CLIENT_ID: required with OIDC_ISSUER_URL");
    if (env.OIDC_ALLOWED_DOMAINS.length === 0 && env.OIDC_ALLOWED_GROUPS.length === 0) {
      problems.push("OIDC_ALLOWED_DOMAINS or OIDC_ALLOWED_GROUPS: set at least one with OIDC_ISSUER_URL, or anyone with an account at the provider could sign in");
    }
  }
  return problems;
}
