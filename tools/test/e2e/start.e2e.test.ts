import { execFile, spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { chmod, cp, mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { networkInterfaces, tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import type { Browser, BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createToken } from "@log-insights/auth";
import { createTestDatabase, type TestDatabase } from "@log-insights/store/testing";
import { freePort, launchBrowser } from "../../../apps/web/test/e2e/harness";
import { generatedBucket, repoRoot } from "../../../packages/ingest/test/support/harness";
import { startS3Server, type S3TestServer } from "../../../packages/ingest/test/support/s3-server";
import { listFiles } from "../helpers/bucket";

// The README's promise, end to end: a clean clone of this repository in a
// temporary folder, the "Run it" command exactly as the README shows it, no
// DATABASE_URL (so the embedded PostgreSQL), then the dashboard in a real
// browser showing the sample data; Ctrl-C stops everything; a second run
// reuses the data. Then the same clone on an S3-compatible server (s3rver)
// holding generated files, with DATABASE_URL set. Clones HEAD: commit first.
// Sign-in is on: the dashboard and the API refuse a browser without a
// session; the one-time link `npm start` prints (for its local admin)
// signs the browser in, through the link page's button, as a person would.

const exec = promisify(execFile);
const SHOTS = path.resolve(repoRoot, "artifacts/screenshots");
const fmt = (n: number): string => new Intl.NumberFormat("en-GB").format(n);

/** The first ```bash block under "## Run it", split on "&&": the commands a newcomer types. */
function readmeStartCommands(): string[] {
  const readme = readFileSync(path.join(repoRoot, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("## Run it"));
  const block = /```bash\n([^`]+)```/.exec(section)?.[1]?.trim();
  if (!block) throw new Error("README: no bash block under ## Run it");
  return block.split("&&").map((c) => c.trim());
}

/** A newcomer's environment: no DATABASE_URL, no npm or Vitest state from this run. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const keep = ["PATH", "HOME", "LANG", "TMPDIR", "USER", "SHELL"];
  const env: NodeJS.ProcessEnv = {};
  for (const k of keep) if (process.env[k] !== undefined) env[k] = process.env[k];
  return { ...env, npm_config_prefer_offline: "true", npm_config_audit: "false", npm_config_fund: "false", ...extra };
}

interface Started {
  child: ChildProcess;
  output: () => string;
  /** Seconds from spawn to the log line with `msg`. */
  until(msg: string, timeoutMs: number): Promise<number>;
  /** Ctrl-C: SIGINT to the whole foreground process group, as a terminal does. */
  interrupt(): Promise<{ code: number | null; signal: NodeJS.Signals | null; seconds: number }>;
}

function run(command: string, cwd: string, env: NodeJS.ProcessEnv): Started {
  const began = performance.now();
  // detached: its own process group, which interrupt() signals like a terminal's Ctrl-C.
  const child = spawn("bash", ["-c", command], { cwd, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout!.on("data", (d: Buffer) => { output += d.toString(); });
  child.stderr!.on("data", (d: Buffer) => { output += d.toString(); });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on("close", (code, signal) => resolve({ code, signal })));
  return {
    child,
    output: () => output,
    until: async (msg, timeoutMs) => {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        if (output.includes(`"msg":"${msg}`)) return Math.round((performance.now() - began) / 100) / 10;
        if (child.exitCode !== null) throw new Error(`"${command}" exited (${child.exitCode}) before "${msg}":\n${output.slice(-4000)}`);
        await new Promise((r) => setTimeout(r, 200));
      }
      throw new Error(`no "${msg}" within ${timeoutMs} ms:\n${output.slice(-4000)}`);
    },
    interrupt: async () => {
      const t = performance.now();
      process.kill(-child.pid!, "SIGINT");
      return { ...(await exited), seconds: Math.round((performance.now() - t) / 100) / 10 };
    },
  };
}

async function graphql(port: number, query: string, token: string): Promise<Record<string, unknown>> {
  const res = await fetch(`http://127.0.0.1:${port}/api/graphql`, {
    method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${token}` }, body: JSON.stringify({ query }),
  });
  const body = (await res.json()) as { data?: Record<string, unknown>; errors?: unknown[] };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data!;
}

/** The one-time sign-in link `npm start` printed on stdout once the dashboard was ready (stdout and stderr arrive apart: waits a little). */
async function printedLink(s: Started): Promise<string> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const m = /^Open the dashboard: (\S+)$/m.exec(s.output());
    if (m) return m[1]!;
    if (Date.now() > deadline) throw new Error(`no "Open the dashboard:" line:\n${s.output().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The printed link is a secret: never in a structured log line. */
function expectTokenOnlyOnItsLine(output: string, link: string): void {
  const token = new URL(link).searchParams.get("token")!;
  expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
  const lines = output.split("\n").filter((l) => l.includes(token));
  expect(lines).toEqual([`Open the dashboard: ${link}`]);
}

/**
 * Opens the printed link in a fresh browser, as a person would: the page
 * names the account and uses nothing; its button (a POST of the token) signs
 * in and leaves the link page. Returns the signed-in context.
 */
async function signInWithLink(browser: Browser, link: string): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  await page.goto(link);
  await expect.poll(() => page.getByTestId("link-account").textContent(), { timeout: 30_000 }).toBe("admin@localhost");
  await page.getByRole("button", { name: "Continue as admin@localhost" }).click();
  await page.waitForURL((u) => u.pathname !== "/auth/link", { timeout: 30_000 });
  await page.close();
  return context;
}

/** Without a session the dashboard sends the browser to the sign-in page (or refuses), and the API answers 401. */
async function expectRefusedWithoutSignIn(browser: Browser, base: string): Promise<void> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const res = await page.goto(`${base}/`);
    expect(page.url().includes("/signin") || res?.status() === 401 || res?.status() === 403, `${page.url()} ${res?.status()}`).toBe(true);
    expect(await page.getByTestId("stat-questions").count()).toBe(0);
    const api = await context.request.post(`${base}/api/graphql`, { data: { query: "{ overview(from: \"2025-01-01T00:00:00Z\", to: \"2025-01-02T00:00:00Z\") { questions } }" } });
    expect(api.status()).toBe(401);
    expect(await api.text()).not.toContain('"overview":{');
  } finally {
    await context.close();
  }
}

/** A non-loopback IPv4 address of this machine, if it has one (the dashboard must not answer there by default). */
function externalAddress(): string | null {
  for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) if (a.family === "IPv4" && !a.internal) return a.address;
  return null;
}

const OVERVIEW_30D = `{ overview(from: "${new Date(Date.now() - 31 * 86_400_000).toISOString()}", to: "${new Date(Date.now() + 3_600_000).toISOString()}") { questions } }`;

/**
 * Ctrl-C ends `npm start` the way a terminal reports it (npm re-raises the
 * SIGINT: exit 130 or the signal); what matters is that the program went
 * through its shutdown: the dashboard stopped, the database closed, and no
 * error on the way.
 */
function expectStoppedCleanly(stop: { code: number | null; signal: NodeJS.Signals | null }, output: string): void {
  expect([0, 130, "SIGINT"], output.slice(-3000)).toContain(stop.code ?? stop.signal);
  expect(output).toContain('"msg":"dashboard stopped"');
  expect(output).toContain('"msg":"database closed; bye"');
  expect(output).not.toContain('"level":50');
}

/** What one stage of a Dockerfile copies from the build stage, its ENV and its CMD. */
function dockerStage(dockerfile: string, name: string): { copies: [string, string][]; env: Record<string, string>; cmd: string[] } {
  const lines = dockerfile.replace(/\\\n\s*/g, " ").split("\n");
  const start = lines.findIndex((l) => new RegExp(`^FROM \\S+ AS ${name}$`).test(l.trim()));
  if (start < 0) throw new Error(`Dockerfile: no stage ${name}`);
  const end = lines.findIndex((l, i) => i > start && l.startsWith("FROM "));
  const body = lines.slice(start + 1, end < 0 ? undefined : end);
  const copies: [string, string][] = [];
  const env: Record<string, string> = {};
  let cmd: string[] = [];
  for (const line of body) {
    const copy = /^COPY --from=build (?:--chown=\S+ )?\/app\/(\S+) (\S+)$/.exec(line.trim());
    if (copy) copies.push([copy[1]!, copy[2]!]);
    if (line.startsWith("ENV ")) for (const pair of line.slice(4).trim().split(/\s+/)) env[pair.split("=")[0]!] = pair.split("=").slice(1).join("=");
    if (line.startsWith("CMD ")) cmd = JSON.parse(line.slice(4)) as string[];
  }
  return { copies, env, cmd };
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("the README's start command on a clean clone", () => {
  let base: string;
  let clone: string;
  let browser: Browser;
  let commands: string[];
  let apiToken: string;
  let firstLink: string;
  const started: Started[] = [];

  beforeAll(async () => {
    base = await mkdtemp(path.join(tmpdir(), "li-start-"));
    // mkdtemp makes it 0700; as root the embedded server runs as 'postgres' and must be able to enter it.
    await chmod(base, 0o755);
    clone = path.join(base, "log-insights");
    await exec("git", ["clone", "--quiet", repoRoot, clone]);
    commands = readmeStartCommands();
    browser = await launchBrowser();
    await mkdir(SHOTS, { recursive: true });
  }, 120_000);

  afterAll(async () => {
    for (const s of started) {
      if (s.child.exitCode !== null || s.child.signalCode !== null) continue;
      try {
        process.kill(-s.child.pid!, "SIGKILL");
      } catch {
        // already gone
      }
    }
    await browser?.close();
    // The embedded PostgreSQL runs in its own process group: make sure none is left.
    const pidFile = path.join(clone, ".data/postgres/postmaster.pid");
    if (existsSync(pidFile)) {
      const pid = Number((await readFile(pidFile, "utf8")).split("\n")[0]);
      if (pid > 0 && pidAlive(pid)) process.kill(pid, "SIGKILL");
    }
    await rm(base, { recursive: true, force: true });
  });

  it("installs, starts on the embedded PostgreSQL with 30 days of sample data, shows it, and stops on Ctrl-C", async () => {
    expect(commands).toEqual(["npm install", "npm start"]);
    const install = run(commands[0]!, clone, cleanEnv({}));
    const installCode = await new Promise<number | null>((resolve) => install.child.on("close", (code) => resolve(code)));
    expect(installCode, install.output().slice(-3000)).toBe(0);

    const port = await freePort();
    const start = run(commands[1]!, clone, cleanEnv({ PORT: String(port) }));
    started.push(start);
    const ingested = await start.until("ready: logs ingested", 240_000);
    const dashboard = await start.until("dashboard ready", 240_000);
    // Figures for the README ("ready within 60 s"); the test itself does not time anything.
    process.stderr.write(`[start e2e] first run: data ingested after ${ingested} s, dashboard ready after ${dashboard} s\n`);
    expect(start.output()).toContain("writing 30 days of sample logs");
    expect(start.output()).toContain("building the dashboard");
    expect(existsSync(path.join(clone, ".data/sample-bucket"))).toBe(true);
    expect(start.output()).toContain("no admin account yet: made a local admin");

    // Sign-in is on: a local admin, and its one-time link printed once the dashboard is ready.
    const link = await printedLink(start);
    firstLink = link;
    expect(link).toMatch(new RegExp(`^http://localhost:${port}/auth/link\\?token=`));
    expectTokenOnlyOnItsLine(start.output(), link);
    await expectRefusedWithoutSignIn(browser, `http://127.0.0.1:${port}`);
    // It listens on 127.0.0.1 only (HOST's default).
    const external = externalAddress();
    if (external) await expect(fetch(`http://${external}:${port}/healthz`)).rejects.toThrow();
    // An API token from the command line, in the same clone, while npm start runs (it attaches to the same embedded server).
    const created = run("npm run -s tokens -- create --name e2e --role admin", clone, cleanEnv({}));
    const createdCode = await new Promise<number | null>((resolve) => created.child.on("close", (code) => resolve(code)));
    expect(createdCode, created.output()).toBe(0);
    apiToken = /^li_\S+$/m.exec(created.output())![0];

    const stored = (await graphql(port, OVERVIEW_30D, apiToken)) as { overview: { questions: number } };
    expect(stored.overview.questions).toBeGreaterThan(5_000);
    // The static sample never grows: the dashboard and the worker use the rules without "logs are not arriving".
    const rules = (await graphql(port, "{ alertRules { id metric } }", apiToken)) as { alertRules: { metric: string }[] };
    expect(rules.alertRules.length).toBeGreaterThan(0);
    expect(rules.alertRules.map((r) => r.metric)).not.toContain("INGEST_LAG_SECONDS");

    const context = await signInWithLink(browser, link);
    const page = await context.newPage();
    await page.goto(`http://localhost:${port}/`);
    // The default view (last 30 days) is full: nearly all of the API's 31 days (its first day may start later), and a drawn chart.
    const shown = async (): Promise<number> => Number(((await page.getByTestId("stat-questions").locator(".value").textContent()) ?? "").replace(/[^0-9]/g, "") || "0");
    await expect.poll(shown, { timeout: 30_000 }).toBeGreaterThan(stored.overview.questions * 0.9);
    expect(await shown()).toBeLessThanOrEqual(stored.overview.questions);
    await expect.poll(() => page.locator(".recharts-surface").count(), { timeout: 30_000 }).toBeGreaterThan(0);
    await page.waitForTimeout(3_000); // let the charts finish their entry animation (1.5 s) before the picture
    await page.screenshot({ path: path.join(SHOTS, "start-overview.png") });
    await context.close();

    const pid = Number((await readFile(path.join(clone, ".data/postgres/postmaster.pid"), "utf8")).split("\n")[0]);
    expect(pidAlive(pid)).toBe(true);
    const stop = await start.interrupt();
    process.stderr.write(`[start e2e] Ctrl-C: stopped in ${stop.seconds} s (exit ${stop.code ?? stop.signal})\n`);
    expectStoppedCleanly(stop, start.output());
    expect(pidAlive(pid)).toBe(false);
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
  }, 600_000);

  it("starts again on the same data without generating or building anything", async () => {
    const port = await freePort();
    const again = run(commands[1]!, clone, cleanEnv({ PORT: String(port) }));
    started.push(again);
    const dashboard = await again.until("dashboard ready", 120_000);
    const ingested = await again.until("ready: logs ingested", 120_000);
    process.stderr.write(`[start e2e] second run: dashboard ready after ${dashboard} s, data after ${ingested} s\n`);
    expect(again.output()).not.toContain("writing 30 days of sample logs");
    expect(again.output()).not.toContain("building the dashboard");
    // The same local admin (not made again), a fresh link (the first one was used), and the API token still works.
    expect(again.output()).not.toContain("made a local admin");
    const link = await printedLink(again);
    expect(link).not.toBe(firstLink);
    expectTokenOnlyOnItsLine(again.output(), link);
    const context = await signInWithLink(browser, link);
    await context.close();
    const stored = (await graphql(port, OVERVIEW_30D, apiToken)) as { overview: { questions: number } };
    expect(stored.overview.questions).toBeGreaterThan(5_000);
    expectStoppedCleanly(await again.interrupt(), again.output());
  }, 300_000);

  describe("pointed at an S3-compatible server, with DATABASE_URL", () => {
    let s3: S3TestServer;
    let db: TestDatabase;
    let bucket: Awaited<ReturnType<typeof generatedBucket>>;

    beforeAll(async () => {
      [s3, db, bucket] = await Promise.all([
        startS3Server(),
        createTestDatabase({ migrate: false }),
        // Two days up to now, so the dashboard's default view (last 30 days) holds all of it.
        generatedBucket({ seed: 7, days: 2, sessionsPerDay: 25, end: new Date() }),
      ]);
      await s3.createBucket("deal-bot-logs");
      for (const file of listFiles(bucket.dir)) {
        await s3.put("deal-bot-logs", path.relative(bucket.dir, file).split(path.sep).join("/"), await readFile(file));
      }
    }, 180_000);

    afterAll(async () => {
      await s3?.stop();
      await db?.drop();
      await bucket?.cleanup();
    });

    it("ingests the bucket into that server, serves it, and keeps watching", async () => {
      const port = await freePort();
      const start = run(commands[1]!, clone, cleanEnv({
        PORT: String(port),
        DATABASE_URL: db.url,
        AWS_S3_BUCKET: "deal-bot-logs",
        AWS_ENDPOINT_URL: s3.endpoint,
        AWS_ACCESS_KEY_ID: s3.credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey,
        INGEST_POLL_SECONDS: "1",
      }));
      started.push(start);
      await start.until("ready: logs ingested", 120_000);
      await start.until("dashboard ready", 120_000);
      expect(start.output()).toContain('"source":"s3://deal-bot-logs');
      expect(start.output()).not.toContain("sample logs");
      // A database without an admin gets the local admin too, and its link.
      const link = await printedLink(start);
      expect(link).toMatch(new RegExp(`^http://localhost:${port}/auth/link\\?token=`));
      expect((await db.pool.query("SELECT email, role, created_by FROM auth_users")).rows).toEqual([{ email: "admin@localhost", role: "admin", created_by: "start" }]);
      await expectRefusedWithoutSignIn(browser, `http://127.0.0.1:${port}`);
      // The migrations ran on the given server, and it holds exactly the bucket's questions.
      const { rows } = await db.pool.query<{ n: string }>("SELECT count(*) AS n FROM bot_questions WHERE merged_into IS NULL");
      expect(Number(rows[0]!.n)).toBe(bucket.truth.questionsTotal);

      const context = await signInWithLink(browser, link);
      const page = await context.newPage();
      await page.goto(`http://localhost:${port}/`);
      await expect.poll(() => page.getByTestId("stat-questions").locator(".value").textContent(), { timeout: 30_000 }).toBe(fmt(bucket.truth.questionsTotal));
      await context.close();

      // A new file in the bucket is picked up by the watch while the dashboard serves.
      const [first] = listFiles(bucket.dir);
      const copyKey = `${path.relative(bucket.dir, first!).split(path.sep).join("/").replace(/\.json\.gz$/, "")}-copy.json.gz`;
      const before = await db.pool.query<{ n: string }>("SELECT count(*) AS n FROM ingest_files WHERE status = 'done'");
      await s3.put("deal-bot-logs", copyKey, await readFile(first!));
      await expect.poll(async () => {
        const { rows: now } = await db.pool.query<{ n: string }>("SELECT count(*) AS n FROM ingest_files WHERE status = 'done'");
        return Number(now[0]!.n);
      }, { timeout: 30_000, interval: 500 }).toBe(Number(before.rows[0]!.n) + 1);

      expectStoppedCleanly(await start.interrupt(), start.output());
    }, 300_000);
  });

  describe("the Docker web image's files, run on their own", () => {
    let db: TestDatabase;
    afterAll(async () => {
      await db?.drop();
    });

    // No Docker engine here: this builds what the Dockerfile's `web` stage
    // builds (NEXT_OUTPUT=standalone), copies exactly what its COPY lines
    // copy into a folder outside the repository (so nothing resolves from
    // the repository's node_modules), and runs its CMD with its ENV.
    it("serves the dashboard, the API and the health checks, and stops on SIGTERM", async () => {
      const stage = dockerStage(readFileSync(path.join(clone, "Dockerfile"), "utf8"), "web");
      const build = run("npx next build", path.join(clone, "apps/web"), cleanEnv({ NEXT_OUTPUT: "standalone", NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1" }));
      const built = await new Promise<number | null>((resolve) => build.child.on("close", (code) => resolve(code)));
      expect(built, build.output().slice(-3000)).toBe(0);

      const app = path.join(base, "image-app");
      for (const [from, to] of stage.copies) await cp(path.join(clone, from), path.join(app, to), { recursive: true });
      expect(existsSync(path.join(app, "node_modules"))).toBe(true); // the traced dependencies came along

      db = await createTestDatabase({ migrate: false });
      const port = await freePort();
      const [cmd, ...args] = stage.cmd;
      expect(cmd).toBe("node");
      // The image's WORKDIR is /app: its paths point into our folder instead.
      const imageEnv = Object.fromEntries(Object.entries(stage.env).map(([k, v]) => [k, v.startsWith("/app/") ? path.join(app, v.slice(5)) : v]));
      const env = { ...cleanEnv(imageEnv), PORT: String(port), HOSTNAME: "127.0.0.1", DATABASE_URL: db.url };
      const server = spawn(process.execPath, args, { cwd: app, env, stdio: ["ignore", "pipe", "pipe"] });
      let output = "";
      server.stdout!.on("data", (d: Buffer) => { output += d.toString(); });
      server.stderr!.on("data", (d: Buffer) => { output += d.toString(); });
      const exited = new Promise<number | null>((resolve) => server.on("close", (code) => resolve(code)));
      try {
        await expect.poll(() => fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.status, () => 0), { timeout: 60_000, interval: 250 }).toBe(200);
        const page = await fetch(`http://127.0.0.1:${port}/`);
        expect(page.status).toBe(200);
        expect(page.headers.get("content-security-policy")).toMatch(/frame-ancestors 'none'/);
        expect(page.headers.get("x-content-type-options")).toBe("nosniff");
        expect(await page.text()).toContain("log-insights");
        // The API migrates the empty database on its first request (refused: nobody signed in), then answers a token.
        const anonymous = await fetch(`http://127.0.0.1:${port}/api/graphql`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: OVERVIEW_30D }) });
        expect(anonymous.status).toBe(401);
        const { token } = await createToken(db.pool, { name: "image test", role: "admin", createdBy: { kind: "system", label: "test" } });
        const data = (await graphql(port, OVERVIEW_30D, token)) as { overview: { questions: number } };
        expect(data.overview.questions).toBe(0);
        // The alert rules file came along with the image's files (the API lists its rules).
        const rules = (await graphql(port, "{ alertRules { id state } }", token)) as { alertRules: { id: string }[] };
        expect(rules.alertRules.length).toBeGreaterThan(0);
        // Only liveness (/healthz) is open; readiness answers a token (401 without one).
        expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(401);
        expect((await fetch(`http://127.0.0.1:${port}/readyz`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
        const { rows } = await db.pool.query<{ n: string }>("SELECT count(*) AS n FROM schema_migrations");
        expect(Number(rows[0]!.n)).toBeGreaterThanOrEqual(2);
      } finally {
        server.kill("SIGTERM");
      }
      const t = performance.now();
      const code = await exited;
      process.stderr.write(`[start e2e] standalone web server: stopped ${Math.round(performance.now() - t)} ms after SIGTERM (exit ${code})\n`);
      // Next.js drains the requests in flight, closes, then exits 128 + SIGTERM (143) by design.
      expect(code, output.slice(-3000)).toBe(143);
      expect(output).not.toMatch(/error/i);
    }, 600_000);
  });
});
