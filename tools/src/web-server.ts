/**
 * The dashboard for `npm start`: a production build of apps/web (made once,
 * and again when its sources changed) served by `next start`, as a child
 * process pointed at the same database.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readdir, stat } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Logger } from "@log-insights/config";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const webDir = path.join(root, "apps/web");
const nextBin = path.join(root, "node_modules/next/dist/bin/next");

async function newestMtime(dir: string): Promise<number> {
  let newest = 0;
  for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    if (e.name === "node_modules" || e.name === ".next" || e.name === "test") continue;
    const p = path.join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? await newestMtime(p) : (await stat(p)).mtimeMs);
  }
  return newest;
}

/** True when there is no build, or a source it depends on changed since. */
export async function webBuildIsStale(): Promise<boolean> {
  const built = await stat(path.join(webDir, ".next/BUILD_ID")).then((s) => s.mtimeMs, () => 0);
  if (built === 0) return true;
  const sources = await Promise.all([webDir, ...["api", "auth", "store", "logs", "config"].map((p) => path.join(root, "packages", p, "src"))].map(newestMtime));
  return Math.max(...sources) > built;
}

function run(args: string[], env: NodeJS.ProcessEnv, logger: Logger, what: string, signal?: AbortSignal): ChildProcess {
  const child = spawn(process.execPath, [nextBin, ...args], { cwd: webDir, env: { ...process.env, ...env, NEXT_TELEMETRY_DISABLED: "1" }, stdio: ["ignore", "pipe", "pipe"] });
  let tail = "";
  const keep = (d: Buffer): void => {
    tail = (tail + d.toString()).slice(-4000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  child.on("close", (code, exitSignal) => {
    // Stopping (Ctrl-C reaches the whole process group) is not a failure.
    if (code !== 0 && exitSignal === null && !signal?.aborted) logger.error({ code, output: tail }, `${what} failed`);
  });
  return child;
}

/** `next build` of the dashboard; resolves when done; an abort stops the build. */
export async function buildWeb(logger: Logger, signal?: AbortSignal): Promise<void> {
  const child = run(["build"], { NODE_ENV: "production" }, logger, "building the dashboard", signal);
  const abort = (): void => {
    child.kill("SIGTERM");
  };
  signal?.addEventListener("abort", abort, { once: true });
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  signal?.removeEventListener("abort", abort);
  if (signal?.aborted) throw new Error("stopped before the dashboard was built");
  if (code !== 0) throw new Error("building the dashboard failed (see the output above)");
}

/**
 * Asks the dashboard to stop (SIGTERM: Next.js finishes the requests in
 * flight and the API closes its pool) and waits for it; SIGKILL after
 * `graceMs`. Resolves with how it ended.
 */
export async function stopWeb(child: ChildProcess, graceMs = 10_000): Promise<"exited" | "killed"> {
  if (child.exitCode !== null || child.signalCode !== null) return "exited";
  const closed = new Promise<void>((resolve) => child.once("close", () => resolve()));
  child.kill("SIGTERM");
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<"killed">((resolve) => {
    timer = setTimeout(() => {
      child.kill("SIGKILL");
      resolve("killed");
    }, graceMs);
  });
  const how = await Promise.race([closed.then(() => "exited" as const), late]);
  clearTimeout(timer);
  await closed;
  return how;
}

/** Where to ask a server listening on `host` for its health: a wildcard address answers on loopback. */
function probeHost(host: string): string {
  if (host === "0.0.0.0" || host === "::" || host === "[::]" || host === "localhost") return "127.0.0.1";
  return host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
}

/** `next start` on a port and an interface (HOST, default 127.0.0.1: this machine only); resolves once /healthz answers. */
export async function startWeb(options: { databaseUrl: string; port: number; host?: string; logger: Logger; signal?: AbortSignal; env?: NodeJS.ProcessEnv }): Promise<ChildProcess> {
  const host = options.host ?? "127.0.0.1";
  const child = run(["start", "-p", String(options.port), "-H", host], { ...options.env, NODE_ENV: "production", DATABASE_URL: options.databaseUrl }, options.logger, "the dashboard", options.signal);
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the dashboard stopped (exit ${child.exitCode}); is port ${options.port} in use? Set PORT to another one.`);
    // 421: up, but HOST is not an allowed host name (add it to ALLOWED_HOSTS to reach it by that address).
    const ok = await fetch(`http://${probeHost(host)}:${options.port}/healthz`).then((r) => r.ok || r.status === 421, () => false);
    if (ok) return child;
    if (Date.now() > deadline) throw new Error("the dashboard did not start within 60 s");
    await new Promise((r) => setTimeout(r, 200));
  }
}
