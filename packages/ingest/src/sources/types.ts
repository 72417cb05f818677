import type { Readable } from "node:stream";

/** One object of a source, as listed. */
export interface SourceObject {
  /** S3: the full object key in the bucket. Folder: the POSIX path relative to the folder. */
  key: string;
  /** Changes when the object is replaced (S3 ETag without quotes; folder `${size}-${mtimeMs}`). */
  etag: string;
  size: number;
  /** Time from the key's basename (`<ISO time>-<uuid>.json.gz`), null when it has none. */
  keyTimeMs: number | null;
  lastModifiedMs: number | null;
  /**
   * `log`: a kind the decoder reads (isSupportedKey). `unsupported`: anything
   * else, listed so that it can be recorded and reported as skipped, never
   * to be opened for decoding.
   */
  kind: "log" | "unsupported";
}

/**
 * Which objects to list.
 *
 * - `prefix`: a key prefix (in the same key space as SourceObject.key). For
 *   an S3 source created with a prefix, a filter prefix that does not start
 *   with it is taken relative to it.
 * - `sinceMs` / `untilMs`: by the time in the key's basename, half-open
 *   `[sinceMs, untilMs)`. Objects whose key holds no time are listed only
 *   when neither bound is given (they cannot be placed in a range).
 */
export interface ListFilter {
  prefix?: string;
  sinceMs?: number;
  untilMs?: number;
}

/**
 * Counters a listing fills in as it goes (pass one to `list`). Keys the
 * decoder cannot read are yielded with `kind: "unsupported"` and counted in
 * `skipped` (the CLI reports "skipped: N"); keys outside since/until are not
 * yielded, only counted in `outOfRange`.
 */
export interface ListStats {
  /** Objects seen under the prefix (folder markers excluded). */
  seen: number;
  /** Objects yielded with kind "log". */
  listed: number;
  /** Objects yielded with kind "unsupported" (see isSupportedKey). */
  skipped: number;
  /** Objects left out by sinceMs/untilMs (not yielded). */
  outOfRange: number;
  /** The first few skipped keys, for a message. */
  skippedExamples: string[];
}

export function createListStats(): ListStats {
  return { seen: 0, listed: 0, skipped: 0, outOfRange: 0, skippedExamples: [] };
}

export interface OpenOptions {
  /** The ETag the object was listed with: refuse to read another version. */
  etag?: string;
}

/** Where log objects come from: an S3 bucket (and prefix) or a local folder. */
export interface Source {
  /** Canonical identity: `s3://bucket/prefix` (or `s3://bucket`), `file:///abs/folder`. */
  readonly id: string;
  readonly kind: "s3" | "folder";
  /**
   * Lists the objects under the source (all pages), `kind` telling which the
   * decoder reads. Order: S3 key order; folders depth-first, names sorted.
   */
  list(filter?: ListFilter, stats?: ListStats): AsyncIterable<SourceObject>;
  /**
   * Streams one object's bytes (never read whole). Rejects with
   * SourceError("not-found") for a missing key, and SourceError("changed")
   * when `options.etag` is given and the object is no longer that version.
   */
  open(key: string, options?: OpenOptions): Promise<Readable>;
  /** Releases connections (S3 client sockets). */
  close?(): void;
}

export type SourceErrorCode =
  /** The spec passed to parseSource is not understood. */
  | "bad-spec"
  /** Bucket, folder or key does not exist. */
  | "not-found"
  /** Credentials missing, rejected, or not allowed. */
  | "access-denied"
  /** The service failed even after retries (network, 5xx, throttling). */
  | "unavailable"
  /** The object changed while being read (S3 If-Match failed). */
  | "changed";

export class SourceError extends Error {
  override name = "SourceError";
  constructor(
    readonly code: SourceErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** Whether trying again later may succeed. */
  get transient(): boolean {
    return this.code === "unavailable" || this.code === "changed";
  }
}
