import type { Pool } from "pg";
import { ensurePartitions, retentionHorizons } from "@log-insights/store";

const DAY_MS = 86_400_000;

/** Times (ms) before which retention dropped the rows of each table; null: nothing dropped. */
export interface RetentionHorizons {
  entriesMs: number | null;
  questionsMs: number | null;
}

/** Thrown inside a file's transaction when a row needs a partition that does not exist yet. */
export class MissingPartitionError extends Error {
  override name = "MissingPartitionError";
  constructor(readonly timeMs: number) {
    super(`no partition yet for ${new Date(timeMs).toISOString()}`);
  }
}

/**
 * Which time partitions exist, known in-process so that each row costs a Set
 * lookup, not a query. Partitions must be created outside a file's
 * transaction (creating one locks the parent table), so a file that meets a
 * new day is rolled back, the partitions are made, and the file is tried
 * again: rare, because a run creates the partitions for its files' key times
 * up front.
 */
export class PartitionCache {
  private days = new Set<number>();
  private months = new Set<number>();
  private horizon: RetentionHorizons = { entriesMs: null, questionsMs: null };

  constructor(private readonly pool: Pool) {}

  async load(): Promise<void> {
    const { rows } = await this.pool.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_inherits i
       JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
       WHERE p.relname IN ('log_entries', 'bot_questions')`,
    );
    for (const { name } of rows) {
      const day = /^log_entries_p(\d{4})(\d{2})(\d{2})$/.exec(name);
      if (day) this.days.add(Date.UTC(Number(day[1]), Number(day[2]) - 1, Number(day[3])) / DAY_MS);
      const month = /^bot_questions_p(\d{4})(\d{2})$/.exec(name);
      if (month) this.months.add(Number(month[1]) * 12 + Number(month[2]) - 1);
    }
    const h = await retentionHorizons(this.pool);
    this.horizon = { entriesMs: h.log_entries?.getTime() ?? null, questionsMs: h.bot_questions?.getTime() ?? null };
  }

  /** Retention horizons as of the last load: rows before them are not stored (their partitions were dropped). */
  horizons(): RetentionHorizons {
    return this.horizon;
  }

  /** Whether the day (for entries) or month (for questions) of this time has a partition. */
  has(timeMs: number, table: "log_entries" | "bot_questions"): boolean {
    if (table === "log_entries") return this.days.has(Math.floor(timeMs / DAY_MS));
    const d = new Date(timeMs);
    return this.months.has(d.getUTCFullYear() * 12 + d.getUTCMonth());
  }

  /** Throws MissingPartitionError when the day (for entries) or month (for questions) has no partition. */
  check(timeMs: number, table: "log_entries" | "bot_questions"): void {
    if (!this.has(timeMs, table)) throw new MissingPartitionError(timeMs);
  }

  /** Creates the partitions of each distinct day among these times (they may be far apart). */
  async ensureTimes(times: number[]): Promise<void> {
    const days = [...new Set(times.map((t) => Math.floor(t / DAY_MS)))].sort((a, b) => a - b);
    for (const day of days) await this.create(day * DAY_MS, day * DAY_MS);
    await this.load();
  }

  /** Creates (outside any file transaction) the partitions covering [fromMs, toMs], then refreshes. */
  async ensure(fromMs: number, toMs: number): Promise<void> {
    await this.create(fromMs, toMs);
    await this.load();
  }

  /**
   * Creating a partition waits for every open transaction on the table; when
   * a long one (a large file) holds it past the lock timeouts, the caller's
   * files are let go and retried later, like any lock wait: the error is
   * marked lock_not_available (55P03) so the worker treats it as transient.
   */
  private async create(fromMs: number, toMs: number): Promise<void> {
    try {
      await ensurePartitions(this.pool, { fromMs, toMs });
    } catch (err) {
      if (err instanceof Error && /could not lock/.test(err.message)) {
        throw Object.assign(new Error(err.message, { cause: err }), { code: "55P03" });
      }
      throw err;
    }
  }
}
