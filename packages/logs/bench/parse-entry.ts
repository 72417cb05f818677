/**
 * parseEntry throughput on the real sample entries, repeated to ~200k.
 * Run from the repo root: `npx tsx packages/logs/bench/parse-entry.ts`
 * (optional arg: target entry count). Reads ../shared/samples/real-bucket.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { keyTimeFromKey, pairQuestions, parseEntry, type NormalizedEntry } from "../src/index";

const repoRoot = resolve(fileURLToPath(new URL(".", import.meta.url)), "../../..");
const bucket = resolve(repoRoot, "../shared/samples/real-bucket");
if (!existsSync(bucket)) {
  console.log(`sample folder not found: ${bucket}`);
  process.exit(0);
}

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith(".json.gz")) out.push(p);
  }
  return out;
}

interface Sample {
  raw: unknown;
  index: number;
  keyTimeMs: number | null;
}
const files: Sample[][] = walk(bucket).map((file) => {
  const arr = JSON.parse(gunzipSync(readFileSync(file)).toString("utf8")) as unknown[];
  const keyTimeMs = keyTimeFromKey(basename(file));
  return arr.map((raw, index) => ({ raw, index, keyTimeMs }));
});
const sample = files.flat();
const target = Number(process.argv[2] ?? 200_000);
const repeats = Math.ceil(target / sample.length);
const total = repeats * sample.length;

function run(): number {
  let ok = 0;
  for (let r = 0; r < repeats; r++) {
    for (const s of sample) if (parseEntry(s.raw, s.index, s.keyTimeMs).ok) ok++;
  }
  return ok;
}

/** CPU time of this process in ms: on a shared machine it varies far less than wall time. */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

// Warm up (JIT, key caches), then measure a few rounds; report the median.
run();
const wallRates: number[] = [];
const cpuRates: number[] = [];
for (let round = 0; round < 5; round++) {
  const t0 = process.hrtime.bigint();
  const c0 = cpuMs();
  const ok = run();
  const cpu = cpuMs() - c0;
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (ok !== total) throw new Error(`expected ${total} accepted, got ${ok}`);
  wallRates.push(total / (ms / 1000));
  cpuRates.push(total / (cpu / 1000));
}
wallRates.sort((a, b) => a - b);
cpuRates.sort((a, b) => a - b);
const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
console.log(`parseEntry: ${fmt(total)} entries x 5 rounds (${sample.length} real entries repeated ${repeats}x)`);
console.log(`  median ${fmt(wallRates[2]!)} entries/s wall clock, ${fmt(cpuRates[2]!)} entries/s per CPU second`);

// Pairing, for scale: per file, as the ingest runs it.
const parsedFiles: NormalizedEntry[][] = files.map((f) =>
  f.flatMap((s) => {
    const r = parseEntry(s.raw, s.index, s.keyTimeMs);
    return r.ok ? [r.entry] : [];
  }),
);
for (const f of parsedFiles) pairQuestions(f);
const c0 = cpuMs();
let questions = 0;
for (let r = 0; r < repeats; r++) for (const f of parsedFiles) questions += pairQuestions(f).length;
const cpu = cpuMs() - c0;
console.log(
  `pairQuestions (incl. fingerprint + hedge): ${fmt(total / (cpu / 1000))} entries/s, ${fmt(questions / (cpu / 1000))} questions/s per CPU second`,
);
