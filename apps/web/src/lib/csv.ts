/**
 * CSV export of a chart's data (RFC 4180). Cells that a spreadsheet would
 * run as a formula (=, +, -, @ at the start; a question can contain
 * anything) are prefixed with an apostrophe.
 */
export type CsvValue = string | number | boolean | null | undefined;

export function toCsv(columns: readonly { key: string; label: string }[], rows: readonly object[]): string {
  const lines = [columns.map((c) => cell(c.label)).join(",")];
  for (const row of rows) lines.push(columns.map((c) => cell((row as Record<string, unknown>)[c.key])).join(","));
  return lines.join("\r\n") + "\r\n";
}

function cell(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : "";
  let s = typeof value === "object" ? JSON.stringify(value) : String(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** A file name for an export: the chart's title and range, safe on every OS. */
export function csvFileName(title: string, fromMs: number, toMs: number): string {
  const slug = title.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "") || "export";
  const day = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
  return `${slug}_${day(fromMs)}_${day(toMs)}.csv`;
}

/**
 * What the audit log records of an export besides its rows (recordCsvExport's
 * `filters`): the page, the range and the filters in force, and anything the
 * table adds (a search, a kind of problem). Empty values are left out.
 */
export function exportFilters(page: string, range: { fromMs: number; toMs: number }, filter: object, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const out: Record<string, unknown> = { page, from: new Date(range.fromMs).toISOString(), to: new Date(range.toMs).toISOString() };
  for (const [k, v] of Object.entries({ ...filter, ...extra })) {
    if (v === null || v === undefined || v === "" || (Array.isArray(v) && v.length === 0)) continue;
    out[k] = v;
  }
  return out;
}
