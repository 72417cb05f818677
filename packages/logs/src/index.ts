/**
 * @log-insights/logs: the pure log model (no I/O). Raw pino entries in,
 * validated and redacted entries and rebuilt bot questions out.
 */
export * from "./types";
export * from "./redact";
export * from "./privacy";
export * from "./parse-entry";
export * from "./fingerprint";
export * from "./hedge";
export * from "./pair";
export * from "./key-time";
export * from "./topics";
export * from "./grouping";
export * from "./signals";
export * from "./analytics";
