/** One element read from an object: a parsed value, or a rejected record. */
export type DecodedElement =
  | {
      /** Position among the elements of this object (0-based, rejected ones included). */
      index: number;
      ok: true;
      value: unknown;
      /** Size of the element's JSON text in bytes (uncompressed). */
      bytes: number;
    }
  | {
      index: number;
      ok: false;
      /** Why it was rejected, e.g. `invalid JSON: ...` or `entry too large (N bytes)`. */
      reason: string;
      /** The element's text, capped (1 MiB; the first 64 KiB for an oversized entry). */
      raw: string;
      bytes: number;
    };

export interface DecodeOptions {
  /** An element larger than this is rejected (`entry too large`) without being buffered. Default 8 MiB. */
  maxElementBytes?: number;
  /** Cap on `raw` of a rejected element. Default 1 MiB. */
  maxRawBytes?: number;
  /** Override the framing the key implies: `json` (array / objects) or `ndjson` (one value a line). */
  format?: ObjectFormat;
}

/**
 * How an object's bytes are framed once decompressed:
 * - `json`: one JSON array of entries (the bot's format), or top-level objects
 *   one after another (a single object, CloudWatch envelopes concatenated as
 *   Firehose writes them, NDJSON of objects).
 * - `ndjson`: one value a line; a bad line is rejected on its own.
 */
export type ObjectFormat = "json" | "ndjson";

export type DecodeErrorKind = "gzip" | "truncated" | "structure" | "top-level" | "empty";

/**
 * A file-level failure: nothing after this point of the object can be trusted
 * (bad or truncated gzip, broken JSON structure, a top level that is not an
 * array or object, an empty file). Element-level problems are never thrown:
 * they come out as `{ ok: false }` elements.
 */
export class DecodeError extends Error {
  override name = "DecodeError";
  constructor(
    readonly key: string,
    readonly kind: DecodeErrorKind,
    readonly detail: string,
    /** Byte offset in the decompressed stream where the problem was found, when known. */
    readonly offset?: number,
    options?: { cause?: unknown },
  ) {
    super(`cannot decode ${key}: ${detail}`, options);
  }
}
