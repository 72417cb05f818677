import { apiError } from "../errors";
import { builder } from "./builder";

// ISO-8601 with a zone (Z or an offset), or a date alone (midnight UTC). A
// time without a zone is refused: it would mean the server's zone.
const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2}))?$/;
const EXAMPLE = "e.g. 2025-04-01T00:00:00Z, 2025-04-01T02:00:00+02:00 or 2025-04-01";

/** Epoch milliseconds of an ISO-8601 date-time, or a BAD_DATE error. */
export function parseDateTime(value: unknown): number {
  const shown = typeof value === "string" ? JSON.stringify(value.slice(0, 40)) : String(value).slice(0, 40);
  if (typeof value !== "string") throw apiError("BAD_DATE", `a DateTime must be an ISO-8601 string (${EXAMPLE}); got ${shown}`);
  const m = ISO.exec(value);
  if (!m) throw apiError("BAD_DATE", `${shown} is not an ISO-8601 date-time with a time zone (${EXAMPLE})`);
  const [, y, mo, d, h = "00", mi = "00", s = "00", , zone] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const offsetOk = zone === undefined || zone === "Z" || (Number(zone.slice(1, 3)) <= 23 && Number(zone.slice(-2)) <= 59);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59 || !offsetOk) {
    throw apiError("BAD_DATE", `${shown} is not a real date and time`);
  }
  const ms = Date.parse(zone === undefined ? `${y}-${mo}-${d}T00:00:00Z` : value.replace(/([+-]\d{2})(\d{2})$/, "$1:$2"));
  if (!Number.isFinite(ms)) throw apiError("BAD_DATE", `${shown} is out of range`);
  return ms;
}

export const DateTime = builder.scalarType("DateTime", {
  description: "An instant as an ISO-8601 string: returned in UTC (2025-04-01T09:30:00.000Z); accepted with Z or an offset, or as a date alone (midnight UTC).",
  serialize: (ms) => new Date(ms).toISOString(),
  parseValue: (value) => parseDateTime(value),
});

export const Json = builder.scalarType("JSON", {
  description: "Any JSON value (a log entry's fields beyond the promoted ones; secrets were removed at ingest).",
  serialize: (value) => value,
  parseValue: (value) => value,
});
