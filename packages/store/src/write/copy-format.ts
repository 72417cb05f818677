/**
 * Encoding of values for PostgreSQL's COPY text format, the fastest way to
 * load rows. Text needs its backslashes, tabs, newlines and carriage returns
 * escaped; NUL cannot be stored in PostgreSQL text at all, so it is dropped.
 */

const NULL = "\\N";
// eslint-disable-next-line no-control-regex
const NEEDS_ESCAPE = /[\\\t\n\r\u0000]/;
// eslint-disable-next-line no-control-regex
const ESCAPE_ALL = /[\\\t\n\r\u0000]/g;
const ESCAPES: Record<string, string> = { "\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r", "\u0000": "" };

export function copyText(value: string | null | undefined): string {
  if (value === null || value === undefined) return NULL;
  return NEEDS_ESCAPE.test(value) ? value.replace(ESCAPE_ALL, (c) => ESCAPES[c] ?? "") : value;
}

/** An integer column: anything that is not a safe integer after rounding is stored as NULL. */
export function copyInt(value: number | null | undefined, min = -2147483648, max = 2147483647): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return NULL;
  const n = Math.round(value);
  return n < min || n > max ? NULL : String(n);
}

export function copyBigint(value: number | bigint | string | null | undefined): string {
  if (value === null || value === undefined) return NULL;
  if (typeof value === "bigint" || typeof value === "string") return String(value);
  return Number.isSafeInteger(value) ? String(value) : NULL;
}

export function copyBool(value: boolean | null | undefined): string {
  return value === null || value === undefined ? NULL : value ? "t" : "f";
}

export function copyTime(ms: number | null | undefined): string {
  return ms === null || ms === undefined || !Number.isFinite(ms) ? NULL : new Date(ms).toISOString();
}

/**
 * A JSONB column. JSON.stringify writes NUL and lone UTF-16 surrogates as
 * \u escapes that jsonb refuses; those rare values are cleaned first
 * (NUL dropped, lone surrogates replaced by U+FFFD) so one odd character
 * cannot fail a whole file.
 */
export function copyJson(value: unknown): string {
  const json = JSON.stringify(value) ?? "null";
  // Most entries have no backslash, tab or newline at all: one scan, no copy.
  if (!NEEDS_ESCAPE.test(json)) return json;
  if (json.includes("\\u0000") || /\\ud[89a-f]/i.test(json)) return copyText(JSON.stringify(sanitizeForJsonb(value)) ?? "null");
  return copyText(json);
}

export function sanitizeForJsonb(value: unknown): unknown {
  if (typeof value === "string") return value.replaceAll("\u0000", "").toWellFormed();
  if (Array.isArray(value)) return value.map(sanitizeForJsonb);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[sanitizeForJsonb(k) as string] = sanitizeForJsonb(v);
    return out;
  }
  return value;
}
