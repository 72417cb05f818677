// Reading half of ingestion: sources (S3, folder) and the streaming decoder.
export * from "./sources";
export * from "./decode";
// Writing half: the ledger, the workers and a whole run.
export { runIngest, discover, type IngestRunOptions, type IngestSummary } from "./pipeline";
export { watchSource, addRun, emptySummary, type WatchOptions } from "./watch";
export { INGEST_CHANNEL, DEFAULT_BATCH, type BatchLimits, type FileOutcome } from "./worker";
export type { FileFilter, FileStatus, LedgerFile } from "./ledger";
export { parseTimeArg } from "./time-arg";
export { privacyFromEnv } from "./privacy";
export { readFile, type ReadFile } from "./read-file";
