import type { DecodeErrorKind, DecodedElement, ObjectFormat } from "./types";

/*
 * Byte-level splitter: finds the boundaries of top-level JSON elements in a
 * stream of Buffers and JSON.parses each complete element.
 *
 * Why hand-written rather than a streaming JSON library: speed. The ingest
 * pipeline targets >= 100k entries/s on 2 cores; a tokenizing streaming
 * parser (stream-json, jsonparse, ...) builds every value token by token
 * through JS callbacks, far slower than V8's native JSON.parse. Here the
 * only per-byte work is a tight loop over the structural bytes ({ } [ ] "
 * \); strings, most of the bytes, are skipped with Buffer#indexOf (native
 * memchr), and values are built by JSON.parse on each element's text.
 * Measured ~500-900 MB/s of scanning (CPU time) on the real log entries,
 * JSON.parse being most of the decoding cost (see bench/decode.ts).
 *
 * Text is decoded from UTF-8 only once an element is complete, so a
 * multi-byte character split across two chunks is never broken. Nothing but
 * the element in progress is kept; an element above `maxElementBytes` keeps
 * only its first 64 KiB (for the rejected record) while the rest is scanned
 * and dropped, so memory stays bounded whatever the input.
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const COMMA = 0x2c;
const NEWLINE = 0x0a;
const UTF8_BOM = [0xef, 0xbb, 0xbf];

// A log entry is a few KB (an LLM answer with its documents: ~100 KB). Above
// 8 MiB it is rejected unbuffered: each worker holds several elements at once
// (parallel reads), and a 50 MB entry parsed, normalized and COPYed costs
// ~6x its size in memory; a few at once crashed the 192 MB heap.
export const DEFAULT_MAX_ELEMENT_BYTES = 8 * 1024 * 1024;
export const DEFAULT_MAX_RAW_BYTES = 1024 * 1024;
/** What is kept of an oversized element, for its rejected record. */
export const OVERSIZE_HEAD_BYTES = 64 * 1024;

/** A file-level failure found by the splitter; the decoder adds the key. */
export class SplitError extends Error {
  override name = "SplitError";
  constructor(
    readonly kind: DecodeErrorKind,
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

// States of the JSON framing.
const S_TOP = 0; // between top-level values
const S_ARRAY_FIRST = 1; // just after the top-level '['
const S_ARRAY_NEXT = 2; // just after a ',' in the top-level array
const S_ARRAY_AFTER = 3; // just after an element of the top-level array
const S_CONTAINER = 4; // inside an object/array element
const S_STRING = 5; // inside a string element of the top-level array
const S_SCALAR = 6; // inside a number/literal element of the top-level array
const S_LINE = 7; // NDJSON: inside a line

function isWhitespace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

function describeByte(c: number): string {
  return c >= 0x20 && c < 0x7f ? `'${String.fromCharCode(c)}'` : `byte 0x${c.toString(16).padStart(2, "0")}`;
}

/** Decodes at most `max` bytes of UTF-8, dropping a character cut at the end. */
export function utf8Prefix(buf: Buffer, start: number, end: number, max: number): string {
  if (end - start <= max) return buf.toString("utf8", start, end);
  let cut = start + max;
  // Back up over continuation bytes (10xxxxxx) to the start of the cut character.
  let back = 0;
  while (back < 4 && cut > start && (buf[cut]! & 0xc0) === 0x80) {
    cut--;
    back++;
  }
  return buf.toString("utf8", start, cut);
}

interface CloudWatchEvent {
  message?: unknown;
}

export interface SplitterOptions {
  format: ObjectFormat;
  maxElementBytes?: number;
  maxRawBytes?: number;
}

/**
 * Synchronous core of the decoder: `push` chunks, `end` once, `take` the
 * elements decoded so far. Throws SplitError for file-level failures.
 */
export class ElementSplitter {
  private readonly lines: boolean;
  private readonly maxElementBytes: number;
  private readonly maxRawBytes: number;

  private out: DecodedElement[] = [];
  private index = 0;
  /** Bytes consumed before the current chunk (for error offsets). */
  private offset = 0;
  private state: number;
  private sawValue = false;
  private bomChecked = false;
  private arrayElements = 0;

  // The element in progress.
  private elemTop = false; // a top-level value (may be a CloudWatch envelope)
  private elemStart = 0; // where it starts in the current chunk (0 when it began in an earlier one)
  private heldBytes = 0; // its bytes in earlier chunks (kept or dropped)
  private pieces: Buffer[] = [];
  private oversize = false;
  private depth = 0;
  private inString = false;
  private escaped = false;

  /** Most bytes ever held for one element (tests check memory stays bounded). */
  peakHeldBytes = 0;

  constructor(options: SplitterOptions) {
    this.lines = options.format === "ndjson";
    this.maxElementBytes = options.maxElementBytes ?? DEFAULT_MAX_ELEMENT_BYTES;
    this.maxRawBytes = options.maxRawBytes ?? DEFAULT_MAX_RAW_BYTES;
    this.state = this.lines ? S_LINE : S_TOP;
  }

  /** Elements decoded since the last call. */
  take(): DecodedElement[] {
    const out = this.out;
    this.out = [];
    return out;
  }

  get pending(): number {
    return this.out.length;
  }

  push(buf: Buffer): void {
    if (!this.bomChecked) {
      // A UTF-8 byte order mark at the very start is skipped (bytes of it may come one chunk at a time).
      let k = 0;
      while (k < buf.length && this.offset + k < 3 && buf[k] === UTF8_BOM[this.offset + k]) k++;
      if (this.offset + k >= 3 || k < buf.length) this.bomChecked = true;
      if (k > 0) {
        this.offset += k;
        buf = buf.subarray(k);
      }
    }
    if (this.lines) this.pushLines(buf);
    else this.pushJson(buf);
    this.offset += buf.length;
  }

  /** Signals the end of the input; throws SplitError when it ends mid-way. */
  end(): void {
    if (this.lines) {
      if (this.heldBytes > 0) this.finishLine(Buffer.alloc(0), 0);
      return;
    }
    const at = this.offset;
    switch (this.state) {
      case S_TOP:
        if (!this.sawValue) throw new SplitError("empty", "empty file: no JSON array or object", at);
        return;
      case S_ARRAY_FIRST:
      case S_ARRAY_NEXT:
      case S_ARRAY_AFTER:
      case S_SCALAR:
        throw new SplitError(
          "truncated",
          `truncated JSON: the file ends inside the top-level array after ${this.arrayElements} element(s), without its closing ']' (at byte ${at})`,
          at,
        );
      default:
        throw new SplitError(
          "truncated",
          `truncated JSON: the file ends inside element ${this.index} (${this.heldBytes} bytes of it read, at byte ${at})`,
          at,
        );
    }
  }

  // ---------------------------------------------------------------- JSON framing

  private pushJson(buf: Buffer): void {
    const n = buf.length;
    let i = 0;
    while (i < n) {
      switch (this.state) {
        case S_CONTAINER:
          i = this.scanContainer(buf, i);
          break;
        case S_TOP:
          i = this.atTop(buf, i);
          break;
        case S_ARRAY_FIRST:
        case S_ARRAY_NEXT:
          i = this.atArrayElement(buf, i);
          break;
        case S_ARRAY_AFTER:
          i = this.afterArrayElement(buf, i);
          break;
        case S_STRING:
          i = this.scanStringElement(buf, i);
          break;
        case S_SCALAR:
          i = this.scanScalar(buf, i);
          break;
      }
    }
    if (this.state === S_CONTAINER || this.state === S_STRING || this.state === S_SCALAR) {
      this.keep(buf, this.elemStart, n);
      this.elemStart = 0;
    }
  }

  private atTop(buf: Buffer, i: number): number {
    const n = buf.length;
    while (i < n) {
      const c = buf[i]!;
      if (isWhitespace(c)) {
        i++;
        continue;
      }
      if (c === LBRACKET) {
        this.sawValue = true;
        this.arrayElements = 0;
        this.state = S_ARRAY_FIRST;
        return i + 1;
      }
      if (c === LBRACE) {
        this.sawValue = true;
        this.beginElement(i, true);
        this.depth = 1;
        this.state = S_CONTAINER;
        return i + 1;
      }
      const at = this.offset + i;
      if (!this.sawValue) {
        throw new SplitError(
          "top-level",
          `the top level is not a JSON array or object (found ${describeByte(c)} at byte ${at})`,
          at,
        );
      }
      throw new SplitError(
        "structure",
        `invalid JSON structure: unexpected ${describeByte(c)} at byte ${at} after a top-level value`,
        at,
      );
    }
    return n;
  }

  private atArrayElement(buf: Buffer, i: number): number {
    const n = buf.length;
    while (i < n) {
      const c = buf[i]!;
      if (isWhitespace(c)) {
        i++;
        continue;
      }
      if (c === RBRACKET) {
        if (this.state === S_ARRAY_NEXT) {
          const at = this.offset + i;
          throw new SplitError("structure", `invalid JSON structure: a ',' before ']' at byte ${at}`, at);
        }
        this.state = S_TOP;
        return i + 1;
      }
      if (c === COMMA) {
        const at = this.offset + i;
        throw new SplitError("structure", `invalid JSON structure: a missing element before ',' at byte ${at}`, at);
      }
      this.beginElement(i, false);
      if (c === LBRACE || c === LBRACKET) {
        this.depth = 1;
        this.state = S_CONTAINER;
      } else if (c === QUOTE) {
        this.state = S_STRING;
      } else {
        this.state = S_SCALAR;
      }
      return i + 1;
    }
    return n;
  }

  private afterArrayElement(buf: Buffer, i: number): number {
    const n = buf.length;
    while (i < n) {
      const c = buf[i]!;
      if (isWhitespace(c)) {
        i++;
        continue;
      }
      if (c === COMMA) {
        this.state = S_ARRAY_NEXT;
        return i + 1;
      }
      if (c === RBRACKET) {
        this.state = S_TOP;
        return i + 1;
      }
      const at = this.offset + i;
      throw new SplitError(
        "structure",
        `invalid JSON structure: expected ',' or ']' after element ${this.index - 1} but found ${describeByte(c)} at byte ${at}`,
        at,
      );
    }
    return n;
  }

  /**
   * The hot loop: inside an object or array, count nesting outside strings;
   * jump over strings with indexOf. Ends the element when depth returns to 0.
   */
  private scanContainer(buf: Buffer, i: number): number {
    const n = buf.length;
    if (this.inString) {
      i = this.skipString(buf, i);
      if (this.inString) return n;
    }
    let depth = this.depth;
    while (i < n) {
      const c = buf[i++]!;
      if (c === QUOTE) {
        // Inline string skip (the common case of skipString, without its state writes).
        for (;;) {
          const q = buf.indexOf(QUOTE, i);
          if (q === -1) {
            this.depth = depth;
            return this.skipString(buf, i); // records the open string (and a trailing escape)
          }
          // buf[q - 1] is at worst the opening quote: the fast test is safe.
          if (buf[q - 1] !== BACKSLASH) {
            i = q + 1;
            break;
          }
          let k = q - 2;
          while (k >= i && buf[k] === BACKSLASH) k--;
          i = q + 1;
          if (((q - 1 - k) & 1) === 0) break;
        }
      } else if (c === LBRACE || c === LBRACKET) {
        depth++;
      } else if (c === RBRACE || c === RBRACKET) {
        if (--depth === 0) {
          this.depth = 0;
          this.finishElement(buf, i);
          this.state = this.elemTop ? S_TOP : S_ARRAY_AFTER;
          return i;
        }
      }
    }
    this.depth = depth;
    return n;
  }

  /**
   * From just inside a string (or mid-string at a chunk start, `escaped`
   * telling whether the first byte is escaped) to just past its closing quote.
   * When the chunk ends first, sets `inString` (and `escaped` for an odd run
   * of trailing backslashes) and returns the chunk length.
   */
  private skipString(buf: Buffer, i: number): number {
    const n = buf.length;
    if (this.escaped) {
      this.escaped = false;
      i++;
      if (i >= n) {
        this.inString = true;
        return n;
      }
    }
    for (;;) {
      const q = buf.indexOf(QUOTE, i);
      if (q === -1) {
        let k = n - 1;
        while (k >= i && buf[k] === BACKSLASH) k--;
        this.escaped = ((n - 1 - k) & 1) === 1;
        this.inString = true;
        return n;
      }
      // The quote is escaped when an odd run of backslashes precedes it. The
      // run cannot extend before `i`: `i` always follows a complete escape,
      // the opening quote or an escaped quote.
      let k = q - 1;
      while (k >= i && buf[k] === BACKSLASH) k--;
      i = q + 1;
      if (((q - 1 - k) & 1) === 0) {
        this.inString = false;
        return i;
      }
    }
  }

  private scanStringElement(buf: Buffer, i: number): number {
    const end = this.skipString(buf, i);
    if (this.inString) return buf.length;
    this.finishElement(buf, end);
    this.state = S_ARRAY_AFTER;
    return end;
  }

  private scanScalar(buf: Buffer, i: number): number {
    const n = buf.length;
    while (i < n) {
      const c = buf[i]!;
      if (c === COMMA || c === RBRACKET || isWhitespace(c)) {
        this.finishElement(buf, i);
        this.state = S_ARRAY_AFTER;
        return i; // the delimiter is read in S_ARRAY_AFTER
      }
      i++;
    }
    return n;
  }

  // ---------------------------------------------------------------- NDJSON framing

  private pushLines(buf: Buffer): void {
    const n = buf.length;
    let i = 0;
    while (i < n) {
      const nl = buf.indexOf(NEWLINE, i);
      if (nl === -1) {
        this.keep(buf, i, n);
        break;
      }
      this.elemStart = i;
      this.finishLine(buf, nl);
      i = nl + 1;
    }
    this.elemStart = 0;
  }

  private finishLine(buf: Buffer, end: number): void {
    let start = this.elemStart;
    if (this.heldBytes === 0) {
      // Fast path: the whole line is in this chunk.
      while (start < end && isWhitespace(buf[start]!)) start++;
      while (end > start && isWhitespace(buf[end - 1]!)) end--;
      if (start === end) return; // blank line
      this.elemTop = true;
      this.elemStart = start;
      this.finishElement(buf, end);
      return;
    }
    const total = this.heldBytes + (end - start);
    if (this.oversize || total > this.maxElementBytes) {
      this.elemTop = true;
      this.finishElement(buf, end);
      return;
    }
    const whole = Buffer.concat([...this.pieces, buf.subarray(start, end)], total);
    this.resetElement();
    let s = 0;
    let e = whole.length;
    while (s < e && isWhitespace(whole[s]!)) s++;
    while (e > s && isWhitespace(whole[e - 1]!)) e--;
    if (s === e) return;
    this.emit(whole, s, e, true);
  }

  // ---------------------------------------------------------------- elements

  private beginElement(start: number, top: boolean): void {
    this.elemStart = start;
    this.elemTop = top;
    this.heldBytes = 0;
    this.oversize = false;
  }

  /** Holds the part of the element in progress that ends a chunk. */
  private keep(buf: Buffer, start: number, end: number): void {
    const len = end - start;
    if (len <= 0) return;
    this.heldBytes += len;
    if (this.oversize) return; // its head is already kept; the rest is dropped
    if (this.heldBytes > this.maxElementBytes) {
      this.oversize = true;
      // Copy the head so that no large chunk stays referenced.
      const headBytes = Math.min(OVERSIZE_HEAD_BYTES, this.heldBytes);
      this.pieces = [Buffer.concat([...this.pieces, buf.subarray(start, end)], headBytes)];
      return;
    }
    this.pieces.push(buf.subarray(start, end));
    if (this.heldBytes > this.peakHeldBytes) this.peakHeldBytes = this.heldBytes;
  }

  /** The element in progress ends at `end` (exclusive) in `buf`. */
  private finishElement(buf: Buffer, end: number): void {
    const start = this.elemStart;
    const top = this.elemTop;
    if (this.heldBytes === 0) {
      // Fast path: the whole element lies in this chunk; no copy.
      if (end - start > this.maxElementBytes) this.rejectTooLarge(end - start, buf, start, end);
      else this.emit(buf, start, end, top);
      this.resetElement();
      return;
    }
    const total = this.heldBytes + (end - start);
    if (this.oversize || total > this.maxElementBytes) {
      // Once oversized, only the head was kept (later bytes were dropped); else
      // everything is held and the head is taken from it and this chunk.
      const head = this.oversize
        ? this.pieces[0]!
        : Buffer.concat([...this.pieces, buf.subarray(start, end)], Math.min(OVERSIZE_HEAD_BYTES, total));
      this.rejectTooLarge(total, head, 0, head.length);
      this.resetElement();
      return;
    }
    this.pieces.push(buf.subarray(start, end));
    const whole = Buffer.concat(this.pieces, total);
    this.resetElement();
    this.emit(whole, 0, total, top);
  }

  private resetElement(): void {
    this.heldBytes = 0;
    this.pieces = [];
    this.oversize = false;
    this.elemStart = 0;
    this.inString = false;
    this.escaped = false;
  }

  private rejectTooLarge(total: number, buf: Buffer, start: number, end: number): void {
    this.out.push({
      index: this.index++,
      ok: false,
      reason: `entry too large (${total} bytes)`,
      raw: utf8Prefix(buf, start, end, OVERSIZE_HEAD_BYTES),
      bytes: total,
    });
    if (!this.elemTop) this.arrayElements++;
  }

  private emit(buf: Buffer, start: number, end: number, top: boolean): void {
    const text = buf.toString("utf8", start, end);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      this.out.push({
        index: this.index++,
        ok: false,
        reason: `invalid JSON: ${(err as Error).message}`,
        raw: end - start > this.maxRawBytes ? utf8Prefix(buf, start, end, this.maxRawBytes) : text,
        bytes: end - start,
      });
      if (!top) this.arrayElements++;
      return;
    }
    if (top) {
      if (this.expandEnvelope(value)) return;
    } else {
      this.arrayElements++;
    }
    this.out.push({ index: this.index++, ok: true, value, bytes: end - start });
  }

  /**
   * A CloudWatch Logs subscription envelope, as Firehose delivers it: each
   * `logEvents[i].message` is one entry's JSON text. A CONTROL_MESSAGE (sent
   * when the subscription is set up) holds no entries. Returns false when the
   * value is not an envelope.
   */
  private expandEnvelope(value: unknown): boolean {
    if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
    const env = value as { messageType?: unknown; logEvents?: unknown };
    if (env.messageType === "CONTROL_MESSAGE") return true;
    if (env.messageType !== "DATA_MESSAGE" || !Array.isArray(env.logEvents)) return false;
    for (const ev of env.logEvents as CloudWatchEvent[]) {
      const message = ev !== null && typeof ev === "object" ? ev.message : undefined;
      if (typeof message !== "string") {
        const raw = JSON.stringify(ev) ?? String(ev);
        this.out.push({
          index: this.index++,
          ok: false,
          reason: "CloudWatch log event without a string message",
          raw: raw.length > this.maxRawBytes ? raw.slice(0, this.maxRawBytes) : raw,
          bytes: Buffer.byteLength(raw),
        });
        continue;
      }
      const bytes = Buffer.byteLength(message);
      if (bytes > this.maxElementBytes) {
        const b = Buffer.from(message);
        this.out.push({
          index: this.index++,
          ok: false,
          reason: `entry too large (${bytes} bytes)`,
          raw: utf8Prefix(b, 0, b.length, OVERSIZE_HEAD_BYTES),
          bytes,
        });
        continue;
      }
      try {
        this.out.push({ index: this.index++, ok: true, value: JSON.parse(message), bytes });
      } catch (err) {
        this.out.push({
          index: this.index++,
          ok: false,
          reason: `invalid JSON in CloudWatch log event message: ${(err as Error).message}`,
          raw: bytes > this.maxRawBytes ? utf8Prefix(Buffer.from(message), 0, bytes, this.maxRawBytes) : message,
          bytes,
        });
      }
    }
    return true;
  }
}
