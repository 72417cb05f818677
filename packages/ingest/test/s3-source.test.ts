import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type { Readable } from "node:stream";
import { gzipSync } from "node:zlib";
import { ListObjectsV2Command, PutObjectCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "@log-insights/config";
import {
  S3Source,
  SourceError,
  createListStats,
  decodeObject,
  parseSource,
  type DecodedElement,
  type ListFilter,
  type ListStats,
  type SourceObject,
} from "../src/index";
import { startCuttingProxy } from "./support/cutting-proxy";
import { startS3Server, type S3TestServer } from "./support/s3-server";
import { HAVE_SAMPLES, SAMPLES_DIR } from "./support/streams";

const BUCKET = "deal-bot-logs";
const UUID = "ee37f984-b136-4380-bd2d-51d9d0a5d705";
/** Keys in the bucket: 1,050 log files over 3 days at mixed depths, plus other kinds. */
const MANY = 1050;
const quiet = createLogger("test", "silent");

let s3: S3TestServer;
const keys: string[] = [];

function keyFor(i: number): string {
  const t = new Date(Date.parse("2025-04-01T00:00:00.000Z") + i * 247_000); // ~3 days
  const iso = t.toISOString();
  const day = iso.slice(0, 10).replace(/-/g, "/");
  // Mixed depths: logs/YYYY/MM/DD/, logs/YYYY/MM/, logs/flat/. (Not files directly beside a
  // folder whose name prefixes theirs, like logs/2025/ and logs/2025-04-...: s3rver pages in
  // filesystem-walk order, which then differs from S3's key order, and repeats keys.)
  const dir = i % 3 === 0 ? `logs/${day}/` : i % 3 === 1 ? `logs/${day.slice(0, 7)}/` : "logs/flat/";
  return `${dir}${iso}-${UUID.slice(0, -4)}${String(i).padStart(4, "0")}.json.gz`;
}

async function listAll(source: S3Source, filter?: ListFilter, stats?: ListStats): Promise<SourceObject[]> {
  const out: SourceObject[] = [];
  for await (const o of source.list(filter, stats)) out.push(o);
  return out;
}

async function decodeStream(stream: Readable, key: string): Promise<DecodedElement[]> {
  const out: DecodedElement[] = [];
  for await (const el of decodeObject(stream, key)) out.push(el);
  return out;
}

function source(extra: Partial<ConstructorParameters<typeof S3Source>[0]> = {}): S3Source {
  return new S3Source({ bucket: BUCKET, prefix: "logs", endpoint: s3.endpoint, region: "us-east-1", credentials: s3.credentials, ...extra });
}

async function putAll(entries: [string, Buffer][], concurrency = 16): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < entries.length) {
        const [key, body] = entries[next++]!;
        await s3.put(BUCKET, key, body);
      }
    }),
  );
}

beforeAll(async () => {
  s3 = await startS3Server();
  await s3.createBucket(BUCKET);
  const bodies: [string, Buffer][] = [];
  for (let i = 0; i < MANY; i++) {
    const key = keyFor(i);
    keys.push(key);
    bodies.push([key, gzipSync(Buffer.from(JSON.stringify([{ level: 30, i }])))]);
  }
  bodies.push(["logs/2025/04/01/notes.txt", Buffer.from("not logs")]);
  bodies.push(["logs/2025/04/01/no-time.ndjson", Buffer.from('{"level":30}\n')]);
  bodies.push(["logs/2025/04/", Buffer.alloc(0)]); // a folder marker, as consoles create
  bodies.push(["elsewhere/2025-04-01T10:00:00.000Z-x.json.gz", gzipSync(Buffer.from("[]"))]);
  await putAll(bodies);
}, 120_000);

afterAll(async () => {
  await s3?.stop();
});

describe("S3Source against s3rver", () => {
  it("lists more than 1,000 keys across pages, keys relative to the prefix", async () => {
    const src = source();
    expect(src.id).toBe(`s3://${BUCKET}/logs`);
    const stats = createListStats();
    const list = await listAll(src, {}, stats);
    const logKeys = list.filter((o) => o.kind === "log").map((o) => o.key);
    expect(new Set(logKeys).size).toBe(MANY + 1);
    expect(logKeys.sort()).toEqual([...keys.map((k) => k.slice("logs/".length)), "2025/04/01/no-time.ndjson"].sort());
    expect(list.filter((o) => o.kind === "unsupported").map((o) => o.key)).toEqual(["2025/04/01/notes.txt"]);
    // The folder marker is not an object; "elsewhere/" is outside the prefix.
    expect(stats).toMatchObject({ seen: MANY + 2, listed: MANY + 1, skipped: 1, outOfRange: 0 });
    // Really two pages: the server caps a page at 1,000.
    const page = await s3.client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: "logs/" }));
    expect(page.IsTruncated).toBe(true);
    src.close();
  });

  it("small pages list the same keys", async () => {
    const src = source({ pageSize: 97 });
    expect((await listAll(src, { prefix: "2025/04/01/" })).map((o) => o.key).sort()).toEqual(
      keys.filter((k) => k.startsWith("logs/2025/04/01/")).map((k) => k.slice(5)).concat(["2025/04/01/no-time.ndjson", "2025/04/01/notes.txt"]).sort(),
    );
    src.close();
  });

  it("gives etag (no quotes), size, key time and last-modified", async () => {
    const src = source();
    const key = keys[3]!;
    const rel = key.slice(5);
    const [o] = await listAll(src, { prefix: rel });
    const put = await s3.client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: gzipSync(Buffer.from('[{"level":30,"i":3,"v":2}]')) }));
    const [after] = await listAll(src, { prefix: rel });
    expect(o!.etag).toMatch(/^[0-9a-f]{32}$/);
    expect(after!.etag).toBe(put.ETag!.replace(/"/g, ""));
    expect(after!.etag).not.toBe(o!.etag);
    expect(after!.keyTimeMs).toBe(Date.parse(rel.slice(rel.lastIndexOf("/") + 1, rel.lastIndexOf("/") + 25)));
    expect(after!.lastModifiedMs).toBeGreaterThan(Date.now() - 600_000);
    expect(after!.size).toBeGreaterThan(0);
    src.close();
  });

  it("filters by a prefix inside the source and by the source's own prefix", async () => {
    const src = source();
    const april2 = await listAll(src, { prefix: "2025/04/02/" });
    expect(april2.length).toBe(keys.filter((k) => k.startsWith("logs/2025/04/02/")).length);
    expect(april2.length).toBeGreaterThan(50);
    const whole = new S3Source({ bucket: BUCKET, endpoint: s3.endpoint, region: "us-east-1", credentials: s3.credentials });
    expect(whole.id).toBe(`s3://${BUCKET}`);
    const elsewhere = await listAll(whole, { prefix: "elsewhere/" });
    expect(elsewhere.map((o) => o.key)).toEqual(["elsewhere/2025-04-01T10:00:00.000Z-x.json.gz"]);
    const deeper = source({ prefix: "/logs/2025/04/02/" });
    expect(deeper.id).toBe(`s3://${BUCKET}/logs/2025/04/02`);
    expect((await listAll(deeper)).map((o) => o.key).sort()).toEqual(april2.map((o) => o.key.slice("2025/04/02/".length)).sort());
    src.close();
    whole.close();
    deeper.close();
  });

  it("filters by key time, whatever the folder depth", async () => {
    const src = source();
    const since = Date.parse("2025-04-02T00:00:00Z");
    const until = Date.parse("2025-04-03T00:00:00Z");
    const stats = createListStats();
    const got = (await listAll(src, { sinceMs: since, untilMs: until }, stats)).map((o) => o.key).sort();
    const want = keys
      .filter((k) => {
        const t = Date.parse(path.posix.basename(k).slice(0, 24));
        return t >= since && t < until;
      })
      .map((k) => k.slice(5))
      .sort();
    expect(got).toEqual(want);
    expect(want.length).toBeGreaterThan(300);
    // Some of that day's keys sit at each depth.
    expect(new Set(got.map((k) => k.split("/").length))).toEqual(new Set([2, 3, 4]));
    expect(stats.outOfRange).toBe(MANY + 2 - want.length); // incl. notes.txt and no-time.ndjson (no key time)
    src.close();
  });

  it("streams a 20 MB object in many chunks and decodes it", async () => {
    const entry = (i: number): string =>
      JSON.stringify({ level: 30, i, context: "DealBotService", message: "Query processed successfully", answer: `answer ${i} ${"زكاة 😀 ".repeat(20)}${randomBytes(200).toString("hex")}` });
    const parts: string[] = [];
    let size = 2;
    let n = 0;
    while (size < 20 * 1024 * 1024) {
      const e = entry(n++);
      parts.push(e);
      size += Buffer.byteLength(e) + 1;
    }
    const body = Buffer.from(`[${parts.join(",")}]`);
    const gz = gzipSync(body);
    await s3.put(BUCKET, "big/2025-04-05T00:00:00.000Z-big.json", body);
    await s3.put(BUCKET, "big/2025-04-05T00:00:01.000Z-big.json.gz", gz);
    const src = new S3Source({ bucket: BUCKET, prefix: "big", endpoint: s3.endpoint, region: "us-east-1", credentials: s3.credentials });
    for (const [key, bytes] of [["2025-04-05T00:00:00.000Z-big.json", body.length], ["2025-04-05T00:00:01.000Z-big.json.gz", gz.length]] as const) {
      const stream = await src.open(key);
      let chunks = 0;
      let largest = 0;
      let total = 0;
      async function* counted(): AsyncGenerator<Buffer> {
        for await (const c of stream as AsyncIterable<Buffer>) {
          chunks++;
          total += c.length;
          largest = Math.max(largest, c.length);
          yield c;
        }
      }
      const els = await decodeStream(counted() as unknown as Readable, key);
      expect(total).toBe(bytes);
      expect(chunks).toBeGreaterThan(20);
      expect(largest).toBeLessThan(bytes / 10);
      expect(els).toHaveLength(n);
      expect(els.every((e) => e.ok)).toBe(true);
      expect(els[n - 1]).toMatchObject({ index: n - 1, value: { i: n - 1 } });
    }
    src.close();
  });

  it("resumes a body cut mid-way with a Range request, and gives up after maxResumes", async () => {
    const body = Buffer.from(JSON.stringify(Array.from({ length: 4000 }, (_, i) => ({ level: 30, i, pad: randomBytes(300).toString("hex") }))));
    expect(body.length).toBeGreaterThan(2_500_000);
    await s3.put(BUCKET, "cut/2025-04-06T00:00:00.000Z-cut.json", body);

    const proxy = await startCuttingProxy({ host: s3.host, port: s3.port }, { cutAfterBytes: 700_000, cuts: 3 });
    try {
      const src = new S3Source({ bucket: BUCKET, prefix: "cut", endpoint: proxy.endpoint, region: "us-east-1", credentials: s3.credentials, maxResumes: 5, logger: quiet });
      const els = await decodeStream(await src.open("2025-04-06T00:00:00.000Z-cut.json"), "x.json");
      expect(proxy.cutsDone).toBe(3);
      expect(els).toHaveLength(4000);
      expect(els.map((e) => (e.ok ? (e.value as { i: number }).i : -1))).toEqual(Array.from({ length: 4000 }, (_, i) => i));
      src.close();
    } finally {
      await proxy.stop();
    }

    const harsh = await startCuttingProxy({ host: s3.host, port: s3.port }, { cutAfterBytes: 300_000, cuts: 100 });
    try {
      const src = new S3Source({ bucket: BUCKET, prefix: "cut", endpoint: harsh.endpoint, region: "us-east-1", credentials: s3.credentials, maxResumes: 2, logger: quiet });
      const err = await decodeStream(await src.open("2025-04-06T00:00:00.000Z-cut.json"), "x.json").catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SourceError);
      expect(err).toMatchObject({ code: "unavailable", transient: true });
      expect((err as Error).message).toMatch(/failed after 2 resume\(s\) at byte \d+/);
      src.close();
    } finally {
      await harsh.stop();
    }
  });

  it("opens through parseSource with an endpoint, like the CLI", async () => {
    process.env.AWS_ACCESS_KEY_ID = s3.credentials.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = s3.credentials.secretAccessKey;
    try {
      const src = parseSource(`s3://${BUCKET}/logs`, { AWS_REGION: "us-east-1", AWS_ENDPOINT_URL: s3.endpoint });
      const [first] = await listAll(src as S3Source, { prefix: "2025/04/01/" });
      const els = await decodeStream(await src.open(first!.key), first!.key);
      expect(els).toHaveLength(1);
      expect(els[0]).toMatchObject({ ok: true, value: { level: 30 } });
      src.close?.();
    } finally {
      delete process.env.AWS_ACCESS_KEY_ID;
      delete process.env.AWS_SECRET_ACCESS_KEY;
    }
  });

  it("fails clearly for a missing bucket, a missing key and bad credentials", async () => {
    const missing = new S3Source({ bucket: "no-such-bucket", endpoint: s3.endpoint, region: "us-east-1", credentials: s3.credentials });
    const err = await listAll(missing).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SourceError);
    expect(err).toMatchObject({ code: "not-found", transient: false, message: `S3 bucket "no-such-bucket" does not exist at ${s3.endpoint}` });
    missing.close();

    const src = source();
    await expect(src.open("2025/nope.json.gz")).rejects.toMatchObject({
      code: "not-found",
      message: expect.stringContaining(`s3://${BUCKET}/logs/2025/nope.json.gz`),
    });
    src.close();

    const wrong = source({ credentials: { accessKeyId: "WRONG", secretAccessKey: "WRONG" }, maxAttempts: 1 });
    const denied = await listAll(wrong).catch((e: unknown) => e);
    expect(denied).toMatchObject({ code: "access-denied" });
    expect((denied as Error).message).toMatch(/access denied \(InvalidAccessKeyId/);
    wrong.close();
  });

  it("reports a server that does not answer after retrying", async () => {
    const down = new S3Source({ bucket: BUCKET, endpoint: "http://127.0.0.1:9", region: "us-east-1", credentials: s3.credentials, maxAttempts: 2 });
    const err = await listAll(down).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "unavailable", transient: true });
    expect((err as Error).message).toMatch(/listing s3:\/\/deal-bot-logs failed after 2 attempt\(s\) at http:\/\/127\.0\.0\.1:9/);
    down.close();
  });
});

describe.skipIf(!HAVE_SAMPLES)("S3Source: the real sample files through s3rver", () => {
  it("lists the real bucket layout and decodes 612 entries", async () => {
    const walk = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
    const files = walk(SAMPLES_DIR);
    await putAll(files.map((f) => [`real/${path.relative(SAMPLES_DIR, f).split(path.sep).join("/")}`, readFileSync(f)]));
    const src = source({ prefix: "real" });
    const list = await listAll(src);
    expect(list).toHaveLength(10);
    let entries = 0;
    for (const o of list) {
      const els = await decodeStream(await src.open(o.key, { etag: o.etag }), o.key);
      expect(els.every((e) => e.ok)).toBe(true);
      entries += els.length;
    }
    expect(entries).toBe(612);
    src.close();
  });
});
