/**
 * The cost of personal-data masking on the ingest's hot path: parseEntry's
 * throughput on the same generated entries (1.5% of questions carry personal
 * data, every request a client address) with masking off, on (the default,
 * addresses truncated), and on with hashed addresses. Prints entries per CPU
 * second and the ratios; asserts nothing about time.
 *
 *   npx tsx packages/logs/bench/privacy.ts [entries=200000]
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { readdirSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { gunzipSync } from "node:zlib";
import { generateBucket } from "../../../tools/src/generate/index";
import { keyTimeFromKey, parseEntry, type PrivacyOptions } from "../src/index";

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith(".json.gz")) out.push(p);
  }
  return out;
}

const target = Number(process.argv[2] ?? 200_000);
const base = await mkdtemp(join(tmpdir(), "li-bench-privacy-"));
const entries: { raw: unknown; index: number; keyTimeMs: number | null }[] = [];
try {
  await generateBucket({ outDir: join(base, "bucket"), seed: 42, days: 10, sessionsPerDay: 100, truthPath: null });
  for (const file of walk(join(base, "bucket"))) {
    const arr = JSON.parse(gunzipSync(await readFile(file)).toString("utf8")) as unknown[];
    const keyTimeMs = keyTimeFromKey(basename(file));
    arr.forEach((raw, index) => entries.push({ raw, index, keyTimeMs }));
  }
} finally {
  await rm(base, { recursive: true, force: true });
}
const repeats = Math.max(1, Math.ceil(target / entries.length));
const total = repeats * entries.length;

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

function run(privacy: PrivacyOptions): number {
  let ok = 0;
  for (let r = 0; r < repeats; r++) for (const e of entries) if (parseEntry(e.raw, e.index, e.keyTimeMs, privacy).ok) ok++;
  return ok;
}

const configs: [string, PrivacyOptions][] = [
  ["masking off (PRIVACY_MASK_PII=false)", { maskPii: false, ipMode: "truncate" }],
  ["masking on, addresses truncated (default)", { maskPii: true, ipMode: "truncate" }],
  ["masking on, addresses hashed", { maskPii: true, ipMode: "hash", ipHashKey: "bench-key-0123456789abcdef" }],
];
// Interleaved rounds (JIT warm for all), median per config.
for (const [, p] of configs) run(p);
const rates = new Map<string, number[]>(configs.map(([name]) => [name, []]));
for (let round = 0; round < 5; round++) {
  for (const [name, p] of configs) {
    const c0 = cpuMs();
    const ok = run(p);
    const cpu = cpuMs() - c0;
    if (ok === 0) throw new Error("nothing accepted");
    rates.get(name)!.push(total / (cpu / 1000));
  }
}
const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(`parseEntry on generated entries: ${fmt(total)} entries x 5 rounds (${entries.length} entries repeated ${repeats}x)`);
const off = median(rates.get(configs[0]![0])!);
for (const [name] of configs) {
  const m = median(rates.get(name)!);
  console.log(`  ${name.padEnd(44)} ${fmt(m).padStart(9)} entries/s per CPU second  (${(m / off).toFixed(2)}x of masking off)`);
}
