/**
 * The dashboard's global time range, kept in the URL (the URL is the source
 * of truth: links can be shared, back works, reload keeps the view). A
 * preset is stored as its name and resolved against "now" when read, so a
 * shared "last 7 days" link stays relative; a custom range is stored as ISO
 * times. Defaults are never written into the URL.
 */
export type Interval = "HOUR" | "DAY" | "WEEK" | "MONTH";

export interface Preset {
  id: string;
  label: string;
  ms: number;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export const PRESETS: readonly Preset[] = [
  { id: "24h", label: "Last 24 hours", ms: DAY },
  { id: "7d", label: "Last 7 days", ms: 7 * DAY },
  { id: "30d", label: "Last 30 days", ms: 30 * DAY },
  { id: "90d", label: "Last 90 days", ms: 90 * DAY },
  { id: "12m", label: "Last 12 months", ms: 365 * DAY },
];

export const DEFAULT_PRESET = "30d";

export interface TimeRange {
  fromMs: number;
  toMs: number;
  /** Preset id, or "custom". */
  preset: string;
  label: string;
}

type Params = { get(name: string): string | null };

/** The range in the URL (`range=7d`, or `from`/`to` ISO times), else the default preset. */
export function readTimeRange(params: Params, nowMs: number): TimeRange {
  const from = params.get("from");
  const to = params.get("to");
  if (from && to) {
    const fromMs = Date.parse(from);
    const toMs = Date.parse(to);
    if (Number.isFinite(fromMs) && Number.isFinite(toMs) && fromMs < toMs) {
      return { fromMs, toMs, preset: "custom", label: "Custom range" };
    }
  }
  const preset = PRESETS.find((p) => p.id === params.get("range")) ?? PRESETS.find((p) => p.id === DEFAULT_PRESET)!;
  // Rounded up to the next minute so a page and its charts agree on "now" (and cache keys repeat).
  const toMs = Math.ceil(nowMs / 60_000) * 60_000;
  return { fromMs: toMs - preset.ms, toMs, preset: preset.id, label: preset.label };
}

/** The interval a chart should use by default for a range: about 12-100 bars. */
export function defaultInterval(range: { fromMs: number; toMs: number }): Interval {
  const span = range.toMs - range.fromMs;
  if (span <= 2 * DAY) return "HOUR";
  if (span <= 92 * DAY) return "DAY";
  if (span <= 400 * DAY) return "WEEK";
  return "MONTH";
}

/** Intervals worth offering for a range (no 8,760 hourly bars for a year). */
export function allowedIntervals(range: { fromMs: number; toMs: number }): Interval[] {
  const span = range.toMs - range.fromMs;
  const out: Interval[] = [];
  if (span <= 14 * DAY) out.push("HOUR");
  if (span >= DAY && span <= 730 * DAY) out.push("DAY");
  if (span >= 14 * DAY) out.push("WEEK");
  if (span >= 60 * DAY) out.push("MONTH");
  return out.length > 0 ? out : ["DAY"];
}

/** The previous period of the same length, for "change against the previous period". */
export function previousRange(range: { fromMs: number; toMs: number }): { fromMs: number; toMs: number } {
  return { fromMs: range.fromMs - (range.toMs - range.fromMs), toMs: range.fromMs };
}
