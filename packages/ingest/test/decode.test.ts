import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { DecodeError, decodeObject, decodeObjectBatches, formatOfKey, isSupportedKey } from "../src/decode";
import { HAVE_SAMPLES, SAMPLES_DIR, chunksOf, decodeAll, randomChunks, streamOf, values } from "./support/streams";

const ENTRIES = [
  {
    level: 30,
    time: 1743611982609,
    timestamp: "2025-04-02T16:39:42.609Z",
    context: "DealBotService",
    message: "Processing deal bot query",
    dealId: "342",
    authUserId: 8387,
    query: "Is the Sharia-compliant fund eligible for Zakat? زكاة 🕌",
  },
  { level: 40, time: 1743611982700, context: "DatabaseService", message: "Slow query detected", queryTime: 1200 },
  { level: "info", context: "SystemMonitor", message: "Memory usage: 358MB", note: "emoji 😀👍🏽 and \"quotes\" and \\" },
];

function cloudWatch(events: unknown[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    messageType: "DATA_MESSAGE",
    owner: "123456789012",
    logGroup: "/ecs/deal-bot",
    logStream: "ecs/deal-bot/abc",
    subscriptionFilters: ["to-firehose"],
    logEvents: events.map((message, i) => ({
      id: String(36000000000000000000000000000000000000000000000000000000 + i),
      timestamp: 1743611982609 + i,
      message: typeof message === "string" ? message : JSON.stringify(message),
    })),
    ...extra,
  };
}

async function decodeError(input: Buffer | Buffer[], key: string): Promise<DecodeError> {
  try {
    await decodeAll(input, key);
  } catch (err) {
    expect(err).toBeInstanceOf(DecodeError);
    return err as DecodeError;
  }
  throw new Error("expected a DecodeError");
}

describe("isSupportedKey / formatOfKey", () => {
  it.each([
    ["2025/04/02/2025-04-02T16:39:44.999Z-ee37f984-b136-4380-bd2d-51d9d0a5d705.json.gz", "json"],
    ["a.json", "json"],
    ["A.JSON.GZ", "json"],
    ["x/y.ndjson", "ndjson"],
    ["x/y.ndjson.gz", "ndjson"],
    ["y.jsonl", "ndjson"],
    ["y.jsonl.gz", "ndjson"],
    ["firehose/deal-bot-1-2025-04-02-16-39-44-uuid.gz", "json"],
    ["notes.txt", null],
    ["image.png", null],
    ["a.json.bak", null],
    ["folder/", null],
    ["2025/04/", null],
    [".gz", null],
    ["README", null],
  ])("%s -> %s", (key, format) => {
    expect(formatOfKey(key)).toBe(format);
    expect(isSupportedKey(key)).toBe(format !== null);
  });
});

describe("decodeObject: formats", () => {
  const compact = Buffer.from(JSON.stringify(ENTRIES));
  const pretty = Buffer.from(JSON.stringify(ENTRIES, null, 2));

  it("reads a gzipped compact array (the bot's format)", async () => {
    const els = await decodeAll(gzipSync(compact), "k/2025-04-02T16:39:44.999Z-x.json.gz");
    expect(values(els)).toEqual(ENTRIES);
    expect(els.map((e) => e.index)).toEqual([0, 1, 2]);
    expect(els.map((e) => e.bytes)).toEqual(ENTRIES.map((e) => Buffer.byteLength(JSON.stringify(e))));
  });

  it("reads a gzipped pretty-printed array", async () => {
    expect(values(await decodeAll(gzipSync(pretty), "x.json.gz"))).toEqual(ENTRIES);
  });

  it("reads plain .json (array and single object)", async () => {
    expect(values(await decodeAll(compact, "x.json"))).toEqual(ENTRIES);
    expect(values(await decodeAll(Buffer.from(JSON.stringify(ENTRIES[0])), "one.json"))).toEqual([ENTRIES[0]]);
  });

  it("detects gzip by its magic bytes, not by the name", async () => {
    expect(values(await decodeAll(gzipSync(compact), "named-plain.json"))).toEqual(ENTRIES);
    expect(values(await decodeAll(compact, "named-gzipped.json.gz"))).toEqual(ENTRIES);
  });

  it("reads NDJSON, gzipped or not, ignoring blank lines", async () => {
    const text = Buffer.from(`${JSON.stringify(ENTRIES[0])}\n\n${JSON.stringify(ENTRIES[1])}\r\n  \n${JSON.stringify(ENTRIES[2])}\n`);
    expect(values(await decodeAll(text, "x.ndjson"))).toEqual(ENTRIES);
    expect(values(await decodeAll(gzipSync(text), "x.ndjson.gz"))).toEqual(ENTRIES);
    expect(values(await decodeAll(text, "x.jsonl"))).toEqual(ENTRIES);
    expect(values(await decodeAll(gzipSync(text), "x.jsonl.gz"))).toEqual(ENTRIES);
  });

  it("a bad NDJSON line is rejected and the next lines are read", async () => {
    const text = Buffer.from(`${JSON.stringify(ENTRIES[0])}\n{"broken":\n${JSON.stringify(ENTRIES[1])}\n`);
    const els = await decodeAll(gzipSync(text), "x.ndjson.gz");
    expect(els.map((e) => e.ok)).toEqual([true, false, true]);
    expect(els[1]).toMatchObject({ index: 1, ok: false, raw: '{"broken":' });
  });

  it("reads a gzipped CloudWatch Logs envelope: one entry per log event message", async () => {
    const body = gzipSync(Buffer.from(JSON.stringify(cloudWatch(ENTRIES))));
    const els = await decodeAll(body, "firehose/2025/04/02/16/deal-bot-1-2025-04-02-16-39-44-abc.gz");
    expect(values(els)).toEqual(ENTRIES);
    expect(els.map((e) => e.index)).toEqual([0, 1, 2]);
    expect(els.map((e) => e.bytes)).toEqual(ENTRIES.map((e) => Buffer.byteLength(JSON.stringify(e))));
  });

  it("reads envelopes concatenated as Firehose writes them (also as gzip members one after another)", async () => {
    const a = JSON.stringify(cloudWatch([ENTRIES[0], ENTRIES[1]]));
    const b = JSON.stringify(cloudWatch([ENTRIES[2]]));
    const control = JSON.stringify({ messageType: "CONTROL_MESSAGE", owner: "CloudWatchLogs", logGroup: "", logStream: "", subscriptionFilters: [], logEvents: [{ id: "", timestamp: 1, message: "CWL CONTROL MESSAGE: Checking health of destination Firehose." }] });
    const joined = Buffer.from(a + b + control);
    expect(values(await decodeAll(gzipSync(joined), "x.gz"))).toEqual(ENTRIES);
    expect(values(await decodeAll(joined, "x.json"))).toEqual(ENTRIES);
    // Firehose with CloudWatch's own gzip: one gzip member per record, concatenated.
    const members = Buffer.concat([gzipSync(Buffer.from(a)), gzipSync(Buffer.from(control)), gzipSync(Buffer.from(b))]);
    expect(values(await decodeAll(members, "x.gz"))).toEqual(ENTRIES);
    // ... and compressed once more by Firehose: gzip inside gzip.
    expect(values(await decodeAll(gzipSync(members), "x.gz"))).toEqual(ENTRIES);
    // One envelope per line also works as NDJSON.
    expect(values(await decodeAll(Buffer.from(`${a}\n${control}\n${b}\n`), "x.ndjson"))).toEqual(ENTRIES);
  });

  it("a CONTROL_MESSAGE envelope yields nothing", async () => {
    const control = { messageType: "CONTROL_MESSAGE", owner: "CloudWatchLogs", logGroup: "", logStream: "", subscriptionFilters: [], logEvents: [{ id: "", timestamp: 1, message: "CWL CONTROL MESSAGE: Checking health of destination Firehose." }] };
    expect(await decodeAll(gzipSync(Buffer.from(JSON.stringify(control))), "x.gz")).toEqual([]);
  });

  it("rejects a log event whose message is not JSON, and goes on", async () => {
    const env = cloudWatch([ENTRIES[0], "plain text line", ENTRIES[1]]);
    (env.logEvents as Record<string, unknown>[]).push({ id: "x", timestamp: 2 });
    const els = await decodeAll(gzipSync(Buffer.from(JSON.stringify(env))), "x.gz");
    expect(els.map((e) => e.ok)).toEqual([true, false, true, false]);
    expect(els[1]).toMatchObject({ ok: false, raw: "plain text line" });
    expect((els[1] as { reason: string }).reason).toMatch(/invalid JSON in CloudWatch log event message/);
    expect((els[3] as { reason: string }).reason).toMatch(/without a string message/);
  });

  it("an object that only looks like an envelope is an entry", async () => {
    const notEnvelope = { messageType: "SOMETHING_ELSE", logEvents: [] };
    expect(values(await decodeAll(Buffer.from(JSON.stringify(notEnvelope)), "x.json"))).toEqual([notEnvelope]);
  });

  it("decodes multi-byte text with the gzip stream fed one byte at a time and at random sizes", async () => {
    const gz = gzipSync(compact);
    expect(values(await decodeAll(chunksOf(gz, 1), "x.json.gz"))).toEqual(ENTRIES);
    for (let seed = 1; seed <= 20; seed++) {
      expect(values(await decodeAll(randomChunks(gz, seed, 17), "x.json.gz"))).toEqual(ENTRIES);
      expect(values(await decodeAll(randomChunks(pretty, seed, 29), "x.json"))).toEqual(ENTRIES);
    }
    // Plain text one byte at a time: every multi-byte character is cut.
    expect(values(await decodeAll(chunksOf(pretty, 1), "x.json"))).toEqual(ENTRIES);
  });

  it("accepts strings and Uint8Arrays from the stream", async () => {
    const text = JSON.stringify(ENTRIES);
    const input = Readable.from([text.slice(0, 10), new Uint8Array(Buffer.from(text.slice(10)))], { objectMode: true });
    expect(values(await decodeAll(input, "x.json"))).toEqual(ENTRIES);
  });

  it("decodeObjectBatches yields the same elements in batches", async () => {
    const big = Array.from({ length: 2000 }, (_, i) => ({ ...ENTRIES[i % 3], i }));
    const gz = gzipSync(Buffer.from(JSON.stringify(big)));
    const batches: number[] = [];
    const all: unknown[] = [];
    for await (const batch of decodeObjectBatches(streamOf(chunksOf(gz, 4096)), "x.json.gz")) {
      batches.push(batch.length);
      for (const el of batch) all.push(el.ok ? el.value : el.reason);
    }
    expect(all).toEqual(big);
    expect(batches.length).toBeGreaterThan(1);
  });
});

describe("decodeObject: bad files", () => {
  const compact = Buffer.from(JSON.stringify(ENTRIES));

  it("bad gzip data", async () => {
    const gz = Buffer.from(gzipSync(compact));
    for (let i = 12; i < gz.length - 8; i++) gz[i] = gz[i]! ^ 0x5a;
    const err = await decodeError(gz, "x.json.gz");
    expect(err.kind).toBe("gzip");
    expect(err.message).toMatch(/^cannot decode x\.json\.gz: bad gzip data/);
  });

  it("gzip magic followed by garbage", async () => {
    const err = await decodeError(Buffer.from([0x1f, 0x8b, 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09]), "x.json.gz");
    expect(err.kind).toBe("gzip");
  });

  it("truncated gzip", async () => {
    const gz = gzipSync(Buffer.from(JSON.stringify(Array.from({ length: 200 }, (_, i) => ({ ...ENTRIES[0], i })))));
    for (const cut of [2, 10, Math.floor(gz.length / 2), gz.length - 4]) {
      const err = await decodeError(gz.subarray(0, cut), "x.json.gz");
      expect(err.kind).toBe("truncated");
      expect(err.message).toMatch(/truncated gzip: unexpected end of file/);
    }
  });

  it("truncated JSON (gzip complete, array cut)", async () => {
    const text = JSON.stringify(ENTRIES);
    const err = await decodeError(gzipSync(Buffer.from(text.slice(0, text.length - 20))), "x.json.gz");
    expect(err.kind).toBe("truncated");
    expect(err.message).toMatch(/truncated JSON: the file ends inside element 2/);
    const err2 = await decodeError(Buffer.from(text.slice(0, -1)), "x.json");
    expect(err2.message).toMatch(/without its closing '\]'/);
  });

  it("top level is a scalar", async () => {
    const err = await decodeError(gzipSync(Buffer.from('"hello"')), "x.json.gz");
    expect(err.kind).toBe("top-level");
    expect(err.message).toMatch(/the top level is not a JSON array or object/);
  });

  it("invalid structure", async () => {
    const err = await decodeError(Buffer.from('[{"a":1} {"b":2}]'), "x.json");
    expect(err.kind).toBe("structure");
  });

  it("empty object and empty gzip", async () => {
    expect((await decodeError(Buffer.alloc(0), "x.json")).kind).toBe("empty");
    expect((await decodeError(gzipSync(Buffer.alloc(0)), "x.json.gz")).kind).toBe("empty");
  });

  it("an invalid element inside a good array is rejected and the rest decoded", async () => {
    const text = `[${JSON.stringify(ENTRIES[0])},{"level":30,"message":oops},${JSON.stringify(ENTRIES[1])}]`;
    const els = await decodeAll(gzipSync(Buffer.from(text)), "x.json.gz");
    expect(els.map((e) => e.ok)).toEqual([true, false, true]);
    expect(els[1]).toMatchObject({ index: 1, ok: false, raw: '{"level":30,"message":oops}' });
    expect(els[2]).toMatchObject({ index: 2, ok: true, value: ENTRIES[1] });
  });

  it("an error of the stream itself is passed through as it is (not a DecodeError)", async () => {
    async function* failing(): AsyncGenerator<Buffer> {
      yield gzipSync(compact).subarray(0, 20);
      const err = Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });
      throw err;
    }
    await expect(decodeAll(Readable.from(failing(), { objectMode: false }), "x.json.gz")).rejects.toMatchObject({
      code: "ECONNRESET",
      message: "socket hang up",
    });
    async function* failingPlain(): AsyncGenerator<Buffer> {
      yield compact.subarray(0, 20);
      throw Object.assign(new Error("reset"), { code: "ECONNRESET" });
    }
    await expect(decodeAll(Readable.from(failingPlain(), { objectMode: false }), "x.json")).rejects.toMatchObject({ code: "ECONNRESET" });
  });

  it("an oversized element in a gzipped file is rejected with bounded raw, the rest decoded", async () => {
    // 100 MB of one entry, streamed (never built as one buffer), then gzipped on the fly.
    const { createGzip } = await import("node:zlib");
    const gzip = createGzip({ level: 1 });
    const filler = Buffer.alloc(1024 * 1024, "b");
    (async () => {
      gzip.write(Buffer.from(`[${JSON.stringify(ENTRIES[0])},{"huge":"`));
      for (let i = 0; i < 100; i++) {
        if (!gzip.write(filler)) await new Promise((r) => gzip.once("drain", r));
      }
      gzip.end(Buffer.from(`"},${JSON.stringify(ENTRIES[1])}]`));
    })().catch((err: unknown) => gzip.destroy(err as Error));
    const els: { ok: boolean; index: number; reason?: string; rawLength?: number; bytes: number }[] = [];
    for await (const el of decodeObject(gzip, "huge.json.gz")) {
      els.push(el.ok ? { ok: true, index: el.index, bytes: el.bytes } : { ok: false, index: el.index, reason: el.reason, rawLength: el.raw.length, bytes: el.bytes });
    }
    const hugeBytes = Buffer.byteLength('{"huge":"') + 100 * filler.length + 2;
    expect(els).toEqual([
      { ok: true, index: 0, bytes: Buffer.byteLength(JSON.stringify(ENTRIES[0])) },
      { ok: false, index: 1, reason: `entry too large (${hugeBytes} bytes)`, rawLength: 64 * 1024, bytes: hugeBytes },
      { ok: true, index: 2, bytes: Buffer.byteLength(JSON.stringify(ENTRIES[1])) },
    ]);
  });

  it("stops reading and destroys the stream when the consumer stops early", async () => {
    const big = Buffer.from(JSON.stringify(Array.from({ length: 5000 }, (_, i) => ({ i }))));
    const stream = streamOf(chunksOf(big, 1000));
    let n = 0;
    for await (const el of decodeObject(stream, "x.json")) {
      expect(el.ok).toBe(true);
      if (++n === 10) break;
    }
    expect(stream.destroyed).toBe(true);
  });
});

describe.skipIf(!HAVE_SAMPLES)("decodeObject: the real sample bucket", () => {
  function walk(dir: string): string[] {
    return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)],
    );
  }

  it("decodes the 10 real files to 612 entries, none rejected, pretty-printed one included", async () => {
    const files = walk(SAMPLES_DIR).filter((f) => f.endsWith(".json.gz")).sort();
    expect(files).toHaveLength(10);
    let total = 0;
    let prettyEntries = 0;
    for (const f of files) {
      const body = readFileSync(f);
      const els = await decodeAll(chunksOf(body, 997), path.relative(SAMPLES_DIR, f));
      expect(els.every((e) => e.ok)).toBe(true);
      expect(els.map((e) => e.index)).toEqual(els.map((_, i) => i));
      for (const el of els) expect(el.ok && typeof el.value === "object" && el.value !== null && !Array.isArray(el.value)).toBe(true);
      total += els.length;
      if (f.endsWith("2025-05-02T14:58:52.392Z-761148bd-c24f-486d-ab12-289d75f875d3.json.gz")) prettyEntries = els.length;
    }
    expect(total).toBe(612);
    expect(prettyEntries).toBeGreaterThan(0);
  });
});
