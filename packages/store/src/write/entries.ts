import type { NormalizedEntry } from "@log-insights/logs";
import { copyBigint, copyInt, copyJson, copyText, copyTime } from "./copy-format";

/** Column order of the COPY into log_entries; entryCopyLine writes values in this order. */
export const LOG_ENTRY_COLUMNS = [
  "ts", "ts_source", "file_id", "idx", "level", "context", "message", "user_id", "deal_id",
  "request_id", "hostname", "pid", "method", "url", "platform", "app_version", "latency_ms", "data",
] as const;

export const COPY_LOG_ENTRIES_SQL = `COPY log_entries (${LOG_ENTRY_COLUMNS.join(", ")}) FROM STDIN`;

/** One log entry as a line of COPY text (with its trailing newline). */
export function entryCopyLine(fileId: number, e: NormalizedEntry): string {
  return (
    copyTime(e.timeMs) + "\t" +
    e.timeSource + "\t" +
    fileId + "\t" +
    e.index + "\t" +
    levelText(e.level) + "\t" +
    copyText(e.context) + "\t" +
    copyText(e.message) + "\t" +
    copyBigint(e.userId) + "\t" +
    copyText(e.dealId) + "\t" +
    copyText(e.requestId) + "\t" +
    copyText(e.hostname) + "\t" +
    copyInt(e.pid) + "\t" +
    copyText(e.method) + "\t" +
    copyText(e.url) + "\t" +
    copyText(e.platform) + "\t" +
    copyText(e.appVersion) + "\t" +
    copyInt(e.latencyMs) + "\t" +
    copyJson(e.data) + "\n"
  );
}

/** level is NOT NULL smallint: a level that does not fit (the model accepts any number) is stored as 0. */
function levelText(level: number): string {
  const text = copyInt(level, -32768, 32767);
  return text === "\\N" ? "0" : text;
}
