import type { Logger } from "@log-insights/config";
import { cacheKey } from "./key";
import type { CacheStore } from "./store";

export interface CacheEvents {
  hit(field: string): void;
  miss(field: string): void;
}

/**
 * Reader results cached per field and arguments, for a TTL or until the next
 * ingest commit (invalidate()). Identical misses in flight at once share one
 * reader call. Results are stored as JSON: readers return plain data (times
 * as epoch milliseconds), so a cached result equals a fresh one.
 */
export class ResultCache {
  private readonly inflight = new Map<string, Promise<unknown>>();

  constructor(
    readonly store: CacheStore | null,
    readonly ttlMs: number,
    readonly events: CacheEvents,
    private readonly logger: Logger,
  ) {}

  get enabled(): boolean {
    return this.store !== null && this.ttlMs > 0;
  }

  /** A view for one request: the generation is read once, on first use. `partition` (the caller's role) is part of every key. */
  forRequest(partition: string): RequestCache {
    return new RequestCache(this, partition);
  }

  async invalidate(): Promise<void> {
    await this.store?.bump();
  }

  /** `partition` (the caller's role) prefixes the key, so one role's results are never served to another. */
  async load<T>(generation: Promise<string | null>, partition: string, field: string, args: unknown, read: () => Promise<T>, maxTtlMs = Infinity): Promise<T> {
    const store = this.store;
    if (!store || this.ttlMs <= 0) return read();
    const gen = await generation;
    if (gen === null) return read();
    const key = `${gen}:${partition}:${cacheKey(field, args)}`;
    const cached = await store.get(key);
    if (cached !== undefined) {
      this.events.hit(field);
      return JSON.parse(cached) as T;
    }
    this.events.miss(field);
    const pending = this.inflight.get(key);
    if (pending) return pending as Promise<T>;
    const promise = (async () => {
      const value = await read();
      try {
        await store.set(key, JSON.stringify(value), Math.min(this.ttlMs, maxTtlMs));
      } catch (err) {
        this.logger.warn({ error: (err as Error).message, field }, "could not cache a result");
      }
      return value;
    })();
    this.inflight.set(key, promise);
    try {
      return await promise;
    } finally {
      this.inflight.delete(key);
    }
  }
}

export class RequestCache {
  private gen: Promise<string | null> | undefined;

  constructor(private readonly cache: ResultCache, private readonly partition: string) {}

  /**
   * Values by id (a DataLoader's batch): the cached ones from the cache, all
   * the others with one call of the batch reader, then cached. Ids the
   * reader does not return are null (and cached as such).
   */
  async getMany<V>(field: string, ids: readonly string[], readMany: (ids: string[]) => Promise<Map<string, V>>): Promise<(V | null)[]> {
    const found = new Map<string, V | null>();
    let missing = [...ids];
    const store = this.cache.store;
    const gen = this.cache.enabled ? await (this.gen ??= store!.generation()) : null;
    const keyOf = (id: string) => `${gen}:${this.partition}:${cacheKey(field, { id })}`;
    if (store && gen !== null) {
      const cached = await Promise.all(missing.map((id) => store.get(keyOf(id))));
      missing = missing.filter((id, i) => {
        const hit = cached[i];
        if (hit === undefined) return true;
        found.set(id, JSON.parse(hit) as V | null);
        return false;
      });
      for (let i = 0; i < ids.length - missing.length; i++) this.cache.events.hit(field);
      for (let i = 0; i < missing.length; i++) this.cache.events.miss(field);
    }
    if (missing.length > 0) {
      const read = await readMany(missing);
      for (const id of missing) found.set(id, read.get(id) ?? null);
      if (store && gen !== null) await Promise.all(missing.map((id) => store.set(keyOf(id), JSON.stringify(found.get(id) ?? null), this.cache.ttlMs)));
    }
    return ids.map((id) => found.get(id) ?? null);
  }

  /** The reader's result for these arguments: from the cache, else read and cached (for at most maxTtlMs). */
  get<T>(field: string, args: unknown, read: () => Promise<T>, maxTtlMs?: number): Promise<T> {
    if (!this.cache.enabled) return read();
    this.gen ??= this.cache.store!.generation();
    return this.cache.load(this.gen, this.partition, field, args, read, maxTtlMs);
  }
}
