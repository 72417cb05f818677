import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateBucket } from "../src/generate/index";
import { isPlainObject, makeTempDir, readBucket, type Obj, type ReadFile } from "./helpers/bucket";

const REPO = resolve(import.meta.dirname, "../..");
/** The real (redacted) production samples, read in place and never copied (absent on some machines). */
const SAMPLES = resolve(REPO, "../shared/samples/real-bucket");

function kind(e: Obj): string {
  return `${String(e.context)}|${String(e.message).replace(/\d+/g, "N")}`;
}

function signatures(files: ReadFile[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  const add = (k: string, sig: string): void => {
    out.set(k, (out.get(k) ?? new Set()).add(sig));
  };
  for (const f of files) {
    for (const e of f.elements) {
      if (!isPlainObject(e)) continue;
      const isAdmin = e.message === "Context invalidated successfully";
      // Compare like with like: ordinary entries that carry both times, and the admin entries as they come.
      if (!isAdmin && (!("time" in e) || !("timestamp" in e))) continue;
      add(`entry ${kind(e)}`, Object.keys(e).join(","));
      if (isPlainObject(e.req)) {
        add(`req ${String(e.context)} ${String(e.req.method)}`, Object.keys(e.req).join(","));
        if (isPlainObject(e.req.headers)) add(`headers ${String(e.context)} ${String(e.req.method)}`, Object.keys(e.req.headers).join(","));
      }
    }
  }
  return out;
}

describe.skipIf(!existsSync(SAMPLES))("generated files against the real samples", () => {
  const tmp = makeTempDir("gen-fidelity-");
  let real: ReadFile[];
  let generated: ReadFile[];

  beforeAll(async () => {
    real = readBucket(SAMPLES);
    await generateBucket({ outDir: `${tmp.dir}/bucket`, seed: 11, days: 2, sessionsPerDay: 40, end: new Date("2025-05-03T00:00:00.000Z") });
    generated = readBucket(`${tmp.dir}/bucket`);
  });
  afterAll(() => tmp.cleanup());

  it("writes every kind of entry with the production key order, req shape and header set", () => {
    const want = signatures(real);
    const got = signatures(generated);
    for (const [k, sigs] of want) {
      expect(got.has(k), `generated output lacks ${k}`).toBe(true);
      for (const sig of got.get(k) ?? []) expect(sigs.has(sig), `${k}: ${sig}`).toBe(true);
    }
  });

  it("serializes like production: compact JSON.stringify or 2-space pretty print, keys named like the real ones", () => {
    const keyShape = (k: string): string =>
      k.replace(/[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\.json\.gz$/, "UUID.json.gz").replace(/\d/g, "9");
    const realShapes = new Set(real.map((f) => keyShape(f.key)));
    for (const f of generated) expect(realShapes.has(keyShape(f.key)), f.key).toBe(true);
    for (const f of [...real, ...generated]) {
      const pretty = f.text.startsWith("[\n");
      expect(f.text).toBe(pretty ? JSON.stringify(f.elements, null, 2) : JSON.stringify(f.elements));
    }
  });

  it("uses the production constants", () => {
    const constants = (files: ReadFile[]): Set<string> => {
      const s = new Set<string>();
      for (const f of files) {
        for (const e of f.elements) {
          if (!isPlainObject(e)) continue;
          if (e.message === "Sending request to OpenAI") s.add(`openai ${String(e.model)} ${String(e.temperature)} ${String(e.maxTokens)}`);
          if (e.message === "Inputs to llmService.generateResponse") s.add(`static ${String(e.staticContextLength)}`);
          if (isPlainObject(e.req) && isPlainObject(e.req.headers)) s.add(`host ${String(e.req.headers.host)}`);
        }
      }
      return s;
    };
    expect(constants(generated)).toEqual(constants(real));
  });
});

describe("CLI", () => {
  const tmp = makeTempDir("gen-cli-");
  afterAll(() => tmp.cleanup());

  it("generates a bucket and its truth, printing one summary line", () => {
    const out = `${tmp.dir}/bucket`;
    const truthPath = `${tmp.dir}/truth.json`;
    const run = spawnSync(
      resolve(REPO, "node_modules/.bin/tsx"),
      ["tools/src/generate/cli.ts", "--out", out, "--days", "1", "--sessions-per-day", "6", "--seed", "3", "--end", "2025-04-02T12:00:00Z", "--invalid-records", "0.05", "--truth", truthPath],
      { cwd: REPO, encoding: "utf8" },
    );
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    const lines = run.stdout.trim().split("\n");
    expect(lines.length).toBe(1);
    expect(lines[0]).toMatch(/^generated \d+ files, \d+ entries \(\d+ invalid\), \d+ questions /);
    const truth = JSON.parse(readFileSync(truthPath, "utf8")) as { seed: unknown; entries: { rejectedExpected: number }; files: { total: number }; options: { end: string } };
    expect(truth.seed).toBe(3);
    expect(truth.options.end).toBe("2025-04-02T12:00:00.000Z");
    expect(truth.entries.rejectedExpected).toBeGreaterThan(0);
    expect(readBucket(out).length).toBe(truth.files.total);
    expect(existsSync(`${out}.truth.json`)).toBe(false);

    const bad = spawnSync(resolve(REPO, "node_modules/.bin/tsx"), ["tools/src/generate/cli.ts", "--out", out], { cwd: REPO, encoding: "utf8" });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/not empty/);
  });
});
