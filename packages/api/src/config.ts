import { z } from "zod";
import { ConfigError } from "@log-insights/config";

// The API's own settings, validated once like the rest of the environment
// (packages/config holds the shared ones: DATABASE_URL, NODE_ENV, LOG_LEVEL).
// Each has a default; a bad value stops the program with the variable's name.

const list = z
  .string()
  .transform((s) => s.split(",").map((x) => x.trim()).filter((x) => x.length > 0));

export const apiEnvSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  /** Port of the standalone server (`npm run api`); 0 picks a free one. */
  PORT: z.coerce.number().int().min(0).max(65_535).default(4000),
  /** Interface to listen on; unset: all of them. */
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
  /** Largest query cost accepted (see protection.ts: objects and reader calls, multiplied by page sizes). */
  API_MAX_COST: z.coerce.number().int().positive().default(5_000),
});

export type ApiEnv = z.infer<typeof apiEnvSchema>;

export function loadApiEnv(source: NodeJS.ProcessEnv = process.env): ApiEnv {
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ""));
  const parsed = apiEnvSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new ConfigError(`Invalid API configuration:\n${lines.join("\n")}`);
  }
  return parsed.data;
}
