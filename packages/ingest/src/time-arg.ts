/**
 * Parses --since / --until values: an ISO date (a whole UTC day), an ISO
 * date-time, or a duration ago ("90m", "6h", "7d", "2w"). For --until a
 * date alone includes that day, so `--since 2025-04-01 --until 2025-04-02`
 * covers two days. Returns epoch ms; throws a message fit for the user.
 */
export function parseTimeArg(value: string, edge: "since" | "until", nowMs = Date.now()): number {
  const v = value.trim();
  const ago = /^(\d+(?:\.\d+)?)\s*(m|min|h|d|w)$/i.exec(v);
  if (ago) {
    const unitMs = { m: 60_000, min: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[ago[2]!.toLowerCase() as "m"];
    return nowMs - Number(ago[1]) * unitMs;
  }
  if (/^\d{4}-\d{2}-\d{2}$/.test(v)) {
    const day = Date.parse(`${v}T00:00:00Z`);
    if (Number.isNaN(day)) throw new Error(`--${edge}: "${value}" is not a valid date`);
    return edge === "until" ? day + 86_400_000 : day;
  }
  if (/^\d{4}-\d{2}-\d{2}T/.test(v)) {
    // A date-time without a zone is read as UTC, like the keys' times.
    const ms = Date.parse(/(Z|[+-]\d{2}:?\d{2})$/i.test(v) ? v : `${v}Z`);
    if (!Number.isNaN(ms)) return ms;
  }
  throw new Error(`--${edge}: "${value}" is not a date (2025-04-02), a date-time (2025-04-02T16:00:00Z) or a duration ago (90m, 6h, 7d, 2w)`);
}
