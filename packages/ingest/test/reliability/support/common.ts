/**
 * Shared pieces of the ingest reliability tests: the seed, the figure line,
 * the real CLI as a child process (the exact `npm run ingest` command line),
 * buckets in s3rver, large generated files written straight to disk.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream } from "node:fs";
import { mkdir, readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { once } from "node:events";
import { setTimeout as sleep } from "node:timers/promises";
import { createGzip } from "node:zlib";
import type { Pool } from "pg";
import { repoRoot } from "../../support/harness";
import { prng } from "../../support/streams";
import type { S3TestServer } from "../../support/s3-server";

/** The run's seed: RELIABILITY_SEED, else a fixed default. Each test derives its own from it. */
export const SEED = process.env.RELIABILITY_SEED ? Number(process.env.RELIABILITY_SEED) : 8_2025;
if (!Number.isFinite(SEED)) throw new Error(`RELIABILITY_SEED must be a number, got ${process.env.RELIABILITY_SEED}`);

export { prng };

/** One line of figures on stderr, `[reliability] <test>: ...` (and the seed to replay it). */
export function report(test: string, figures: string): void {
  process.stderr.write(`[reliability] ${test} (seed ${SEED}): ${figures}\n`);
}

/** Exactly what `npm run ingest --` runs (package.json), minus npm: a SIGKILL must hit the ingest process itself. */
export const INGEST_NODE_ARGS = ["--max-old-space-size=192", "--import", "tsx", path.join(repoRoot, "packages/ingest/src/cli.ts")];

export interface CliRun {
  child: ChildProcess;
  done: Promise<CliExit>;
}

export interface CliExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  /** The last 64 KiB of stderr (the JSON log lines). */
  stderr: string;
  /** Log lines by message, for the messages in LOG_MESSAGES_COUNTED (over the whole run). */
  logged: Record<string, number>;
  ms: number;
}

/** Log messages whose lines are counted while a run streams (the recoveries a test wants to see happen). */
export const LOG_MESSAGES_COUNTED = [
  "database unavailable, retrying",
  "S3 body interrupted, resuming",
  "source unavailable, retrying",
  "file failed",
  "batch write failed; ingesting its files one by one",
] as const;

/** Starts the ingest CLI (`npm run ingest -- ...args`) as a child process. */
export function startIngest(args: string[], env: Record<string, string>): CliRun {
  const started = performance.now();
  const child = spawn(process.execPath, [...INGEST_NODE_ARGS, ...args], {
    cwd: repoRoot,
    env: { ...process.env, LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  let partial = "";
  const logged: Record<string, number> = {};
  child.stdout!.on("data", (d: Buffer) => { stdout += d.toString(); });
  child.stderr!.on("data", (d: Buffer) => {
    const text = d.toString();
    stderr += text;
    if (stderr.length > 128 * 1024) stderr = stderr.slice(-64 * 1024);
    const lines = (partial + text).split("\n");
    partial = lines.pop() ?? "";
    for (const line of lines) {
      for (const m of LOG_MESSAGES_COUNTED) if (line.includes(`"msg":"${m}"`)) logged[m] = (logged[m] ?? 0) + 1;
    }
  });
  const done = new Promise<CliExit>((resolve) => {
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr: stderr.slice(-64 * 1024), logged, ms: performance.now() - started }));
  });
  return { child, done };
}

export interface IngestJson {
  files: { seen: number; ingested: number; skipped: number; failed: number };
  entries: { read: number; stored: number; rejected: number };
  questions: number;
  seconds: number;
  failedFiles: { key: string; error: string | null; attempts: number }[];
  peakRssMb: number;
}

/** The `--json` summary of a finished run, or null when it printed none (killed, or exited with an error). */
export function summaryOf(exit: CliExit): IngestJson | null {
  const line = exit.stdout.trim().split("\n").filter((l) => l.startsWith("{")).pop();
  if (!line) return null;
  try {
    return JSON.parse(line) as IngestJson;
  } catch {
    return null;
  }
}

/** How a run ended, in a few words, for the figure line. */
export function outcomeOf(exit: CliExit): string {
  if (exit.signal) return exit.signal;
  const s = summaryOf(exit);
  return s ? `exit ${exit.code} (${s.files.ingested} ingested, ${s.files.failed} failed)` : `exit ${exit.code}`;
}

/** The last error line the CLI printed (exit 2). */
export function cliError(exit: CliExit): string {
  return exit.stderr.split("\n").filter((l) => l.startsWith("ingest:")).pop() ?? exit.stderr.slice(-500);
}

/**
 * Runs the CLI again and again until a run exits 0 with nothing failed (up
 * to `maxRuns`): runs after the first retry failed files (--retry-failed),
 * as an operator would after a bad night. Returns every run's exit.
 */
export async function ingestUntilDone(args: string[], env: Record<string, string>, maxRuns = 6, retryFromFirst = false): Promise<CliExit[]> {
  const runs: CliExit[] = [];
  for (let i = 0; i < maxRuns; i++) {
    const exit = await startIngest(i === 0 && !retryFromFirst ? args : [...args, "--retry-failed"], env).done;
    runs.push(exit);
    const s = summaryOf(exit);
    if (exit.code === 0 && s && s.files.failed === 0 && s.failedFiles.length === 0) return runs;
  }
  const last = runs[runs.length - 1]!;
  throw new Error(`ingest did not finish cleanly in ${maxRuns} runs: ${outcomeOf(last)}\n${last.stdout}\n${last.stderr.slice(-3000)}`);
}

export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 60_000, everyMs = 50): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

export async function doneFiles(pool: Pool): Promise<number> {
  const { rows } = await pool.query<{ n: string }>("SELECT count(*) AS n FROM ingest_files WHERE status = 'done'");
  return Number(rows[0]!.n);
}

/** Puts every file of a bucket folder into an s3rver bucket (same keys), 16 at a time. */
export async function uploadFolder(s3: S3TestServer, bucket: string, dir: string): Promise<number> {
  const files: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) if (e.isFile()) files.push(path.join(e.parentPath, e.name));
  let next = 0;
  await Promise.all(Array.from({ length: 16 }, async () => {
    while (next < files.length) {
      const file = files[next++]!;
      await s3.put(bucket, path.relative(dir, file).split(path.sep).join("/"), await readFile(file));
    }
  }));
  return files.length;
}

/** CLI environment for an S3-compatible endpoint (the fault proxy) with s3rver's credentials. */
export function s3Env(databaseUrl: string, endpoint: string, s3: S3TestServer): Record<string, string> {
  return {
    DATABASE_URL: databaseUrl,
    AWS_ENDPOINT_URL: endpoint,
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: s3.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey,
  };
}

/** A bucket key for a time: `YYYY/MM/DD/<ISO>-<uuid>.json.gz` (uuid from n). */
export function keyAt(timeMs: number, n: number): string {
  const iso = new Date(timeMs).toISOString();
  return `${iso.slice(0, 4)}/${iso.slice(5, 7)}/${iso.slice(8, 10)}/${iso}-00000000-0000-4000-8000-${n.toString(16).padStart(12, "0")}.json.gz`;
}

export interface NoiseFileOptions {
  /** Entries to write. */
  entries: number;
  /** First entry's time; one entry per 10 ms after it. */
  fromMs: number;
  /** Bytes of pseudo-random text per entry (so gzip cannot shrink it to nothing). */
  padBytes: number;
  /** Every n-th element is a record the log model rejects (a level it does not know). 0: none. */
  invalidEvery?: number;
  seed: number;
  gzipLevel?: number;
}

/**
 * Writes a gzipped JSON array of other services' entries (API requests and
 * system monitor lines: no bot questions) straight to disk, a chunk at a
 * time, so a file of gigabytes costs no memory. Returns what it holds.
 */
export async function writeNoiseFile(file: string, opts: NoiseFileOptions): Promise<{ entries: number; rejected: number; bytesRaw: number }> {
  await mkdir(path.dirname(file), { recursive: true });
  const gzip = createGzip({ level: opts.gzipLevel ?? 1 });
  const out = createWriteStream(file);
  gzip.pipe(out);
  const rnd = prng(opts.seed);
  const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ";
  // A pool of random text to slice padding from (fast, and still hard to compress).
  const pool = Array.from({ length: 1 << 16 }, () => alphabet[Math.floor(rnd() * alphabet.length)]).join("");
  let rejected = 0;
  let bytesRaw = 0;
  let chunk = "[";
  const flush = async (): Promise<void> => {
    bytesRaw += Buffer.byteLength(chunk);
    if (!gzip.write(chunk)) await once(gzip, "drain");
    chunk = "";
  };
  for (let i = 0; i < opts.entries; i++) {
    const t = opts.fromMs + i * 10;
    const start = Math.floor(rnd() * (pool.length - opts.padBytes));
    const pad = pool.slice(start, start + opts.padBytes);
    const invalid = opts.invalidEvery !== undefined && opts.invalidEvery > 0 && i % opts.invalidEvery === opts.invalidEvery - 1;
    if (invalid) rejected++;
    const entry = i % 3 === 0
      ? { level: invalid ? "loud" : 30, time: t, pid: 7, hostname: "api-1", context: "SystemMonitor", message: `Memory usage: ${200 + (i % 300)}MB`, note: pad }
      : { level: invalid ? "loud" : 30, time: t, pid: 7, hostname: "api-1", context: "ApiController", message: "Request processed",
          req: { id: i, method: "GET", url: `/api/v1/deals/${i % 97}/documents` }, processingTimeMs: 5 + (i % 400), note: pad };
    chunk += (i === 0 ? "" : ",") + JSON.stringify(entry);
    if (chunk.length >= 1 << 20) await flush();
  }
  chunk += "]";
  await flush();
  gzip.end();
  await once(out, "close");
  return { entries: opts.entries, rejected, bytesRaw };
}
