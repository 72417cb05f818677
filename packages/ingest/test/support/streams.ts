import { existsSync } from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import { decodeObject, type DecodeOptions, type DecodedElement } from "../../src/decode";

/** The real sample bucket, read in place (never copied into the project); absent on some machines. */
export const SAMPLES_DIR = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  "../../../../../shared/samples/real-bucket",
);
export const HAVE_SAMPLES = existsSync(SAMPLES_DIR);

/** Small deterministic PRNG (mulberry32) for reproducible random chunking. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Cuts a buffer into chunks of the given sizes (cycled). */
export function chunksOf(buf: Buffer, sizes: number[] | number): Buffer[] {
  const list = typeof sizes === "number" ? [sizes] : sizes;
  const out: Buffer[] = [];
  let i = 0;
  let k = 0;
  while (i < buf.length) {
    const size = Math.max(1, list[k++ % list.length]!);
    out.push(buf.subarray(i, i + size));
    i += size;
  }
  return out;
}

/** Random chunk sizes in [1, max]. */
export function randomChunks(buf: Buffer, seed: number, max: number): Buffer[] {
  const rnd = prng(seed);
  const out: Buffer[] = [];
  let i = 0;
  while (i < buf.length) {
    const size = 1 + Math.floor(rnd() * max);
    out.push(buf.subarray(i, i + size));
    i += size;
  }
  return out;
}

/** A byte stream (a real Readable) that yields these chunks as they are. */
export function streamOf(chunks: Buffer[] | Buffer): Readable {
  return Readable.from(Array.isArray(chunks) ? chunks : [chunks], { objectMode: false });
}

export async function decodeAll(
  input: Buffer | Buffer[] | Readable,
  key: string,
  options?: DecodeOptions,
): Promise<DecodedElement[]> {
  const stream = input instanceof Readable ? input : streamOf(input);
  const out: DecodedElement[] = [];
  for await (const el of decodeObject(stream, key, options)) out.push(el);
  return out;
}

/** The values of the elements, failing the test if any was rejected. */
export function values(elements: DecodedElement[]): unknown[] {
  return elements.map((e) => {
    if (!e.ok) throw new Error(`element ${e.index} rejected: ${e.reason}`);
    return e.value;
  });
}
