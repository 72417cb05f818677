import { gunzipSync, gzipSync } from "node:zlib";
import { readFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { FUNDS } from "../src/generate/catalogue";
import { entryJson, isoTime, makeReq, serializeFile, toObject, type Element, type Entry } from "../src/generate/entries";
import { invalidElement } from "../src/generate/faults";
import { Rng } from "../src/generate/prng";
import { ASPECTS, composeAnswer, phraseQuestion, reaskOf } from "../src/generate/questions";
import { dayWindows, sampleTime, ukHour } from "../src/generate/schedule";
import { latencyStats, nearestRank } from "../src/generate/truth";
import { BucketWriter, objectKey } from "../src/generate/writer";
import { isRejected, listFiles, makeTempDir } from "./helpers/bucket";

describe("prng", () => {
  it("is deterministic per seed and stream, and stays in range", () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const seqA = Array.from({ length: 20 }, () => a.nextU32());
    expect(Array.from({ length: 20 }, () => b.nextU32())).toEqual(seqA);
    expect(Array.from({ length: 20 }, () => new Rng(42, "other").nextU32())).not.toEqual(seqA);
    expect(new Rng("42").nextU32()).not.toBe(new Rng(42).nextU32());
    const r = new Rng(1);
    for (let i = 0; i < 10_000; i++) {
      const x = r.next();
      expect(x >= 0 && x < 1).toBe(true);
      const n = r.int(3, 7);
      expect(n >= 3 && n <= 7 && Number.isInteger(n)).toBe(true);
    }
    const u = r.uuid();
    expect(u).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(r.hex(64)).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe("serialization", () => {
  const req = makeReq({ id: 7, method: "POST", url: "/deals/1/bot/query", query: {}, params: { "0": "deals/1/bot/query" }, headers: { cookie: "x" } });
  const base = { pid: 81, hostname: "c3dec45e-6434afe8-99fd-4d", req };
  const samples: Entry[] = [
    { ...base, t: 1743532096581, level: 30, fields: "both", body: { context: "DealBotService", message: "Processing deal bot query", dealId: "1", authUserId: 2, messageLength: 5, query: "hi \"x\" £" } },
    { ...base, t: 1743532096582, level: "info", fields: "time", body: { context: "DealBotService", message: "m", dealId: "1", authUserId: 2 } },
    { ...base, t: 1743532096583, level: 50, fields: "timestamp", req: null, body: { context: "PaymentService", message: "Payment processing error", error: "x", authUserId: 3 } },
    { ...base, t: 1743532096584, level: "info", fields: "none", body: { context: "DealBotService", message: "Context invalidated successfully", dealId: "1", cacheKey: "deal-bot:1", timestamp: isoTime(1743532096584) } },
  ];

  it("writes each entry exactly as JSON.stringify of the whole entry, in production key order", () => {
    for (const e of samples) expect(entryJson(e)).toBe(JSON.stringify(toObject(e)));
    expect(Object.keys(toObject(samples[0] as Entry) as object)).toEqual([
      "level", "time", "timestamp", "pid", "hostname", "req", "context", "message", "dealId", "authUserId", "messageLength", "query",
    ]);
    const els: Element[] = [...samples, invalidElement(new Rng(1), 1, { pid: 1, hostname: "h" }, "not-object")];
    const objects = els.map(toObject);
    expect(serializeFile(els, false)).toBe(JSON.stringify(objects));
    expect(serializeFile(els, true)).toBe(JSON.stringify(objects, null, 2));
  });

  it("formats ISO times like Date#toISOString", () => {
    const r = new Rng(3);
    for (let i = 0; i < 20_000; i++) {
      const t = Math.floor(r.next() * 4_000_000_000_000);
      expect(isoTime(t)).toBe(new Date(t).toISOString());
    }
  });

  it("builds each kind of invalid element so that the contract rejects it", () => {
    const r = new Rng(4);
    for (const kind of ["not-object", "level-missing", "level-invalid", "time-invalid", "timestamp-invalid"] as const) {
      for (let i = 0; i < 50; i++) expect(isRejected(invalidElement(r, 1743532096581, { pid: 1, hostname: "h" }, kind).raw), kind).toBe(true);
    }
  });
});

describe("writer", () => {
  const tmp = makeTempDir("gen-writer-");
  afterAll(() => tmp.cleanup());

  it("names keys like the bucket and writes gzip members identical to gzipSync", async () => {
    expect(objectKey(Date.parse("2025-04-02T16:39:44.999Z"), "ee37f984-b136-4380-bd2d-51d9d0a5d705")).toBe(
      "2025/04/02/2025-04-02T16:39:44.999Z-ee37f984-b136-4380-bd2d-51d9d0a5d705.json.gz",
    );
    const w = new BucketWriter(tmp.dir, 6, 3);
    const contents = Array.from({ length: 25 }, (_, i) => JSON.stringify([{ i, text: "x".repeat(i * 1000) }]));
    for (let i = 0; i < contents.length; i++) await w.write(`2025/01/0${1 + (i % 3)}/f${String(i).padStart(2, "0")}.json.gz`, contents[i] as string);
    await w.close();
    const files = listFiles(tmp.dir);
    expect(files.length).toBe(25);
    for (const p of files) {
      const i = Number(/f(\d+)\.json\.gz$/.exec(p)?.[1]);
      const gz = readFileSync(p);
      expect(gunzipSync(gz).toString()).toBe(contents[i]);
      expect(gz.equals(gzipSync(Buffer.from(contents[i] as string), { level: 6 }))).toBe(true);
    }
  });
});

describe("questions and answers", () => {
  it("re-asks with near-identical but different wording", () => {
    const r = new Rng(5);
    for (let i = 0; i < 500; i++) {
      const q = "What is the target return for the EIS Fund?";
      const again = reaskOf(q, r);
      expect(again).not.toBe(q);
      // Near-identical: at least 3/4 of the original words survive (case and punctuation aside).
      const words = (s: string): string[] =>
        s.toLowerCase().replace(/what's/g, "what is").replace(/[^a-z ]/g, " ").split(/\s+/).filter(Boolean);
      const kept = new Set(words(again));
      const original = words(q);
      expect(original.filter((w) => kept.has(w)).length / original.length).toBeGreaterThanOrEqual(0.75);
    }
  });

  it("fills templates with the fund and hedges when the documents lack the fact", () => {
    const r = new Rng(6);
    const fees = ASPECTS.find((a) => a.id === "fees.structure");
    const noFees = FUNDS.find((f) => f.fees === null);
    const withFees = FUNDS.find((f) => f.fees !== null);
    expect(fees && noFees && withFees).toBeTruthy();
    if (!fees || !noFees || !withFees) return;
    for (let i = 0; i < 100; i++) {
      const q = phraseQuestion(r.pick(fees.questions), noFees, r);
      expect(q).not.toMatch(/\{|\}/);
      const a = composeAnswer(fees, noFees, 2, r);
      expect(a.hedged).toBe(true);
      expect(a.partial).toBe(false);
    }
    let answered = 0;
    for (let i = 0; i < 200; i++) {
      const a = composeAnswer(fees, withFees, 2, r);
      if (!a.hedged) {
        answered++;
        expect(a.text).toContain(withFees.fees as string);
      }
    }
    expect(answered).toBeGreaterThan(150);
    const none = composeAnswer(fees, withFees, 0, r);
    expect(none.hedged).toBe(true);
  });
});

describe("schedule and statistics", () => {
  it("follows the UK daily curve and splits the period into 24-hour windows ending at `end`", () => {
    const end = Date.parse("2025-01-15T00:00:00.000Z"); // GMT
    const w = dayWindows(end, 3);
    expect(w.map((x) => x.to - x.from)).toEqual([86_400_000, 86_400_000, 86_400_000]);
    expect(w[2]?.to).toBe(end);
    expect(ukHour(Date.parse("2025-07-01T12:30:00Z"))).toBe(13);
    expect(ukHour(Date.parse("2025-01-01T12:30:00Z"))).toBe(12);
    const r = new Rng(8);
    const hours = new Array<number>(24).fill(0);
    const first = w[0] as (typeof w)[number];
    for (let i = 0; i < 20_000; i++) {
      const h = ukHour(sampleTime(r, first.from, first.to));
      hours[h] = (hours[h] as number) + 1;
    }
    expect((hours[12] as number) > 5 * (hours[3] as number)).toBe(true);
  });

  it("uses nearest-rank percentiles", () => {
    expect(nearestRank([1, 2, 3, 4], 50)).toBe(2);
    expect(nearestRank([1, 2, 3, 4, 5], 50)).toBe(3);
    expect(nearestRank([10], 99)).toBe(10);
    expect(latencyStats([5, 1, 3])).toEqual({ method: "nearest-rank", count: 3, min: 1, p50: 3, mean: 3, p95: 5, p99: 5, max: 5 });
    expect(latencyStats([])).toBeNull();
  });
});
