import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { webDir } from "./build";

/** Debian's chromium (installed by .ci/run); CHROMIUM_PATH overrides. No browser download happens anywhere. */
export function chromiumPath(): string {
  const candidates = [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser"].filter((p): p is string => !!p);
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error("Chromium not found: install Debian's chromium package (apt-get install chromium) or set CHROMIUM_PATH");
  return found;
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(), args: ["--no-sandbox", "--disable-dev-shm-usage"] });
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === "object" && addr ? resolve(addr.port) : reject(new Error("no port"))));
    });
  });
}

export interface WebServer {
  url: string;
  output(): string;
  stop(): Promise<void>;
}

export interface StartWebOptions {
  /** More environment for the server (OIDC_*, AUTH_*, PUBLIC_URL…). */
  env?: Record<string, string>;
  /** The port (default: a free one), e.g. when an OpenID provider must know the redirect URI first. */
  port?: number;
}

/** `next start` of the built dashboard against a database, waiting until /healthz answers. */
export async function startWeb(databaseUrl: string, options: StartWebOptions = {}): Promise<WebServer> {
  const port = options.port ?? (await freePort());
  let output = "";
  const child: ChildProcess = spawn(process.execPath, [path.join(webDir, "../../node_modules/next/dist/bin/next"), "start", "-p", String(port), "-H", "127.0.0.1"], {
    cwd: webDir,
    env: { ...process.env, DATABASE_URL: databaseUrl, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1", LOG_LEVEL: "warn", ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.on("data", (d: Buffer) => { output += d.toString(); });
  child.stderr?.on("data", (d: Buffer) => { output += d.toString(); });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`next start exited (${child.exitCode}):\n${output}`);
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`the dashboard did not start within 60 s:\n${output}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    url,
    output: () => output,
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill("SIGTERM");
      await new Promise((r) => child.once("close", r));
    },
  };
}

/**
 * Waits until a page has shown what it loads: no loading skeleton or busy
 * region left (up to 15 s), then a moment for charts to draw. Instead of
 * Playwright's "networkidle", which never comes while the live-updates
 * stream (a long-lived fetch) is open.
 */
export async function settled(page: Page): Promise<void> {
  await page.waitForFunction(() => document.querySelectorAll(".skeleton, [aria-busy=true]").length === 0, undefined, { timeout: 15_000 }).catch(() => undefined);
  await page.waitForTimeout(300);
}
