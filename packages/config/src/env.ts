import { z } from "zod";

/**
 * Every environment variable the product reads, validated once. Each has a
 * default except secrets; a bad value fails with the variable's name.
 * Documented in the README and `.env.example`: keep the three in step.
 */
export const envSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /** A real PostgreSQL server; when unset an embedded one is started. */
  DATABASE_URL: z.string().url().optional(),
  /** Where the embedded PostgreSQL keeps its data (reused across runs). */
  EMBEDDED_PG_DIR: z.string().min(1).default(".data/postgres"),
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
});

export type Env = z.infer<typeof envSchema>;

export class ConfigError extends Error {
  override name = "ConfigError";
}

/** Parses an environment (default: process.env); throws a ConfigError naming each bad variable. */
export function loadEnv(source: NodeJS.ProcessEnv = process.env): Env {
  // Empty strings mean "unset" (docker-compose and .env files produce them).
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ""));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new ConfigError(`Invalid environment configuration:\n${lines.join("\n")}`);
  }
  return parsed.data;
}
