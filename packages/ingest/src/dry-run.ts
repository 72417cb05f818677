import type { Pool } from "pg";
import { retentionHorizons } from "@log-insights/store";
import { isSupportedKey } from "./decode";
import type { FileFilter } from "./ledger";
import type { Source, SourceObject } from "./sources";

export interface DryRunPlan {
  seen: number;
  unsupported: number;
  files: { key: string; size: number; reason: "new" | "replaced" | "pending" | "retry" | "reprocess" }[];
}

/** What a run with these options would ingest, read-only: the source is listed, the ledger only read. */
export async function dryRun(
  pool: Pool,
  source: Source,
  filter: FileFilter,
  opts: { reprocess: boolean; retryFailed: boolean; maxAttempts: number },
): Promise<DryRunPlan> {
  const plan: DryRunPlan = { seen: 0, unsupported: 0, files: [] };
  const horizons = await retentionHorizons(pool);
  const horizonMs = Math.max(horizons.log_entries?.getTime() ?? -Infinity, horizons.bot_questions?.getTime() ?? -Infinity);
  let batch: SourceObject[] = [];
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    const { rows } = await pool.query<{ key: string; etag: string | null; status: string; attempts: number; dropped: boolean }>(
      `SELECT key, etag, status, attempts, dropped_at IS NOT NULL AS dropped FROM ingest_files WHERE source = $1 AND key = ANY($2::text[])`,
      [source.id, batch.map((o) => o.key)],
    );
    const known = new Map(rows.map((r) => [r.key, r]));
    for (const o of batch) {
      const k = known.get(o.key);
      if (o.keyTimeMs !== null && o.keyTimeMs < horizonMs) continue; // retention dropped its time range
      if (!k) plan.files.push({ key: o.key, size: o.size, reason: "new" });
      else if (k.dropped) continue;
      else if (k.etag !== o.etag) plan.files.push({ key: o.key, size: o.size, reason: "replaced" });
      else if (k.status === "pending") plan.files.push({ key: o.key, size: o.size, reason: "pending" });
      else if (opts.reprocess && k.status !== "skipped") plan.files.push({ key: o.key, size: o.size, reason: "reprocess" });
      else if (k.status === "failed" && (opts.retryFailed || k.attempts < opts.maxAttempts)) plan.files.push({ key: o.key, size: o.size, reason: "retry" });
    }
    batch = [];
  };
  for await (const o of source.list(filter)) {
    plan.seen++;
    if (!isSupportedKey(o.key)) {
      plan.unsupported++;
      continue;
    }
    batch.push(o);
    if (batch.length >= 1000) await flush();
  }
  await flush();
  return plan;
}
