import { mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  FolderSource,
  S3Source,
  SourceError,
  createListStats,
  decodeObject,
  parseSource,
  type ListFilter,
  type ListStats,
  type Source,
  type SourceObject,
} from "../src/index";
import { HAVE_SAMPLES, SAMPLES_DIR, values } from "./support/streams";

const UUID = "ee37f984-b136-4380-bd2d-51d9d0a5d705";
const name = (iso: string, ext = "json.gz"): string => `${iso}-${UUID}.${ext}`;

async function listAll(source: Source, filter?: ListFilter, stats?: ListStats): Promise<SourceObject[]> {
  const out: SourceObject[] = [];
  for await (const o of source.list(filter, stats)) out.push(o);
  return out;
}

let root: string;
const files: Record<string, Buffer> = {};

function put(rel: string, body: Buffer | string): void {
  const file = path.join(root, ...rel.split("/"));
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, body);
  files[rel] = Buffer.isBuffer(body) ? body : Buffer.from(body);
}

beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), "folder-source-"));
  const entries = (n: number): Buffer => gzipSync(Buffer.from(JSON.stringify(Array.from({ length: n }, (_, i) => ({ level: 30, i })))));
  put(name("2025-04-01T18:28:18.671Z"), entries(1)); // depth 0
  put(`2025/${name("2025-04-02T01:52:13.534Z")}`, entries(2)); // depth 1
  put(`2025/04/02/${name("2025-04-02T16:39:44.999Z")}`, entries(3)); // depth 3
  put(`2025/04/02/${name("2025-04-02T23:59:59Z")}`, entries(4)); // no milliseconds
  put(`2025/05/02/deep/er/still/${name("2025-05-02T11:05:37.775Z")}`, entries(5)); // depth 6
  put("2025/05/02/no-time-in-name.ndjson", '{"level":30}\n');
  put("2025/05/02/readme.txt", "not logs");
  put("2025/05/02/.DS_Store", "junk");
  put(`other/${name("2025-04-03T00:00:00.000Z", "json")}`, "[]");
  mkdirSync(path.join(root, "empty", "dir"), { recursive: true });
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

describe("FolderSource", () => {
  it("has a canonical file:// id", () => {
    const s = new FolderSource(root + "/");
    expect(s.id).toBe(pathToFileURL(root).href);
    expect(s.id.startsWith("file:///")).toBe(true);
    expect(s.id.endsWith("/")).toBe(false);
    expect(s.kind).toBe("folder");
  });

  it("lists files at every depth, with POSIX keys relative to the root, key times and kinds", async () => {
    const stats = createListStats();
    const list = await listAll(new FolderSource(root), {}, stats);
    expect(list.map((o) => o.key).sort()).toEqual(Object.keys(files).sort());
    const byKey = new Map(list.map((o) => [o.key, o]));
    const deep = byKey.get(`2025/05/02/deep/er/still/${name("2025-05-02T11:05:37.775Z")}`)!;
    expect(deep.keyTimeMs).toBe(Date.parse("2025-05-02T11:05:37.775Z"));
    expect(deep.kind).toBe("log");
    expect(deep.size).toBe(files[deep.key]!.length);
    expect(deep.lastModifiedMs).toBeGreaterThan(Date.now() - 3_600_000);
    expect(byKey.get(`2025/04/02/${name("2025-04-02T23:59:59Z")}`)!.keyTimeMs).toBe(Date.parse("2025-04-02T23:59:59Z"));
    expect(byKey.get("2025/05/02/no-time-in-name.ndjson")).toMatchObject({ keyTimeMs: null, kind: "log" });
    expect(byKey.get("2025/05/02/readme.txt")!.kind).toBe("unsupported");
    expect(byKey.get("2025/05/02/.DS_Store")!.kind).toBe("unsupported");
    expect(stats).toMatchObject({ seen: 9, listed: 7, skipped: 2, outOfRange: 0 });
    expect(stats.skippedExamples.sort()).toEqual(["2025/05/02/.DS_Store", "2025/05/02/readme.txt"]);
  });

  it("filters by prefix, at any depth, without entering other folders", async () => {
    const s = new FolderSource(root);
    expect((await listAll(s, { prefix: "2025/04/" })).map((o) => o.key).sort()).toEqual([
      `2025/04/02/${name("2025-04-02T16:39:44.999Z")}`,
      `2025/04/02/${name("2025-04-02T23:59:59Z")}`,
    ]);
    expect((await listAll(s, { prefix: "2025/05/02/deep/er" })).map((o) => o.key)).toEqual([
      `2025/05/02/deep/er/still/${name("2025-05-02T11:05:37.775Z")}`,
    ]);
    // A prefix that ends inside a name.
    expect((await listAll(s, { prefix: "2025/05/02/re" })).map((o) => o.key)).toEqual(["2025/05/02/readme.txt"]);
    expect((await listAll(s, { prefix: "2025-04" })).map((o) => o.key)).toEqual([name("2025-04-01T18:28:18.671Z")]);
    expect(await listAll(s, { prefix: "nothing/" })).toEqual([]);
  });

  it("filters by the key's time, half-open [since, until); keys without a time only when unbounded", async () => {
    const s = new FolderSource(root);
    const stats = createListStats();
    const since = Date.parse("2025-04-02T00:00:00Z");
    const until = Date.parse("2025-04-03T00:00:00Z");
    const keys = (await listAll(s, { sinceMs: since, untilMs: until }, stats)).map((o) => o.key).sort();
    expect(keys).toEqual([
      `2025/04/02/${name("2025-04-02T16:39:44.999Z")}`,
      `2025/04/02/${name("2025-04-02T23:59:59Z")}`,
      `2025/${name("2025-04-02T01:52:13.534Z")}`,
    ]);
    // The key at exactly `until` (other/2025-04-03T00:00:00.000Z) is out; the ones without a time too.
    expect(stats).toMatchObject({ seen: 9, listed: 3, skipped: 0, outOfRange: 6 });
    const onlySince = await listAll(s, { sinceMs: Date.parse("2025-04-03T00:00:00.000Z") });
    expect(onlySince.map((o) => o.key).sort()).toEqual([
      `2025/05/02/deep/er/still/${name("2025-05-02T11:05:37.775Z")}`,
      `other/${name("2025-04-03T00:00:00.000Z", "json")}`,
    ]);
    const onlyUntil = await listAll(s, { untilMs: Date.parse("2025-04-02T00:00:00Z") });
    expect(onlyUntil.map((o) => o.key)).toEqual([name("2025-04-01T18:28:18.671Z")]);
    await expect(listAll(s, { sinceMs: Number.NaN })).rejects.toThrow(/sinceMs/);
  });

  it("changes the etag when a file is rewritten", async () => {
    const s = new FolderSource(root);
    const key = `2025/04/02/${name("2025-04-02T16:39:44.999Z")}`;
    const file = path.join(root, key);
    const before = (await listAll(s, { prefix: key }))[0]!;
    expect(before.etag).toBe(`${before.size}-${(await import("node:fs")).statSync(file).mtimeMs}`);
    // Same size, new content and time.
    writeFileSync(file, files[key]!);
    utimesSync(file, new Date(), new Date(Date.now() + 5_000));
    const after = (await listAll(s, { prefix: key }))[0]!;
    expect(after.etag).not.toBe(before.etag);
    expect(after.size).toBe(before.size);
    // Different size.
    writeFileSync(file, gzipSync(Buffer.from("[]")));
    const third = (await listAll(s, { prefix: key }))[0]!;
    expect(third.etag).not.toBe(after.etag);
    writeFileSync(file, files[key]!);
  });

  it("opens a file as a stream that decodes", async () => {
    const s = new FolderSource(root);
    const key = `2025/05/02/deep/er/still/${name("2025-05-02T11:05:37.775Z")}`;
    const out: unknown[] = [];
    for await (const el of decodeObject(await s.open(key), key)) out.push(el.ok ? el.value : el.reason);
    expect(out).toEqual(Array.from({ length: 5 }, (_, i) => ({ level: 30, i })));
  });

  it("refuses keys that leave the folder, and reports missing files and stale etags", async () => {
    const s = new FolderSource(root);
    for (const key of ["../etc/passwd", "/etc/passwd", "a/../../x", "", "a//b", "./x"]) {
      await expect(s.open(key)).rejects.toBeInstanceOf(SourceError);
    }
    await expect(s.open("2025/nope.json.gz")).rejects.toMatchObject({ code: "not-found" });
    await expect(s.open("2025")).rejects.toMatchObject({ code: "not-found" });
    const key = name("2025-04-01T18:28:18.671Z");
    await expect(s.open(key, { etag: "1-2" })).rejects.toMatchObject({ code: "changed" });
    const listed = (await listAll(s, { prefix: key }))[0]!;
    (await s.open(key, { etag: listed.etag })).destroy();
  });

  it("follows symbolic links to files, not to folders", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "folder-links-"));
    try {
      mkdirSync(path.join(dir, "real"));
      writeFileSync(path.join(dir, "real", "a.json"), "[]");
      symlinkSync(path.join(dir, "real", "a.json"), path.join(dir, "link.json"));
      symlinkSync(dir, path.join(dir, "real", "loop"));
      const keys = (await listAll(new FolderSource(dir))).map((o) => o.key).sort();
      expect(keys).toEqual(["link.json", "real/a.json"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("fails clearly for a missing folder", async () => {
    await expect(listAll(new FolderSource(path.join(root, "missing")))).rejects.toMatchObject({
      code: "not-found",
      message: expect.stringMatching(/folder not found/),
    });
  });
});

describe("parseSource", () => {
  it("reads s3:// specs", () => {
    const s = parseSource("s3://dev.deal-bot-logs", { AWS_REGION: "us-east-1" });
    expect(s).toBeInstanceOf(S3Source);
    expect(s.id).toBe("s3://dev.deal-bot-logs");
    const p = parseSource("s3://my-bucket/logs/2025/", { region: "eu-west-2", endpoint: "http://127.0.0.1:9000" }) as S3Source;
    expect(p.id).toBe("s3://my-bucket/logs/2025");
    expect(p.prefix).toBe("logs/2025");
    expect(p.bucket).toBe("my-bucket");
    p.close();
    s.close?.();
  });

  it("takes region and endpoint from an Env, explicit options winning", async () => {
    const s = parseSource("s3://bucket-a", { AWS_REGION: "eu-west-1", AWS_ENDPOINT_URL: "http://127.0.0.1:1" }) as S3Source;
    expect(await s.client.config.region()).toBe("eu-west-1");
    const ep = await s.client.config.endpoint?.();
    expect(ep?.hostname).toBe("127.0.0.1");
    expect(s.client.config.forcePathStyle).toBe(true);
    s.close();
    const t = parseSource("s3://bucket-a", { AWS_REGION: "eu-west-1", region: "us-west-2" }) as S3Source;
    expect(await t.client.config.region()).toBe("us-west-2");
    t.close();
  });

  it("reads folders: relative, absolute, file:// URLs", () => {
    const abs = parseSource(root);
    expect(abs).toBeInstanceOf(FolderSource);
    expect(abs.id).toBe(pathToFileURL(root).href);
    expect(parseSource(pathToFileURL(root).href).id).toBe(abs.id);
    expect(parseSource(path.basename(root), { cwd: path.dirname(root) }).id).toBe(abs.id);
    expect(parseSource("./2025/04", { cwd: root }).id).toBe(pathToFileURL(path.join(root, "2025", "04")).href);
  });

  it.each([
    ["", /empty source/],
    ["   ", /empty source/],
    ["s3://", /not a valid bucket name/],
    ["s3:///prefix", /not a valid bucket name/],
    ["s3://Bad_Bucket", /not a valid bucket name/],
    ["s3://ab", /not a valid bucket name/],
    ["s3:bucket", /invalid S3 source/],
    ["s3:/bucket", /invalid S3 source/],
    ["gs://bucket/x", /unsupported source "gs:\/\/bucket\/x": use s3:\/\/bucket\[\/prefix\], a folder path/],
    ["https://example.com/logs", /unsupported source/],
    ["file://remote-host/share", /invalid file URL/],
  ])("rejects %j", (spec, message) => {
    let err: unknown;
    try {
      parseSource(spec);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SourceError);
    expect((err as SourceError).code).toBe("bad-spec");
    expect((err as Error).message).toMatch(message);
  });

  it("rejects a bad endpoint, a missing folder and a file", () => {
    expect(() => parseSource("s3://bucket-a", { endpoint: "localhost:9000" })).toThrow(/invalid S3 endpoint/);
    expect(() => parseSource(path.join(root, "missing"))).toThrow(/folder not found/);
    expect(() => parseSource(path.join(root, name("2025-04-01T18:28:18.671Z")))).toThrow(/not a folder/);
  });
});

describe.skipIf(!HAVE_SAMPLES)("FolderSource on the real sample bucket", () => {
  it("lists the 10 files and decodes 612 entries", async () => {
    const source = parseSource(SAMPLES_DIR);
    let entries = 0;
    const list = await listAll(source);
    expect(list).toHaveLength(10);
    for (const o of list) {
      expect(o.kind).toBe("log");
      expect(o.keyTimeMs).not.toBeNull();
      entries += values(await (async () => {
        const els = [];
        for await (const el of decodeObject(await source.open(o.key), o.key)) els.push(el);
        return els;
      })()).length;
    }
    expect(entries).toBe(612);
    const day = await listAll(source, { sinceMs: Date.parse("2025-04-02T00:00:00Z"), untilMs: Date.parse("2025-04-03T00:00:00Z") });
    expect(day).toHaveLength(6);
  });
});
