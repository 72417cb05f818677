/**
 * The log model's output types: what every later stage (store, ingest, api)
 * consumes. Field names here become column names in `packages/store`'s
 * migrations; change both together.
 */

/** Which field an entry's time was read from (the format does not always carry both). */
export type TimeSource = "timestamp" | "time" | "key";

/** One validated, redacted log entry, ready to store. */
export interface NormalizedEntry {
  /** Index of the entry in its file (0-based); with the file it identifies the entry. */
  index: number;
  /** Entry time, epoch milliseconds. */
  timeMs: number;
  timeSource: TimeSource;
  /** pino numeric level (30 info, 40 warn, 50 error); string levels are mapped. */
  level: number;
  context: string | null;
  message: string | null;
  userId: number | null;
  dealId: string | null;
  /** `req.id` as text (it is a number in the real logs; not unique per question). */
  requestId: string | null;
  hostname: string | null;
  pid: number | null;
  method: string | null;
  /** `req.url` with secret query parameters redacted. */
  url: string | null;
  /** `x-application-platform` header (iOS / Android / web). */
  platform: string | null;
  /** `x-application-version` header. */
  appVersion: string | null;
  /** `processingTimeMs` when present (bot answers AND plain API requests: see `context`). */
  latencyMs: number | null;
  /** Everything else in the entry, secrets removed (hot fields above are not repeated). */
  data: Record<string, unknown>;
}

export type Outcome = "answered" | "hedged" | "failed" | "unfinished";

/** One bot question rebuilt from its start (`Processing deal bot query`) and outcome entries. */
export interface PairedQuestion {
  /** Index of the start entry in the file (or of the outcome entry for an orphan outcome). */
  startIndex: number;
  /** Index of the outcome entry, null when there is none. */
  endIndex: number | null;
  askedAtMs: number;
  answeredAtMs: number | null;
  userId: number | null;
  dealId: string | null;
  requestId: string | null;
  question: string;
  /** Normalized question text for grouping (see fingerprint.ts). */
  fingerprint: string;
  answer: string | null;
  outcome: Outcome;
  /** The bot's own `processingTimeMs` from the outcome entry; never the API's request latency. */
  latencyMs: number | null;
  cacheHit: boolean | null;
  documentCount: number | null;
  promptTokens: number | null;
  model: string | null;
  platform: string | null;
  appVersion: string | null;
  /** The error-level entry that failed the question, if any. */
  errorMessage: string | null;
  /** An outcome entry with no start before it in the file. */
  orphanOutcome: boolean;
  /** The answer gives substantive content AND hedges part of it (see hedge.ts); false when not hedged. */
  partial: boolean;
  /** Entry indexes (in the file) that belong to this question's sequence. */
  entryIndexes: number[];
}
