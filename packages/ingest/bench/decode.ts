/**
 * Decoder benchmark: `npx tsx packages/ingest/bench/decode.ts [entries]`
 * (default 1,000,000).
 *
 * Builds realistic objects in memory: the real sample entries
 * (../shared/samples/real-bucket, read in place; a synthetic entry of the
 * same shape when absent) repeated, with ids and times varied, in gzipped
 * ~100-entry JSON arrays like the bot's files. Then measures:
 *   1. gunzip alone (streaming, zlib.createGunzip),
 *   2. split + parse alone on the uncompressed bytes (ElementSplitter),
 *   3. the whole decoder (decodeObject / decodeObjectBatches: gunzip + split + parse),
 *      one file at a time and two at a time (gunzip runs on the libuv pool).
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import { createGunzip, gunzipSync, gzipSync } from "node:zlib";
import { ElementSplitter, decodeObject, decodeObjectBatches } from "../src/decode";

const TOTAL = Number(process.argv[2] ?? 1_000_000);
const PER_FILE = 100;
const here = path.dirname(fileURLToPath(import.meta.url));
const samples = path.resolve(here, "../../../../shared/samples/real-bucket");

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)],
  );
}

function sampleEntries(): Record<string, unknown>[] {
  if (existsSync(samples)) {
    return walk(samples)
      .filter((f) => f.endsWith(".json.gz"))
      .sort()
      .flatMap((f) => JSON.parse(gunzipSync(readFileSync(f)).toString("utf8")) as Record<string, unknown>[]);
  }
  process.stderr.write(`(no samples at ${samples}: using a synthetic entry)\n`);
  const e = {
    level: 30, time: 1743611982609, timestamp: "2025-04-02T16:39:42.609Z", pid: 27, hostname: "ad9b37fc-25a46f0c",
    req: { id: 2629, method: "POST", url: "/deals/342/bot/query", query: {}, params: { "0": "deals/342/bot/query" },
      headers: { "x-application-platform": "iOS", "x-application-version": "2.2.9", "user-agent": "Mozilla/5.0 (Linux; Android 13) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/112.0.0.0 Mobile Safari/537.36", cookie: "auth_user_id=8387; access_token=x; refresh_token=y" },
      remoteAddress: "::ffff:10.0.159.100", remotePort: 38786 },
    context: "DealBotService", message: "Query processed successfully", dealId: "342", authUserId: 8387,
    query: "What is the projected internal rate of return (IRR) for the Pharmacy Private Equity Fund?",
    answer: "The projected IRR for the Pharmacy Private Equity Fund is not detailed in the provided information. ".repeat(6),
    processingTimeMs: 3604, cacheHit: true, documentCount: 3, promptTokens: 5120,
  };
  return [e];
}

function mbps(bytes: number, ms: number): string {
  return ((bytes / 1e6) / (ms / 1000)).toFixed(0);
}
function perSec(n: number, ms: number): string {
  return Math.round(n / (ms / 1000)).toLocaleString("en-US");
}

/**
 * Wall-clock time, and CPU time of the whole process (main thread + zlib
 * pool): on a shared 2-core machine the CPU figure is the steadier one.
 */
function clock(): () => { ms: number; cpuMs: number } {
  const t = performance.now();
  const c = process.cpuUsage();
  return () => {
    const d = process.cpuUsage(c);
    return { ms: performance.now() - t, cpuMs: (d.user + d.system) / 1000 };
  };
}

async function main(): Promise<void> {
  const base = sampleEntries();
  const t0 = performance.now();
  const files: Buffer[] = [];
  let rawBytes = 0;
  let made = 0;
  let k = 0;
  while (made < TOTAL) {
    const n = Math.min(PER_FILE, TOTAL - made);
    const parts: string[] = [];
    for (let j = 0; j < n; j++, k++) {
      const e = base[k % base.length]!;
      // Vary what changes between real files (request ids, times) so that files are not identical.
      const round = Math.floor(k / base.length);
      parts.push(JSON.stringify({ ...e, time: typeof e.time === "number" ? e.time + round * 60_000 : e.time, pid: round % 100 }));
    }
    const text = Buffer.from(`[${parts.join(",")}]`);
    rawBytes += text.length;
    files.push(gzipSync(text));
    made += n;
  }
  const gzBytes = files.reduce((s, f) => s + f.length, 0);
  process.stdout.write(
    `built ${made.toLocaleString("en-US")} entries in ${files.length.toLocaleString("en-US")} files: ` +
      `${(rawBytes / 1e6).toFixed(0)} MB JSON (${(rawBytes / made).toFixed(0)} B/entry), ${(gzBytes / 1e6).toFixed(1)} MB gzipped, ` +
      `in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`,
  );

  // 1. gunzip alone, streaming as the decoder does.
  {
    const stop = clock();
    let out = 0;
    for (const f of files) {
      const gunzip = createGunzip({ chunkSize: 64 * 1024 });
      gunzip.end(f);
      for await (const chunk of gunzip) out += (chunk as Buffer).length;
    }
    const { ms, cpuMs } = stop();
    process.stdout.write(
      `${"gunzip alone (streaming):".padEnd(36)} ${mbps(out, ms)} MB/s uncompressed (${mbps(out, cpuMs)} MB per CPU-s)\n`,
    );
  }

  // 2. split + parse alone, uncompressed bytes in 64 KiB chunks.
  {
    const plain = files.slice(0, Math.min(files.length, 2000)).map((f) => gunzipSync(f));
    const bytes = plain.reduce((s, p) => s + p.length, 0);
    const scan = (parse: boolean): void => {
      const stop = clock();
      let n = 0;
      for (const p of plain) {
        const sp = new ElementSplitter({ format: "json" });
        // Scanning alone: the element hand-off (toString + JSON.parse) replaced by a count.
        if (!parse) (sp as unknown as { emit: () => void }).emit = () => void n++;
        for (let i = 0; i < p.length; i += 64 * 1024) sp.push(p.subarray(i, i + 64 * 1024));
        sp.end();
        n += sp.take().length;
      }
      const { ms, cpuMs } = stop();
      const label = parse ? "split+parse (no gzip):" : "split alone (byte scan):";
      process.stdout.write(
        `${label.padEnd(36)} ${perSec(n, ms)} entries/s, ${mbps(bytes, ms)} MB/s (${mbps(bytes, cpuMs)} MB per CPU-s)\n`,
      );
    };
    scan(false);
    scan(true);
  }

  // 3. the decoder, one file at a time and two at a time.
  const runDecoder = async (label: string, concurrency: number, batches: boolean): Promise<void> => {
    const stop = clock();
    let n = 0;
    let bad = 0;
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < files.length) {
        const f = files[next++]!;
        const input = Readable.from([f]);
        if (batches) {
          for await (const batch of decodeObjectBatches(input, "x.json.gz")) {
            n += batch.length;
            for (const el of batch) if (!el.ok) bad++;
          }
        } else {
          for await (const el of decodeObject(input, "x.json.gz")) {
            n++;
            if (!el.ok) bad++;
          }
        }
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    const { ms, cpuMs } = stop();
    if (bad > 0 || n !== made) throw new Error(`decoded ${n} entries (${bad} rejected), expected ${made}`);
    process.stdout.write(
      `${label.padEnd(36)} ${perSec(n, ms)} entries/s, ${mbps(rawBytes, ms)} MB/s uncompressed ` +
        `(${perSec(n, cpuMs)} entries per CPU-s)\n`,
    );
  };
  await runDecoder("gunzip+split+parse, decodeObject:", 1, false);
  await runDecoder("  same, decodeObjectBatches:", 1, true);
  await runDecoder("  same, 2 files at a time:", 2, false);
  await runDecoder("  same, batches, 2 files at a time:", 2, true);
}

await main();
