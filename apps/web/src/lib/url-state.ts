/**
 * Filters and view options in the URL, parsed and written in one place so
 * every page and chart agrees. Unknown or empty values are dropped; defaults
 * are omitted from links.
 */
export type Outcome = "ANSWERED" | "HEDGED" | "FAILED" | "UNFINISHED";
export const OUTCOMES: readonly Outcome[] = ["ANSWERED", "HEDGED", "FAILED", "UNFINISHED"];

export interface QuestionFilter {
  userId?: number;
  dealId?: string;
  fund?: string;
  topic?: string;
  platform?: string;
  appVersion?: string;
  outcomes?: Outcome[];
}

/** URL parameter names that belong to the shared filter (and the time range). */
export const FILTER_KEYS = ["user", "deal", "fund", "topic", "platform", "version", "outcome"] as const;
export const RANGE_KEYS = ["range", "from", "to", "tz"] as const;

type Params = { get(name: string): string | null; getAll?(name: string): string[] };

const MAX_LEN = 200;

function text(params: Params, key: string): string | undefined {
  const v = params.get(key)?.trim();
  return v && v.length <= MAX_LEN ? v : undefined;
}

export function readFilter(params: Params): QuestionFilter {
  const f: QuestionFilter = {};
  const user = params.get("user");
  if (user && /^\d{1,15}$/.test(user)) f.userId = Number(user);
  const deal = text(params, "deal");
  if (deal) f.dealId = deal;
  const fund = text(params, "fund");
  if (fund) f.fund = fund;
  const topic = text(params, "topic");
  if (topic) f.topic = topic;
  const platform = text(params, "platform");
  if (platform) f.platform = platform;
  const version = text(params, "version");
  if (version) f.appVersion = version;
  const outcomes = (params.get("outcome") ?? "").split(",").map((o) => o.trim().toUpperCase()).filter((o): o is Outcome => OUTCOMES.includes(o as Outcome));
  if (outcomes.length > 0) f.outcomes = [...new Set(outcomes)];
  return f;
}

/** The filter as URL parameters (only what is set). */
export function filterParams(f: QuestionFilter): Record<string, string> {
  const out: Record<string, string> = {};
  if (f.userId !== undefined) out.user = String(f.userId);
  if (f.dealId) out.deal = f.dealId;
  if (f.fund) out.fund = f.fund;
  if (f.topic) out.topic = f.topic;
  if (f.platform) out.platform = f.platform;
  if (f.appVersion) out.version = f.appVersion;
  if (f.outcomes && f.outcomes.length > 0) out.outcome = f.outcomes.join(",");
  return out;
}

/**
 * A new query string from the current one with some keys set (or removed
 * with null/""). Keeps everything else (time range, other filters), so a
 * drill-down carries the context along.
 */
export function withParams(current: string | URLSearchParams, changes: Record<string, string | number | null | undefined>): string {
  const next = new URLSearchParams(current);
  for (const [k, v] of Object.entries(changes)) {
    if (v === null || v === undefined || v === "") next.delete(k);
    else next.set(k, String(v));
  }
  next.sort();
  const s = next.toString();
  return s ? `?${s}` : "";
}

/** Only the shared context (time range + filters) of a query string, for links to other pages. */
export function contextParams(current: string | URLSearchParams): URLSearchParams {
  const src = new URLSearchParams(current);
  const out = new URLSearchParams();
  for (const k of [...RANGE_KEYS, ...FILTER_KEYS]) {
    const v = src.get(k);
    if (v) out.set(k, v);
  }
  return out;
}

/** Number of filters set, for the "clear filters" control. */
export function activeFilterCount(f: QuestionFilter): number {
  return Object.keys(filterParams(f)).length;
}

/** The filter a role may use: without the investor (userId) below the support role. */
export function filterForRole(f: QuestionFilter, support: boolean): QuestionFilter {
  if (support || f.userId === undefined) return f;
  const { userId: _dropped, ...rest } = f;
  return rest;
}
