import { createGunzip } from "node:zlib";
import { formatOfKey } from "./formats";
import { ElementSplitter, SplitError } from "./splitter";
import { DecodeError, type DecodeOptions, type DecodedElement } from "./types";

/** What the decoder reads: a Node readable (fs, S3 Body, ...) or any async iterable of bytes. */
export type ByteStream = NodeJS.ReadableStream | AsyncIterable<Uint8Array | string>;

/** Size of the chunks gunzip produces: larger chunks mean fewer elements split across two. */
const GUNZIP_CHUNK_BYTES = 64 * 1024;
/** gzip inside gzip (Firehose compressing CloudWatch's already gzipped records) is opened; no deeper. */
const MAX_GZIP_LAYERS = 2;

function toBuffer(chunk: Uint8Array | string): Buffer {
  if (typeof chunk === "string") return Buffer.from(chunk, "utf8");
  return Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

async function* buffersOf(input: ByteStream): AsyncGenerator<Buffer> {
  for await (const chunk of input as AsyncIterable<Uint8Array | string>) {
    const buf = toBuffer(chunk);
    if (buf.length > 0) yield buf;
  }
}

/** Passes bytes through, gunzipping them when they start with the gzip magic (1f 8b), whatever the key says. */
async function* decompressed(input: AsyncIterable<Buffer>, layer: number): AsyncGenerator<Buffer> {
  const it = input[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let headBytes = 0;
  let done = false;
  while (headBytes < 2) {
    const r = await it.next();
    if (r.done) {
      done = true;
      break;
    }
    head.push(r.value);
    headBytes += r.value.length;
  }
  async function* all(): AsyncGenerator<Buffer> {
    yield* head;
    while (!done) {
      const r = await it.next();
      if (r.done) return;
      yield r.value;
    }
  }
  const first = head[0];
  const second = first !== undefined && first.length > 1 ? first[1] : head[1]?.[0];
  if (first?.[0] !== 0x1f || second !== 0x8b || layer >= MAX_GZIP_LAYERS) {
    yield* all();
    return;
  }
  const gunzip = createGunzip({ chunkSize: GUNZIP_CHUNK_BYTES });
  // Errors surface through the iteration of gunzip; this keeps a late one from being unhandled.
  gunzip.on("error", () => undefined);
  // Feed gunzip by hand, with backpressure: stream.pipeline() (and an
  // AbortController per object) cost ~0.3 ms a file here, which matters at
  // a thousand small files a second.
  const drained = (): Promise<void> =>
    new Promise((resolve) => {
      const done = (): void => {
        gunzip.off("drain", done);
        gunzip.off("close", done);
        resolve();
      };
      gunzip.on("drain", done);
      gunzip.on("close", done);
    });
  const feed = async (): Promise<void> => {
    try {
      // One chunk is held back so that the last one goes with end(): a small
      // object then costs one trip to the zlib thread instead of two.
      let held: Buffer | undefined;
      for await (const chunk of all()) {
        if (gunzip.destroyed) return;
        if (held !== undefined && !gunzip.write(held)) await drained();
        held = chunk;
      }
      if (!gunzip.destroyed) gunzip.end(held);
    } catch (err) {
      // The source failed: end the iteration of gunzip with that error.
      gunzip.destroy(err as Error);
    }
  };
  void feed();
  try {
    yield* decompressed(gunzip, layer + 1);
  } finally {
    gunzip.destroy();
  }
}

function isZlibError(err: unknown): err is Error & { code: string } {
  const code = (err as { code?: unknown } | null)?.code;
  return err instanceof Error && typeof code === "string" && code.startsWith("Z_");
}

function toDecodeError(err: unknown, key: string): unknown {
  if (err instanceof SplitError) return new DecodeError(key, err.kind, err.message, err.offset, { cause: err });
  if (isZlibError(err)) {
    // Z_BUF_ERROR: the compressed stream stops before its end (a truncated upload or download).
    if (err.code === "Z_BUF_ERROR") return new DecodeError(key, "truncated", `truncated gzip: ${err.message}`, undefined, { cause: err });
    return new DecodeError(key, "gzip", `bad gzip data: ${err.message}`, undefined, { cause: err });
  }
  return err;
}

function destroyInput(input: ByteStream): void {
  const stream = input as unknown as { destroy?: () => void };
  if (typeof stream.destroy === "function") stream.destroy();
}

/**
 * Decodes one object, streaming, in batches (one batch per decompressed
 * chunk): cheaper than one await per element for a consumer that handles
 * many elements at once. Same contract as decodeObject.
 */
export async function* decodeObjectBatches(
  input: ByteStream,
  key: string,
  options: DecodeOptions = {},
): AsyncGenerator<DecodedElement[], void, undefined> {
  const splitter = new ElementSplitter({
    format: options.format ?? formatOfKey(key) ?? "json",
    maxElementBytes: options.maxElementBytes,
    maxRawBytes: options.maxRawBytes,
  });
  try {
    for await (const chunk of decompressed(buffersOf(input), 0)) {
      splitter.push(chunk);
      if (splitter.pending > 0) yield splitter.take();
    }
    splitter.end();
    if (splitter.pending > 0) yield splitter.take();
  } catch (err) {
    throw toDecodeError(err, key);
  } finally {
    destroyInput(input);
  }
}

/**
 * Decodes one object (`key` picks the framing: see formatOfKey) into its
 * elements, streaming: gunzip when the bytes start with the gzip magic, split
 * top-level elements at the byte level, JSON.parse each. An element that is
 * not valid JSON, or larger than `maxElementBytes`, comes out as
 * `{ ok: false }` and decoding goes on. A file-level failure is thrown as a
 * DecodeError; an error of the input stream itself (a network reset) is
 * rethrown as it is, so that the caller can tell it from a bad file.
 *
 * The input is destroyed when decoding ends, fails, or the consumer stops.
 */
export async function* decodeObject(
  input: ByteStream,
  key: string,
  options: DecodeOptions = {},
): AsyncGenerator<DecodedElement, void, undefined> {
  for await (const batch of decodeObjectBatches(input, key, options)) {
    for (const element of batch) yield element;
  }
}
