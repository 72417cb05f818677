/** Numbers and times in words a non-engineer reads at a glance. */

export function formatCount(n: number | null | undefined): string {
  if (n === null || n === undefined) return "–";
  return new Intl.NumberFormat("en-GB").format(n);
}

export function formatPercent(ratio: number | null | undefined, digits = 0): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return "–";
  return `${(ratio * 100).toFixed(digits)}%`;
}

/** 850 ms, 3.6 s, 1 min 12 s. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return "–";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const min = Math.floor(ms / 60_000);
  return `${min} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** A time in the chosen zone: "28 Nov 2026, 14:05". */
export function formatDateTime(ms: number, timeZone: string): string {
  return new Intl.DateTimeFormat("en-GB", { timeZone, day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit" }).format(ms);
}

/** A bucket's label for an axis, by interval, in the chosen zone. */
export function formatBucket(ms: number, interval: "HOUR" | "DAY" | "WEEK" | "MONTH", timeZone: string): string {
  const opts: Intl.DateTimeFormatOptions =
    interval === "HOUR" ? { timeZone, day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" }
    : interval === "MONTH" ? { timeZone, month: "short", year: "numeric" }
    : { timeZone, day: "numeric", month: "short" };
  const label = new Intl.DateTimeFormat("en-GB", opts).format(ms);
  return interval === "WEEK" ? `w/c ${label}` : label;
}

/** "2 minutes ago", for freshness lines. */
export function formatAgo(ms: number, nowMs: number): string {
  const s = Math.max(0, Math.round((nowMs - ms) / 1000));
  if (s < 60) return `${s} s ago`;
  const m = Math.round(s / 60);
  if (m < 60) return `${m} min ago`;
  const h = Math.round(m / 60);
  if (h < 48) return `${h} h ago`;
  return `${Math.round(h / 24)} days ago`;
}

/** The browser's time zone, UTC when unknown. */
export function browserTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  } catch {
    return "UTC";
  }
}

/** How long something lasted, in the two largest units: "45 s", "12 min", "3 h 20 min", "2 days 4 h". */
export function formatSpan(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) return "–";
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 48) return m % 60 === 0 ? `${h} h` : `${h} h ${m % 60} min`;
  const d = Math.floor(h / 24);
  return h % 24 === 0 ? `${d} days` : `${d} days ${h % 24} h`;
}

/** What an alert rule measures (the API's AlertMetric). */
export type AlertMetric = "FAILED_SHARE" | "HEDGED_SHARE" | "UNFINISHED_SHARE" | "P95_ANSWER_MS" | "VOLUME_RATIO" | "INGEST_LAG_SECONDS" | "FAILED_FILES";

/**
 * An alert metric's value in its unit: shares as a percent ("6.0%"),
 * answer times in seconds ("12.4 s"), the volume ratio as a multiple
 * ("0.25×"), the ingest lag as minutes or hours, files as a count.
 */
export function formatMetricValue(metric: AlertMetric, value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "no data";
  switch (metric) {
    case "FAILED_SHARE":
    case "HEDGED_SHARE":
    case "UNFINISHED_SHARE":
      return formatPercent(value, 1);
    case "P95_ANSWER_MS":
      // Seconds however long (as the alert's summary says it): "60.0 s", not "1 min 0 s".
      return value < 1000 ? `${Math.round(value)} ms` : `${(value / 1000).toFixed(1)} s`;
    case "VOLUME_RATIO":
      return `${value.toFixed(2)}×`;
    case "INGEST_LAG_SECONDS":
      return formatSpan(value * 1000);
    case "FAILED_FILES":
      return `${formatCount(value)} file${value === 1 ? "" : "s"}`;
  }
}

/** A rule's window in words: "15 minutes", "1 hour", "1 day"; null: measured at one moment. */
export function formatWindow(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || seconds <= 0) return "Right now";
  const units: [number, string][] = [[86_400, "day"], [3_600, "hour"], [60, "minute"], [1, "second"]];
  for (const [size, unit] of units) {
    if (seconds % size === 0) {
      const n = seconds / size;
      return `${formatCount(n)} ${unit}${n === 1 ? "" : "s"}`;
    }
  }
  return `${formatCount(seconds)} seconds`;
}
