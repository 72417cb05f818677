import { appendFile, cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { createLogger } from "@log-insights/config";
import { createPool } from "../src/connect";
import { MIGRATIONS_DIR, MigrationError, loadMigrations, migrate, migrationStatus } from "../src/migrate";
import { createTestDatabase, type TestDatabase } from "../src/testing";

const logger = createLogger("migrate.db.test", process.env.LOG_LEVEL ?? "warn");
const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function freshDatabase(): Promise<TestDatabase> {
  const db = await createTestDatabase({ migrate: false });
  cleanups.push(db.drop);
  return db;
}

async function pool(url: string): Promise<pg.Pool> {
  const p = createPool(url, { logger, poolSize: 2 });
  cleanups.push(() => p.end());
  return p;
}

/** A private copy of the migrations folder that a test may edit. */
async function migrationsCopy(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "log-insights-migrations-"));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  await cp(MIGRATIONS_DIR, dir, { recursive: true });
  return dir;
}

async function ledger(p: pg.Pool) {
  const { rows } = await p.query<{ version: number; name: string; checksum: string; applied_at: Date }>(
    "SELECT version, name, checksum, applied_at FROM schema_migrations ORDER BY version",
  );
  return rows;
}

describe("migrate", () => {
  it("applies every migration from scratch and leaves the expected schema", async () => {
    const db = await freshDatabase();
    const files = await loadMigrations();
    expect(files.map((f) => f.name)).toContain("0001_initial");

    expect(await migrationStatus(db.pool)).toEqual({
      current: false,
      applied: 0,
      pending: files.map((f) => f.name),
      changed: [],
    });

    const applied = await migrate(db.pool, logger);
    expect(applied.map((a) => a.name)).toEqual(files.map((f) => f.name));

    const { rows: tables } = await db.pool.query<{ relname: string; relkind: string }>(
      `SELECT relname, relkind::text FROM pg_class
        WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'p') AND NOT relispartition
        ORDER BY relname`,
    );
    // The foundation's tables (later migrations may add more).
    expect(tables).toEqual(
      expect.arrayContaining([
        { relname: "bot_questions", relkind: "p" },
        { relname: "conversations", relkind: "r" },
        { relname: "ingest_files", relkind: "r" },
        { relname: "log_entries", relkind: "p" },
        { relname: "rejected_records", relkind: "r" },
        { relname: "schema_migrations", relkind: "r" },
      ]),
    );
    const { rows: extras } = await db.pool.query<{ fn: string | null; trgm: string | null }>(
      `SELECT to_regprocedure('ensure_time_partitions(text, text, timestamptz, timestamptz)')::text AS fn,
              (SELECT extversion FROM pg_extension WHERE extname = 'pg_trgm') AS trgm`,
    );
    expect(extras[0]?.fn).toBe("ensure_time_partitions(text,text,timestamp with time zone,timestamp with time zone)");
    expect(extras[0]?.trgm).not.toBeNull();

    const rows = await ledger(db.pool);
    expect(rows.map((r) => [r.version, r.name, r.checksum])).toEqual(files.map((f) => [f.version, f.name, f.checksum]));
    expect(rows.every((r) => r.applied_at instanceof Date)).toBe(true);
    expect(await migrationStatus(db.pool)).toEqual({ current: true, applied: files.length, pending: [], changed: [] });
  });

  it("applies nothing when run again", async () => {
    const db = await freshDatabase();
    await migrate(db.pool, logger);
    const before = await ledger(db.pool);
    expect(await migrate(db.pool, logger)).toEqual([]);
    expect(await ledger(db.pool)).toEqual(before);
  });

  it("applies each migration exactly once when several processes race on a fresh database", async () => {
    const db = await freshDatabase();
    const files = await loadMigrations();
    const pools = await Promise.all([1, 2, 3, 4].map(() => pool(db.url)));
    const results = await Promise.all(pools.map((p) => migrate(p, logger)));

    // One winner applied everything; the others waited for the lock and found nothing to do.
    expect(results.flat().map((a) => a.version)).toEqual(files.map((f) => f.version));
    expect(results.filter((r) => r.length === 0)).toHaveLength(pools.length - 1);
    expect((await ledger(db.pool)).map((r) => r.version)).toEqual(files.map((f) => f.version));
  });

  it("applies a migration added later, and only that one", async () => {
    const db = await freshDatabase();
    const dir = await migrationsCopy();
    await migrate(db.pool, logger, { dir });
    await writeFile(path.join(dir, "9001_later.sql"), "CREATE TABLE later_table (id integer PRIMARY KEY);\n");

    expect(await migrationStatus(db.pool, { dir })).toMatchObject({ current: false, pending: ["9001_later"] });
    const applied = await migrate(db.pool, logger, { dir });
    expect(applied.map((a) => a.name)).toEqual(["9001_later"]);
    const { rows } = await db.pool.query("SELECT to_regclass('later_table')::text AS t");
    expect(rows[0]).toEqual({ t: "later_table" });
  });

  it("refuses to run when an applied migration's file changed", async () => {
    const db = await freshDatabase();
    const dir = await migrationsCopy();
    await migrate(db.pool, logger, { dir });
    const file = path.join(dir, "0001_initial.sql");
    const original = await readFile(file, "utf8");

    // A CRLF checkout is the same migration.
    await writeFile(file, original.replace(/\n/g, "\r\n"));
    expect(await migrate(db.pool, logger, { dir })).toEqual([]);

    await writeFile(file, original);
    await appendFile(file, "\nCREATE TABLE sneaky (id integer);\n");
    const error = await migrate(db.pool, logger, { dir }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(MigrationError);
    expect((error as Error).message).toMatch(/0001_initial\.sql: applied with checksum [0-9a-f]+…, the file now has [0-9a-f]+…/);
    expect((error as Error).message).toMatch(/must never change/);
    expect(await migrationStatus(db.pool, { dir })).toMatchObject({ current: false, pending: [], changed: ["0001_initial"] });
    const { rows } = await db.pool.query("SELECT to_regclass('sneaky') AS t");
    expect(rows[0]).toEqual({ t: null });
  });

  it("rolls a failing migration back entirely and says where it failed", async () => {
    const db = await freshDatabase();
    const dir = await migrationsCopy();
    await writeFile(
      path.join(dir, "9002_broken.sql"),
      "CREATE TABLE half_done (id integer);\nSELECT no_such_column FROM half_done;\n",
    );
    const error = await migrate(db.pool, logger, { dir }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(MigrationError);
    expect((error as Error).message).toMatch(/Migration 9002_broken\.sql failed \(line 2\): column "no_such_column" does not exist/);

    // The real migrations committed, each in its own transaction; 9002 left nothing behind.
    const { rows } = await db.pool.query("SELECT to_regclass('half_done') AS half, to_regclass('log_entries')::text AS ok");
    expect(rows[0]).toEqual({ half: null, ok: "log_entries" });
    expect(await migrationStatus(db.pool, { dir })).toMatchObject({ current: false, applied: (await loadMigrations()).length, pending: ["9002_broken"] });
  });
});
