import { createHash } from "node:crypto";

/**
 * The same JSON for the same value whatever the key order, with undefined
 * and null fields dropped (an absent filter field and a null one mean the
 * same to the readers), so that equal arguments make equal cache keys.
 */
export function stableJson(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (Array.isArray(value)) return `[${value.map(stableJson).join(",")}]`;
  if (typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined && v !== null)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/** A short key for a reader call: the field, then a hash of its arguments. */
export function cacheKey(field: string, args: unknown): string {
  const digest = createHash("sha1").update(stableJson(args)).digest("base64url");
  return `${field}:${digest}`;
}
