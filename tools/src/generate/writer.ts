/**
 * Writes objects into a folder laid out like the bucket:
 * `YYYY/MM/DD/<ISO-8601 UTC with ms>-<uuid v4>.json.gz`.
 *
 * Compression runs on the libuv thread pool through a few long-lived gzip
 * streams that are reset between files (each file is one complete gzip
 * member, byte-identical to `gzipSync`): setting up a new deflate state per
 * small file costs the main thread about as much as compressing it. Files are
 * written asynchronously, a few in flight while the next ones are generated.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { constants, createGzip, type Gzip } from "node:zlib";

/** The key (relative path) of an object written at `keyTime`. */
export function objectKey(keyTime: number, uuid: string): string {
  const iso = new Date(keyTime).toISOString();
  return `${iso.slice(0, 4)}/${iso.slice(5, 7)}/${iso.slice(8, 10)}/${iso}-${uuid}.json.gz`;
}

/** One reusable gzip stream: compresses one buffer at a time. */
class GzipSlot {
  private readonly stream: Gzip;
  private chunks: Buffer[] = [];
  private error: Error | null = null;

  constructor(level: number) {
    this.stream = createGzip({ level, chunkSize: 64 * 1024 });
    this.stream.on("data", (c: Buffer) => this.chunks.push(c));
    this.stream.on("error", (err: Error) => {
      this.error = err;
    });
  }

  compress(input: Buffer): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      this.stream.write(input);
      this.stream.flush(constants.Z_FINISH, () => {
        if (this.error !== null) return reject(this.error);
        const out = Buffer.concat(this.chunks);
        this.chunks = [];
        // Gzip streams have `reset()` at runtime (deflateReset keeps the gzip
        // wrapper, so the next member gets its own header); @types/node only
        // declares it on Deflate/Inflate.
        (this.stream as unknown as { reset(): void }).reset();
        resolve(out);
      });
    });
  }

  close(): void {
    this.stream.destroy();
  }
}

export class BucketWriter {
  private readonly inFlight = new Set<Promise<void>>();
  private readonly dirs = new Map<string, Promise<unknown>>();
  private readonly idle: GzipSlot[] = [];
  private readonly slots: GzipSlot[] = [];
  private failure: unknown = null;
  bytesRaw = 0;
  bytesGzipped = 0;

  constructor(
    private readonly outDir: string,
    level: number,
    private readonly concurrency: number,
  ) {
    for (let i = 0; i < concurrency; i++) {
      const slot = new GzipSlot(level);
      this.slots.push(slot);
      this.idle.push(slot);
    }
  }

  /** Queues one object; resolves once there is room for another. */
  async write(key: string, content: string): Promise<void> {
    while (this.idle.length === 0 || this.inFlight.size >= this.concurrency) await Promise.race(this.inFlight);
    if (this.failure !== null) throw this.failure;
    const raw = Buffer.from(content, "utf8");
    this.bytesRaw += raw.length;
    const dir = join(this.outDir, key.slice(0, key.lastIndexOf("/")));
    const slot = this.idle.pop() as GzipSlot;
    const job = (async () => {
      let gz: Buffer;
      try {
        gz = await slot.compress(raw);
      } finally {
        this.idle.push(slot);
      }
      this.bytesGzipped += gz.length;
      let made = this.dirs.get(dir);
      if (made === undefined) {
        made = mkdir(dir, { recursive: true });
        this.dirs.set(dir, made);
      }
      await made;
      await writeFile(join(this.outDir, key), gz);
    })().catch((err: unknown) => {
      this.failure ??= err;
    });
    const tracked: Promise<void> = job.finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
  }

  async close(): Promise<void> {
    await Promise.all(this.inFlight);
    for (const s of this.slots) s.close();
    if (this.failure !== null) throw this.failure;
  }
}
