/**
 * npm run generate -- --out DIR [--days 30] [--sessions-per-day 200] [--seed 42]
 *                     [--end ISO] [--invalid-records RATE] [--personal-data RATE] [--truth FILE] [--gzip-level N] [--force]
 *
 * Writes a bucket-like folder of gzipped pino log files and its ground truth
 * (default `<DIR>.truth.json`, beside the folder), then prints one summary line.
 */
import { parseArgs } from "node:util";
import { DEFAULT_PERSONAL_DATA_RATE, defaultTruthPath, generateBucket } from "./index";

const USAGE = `usage: npm run generate -- --out DIR [--days N=7] [--sessions-per-day N=100] [--seed S=42]
       [--end ISO=now] [--invalid-records RATE=0] [--personal-data RATE=0.015] [--truth FILE=<DIR>.truth.json]
       [--gzip-level 1-9=6] [--force]`;

function num(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n)) throw new Error(`--${name} must be a number, got "${value}"`);
  return n;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      out: { type: "string", short: "o" },
      days: { type: "string" },
      "sessions-per-day": { type: "string" },
      seed: { type: "string" },
      end: { type: "string" },
      "invalid-records": { type: "string" },
      "personal-data": { type: "string" },
      truth: { type: "string" },
      "gzip-level": { type: "string" },
      force: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  if (values.out === undefined) throw new Error(`--out is required\n${USAGE}`);
  const end = values.end === undefined ? new Date() : new Date(values.end);
  if (Number.isNaN(end.getTime())) throw new Error(`--end must be an ISO date, got "${values.end}"`);
  // A numeric seed stays a number (42 and "42" are different seeds to the PRNG).
  const seed = values.seed === undefined ? 42 : /^-?\d+$/.test(values.seed) ? Number(values.seed) : values.seed;
  const truthPath = values.truth ?? defaultTruthPath(values.out);

  const started = performance.now();
  const truth = await generateBucket({
    outDir: values.out,
    seed,
    days: num("days", values.days, 7),
    sessionsPerDay: num("sessions-per-day", values["sessions-per-day"], 100),
    end,
    faults: { invalidRecords: num("invalid-records", values["invalid-records"], 0) },
    personalData: num("personal-data", values["personal-data"], DEFAULT_PERSONAL_DATA_RATE),
    truthPath,
    overwrite: values.force,
    gzipLevel: num("gzip-level", values["gzip-level"], 6),
  });
  const seconds = (performance.now() - started) / 1000;
  const o = truth.outcomes;
  console.log(
    `generated ${truth.files.total} files, ${truth.entries.total} entries (${truth.entries.rejectedExpected} invalid), ` +
      `${truth.questionsTotal} questions (answered ${o.answered}, hedged ${o.hedged}, failed ${o.failed}, unfinished ${o.unfinished}) ` +
      `from ${truth.sessions} sessions, ${truth.options.start} .. ${truth.options.end}, seed ${String(seed)}, ` +
      `in ${seconds.toFixed(1)} s (${Math.round(truth.entries.total / seconds)} entries/s) -> ${values.out}; truth: ${truthPath}`,
  );
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
