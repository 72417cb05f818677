/**
 * The time written into an object key's basename by the bot's log shipper:
 * `<ISO-8601 UTC with ms>-<uuid v4>.<ext>`, e.g.
 * `2025/04/02/2025-04-02T16:39:44.999Z-ee37f984-b136-4380-bd2d-51d9d0a5d705.json.gz`.
 *
 * Only the basename is read: folder prefixes also encode dates, but their
 * depth is not known (and not promised), so they are never trusted.
 * Pure: no I/O.
 */

// Anchored at the start of the basename. Tolerates: missing milliseconds,
// 1-9 fraction digits (kept to the millisecond), colons written as `%3A`
// (keys that went through URL encoding), and an explicit numeric offset
// instead of `Z`. The time must be followed by a separator or the end.
const KEY_TIME =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2})(?::|%3[aA])(\d{2})(?::|%3[aA])(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}(?::|%3[aA])?\d{2})(?=$|[-_.])/;

/**
 * Epoch milliseconds of the time at the start of the key's basename, or null
 * when the basename does not start with a valid ISO-8601 time with a zone.
 */
export function keyTimeFromKey(key: string): number | null {
  const slash = key.lastIndexOf("/");
  const base = slash === -1 ? key : key.slice(slash + 1);
  const m = KEY_TIME.exec(base);
  if (!m) return null;
  const [, ys, mos, ds, hs, mis, ss, frac, zone] = m;
  const year = Number(ys);
  const month = Number(mos);
  const day = Number(ds);
  const hour = Number(hs);
  const minute = Number(mis);
  const second = Number(ss);
  // Years before 1970 are not log times (and Date.UTC maps 0-99 to 19xx).
  if (year < 1970 || month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return null;
  // Reject days past the month's end (2025-02-30): Date.UTC would roll them over.
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day > daysInMonth) return null;
  const ms = frac === undefined ? 0 : Number(frac.slice(0, 3).padEnd(3, "0"));
  let offsetMin = 0;
  if (zone !== undefined && zone !== "Z") {
    const digits = zone.replace(/%3[aA]|:/, "");
    const oh = Number(digits.slice(1, 3));
    const om = Number(digits.slice(3, 5));
    if (oh > 23 || om > 59) return null;
    offsetMin = (zone.startsWith("-") ? -1 : 1) * (oh * 60 + om);
  }
  const t = Date.UTC(year, month - 1, day, hour, minute, second, ms) - offsetMin * 60_000;
  return Number.isFinite(t) ? t : null;
}
