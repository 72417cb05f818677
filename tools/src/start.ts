/**
 * `npm start`: the product on its defaults with no setup. The embedded
 * PostgreSQL (or DATABASE_URL), the migrations, then the logs: the bucket
 * or folder in LOGS_SOURCE / AWS_S3_BUCKET when set, else 30 days of
 * generated sample logs up to now (written once into .data/sample-bucket),
 * ingested and then watched for new files until Ctrl-C; meanwhile the
 * dashboard is built (first run, or after its sources changed) and served
 * on http://localhost:$PORT (3000), listening on HOST (127.0.0.1). Sign-in
 * is on: when there is no admin, a local admin is made, and every start
 * prints a one-time sign-in link for it (local-admin.ts).
 */
import { mkdir, readdir } from "node:fs/promises";
import path from "node:path";
import { createLogger, loadEnv } from "@log-insights/config";
import { startAlertSchedule } from "@log-insights/alerts";
import { DEFAULT_BATCH, parseSource, privacyFromEnv, watchSource } from "@log-insights/ingest";
import { migrate, openDatabase } from "@log-insights/store";
import { availableParallelism } from "node:os";
import type { Pool } from "pg";
import type { ChildProcess } from "node:child_process";
import { generateBucket } from "./generate/index";
import { LOCAL_ADMIN, ensureLocalAdmin, localAdminLink } from "./local-admin";
import { writeSampleAlertRules } from "./sample-alert-rules";
import { buildWeb, startWeb, stopWeb, webBuildIsStale } from "./web-server";

const SAMPLE_DIR = path.resolve(".data/sample-bucket");
const SAMPLE_RULES = path.resolve(".data/sample-alert-rules.yaml");

async function hasFiles(dir: string): Promise<boolean> {
  try {
    return (await readdir(dir)).length > 0;
  } catch {
    return false;
  }
}

/** What the database holds from this source, from the ledger (cheap at any size). */
async function stored(pool: Pool, sourceId: string): Promise<{ files: number; entries: number; questions: number }> {
  const { rows } = await pool.query<{ files: string; entries: string; questions: string }>(
    `SELECT count(*) AS files, coalesce(sum(entries_stored), 0) AS entries, coalesce(sum(questions), 0) AS questions
     FROM ingest_files WHERE source = $1 AND status = 'done'`,
    [sourceId],
  );
  return { files: Number(rows[0]!.files), entries: Number(rows[0]!.entries), questions: Number(rows[0]!.questions) };
}

async function main(): Promise<void> {
  const env = loadEnv();
  const logger = createLogger("start");
  const started = performance.now();
  const db = await openDatabase({ logger });
  const stop = new AbortController();
  let web: ChildProcess | undefined;
  // Graceful: the first signal stops the watch (the ingest in flight commits
  // or rolls back as a whole), then the dashboard, then the database. A
  // second signal gives up waiting.
  const shutdown = (signal: NodeJS.Signals): void => {
    if (stop.signal.aborted) {
      logger.warn({ signal }, "second signal: exiting now");
      logger.flush();
      process.exit(1);
    }
    logger.info({ signal }, "stopping: finishing the ingest in flight, then the dashboard and the database");
    stop.abort();
  };
  process.on("SIGINT", shutdown);
  process.on("SIGTERM", shutdown);
  const port = env.PORT ?? 3000;
  let dashboard: Promise<void> = Promise.resolve();
  try {
    await migrate(db.pool, logger);
    const hasLocalAdmin = await ensureLocalAdmin(db.pool, logger);
    const configured = env.LOGS_SOURCE ?? (env.AWS_S3_BUCKET ? `s3://${env.AWS_S3_BUCKET}` : undefined);
    // On the static sample, rules that need a live feed are left out (unless the user chose a rules file).
    let rulesFile = env.ALERT_RULES_FILE;
    if (!configured && !rulesFile) {
      await mkdir(path.dirname(SAMPLE_RULES), { recursive: true });
      const left = await writeSampleAlertRules(SAMPLE_RULES);
      logger.info({ rulesFile: SAMPLE_RULES, leftOut: left }, "alert rules for the sample data: no 'logs are not arriving' rule (the sample does not grow)");
      rulesFile = SAMPLE_RULES;
    }
    const rulesEnv = rulesFile ? { ALERT_RULES_FILE: rulesFile } : {};
    // The dashboard builds while the data loads (two cores: both finish sooner together than one after the other).
    dashboard = (async () => {
      if (await webBuildIsStale()) {
        logger.info("building the dashboard (first run or changed sources, about a minute)");
        await buildWeb(logger, stop.signal);
      }
      if (stop.signal.aborted) return;
      web = await startWeb({ databaseUrl: db.url, port, host: env.HOST, logger, signal: stop.signal, env: rulesEnv });
      if (stop.signal.aborted) return;
      const seconds = Math.round((performance.now() - started) / 100) / 10;
      if (hasLocalAdmin) {
        // Printed once, on stdout (the token is a secret: never in the structured log).
        const link = await localAdminLink(db.pool, env);
        const hours = Math.round((link.expiresAtMs - Date.now()) / 360_000) / 10;
        process.stdout.write(`\nOpen the dashboard: ${link.url}\n(a one-time sign-in link for ${LOCAL_ADMIN}, valid ${hours} h; a new one is printed at every start)\n\n`);
        logger.info({ url: `http://localhost:${port}`, host: env.HOST, signIn: LOCAL_ADMIN, linkExpiresAt: new Date(link.expiresAtMs).toISOString(), seconds },
          "dashboard ready (sign in with the one-time link printed on stdout)");
      } else {
        process.stdout.write(`\nOpen the dashboard: http://localhost:${port}\n(sign in with your account; \`npm run users -- link EMAIL\` prints a one-time sign-in link)\n\n`);
        logger.info({ url: `http://localhost:${port}`, host: env.HOST, seconds }, "dashboard ready");
      }
    })();
    dashboard = dashboard.catch((err: unknown) => {
      if (!stop.signal.aborted) logger.error({ error: (err as Error).message }, "the dashboard could not start; ingestion goes on");
    });
    let spec = configured;
    if (!spec) {
      if (!(await hasFiles(SAMPLE_DIR))) {
        logger.info({ dir: SAMPLE_DIR }, "writing 30 days of sample logs (first run only)");
        const truth = await generateBucket({ outDir: SAMPLE_DIR, seed: 42, days: 30, sessionsPerDay: 60, end: new Date(), truthPath: null });
        logger.info({ files: truth.files.total, entries: truth.entries.total, questions: truth.questionsTotal }, "sample logs written");
      }
      spec = SAMPLE_DIR;
    }
    const source = parseSource(spec, { region: env.AWS_REGION, endpoint: env.AWS_ENDPOINT_URL });
    const alerts = await startAlertSchedule(db.pool, { signal: stop.signal, logger: createLogger("alerts", "warn"), ...(rulesFile ? { rulesFile } : {}) });
    let announced = false;
    await watchSource(db.pool, {
      source, filter: {}, concurrency: availableParallelism(), reprocess: false, retryFailed: false,
      maxAttempts: env.INGEST_MAX_ATTEMPTS, slowAnswerMs: 10_000, batch: DEFAULT_BATCH, logger: createLogger("ingest", "warn"),
      privacy: privacyFromEnv(env),
    }, {
      intervalMs: env.INGEST_POLL_SECONDS * 1000,
      signal: stop.signal,
      onRun: (run) => {
        if (!announced) {
          announced = true;
          void stored(db.pool, source.id).then((inDatabase) => logger.info({
            source: source.id, database: db.embedded ? `embedded PostgreSQL (${env.EMBEDDED_PG_DIR})` : "DATABASE_URL",
            ...inDatabase, seconds: Math.round((performance.now() - started) / 100) / 10,
          }, "ready: logs ingested; watching for new files (Ctrl-C to stop)"));
          void alerts.runOnce(true); // judge the rules on the fresh data now, not a minute later
        } else if (run.files.ingested > 0) {
          logger.info({ files: run.files.ingested, entries: run.entries.stored, questions: run.questions }, "new files ingested");
        }
      },
    });
  } finally {
    stop.abort();
    await dashboard;
    if (web) logger.info({ how: await stopWeb(web) }, "dashboard stopped");
    await db.close();
    logger.info({ embedded: db.embedded }, "database closed; bye");
    logger.flush();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
