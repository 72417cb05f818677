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
