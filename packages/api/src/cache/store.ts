import { Redis } from "ioredis";
import { LRUCache } from "lru-cache";
import type { Logger } from "@log-insights/config";

// Where cached results live. Both stores keep JSON text under keys that
// start with a generation number: invalidation is "move to the next
// generation", so a result computed before an ingest and stored after it
// lands under the old generation and is never read again.

export interface CacheStore {
  readonly kind: "memory" | "redis";
  /** The current generation (read once per request); null when the store cannot be reached. */
  generation(): Promise<string | null>;
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string, ttlMs: number): Promise<void>;
  /** Moves every instance sharing this store to a new generation. */
  bump(): Promise<void>;
  close(): Promise<void>;
}

export class MemoryStore implements CacheStore {
  readonly kind = "memory";
  private gen = 0;
  private readonly lru: LRUCache<string, string>;

  constructor(maxBytes: number) {
    this.lru = new LRUCache<string, string>({ maxSize: maxBytes, sizeCalculation: (v, k) => v.length + k.length, ttlAutopurge: false });
  }

  async generation(): Promise<string | null> {
    return String(this.gen);
  }

  async get(key: string): Promise<string | undefined> {
    return this.lru.get(key);
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    if (value.length + key.length > this.lru.maxSize) return;
    this.lru.set(key, value, { ttl: ttlMs });
  }

  async bump(): Promise<void> {
    this.gen++;
    this.lru.clear();
  }

  async close(): Promise<void> {
    this.lru.clear();
  }
}

export interface RedisStoreOptions {
  url: string;
  /** Key prefix shared by the instances that share a cache (default "log-insights:api"). */
  prefix?: string;
  logger: Logger;
}

/**
 * A Redis shared by several API instances. The generation is a counter key
 * (INCR on every ingest notification, by every instance: a few extra bumps
 * cost nothing), so one instance's invalidation holds for all of them, even
 * one whose own LISTEN connection missed the notification. Redis failures
 * are cache misses, never request failures.
 */
export class RedisStore implements CacheStore {
  readonly kind = "redis";
  readonly redis: Redis;
  private readonly prefix: string;
  private readonly logger: Logger;
  private lastWarnMs = 0;
  /** Errors talking to Redis (each one was served as a miss). */
  errors = 0;

  constructor(options: RedisStoreOptions) {
    this.prefix = options.prefix ?? "log-insights:api";
    this.logger = options.logger;
    this.redis = new Redis(options.url, {
      // Fail fast and fall back to the database rather than queue behind a Redis that is away.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: 2_000,
      commandTimeout: 1_000,
      retryStrategy: (times) => Math.min(times * 200, 5_000),
      lazyConnect: false,
    });
    this.redis.on("error", (err: Error) => this.warn(err));
  }

  /** Resolves once connected (or after timeoutMs, whichever is first). */
  async ready(timeoutMs = 5_000): Promise<boolean> {
    if (this.redis.status === "ready") return true;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.redis.off("ready", onReady);
        resolve(false);
      }, timeoutMs);
      const onReady = (): void => {
        clearTimeout(timer);
        resolve(true);
      };
      this.redis.once("ready", onReady);
    });
  }

  private warn(err: unknown): void {
    this.errors++;
    const now = Date.now();
    if (now - this.lastWarnMs < 30_000) return;
    this.lastWarnMs = now;
    this.logger.warn({ error: (err as Error).message }, "Redis cache unavailable; serving from the database");
  }

  private async attempt<T>(fn: () => Promise<T>, fallback: T): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      this.warn(err);
      return fallback;
    }
  }

  generation(): Promise<string | null> {
    return this.attempt<string | null>(async () => (await this.redis.get(`${this.prefix}:gen`)) ?? "0", null);
  }

  get(key: string): Promise<string | undefined> {
    return this.attempt(async () => (await this.redis.get(`${this.prefix}:r:${key}`)) ?? undefined, undefined);
  }

  set(key: string, value: string, ttlMs: number): Promise<void> {
    return this.attempt(async () => {
      await this.redis.set(`${this.prefix}:r:${key}`, value, "PX", ttlMs);
    }, undefined);
  }

  bump(): Promise<void> {
    return this.attempt(async () => {
      await this.redis.incr(`${this.prefix}:gen`);
    }, undefined);
  }

  async close(): Promise<void> {
    try {
      await this.redis.quit();
    } catch {
      this.redis.disconnect();
    }
  }
}
