import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { appendFile, mkdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { createLogger } from "@log-insights/config";
import { openDatabase } from "../src/connect";
import { EmbeddedPostgresError, makeTempDir, startEmbeddedPostgres } from "../src/embedded";
import { isAlive, pidFilePath, readPidFile, waitForExit } from "../src/embedded-process";

// These tests always use the embedded PostgreSQL 18 (even when DATABASE_URL
// points the rest of the suite at another server): they are about it.

const quiet = createLogger("embedded.db.test", process.env.LOG_LEVEL ?? "warn");
const report = createLogger("embedded.db.test", "info");
const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));
const fixture = fileURLToPath(new URL("./fixtures/hold-embedded.ts", import.meta.url));

const tempRoots: string[] = [];
const children: ChildProcess[] = [];
afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  for (const dir of tempRoots) await rm(dir, { recursive: true, force: true });
});

async function newDataDir(): Promise<string> {
  const root = await makeTempDir("log-insights-embedded-test-");
  tempRoots.push(root);
  return path.join(root, "pg");
}

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

/** Starts the fixture process holding a server on `dir`; resolves with what it printed. */
async function holdInChild(dir: string, mode: "wait" | "exit") {
  const child = spawn(process.execPath, ["--import", "tsx", fixture, dir, mode], {
    cwd: repoRoot,
    stdio: ["ignore", "pipe", "inherit"],
  });
  children.push(child);
  const lines = createInterface({ input: child.stdout! });
  const [line] = (await Promise.race([
    once(lines, "line"),
    once(child, "exit").then(([code, signal]) => {
      throw new Error(`fixture exited early (code ${code}, signal ${signal})`);
    }),
  ])) as [string];
  const printed = JSON.parse(line) as { pid: number; port: number; url: string };
  return { child, ...printed };
}

describe("embedded PostgreSQL", () => {
  it("initialises a data directory once, keeps its data across restarts and restarts faster", async () => {
    const dir = await newDataDir();

    let started = Date.now();
    const first = await openDatabase({ env: {}, embeddedDir: dir, logger: quiet });
    const firstStartMs = Date.now() - started;
    expect(first.embedded).toBe(true);
    expect(first.url).toMatch(/^postgres:\/\/postgres:[^@]+@127\.0\.0\.1:\d+\/log_insights$/);
    expect(new URL(first.url).port).not.toBe("5432");
    await first.pool.query("CREATE TABLE kept (note text)");
    await first.pool.query("INSERT INTO kept VALUES ('still here')");
    const { rows: settings } = await first.pool.query<{ tz: string; version: string }>(
      "SELECT current_setting('TimeZone') AS tz, current_setting('server_version_num') AS version",
    );
    expect(settings[0]?.tz).toBe("UTC");
    expect(Number(settings[0]?.version)).toBeGreaterThanOrEqual(180000);
    const firstPid = (await readPidFile(dir))!.pid;
    await first.close();
    await first.close(); // idempotent
    expect(isAlive(firstPid)).toBe(false);
    await expect(stat(pidFilePath(dir))).rejects.toMatchObject({ code: "ENOENT" }); // clean shutdown
    expect((await readFile(path.join(dir, "PG_VERSION"), "utf8")).trim()).toBe("18");

    started = Date.now();
    const second = await openDatabase({ env: {}, embeddedDir: dir, logger: quiet });
    const restartMs = Date.now() - started;
    try {
      const { rows } = await second.pool.query("SELECT note FROM kept");
      expect(rows).toEqual([{ note: "still here" }]);
    } finally {
      await second.close();
    }
    report.info({ firstStartMs, restartMs }, "embedded PostgreSQL: first start (initdb) vs restart (reused data)");
  });

  it("recovers after the server was killed (stale postmaster.pid)", async () => {
    const dir = await newDataDir();
    const server = await startEmbeddedPostgres({ dir, logger: quiet });
    await query(server.url, "CREATE TABLE survivor AS SELECT 42 AS answer");

    process.kill(server.pid, "SIGKILL");
    expect(await waitForExit(server.pid, 10_000)).toBe(true);
    expect((await readPidFile(dir))?.pid).toBe(server.pid); // left behind
    await server.stop(); // nothing to stop any more; must not throw

    const restarted = await startEmbeddedPostgres({ dir, logger: quiet });
    try {
      expect(restarted.owned).toBe(true);
      expect(restarted.pid).not.toBe(server.pid);
      expect(await query(restarted.url, "SELECT answer FROM survivor")).toEqual([{ answer: 42 }]);
    } finally {
      await restarted.stop();
    }
  });

  it("ignores a postmaster.pid whose pid now belongs to another program, and leaves that program alone", async () => {
    const dir = await newDataDir();
    const server = await startEmbeddedPostgres({ dir, logger: quiet });
    process.kill(server.pid, "SIGKILL");
    await waitForExit(server.pid, 10_000);

    // The pid was reused (after a reboot, say) by a process that is not PostgreSQL.
    const impostor = spawn("sleep", ["60"], { stdio: "ignore" });
    children.push(impostor);
    const lock = await readFile(pidFilePath(dir), "utf8");
    await writeFile(pidFilePath(dir), lock.replace(/^\d+/, String(impostor.pid)));

    const restarted = await startEmbeddedPostgres({ dir, logger: quiet });
    try {
      expect(await query(restarted.url, "SELECT 1 AS ok")).toEqual([{ ok: 1 }]);
      expect(isAlive(impostor.pid!)).toBe(true);
    } finally {
      await restarted.stop();
      impostor.kill("SIGKILL");
    }
  });

  it("attaches to the server another live process runs on the same directory, which stops it on SIGTERM", async () => {
    const dir = await newDataDir();
    const holder = await holdInChild(dir, "wait");

    const attached = await startEmbeddedPostgres({ dir, logger: quiet });
    expect(attached).toMatchObject({ owned: false, pid: holder.pid, port: holder.port });
    expect(await query(attached.url, "SELECT current_database() AS db")).toEqual([{ db: "log_insights" }]);
    await attached.stop(); // not ours: leaves it running
    expect(isAlive(holder.pid)).toBe(true);

    holder.child.kill("SIGTERM");
    const [code, signal] = (await once(holder.child, "exit")) as [number | null, string | null];
    expect({ code, signal }).toEqual({ code: null, signal: "SIGTERM" }); // the signal was re-raised
    expect(await waitForExit(holder.pid, 30_000)).toBe(true);
    await expect(stat(pidFilePath(dir))).rejects.toMatchObject({ code: "ENOENT" }); // it shut down cleanly
  });

  it("stops the server when its process gets SIGINT", async () => {
    const dir = await newDataDir();
    const holder = await holdInChild(dir, "wait");
    holder.child.kill("SIGINT");
    const [, signal] = (await once(holder.child, "exit")) as [number | null, string | null];
    expect(signal).toBe("SIGINT");
    expect(await waitForExit(holder.pid, 30_000)).toBe(true);
    await expect(stat(pidFilePath(dir))).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("stops the server when its process exits without closing it", async () => {
    const dir = await newDataDir();
    const holder = await holdInChild(dir, "exit");
    const [code] = (await once(holder.child, "exit")) as [number | null];
    expect(code).toBe(0);
    expect(await waitForExit(holder.pid, 30_000)).toBe(true);
    await expect(stat(pidFilePath(dir))).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("takes over a server whose process was killed (orphan) and restarts it", async () => {
    const dir = await newDataDir();
    const holder = await holdInChild(dir, "wait");
    await query(holder.url, "CREATE TABLE orphaned_data AS SELECT 'kept' AS v");
    holder.child.kill("SIGKILL");
    await once(holder.child, "exit");
    expect(isAlive(holder.pid)).toBe(true); // nobody stopped it: an orphan

    const server = await startEmbeddedPostgres({ dir, logger: quiet });
    try {
      expect(server.owned).toBe(true);
      expect(server.pid).not.toBe(holder.pid);
      expect(isAlive(holder.pid)).toBe(false);
      expect(await query(server.url, "SELECT v FROM orphaned_data")).toEqual([{ v: "kept" }]);
    } finally {
      await server.stop();
    }
  });

  describe("fails with the reason and what to do", () => {
    it("when the directory was made by another PostgreSQL version", async () => {
      const dir = await newDataDir();
      await mkdir(dir, { recursive: true });
      await writeFile(path.join(dir, "PG_VERSION"), "15\n");
      const error = await startEmbeddedPostgres({ dir, logger: quiet }).catch((err: unknown) => err);
      expect(error).toBeInstanceOf(EmbeddedPostgresError);
      expect((error as Error).message).toMatch(/holds a PostgreSQL 15 cluster, but the embedded server is PostgreSQL 18/);
      expect((error as Error).message).toMatch(/Delete .* if it was made by another PostgreSQL version/);
      expect((error as Error).message).toMatch(/DATABASE_URL/);
    });

    it("when the directory is something else", async () => {
      const dir = await newDataDir();
      await mkdir(dir, { recursive: true });
      await writeFile(path.join(dir, "notes.txt"), "mine\n");
      await expect(startEmbeddedPostgres({ dir, logger: quiet })).rejects.toThrow(/is not empty and is not a PostgreSQL data directory/);
      expect(await readFile(path.join(dir, "notes.txt"), "utf8")).toBe("mine\n");
    });

    it("when the server cannot start, quoting its log", async () => {
      const dir = await newDataDir();
      const server = await startEmbeddedPostgres({ dir, logger: quiet });
      await server.stop();
      await appendFile(path.join(dir, "postgresql.conf"), "\nshared_buffers = 'banana'\n");

      const error = await startEmbeddedPostgres({ dir, logger: quiet }).catch((err: unknown) => err);
      expect(error).toBeInstanceOf(EmbeddedPostgresError);
      const message = (error as Error).message;
      expect(message).toMatch(/exited during startup/);
      expect(message).toMatch(/Last lines of the PostgreSQL output:[\s\S]*invalid value for parameter "shared_buffers": "banana"/);
      expect(message).toMatch(/What to do:[\s\S]*Set DATABASE_URL/);
    });
  });
});
