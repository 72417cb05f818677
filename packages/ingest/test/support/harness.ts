import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Pool } from "pg";
import { createLogger } from "@log-insights/config";
import { generateBucket, type GenerateOptions, type Truth } from "../../../../tools/src/generate/index";
import { runIngest, type IngestRunOptions, type IngestSummary } from "../../src/pipeline";
import { parseSource } from "../../src/sources";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../..");
export const realSampleDir = path.resolve(repoRoot, "../shared/samples/real-bucket");

export const silent = createLogger("test", "silent");

/** A generated bucket folder in a temp dir, with its truth. */
export async function generatedBucket(options: Omit<GenerateOptions, "outDir">): Promise<{ dir: string; truth: Truth; cleanup(): Promise<void> }> {
  const base = await mkdtemp(path.join(tmpdir(), "li-bucket-"));
  const dir = path.join(base, "bucket");
  const truth = await generateBucket({ ...options, outDir: dir, truthPath: null });
  return { dir, truth, cleanup: () => rm(base, { recursive: true, force: true }) };
}

export type RunOverrides = Partial<Omit<IngestRunOptions, "source">>;

/** Ingests a source spec (folder or s3://) in-process with test defaults. */
export async function ingest(pool: Pool, spec: string, overrides: RunOverrides = {}, settings: Parameters<typeof parseSource>[1] = {}): Promise<IngestSummary> {
  const source = parseSource(spec, settings);
  try {
    return await runIngest(pool, {
      source,
      filter: {},
      concurrency: 2,
      reprocess: false,
      retryFailed: false,
      maxAttempts: 3,
      slowAnswerMs: 10_000,
      logger: silent,
      ...overrides,
    });
  } finally {
    source.close?.();
  }
}

export async function count(pool: Pool, sql: string, values: unknown[] = []): Promise<number> {
  const { rows } = await pool.query<{ n: string }>(sql, values);
  return Number(rows[0]?.n ?? 0);
}

/** Row counts of the ingest tables. */
export async function tableCounts(pool: Pool): Promise<{ entries: number; questions: number; rejected: number; conversations: number }> {
  return {
    entries: await count(pool, "SELECT count(*) AS n FROM log_entries"),
    questions: await count(pool, "SELECT count(*) AS n FROM bot_questions WHERE merged_into IS NULL"),
    rejected: await count(pool, "SELECT count(*) AS n FROM rejected_records"),
    conversations: await count(pool, "SELECT count(*) AS n FROM conversations"),
  };
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Starts the real CLI (`npm run ingest` runs the same file) as a child process. */
export function startCli(args: string[], env: Record<string, string>): { child: ReturnType<typeof spawn>; done: Promise<CliResult> } {
  const child = spawn(process.execPath, ["--import", "tsx", path.join(repoRoot, "packages/ingest/src/cli.ts"), ...args], {
    cwd: repoRoot,
    env: { ...process.env, LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (d: Buffer) => { stdout += d.toString(); });
  child.stderr!.on("data", (d: Buffer) => { stderr += d.toString(); });
  const done = new Promise<CliResult>((resolve) => {
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, done };
}

export function runCli(args: string[], env: Record<string, string>): Promise<CliResult> {
  return startCli(args, env).done;
}

/**
 * Which of these values (tokens such as uuids and hex strings) appear as a
 * whole token anywhere in the stored rows of the ingest tables.
 */
export async function valuesFoundIn(pool: Pool, values: string[]): Promise<string[]> {
  const { rows } = await pool.query<{ t: string }>(
    `SELECT e::text AS t FROM log_entries e UNION ALL SELECT q::text FROM bot_questions q
     UNION ALL SELECT r::text FROM rejected_records r UNION ALL SELECT c::text FROM conversations c`,
  );
  const tokens = new Set<string>();
  for (const { t } of rows) for (const m of t.matchAll(/[A-Za-z0-9_-]+/g)) tokens.add(m[0]);
  return values.filter((v) => tokens.has(v));
}
