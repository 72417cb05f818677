import { readFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { generateBucket } from "../src/generate/index";
import { isPlainObject, isRejected, listFiles, makeTempDir, readBucket } from "./helpers/bucket";

const END = new Date("2025-04-02T18:00:00.000Z");
const small = { days: 2, sessionsPerDay: 15, end: END };

describe("generateBucket determinism", () => {
  const tmp = makeTempDir("gen-det-");
  afterAll(() => tmp.cleanup());

  it("writes byte-identical files and truth for the same seed, different ones for another seed", async () => {
    const a = await generateBucket({ outDir: `${tmp.dir}/a`, seed: 5, ...small });
    const b = await generateBucket({ outDir: `${tmp.dir}/b`, seed: 5, ...small });
    const c = await generateBucket({ outDir: `${tmp.dir}/c`, seed: 6, ...small });
    const rel = (root: string): string[] => listFiles(root).map((p) => p.slice(root.length));
    const filesA = rel(`${tmp.dir}/a`);
    expect(filesA.length).toBeGreaterThan(10);
    expect(rel(`${tmp.dir}/b`)).toEqual(filesA);
    for (const f of filesA) expect(readFileSync(`${tmp.dir}/b${f}`).equals(readFileSync(`${tmp.dir}/a${f}`)), f).toBe(true);
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
    expect(readFileSync(`${tmp.dir}/b.truth.json`, "utf8")).toBe(readFileSync(`${tmp.dir}/a.truth.json`, "utf8"));

    const filesC = rel(`${tmp.dir}/c`);
    expect(filesC.filter((f) => filesA.includes(f))).toEqual([]);
    expect(c.questions.map((q) => q.question)).not.toEqual(a.questions.map((q) => q.question));
  });

  it("refuses a non-empty folder unless asked to replace a generated bucket", async () => {
    const outDir = `${tmp.dir}/d`;
    await generateBucket({ outDir, seed: 1, days: 1, sessionsPerDay: 3, end: END, truthPath: null });
    await expect(generateBucket({ outDir, seed: 1, days: 1, sessionsPerDay: 3, end: END, truthPath: null })).rejects.toThrow(/not empty/);
    const again = await generateBucket({ outDir, seed: 2, days: 1, sessionsPerDay: 3, end: END, truthPath: null, overwrite: true });
    expect(listFiles(outDir).length).toBe(again.files.total);
    await expect(generateBucket({ outDir: tmp.dir, seed: 1, days: 1, sessionsPerDay: 3, end: END, truthPath: null, overwrite: true })).rejects.toThrow(
      /refusing/,
    );
  });

  it("rejects invalid options", async () => {
    await expect(generateBucket({ outDir: `${tmp.dir}/e`, days: 0 })).rejects.toThrow(/days/);
    await expect(generateBucket({ outDir: `${tmp.dir}/e`, faults: { invalidRecords: 2 } })).rejects.toThrow(/invalidRecords/);
  });
});

describe("generateBucket faults", () => {
  const tmp = makeTempDir("gen-faults-");
  afterAll(() => tmp.cleanup());

  it("plants the stated number of invalid elements, outside the bot sequences, leaving the rest unchanged", async () => {
    const clean = await generateBucket({ outDir: `${tmp.dir}/clean`, seed: 9, ...small });
    const faulty = await generateBucket({ outDir: `${tmp.dir}/faulty`, seed: 9, ...small, faults: { invalidRecords: 0.03 } });
    expect(faulty.options.faults.invalidRecords).toBe(0.03);
    const rejected = faulty.entries.rejectedExpected;
    expect(rejected).toBeGreaterThan(10);
    expect(Object.values(faulty.entries.invalidByKind).reduce((a, b) => a + b, 0)).toBe(rejected);
    expect(Object.keys(faulty.entries.invalidByKind).sort()).toEqual(["level-invalid", "level-missing", "not-object", "time-invalid", "timestamp-invalid"]);

    const cleanFiles = readBucket(`${tmp.dir}/clean`);
    const faultyFiles = readBucket(`${tmp.dir}/faulty`);
    expect(faultyFiles.map((f) => f.key)).toEqual(cleanFiles.map((f) => f.key));
    let counted = 0;
    for (let i = 0; i < faultyFiles.length; i++) {
      const els = (faultyFiles[i] as (typeof faultyFiles)[number]).elements;
      const bad = els.filter(isRejected);
      counted += bad.length;
      for (const e of bad) {
        if (isPlainObject(e)) {
          expect("req" in e || "authUserId" in e || "dealId" in e).toBe(false);
          expect(e.context).not.toBe("DealBotService");
        }
      }
      // Without the planted elements, the file holds exactly what the clean run wrote.
      expect(els.filter((e) => !isRejected(e))).toEqual((cleanFiles[i] as (typeof cleanFiles)[number]).elements);
    }
    expect(counted).toBe(rejected);
    expect(faulty.entries.total).toBe(clean.entries.total + rejected);
    expect(faulty.entries.valid).toBe(clean.entries.valid);
    expect(faulty.questions).toEqual(clean.questions);
  });
});
