import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";

// Why: an embedded server can outlive its owner (node killed with SIGKILL,
// OOM) or leave a postmaster.pid behind (server killed, machine crashed).
// PostgreSQL only clears a lock file whose pid is dead *to it*: a pid reused
// by a root process looks alive to the 'postgres' user, so it refuses to
// start. We read the lock file ourselves and classify it, and we only ever
// signal a process proven to be a postmaster for this very data directory.

const execFileAsync = promisify(execFile);

/** The fields of postmaster.pid that we use (see PostgreSQL's pidfile.h). */
export interface PidFile {
  pid: number;
  dataDir: string;
  port: number;
  /** "starting", "ready" or "stopping" (line 8, written by the postmaster). */
  status: string;
}

export type PostmasterState =
  | { kind: "none" }
  | { kind: "stale"; pid: number; reason: string }
  | { kind: "running"; pidFile: PidFile; orphan: boolean; parentPid: number | undefined };

export function pidFilePath(dataDir: string): string {
  return path.join(dataDir, "postmaster.pid");
}

export async function readPidFile(dataDir: string): Promise<PidFile | undefined> {
  let text: string;
  try {
    text = await readFile(pidFilePath(dataDir), "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
  const lines = text.split("\n");
  const pid = Number.parseInt(lines[0] ?? "", 10);
  // A half-written file (the postmaster is writing it right now) has no pid yet.
  if (!Number.isInteger(pid) || pid <= 0) return { pid: 0, dataDir: "", port: 0, status: "starting" };
  return {
    pid,
    dataDir: lines[1] ?? "",
    port: Number.parseInt(lines[3] ?? "", 10) || 0,
    status: (lines[7] ?? "").trim(),
  };
}

/** True when a process with this pid exists (EPERM: it exists but is not ours). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** argv of a process: /proc on Linux, `ps` elsewhere; undefined when unknown. */
async function commandLine(pid: number): Promise<string[] | undefined> {
  try {
    const raw = await readFile(`/proc/${pid}/cmdline`, "utf8");
    return raw.split("\0").filter((s) => s !== "");
  } catch {
    try {
      const { stdout } = await execFileAsync("ps", ["-o", "command=", "-p", String(pid)]);
      const line = stdout.trim();
      return line === "" ? undefined : line.split(/\s+/);
    } catch {
      return undefined;
    }
  }
}

async function parentPidOf(pid: number): Promise<number | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, "utf8");
    // "pid (comm) state ppid ..."; comm may contain spaces and parentheses.
    const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return Number.parseInt(rest[1] ?? "", 10) || undefined;
  } catch {
    try {
      const { stdout } = await execFileAsync("ps", ["-o", "ppid=", "-p", String(pid)]);
      return Number.parseInt(stdout.trim(), 10) || undefined;
    } catch {
      return undefined;
    }
  }
}

/** A postmaster is one whose argv[0] is a postgres binary and whose -D is this directory. */
function isPostmasterFor(argv: string[], dataDir: string): boolean {
  const exe = path.basename(argv[0] ?? "");
  if (exe !== "postgres" && exe !== "postgres.exe") return false;
  const d = argv.indexOf("-D");
  return d >= 0 && argv[d + 1] !== undefined && path.resolve(argv[d + 1]!) === dataDir;
}

/**
 * A server is "owned" while the process that started it lives: its parent is
 * a node process. Once the owner died it is reparented to init (pid 1) or to
 * a subreaper (tini, systemd): an orphan that nobody will ever stop.
 */
async function isOwnedByLiveNode(parentPid: number | undefined): Promise<boolean> {
  if (parentPid === undefined) return true; // unknown: never take over a server we cannot judge
  if (parentPid <= 1) return false;
  const argv = await commandLine(parentPid);
  if (argv === undefined) return true;
  const exe = path.basename(argv[0] ?? "");
  return /^node(\.exe)?$|^nodejs$/.test(exe) || exe === path.basename(process.execPath);
}

/** What the postmaster.pid of a data directory (absolute, resolved) tells us. */
export async function inspectPostmaster(dataDir: string): Promise<PostmasterState> {
  const pidFile = await readPidFile(dataDir);
  if (pidFile === undefined) return { kind: "none" };
  const { pid } = pidFile;
  if (pid === 0) return { kind: "running", pidFile, orphan: false, parentPid: undefined };
  if (!isAlive(pid)) return { kind: "stale", pid, reason: `pid ${pid} is not running` };
  const argv = await commandLine(pid);
  if (argv === undefined) {
    // Cannot tell (no /proc, no ps): assume it is a live server; PostgreSQL decides.
    return { kind: "running", pidFile, orphan: false, parentPid: undefined };
  }
  if (!isPostmasterFor(argv, dataDir)) {
    return { kind: "stale", pid, reason: `pid ${pid} now belongs to another program (${argv[0] ?? "?"})` };
  }
  const parentPid = await parentPidOf(pid);
  return { kind: "running", pidFile, orphan: !(await isOwnedByLiveNode(parentPid)), parentPid };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until the process is gone; false on timeout. */
export async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() >= deadline) return false;
    await sleep(100);
  }
  return true;
}

/**
 * Stops a postmaster that is not our child: fast shutdown (SIGINT), then
 * immediate shutdown (SIGQUIT), then SIGKILL. Returns once it is gone.
 */
export async function stopPostmasterPid(pid: number, timeoutMs = 30_000): Promise<void> {
  for (const [signal, wait] of [
    ["SIGINT", timeoutMs],
    ["SIGQUIT", 5_000],
    ["SIGKILL", 5_000],
  ] as const) {
    try {
      process.kill(pid, signal);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ESRCH") return;
      throw err;
    }
    if (await waitForExit(pid, wait)) return;
  }
  throw new Error(`PostgreSQL (pid ${pid}) did not exit after SIGKILL`);
}
