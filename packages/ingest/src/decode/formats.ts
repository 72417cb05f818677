import type { ObjectFormat } from "./types";

/**
 * The framing a key's name implies, or null for a key the decoder does not
 * read (such keys are listed as skipped, never opened).
 *
 * - `.json`, `.json.gz`: JSON (an array of entries, or top-level objects such
 *   as CloudWatch envelopes).
 * - `.ndjson`, `.jsonl` (optionally `.gz`): one value a line.
 * - any other `.gz` (e.g. Firehose objects): JSON framing; its content decides.
 *
 * Compression is detected from the bytes (gzip magic), never from the name.
 * Keys ending in `/` (folder markers) are not objects.
 */
export function formatOfKey(key: string): ObjectFormat | null {
  if (key.endsWith("/")) return null;
  const base = key.slice(key.lastIndexOf("/") + 1).toLowerCase();
  const gz = base.endsWith(".gz");
  const name = gz ? base.slice(0, -3) : base;
  if (name.endsWith(".ndjson") || name.endsWith(".jsonl")) return "ndjson";
  if (name.endsWith(".json")) return "json";
  if (gz && name.length > 0) return "json";
  return null;
}

/** Whether the decoder reads this key (see formatOfKey). */
export function isSupportedKey(key: string): boolean {
  return formatOfKey(key) !== null;
}
