import { availableParallelism } from "node:os";
import { Command, InvalidArgumentError } from "commander";
import { startAlertSchedule } from "@log-insights/alerts";
import { createLogger, loadEnv, type Env, type Logger } from "@log-insights/config";
import { migrate, openDatabase, startRetentionSchedule } from "@log-insights/store";
import { dryRun } from "./dry-run";
import type { FileFilter } from "./ledger";
import { runIngest, type IngestRunOptions, type IngestSummary } from "./pipeline";
import { privacyFromEnv } from "./privacy";
import { Progress } from "./progress";
import { parseSource, type Source } from "./sources";
import { parseTimeArg } from "./time-arg";
import { watchSource } from "./watch";

interface CliOptions {
  since?: string;
  until?: string;
  prefix?: string;
  concurrency: number;
  reprocess: boolean;
  watch: boolean;
  interval?: number;
  retryFailed: boolean;
  json: boolean;
  dryRun: boolean;
  endpoint?: string;
  slowMs: number;
  retention: boolean;
  alerts: boolean;
}

function positiveInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError("expected a whole number of 1 or more");
  return n;
}

function positiveNumber(v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError("expected a number above 0");
  return n;
}

const program = new Command()
  .name("npm run ingest --")
  .description("Reads deal-bot log files from an S3 bucket or a folder into PostgreSQL, each file exactly once.")
  .argument("[source]", "s3://bucket[/prefix] or a folder (default: $LOGS_SOURCE, else s3://$AWS_S3_BUCKET)")
  .option("--since <time>", "only files whose key time is at or after this (2025-04-01, 2025-04-01T12:00Z, or 6h / 7d ago)")
  .option("--until <time>", "only files whose key time is before this (a date alone includes that day)")
  .option("--prefix <prefix>", "only keys starting with this (inside the source)")
  .option("--concurrency <n>", "files ingested in parallel", positiveInt, availableParallelism())
  .option("--reprocess", "ingest the selected files again, replacing their rows", false)
  .option("--watch", "keep watching the source for new files (stop with Ctrl-C)", false)
  .option("--interval <seconds>", "seconds between listings in watch mode (default $INGEST_POLL_SECONDS or 30)", positiveNumber)
  .option("--retry-failed", "retry failed files even past the attempt limit", false)
  .option("--json", "print only a machine-readable summary on stdout", false)
  .option("--dry-run", "list what would be ingested, change nothing", false)
  .option("--endpoint <url>", "S3-compatible endpoint (default $AWS_ENDPOINT_URL)")
  .option("--slow-ms <ms>", "answers slower than this are flagged slow", positiveInt, 10_000)
  .option("--no-alerts", "with --watch: do not evaluate the alert rules (default: every $ALERT_EVAL_SECONDS, see README Alerts)")
  .option("--retention", "with --watch: drop data past $RETENTION_KEEP_ENTRIES / $RETENTION_KEEP_QUESTIONS once a day (see npm run retention)", false)
  .showHelpAfterError();

function resolveSourceSpec(arg: string | undefined, env: Env): string {
  if (arg) return arg;
  if (env.LOGS_SOURCE) return env.LOGS_SOURCE;
  if (env.AWS_S3_BUCKET) return `s3://${env.AWS_S3_BUCKET}`;
  throw new Error("no source: pass a folder or s3://bucket[/prefix], or set LOGS_SOURCE or AWS_S3_BUCKET");
}

/**
 * The source and the key prefix to select in it. A bucket is one source
 * whatever prefix the URL names (the prefix becomes a filter): the ledger
 * then knows a file once, however a run was scoped.
 */
function openSource(spec: string, env: Env, endpoint: string | undefined): { source: Source; prefix: string | undefined } {
  const settings = { region: env.AWS_REGION, endpoint: endpoint ?? env.AWS_ENDPOINT_URL };
  const s3 = /^s3:\/\/([^/]+)\/(.+)$/i.exec(spec.trim());
  if (s3) return { source: parseSource(`s3://${s3[1]}`, settings), prefix: s3[2] };
  return { source: parseSource(spec, settings), prefix: undefined };
}

function joinPrefix(a: string | undefined, b: string | undefined): string | undefined {
  if (!a) return b || undefined;
  if (!b) return a;
  return a.endsWith("/") || b.startsWith("/") ? a + b : `${a}/${b}`;
}

function humanSummary(s: IngestSummary & { peakRssMb: number }): string {
  const lines = [
    `files: ${s.files.seen} seen, ${s.files.ingested} ingested, ${s.files.skipped} skipped (already done or not logs), ${s.files.failed} failed`,
    `entries: ${s.entries.read} read, ${s.entries.stored} stored, ${s.entries.rejected} rejected`,
    `questions: ${s.questions}`,
    `time: ${s.seconds}s${s.seconds > 0 ? ` (${Math.round(s.entries.read / s.seconds)} entries/s)` : ""}, peak memory ${s.peakRssMb} MB`,
  ];
  if (s.failedFiles.length > 0) {
    lines.push(`failed files (${s.failedFiles.length}; retried on later runs up to the attempt limit, or with --retry-failed):`);
    for (const f of s.failedFiles.slice(0, 50)) lines.push(`  ${f.key} [${f.attempts} attempts]: ${f.error ?? "unknown error"}`);
    if (s.failedFiles.length > 50) lines.push(`  ... and ${s.failedFiles.length - 50} more (see the ingest_files table)`);
  }
  return lines.join("\n");
}

async function main(argv: string[]): Promise<number> {
  program.parse(argv);
  const opts = program.opts<CliOptions>();
  if (opts.retention && !opts.watch) throw new Error("--retention needs --watch (for a one-off run: npm run retention)");
  const env = loadEnv();
  const progressOnTerminal = !opts.json && process.stderr.isTTY === true;
  // With a progress bar, per-file log lines would garble it: show warnings only, unless asked.
  const logger: Logger = createLogger("ingest", process.env.LOG_LEVEL ?? (progressOnTerminal ? "warn" : "info"));

  const { source, prefix } = openSource(resolveSourceSpec(program.args[0], env), env, opts.endpoint);
  const filter: FileFilter = {
    prefix: joinPrefix(prefix, opts.prefix),
    sinceMs: opts.since === undefined ? undefined : parseTimeArg(opts.since, "since"),
    untilMs: opts.until === undefined ? undefined : parseTimeArg(opts.until, "until"),
  };

  const db = await openDatabase({ logger });
  const stop = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stop.signal.aborted) {
      logger.warn({ signal }, "second signal: exiting now (the files in hand are rolled back)");
      process.exit(130);
    }
    logger.info({ signal }, "stopping after the files in hand");
    stop.abort();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);

  try {
    await migrate(db.pool, logger);
    if (opts.dryRun) {
      const plan = await dryRun(db.pool, source, filter, { reprocess: opts.reprocess, retryFailed: opts.retryFailed, maxAttempts: env.INGEST_MAX_ATTEMPTS });
      if (opts.json) process.stdout.write(JSON.stringify(plan) + "\n");
      else {
        for (const f of plan.files) process.stdout.write(`${f.reason.padEnd(9)} ${f.key}\n`);
        process.stdout.write(`${plan.files.length} of ${plan.seen} files would be ingested (${plan.unsupported} not log files)\n`);
      }
      return 0;
    }

    const run = {
      source, filter, concurrency: opts.concurrency, reprocess: opts.reprocess, retryFailed: opts.retryFailed,
      maxAttempts: env.INGEST_MAX_ATTEMPTS, slowAnswerMs: opts.slowMs, logger,
      privacy: privacyFromEnv(env),
      shouldStop: () => stop.signal.aborted,
    };
    let progress: Progress | null = null;
    const showProgress = (): Partial<IngestRunOptions> => {
      progress = progressOnTerminal ? new Progress(process.stderr) : null;
      return { onPlan: (n) => progress?.start(n), onFile: (_o, s) => progress?.update(s) };
    };
    let total: IngestSummary;
    if (opts.watch) {
      // Opt-in: a worker pointed at an archive must not start dropping its old days unasked.
      const retention = opts.retention
        ? startRetentionSchedule(db.pool, { keepEntries: env.RETENTION_KEEP_ENTRIES, keepQuestions: env.RETENTION_KEEP_QUESTIONS }, {
          logger: createLogger("retention"), signal: stop.signal,
        })
        : null;
      if (retention) logger.info({ keepEntries: env.RETENTION_KEEP_ENTRIES, keepQuestions: env.RETENTION_KEEP_QUESTIONS }, "retention: applied daily");
      // The worker watches the data, so it judges the alert rules too (the API only reads their state).
      // A bad rules file or ALERT_* value stops the worker here, at start.
      const alerts = opts.alerts ? await startAlertSchedule(db.pool, { signal: stop.signal, logger: createLogger("alerts") }) : null;
      total = await watchSource(db.pool, run, {
        intervalMs: (opts.interval ?? env.INGEST_POLL_SECONDS) * 1000,
        signal: stop.signal,
        beforeRun: showProgress,
        onRun: (r) => {
          (progress as Progress | null)?.stop();
          if (r.files.ingested > 0 || r.files.failed > 0) {
            logger.info({ ingested: r.files.ingested, failed: r.files.failed, entries: r.entries.stored }, "watch: new files ingested");
          }
        },
      });
      await Promise.all([retention?.stop(), alerts?.stop()]);
    } else {
      total = await runIngest(db.pool, { ...run, ...showProgress() });
      (progress as Progress | null)?.stop();
    }
    const report = { ...total, peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024) };

    if (opts.json) process.stdout.write(JSON.stringify(report) + "\n");
    else process.stdout.write(humanSummary(report) + "\n");
    return total.files.failed > 0 ? 1 : 0;
  } finally {
    await db.close();
  }
}

main(process.argv).then(
  (code) => { process.exitCode = code; },
  (err: unknown) => {
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`ingest: ${message}\n`);
    process.exitCode = 2;
  },
);
