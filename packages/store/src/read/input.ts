import { ReadError } from "./errors";

export type Outcome = "answered" | "hedged" | "failed" | "unfinished";
export const OUTCOMES: readonly Outcome[] = ["answered", "hedged", "failed", "unfinished"];

/** Filters shared by every question reader; an absent or null field does not filter. */
export interface QuestionFilter {
  userId?: number | null;
  dealId?: string | null;
  fund?: string | null;
  topic?: string | null;
  platform?: string | null;
  appVersion?: string | null;
  outcomes?: readonly Outcome[] | null;
}

/** A half-open time range [fromMs, toMs). */
export interface TimeRange {
  fromMs: number;
  toMs: number;
}

/** Readers refuse longer ranges: a typo'd year must not scan a decade. */
export const MAX_RANGE_MS = 5 * 366 * 86_400_000;
const MAX_FILTER_CHARS = 200;

export function checkRange(range: TimeRange): TimeRange {
  const { fromMs, toMs } = range;
  if (!Number.isFinite(fromMs) || !Number.isFinite(toMs)) throw new ReadError("BAD_RANGE", "from and to must be valid times");
  if (fromMs >= toMs) throw new ReadError("BAD_RANGE", "from must be before to");
  if (toMs - fromMs > MAX_RANGE_MS) throw new ReadError("BAD_RANGE", "the time range may span at most 5 years");
  return range;
}

/** The filter with empty fields dropped, or a ReadError naming the bad field. */
export function checkFilter(filter: QuestionFilter | null | undefined): QuestionFilter {
  const out: QuestionFilter = {};
  if (!filter) return out;
  if (filter.userId !== undefined && filter.userId !== null) {
    if (!Number.isSafeInteger(filter.userId)) throw new ReadError("BAD_FILTER", "userId must be an integer");
    out.userId = filter.userId;
  }
  for (const key of ["dealId", "fund", "topic", "platform", "appVersion"] as const) {
    const value = filter[key];
    if (value === undefined || value === null) continue;
    if (typeof value !== "string" || value.length > MAX_FILTER_CHARS) {
      throw new ReadError("BAD_FILTER", `${key} must be a string of at most ${MAX_FILTER_CHARS} characters`);
    }
    out[key] = value;
  }
  if (filter.outcomes !== undefined && filter.outcomes !== null) {
    for (const o of filter.outcomes) {
      if (!OUTCOMES.includes(o)) throw new ReadError("BAD_FILTER", `unknown outcome "${String(o).slice(0, 40)}"`);
    }
    if (filter.outcomes.length > 0) out.outcomes = [...new Set(filter.outcomes)];
  }
  return out;
}

export const DEFAULT_PAGE_SIZE = 25;
export const MAX_PAGE_SIZE = 100;

export function pageSize(first: number | null | undefined): number {
  if (first === undefined || first === null) return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(first) || first < 1) throw new ReadError("PAGE_TOO_LARGE", "first must be a positive integer");
  if (first > MAX_PAGE_SIZE) throw new ReadError("PAGE_TOO_LARGE", `first may be at most ${MAX_PAGE_SIZE}`);
  return first;
}

/** Opaque cursors: base64url of a small JSON array (a keyset position, never an offset). */
export function encodeCursor(position: readonly (string | number | null)[]): string {
  return Buffer.from(JSON.stringify(position)).toString("base64url");
}

export function decodeCursor(cursor: string | null | undefined, shape: readonly ("string" | "number" | "nullable-string")[]): (string | number | null)[] | null {
  if (cursor === undefined || cursor === null || cursor === "") return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    throw new ReadError("BAD_CURSOR", "the cursor is not one this API returned");
  }
  const ok =
    Array.isArray(parsed) &&
    parsed.length === shape.length &&
    parsed.every((v, i) =>
      shape[i] === "number" ? typeof v === "number" && Number.isFinite(v)
      : shape[i] === "string" ? typeof v === "string"
      : v === null || typeof v === "string");
  if (!ok) throw new ReadError("BAD_CURSOR", "the cursor is not one this API returned");
  return parsed as (string | number | null)[];
}
