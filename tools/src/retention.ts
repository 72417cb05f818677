/**
 * `npm run retention -- [--keep-entries 90d] [--keep-questions 2y] [--yes] [--json]`:
 * drops whole time partitions of raw log entries (daily) and question rows
 * (monthly) older than the policy; the rollups are kept. A dry run unless
 * --yes. Defaults: RETENTION_KEEP_ENTRIES, RETENTION_KEEP_QUESTIONS.
 * Exit status: 0 done, 1 failed (e.g. a lock could not be had), 2 usage or configuration error.
 */
import { parseArgs } from "node:util";
import { ConfigError, createLogger, loadEnv } from "@log-insights/config";
import {
  RetentionDurationError, applyRetention, migrate, openDatabase, parseRetentionDuration,
  type RetentionResult,
} from "@log-insights/store";

const USAGE = `usage: npm run retention -- [--keep-entries 90d] [--keep-questions 2y] [--yes] [--json]

Drops whole partitions of raw log entries (one per UTC day) and of question
rows (one per UTC month) that end before the cut-off; a partition straddling
it is kept. Rollups (counts, latency, users, common questions) are kept.
Without --yes, only prints what would be dropped.

  --keep-entries D    keep raw log entries this long (default $RETENTION_KEEP_ENTRIES or 90d)
  --keep-questions D  keep question rows this long (default $RETENTION_KEEP_QUESTIONS or 2y)
  --yes               drop them (default: a dry run)
  --json              print only a machine-readable summary on stdout
D is a duration: 90d, 12w, 6mo, 2y (at least 1d).
`;

class UsageError extends Error {}

function humanBytes(n: number): string {
  const units = ["B", "kB", "MB", "GB", "TB"];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}

const day = (iso: string): string => iso.replace(/T00:00:00\.000Z$/, "");

function report(r: RetentionResult): string {
  const would = r.dryRun ? "would be " : "";
  const lines: string[] = [];
  for (const t of Object.values(r.tables)) {
    lines.push(`${t.table}: keep ${t.keep} (cut-off ${t.cutoff}); partitions ending by ${day(t.horizon)} ${would}dropped, ${t.kept} kept`);
    for (const p of t.partitions) {
      lines.push(`  ${p.name.padEnd(24)} ${day(p.from)} .. ${day(p.to)}  ${(p.rowsEstimated ? "~" : "") + p.rows.toLocaleString("en")} rows  ${humanBytes(p.bytes)}`);
    }
  }
  lines.push(`conversations ended before the questions' horizon ${would}deleted: ${r.conversations}`);
  lines.push(`rejected records of dropped days ${would}deleted: ${r.rejectedRecords}; files ${would}marked never to ingest again: ${r.files}`);
  lines.push(
    `total: ${r.partitions} partitions, ${r.rows.toLocaleString("en")} rows, ${humanBytes(r.bytes)} ${r.dryRun ? "would be freed (dry run: run again with --yes to drop)" : `freed in ${r.seconds}s`}`,
  );
  lines.push("kept: question_rollups, question_user_days/hours/months, question_fingerprint_days, question_groups");
  return lines.join("\n");
}

async function main(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        "keep-entries": { type: "string" },
        "keep-questions": { type: "string" },
        yes: { type: "boolean", default: false },
        json: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    }).values;
  } catch (err) {
    throw new UsageError(`${(err as Error).message}\n${USAGE}`);
  }
  if (args.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const env = loadEnv();
  const policy = {
    keepEntries: parseRetentionDuration(args["keep-entries"] ?? env.RETENTION_KEEP_ENTRIES, args["keep-entries"] ? "--keep-entries" : "RETENTION_KEEP_ENTRIES"),
    keepQuestions: parseRetentionDuration(args["keep-questions"] ?? env.RETENTION_KEEP_QUESTIONS, args["keep-questions"] ? "--keep-questions" : "RETENTION_KEEP_QUESTIONS"),
  };
  const logger = createLogger("retention", process.env.LOG_LEVEL ?? (args.json ? "info" : "warn"));
  const db = await openDatabase({ logger });
  try {
    await migrate(db.pool, logger);
    const result = await applyRetention(db.pool, policy, { dryRun: !args.yes, logger });
    process.stdout.write((args.json ? JSON.stringify(result) : report(result)) + "\n");
    return 0;
  } finally {
    await db.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`retention: ${message}\n`);
    process.exitCode = err instanceof UsageError || err instanceof RetentionDurationError || err instanceof ConfigError ? 2 : 1;
  },
);
