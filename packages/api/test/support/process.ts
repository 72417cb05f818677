import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { repoRoot } from "../../../ingest/test/support/harness";
import type { Json } from "./api";

export interface ApiProcess {
  child: ChildProcess;
  url: string;
  stderr(): string;
  /** SIGTERM, then wait for the exit. */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** `npm run api` (the same file) as a child process on a free port; resolves once it listens. */
export async function startApiProcess(env: Record<string, string>, timeoutMs = 60_000): Promise<ApiProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", path.join(repoRoot, "packages/api/src/main.ts")], {
    cwd: repoRoot,
    env: { ...process.env, LOG_LEVEL: "info", PORT: "0", HOST: "127.0.0.1", NODE_ENV: "development", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on("exit", (code, signal) => resolve({ code, signal }));
  });
  // A start that fails (timeout, early exit) must not leave the child running behind the test.
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the API did not start in ${timeoutMs} ms:\n${stderr}`)), timeoutMs);
    child.stderr!.on("data", (d: Buffer) => {
      stderr += d.toString();
      for (const line of stderr.split("\n")) {
        if (!line.includes('"API listening"')) continue;
        clearTimeout(timer);
        resolve(String((JSON.parse(line) as { url: string }).url).replace(/\/graphql$/, ""));
        return;
      }
    });
    void exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`the API exited with ${code} before listening:\n${stderr}`));
    });
  }).catch((err: unknown) => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    throw err;
  });
  child.stdout!.resume();
  return {
    child,
    url,
    stderr: () => stderr,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      return exited;
    },
  };
}

/** fetch with `Authorization: Bearer <token>` (unless the call sets its own). */
export function authedFetch(token: string): typeof fetch {
  return (input, init) => {
    const headers = new Headers(init?.headers);
    if (!headers.has("authorization")) headers.set("authorization", `Bearer ${token}`);
    return fetch(input, { ...init, headers });
  };
}

/** One GraphQL POST over HTTP, with a token when given. */
export async function post(url: string, query: string, variables?: Record<string, unknown>, token?: string): Promise<{ data?: Json; errors?: Json[] }> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(`${url}/graphql`, { method: "POST", headers, body: JSON.stringify({ query, variables }) });
  return (await res.json()) as { data?: Json; errors?: Json[] };
}

/** A sample's value in Prometheus text (0 when absent). */
export function metric(text: string, name: string, labels = ""): number {
  for (const line of text.split("\n")) {
    if (line.startsWith("#")) continue;
    const [key, value] = line.split(" ");
    if (key === `${name}${labels ? `{${labels}}` : ""}`) return Number(value);
  }
  return 0;
}

export async function until(check: () => Promise<boolean>, timeoutMs = 15_000, what = "condition"): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}
