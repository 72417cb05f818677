import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type pg from "pg";
import { createLogger, type Logger } from "@log-insights/config";

// Why: the schema is plain, numbered SQL files (packages/store/migrations/
// NNNN_name.sql) that every process applies at start. Plain SQL keeps them
// reviewable and runnable with psql; the ledger table makes them run exactly
// once, each in its own transaction; a session advisory lock makes two
// processes starting together (web + worker) take turns; checksums catch an
// applied file that was edited afterwards (the databases would silently
// differ). Files must not contain BEGIN/COMMIT or statements that cannot run
// in a transaction (CREATE INDEX CONCURRENTLY).

/**
 * packages/store/migrations: found from this file so any cwd works; inside
 * a bundle (the Next.js server) this file's URL is the bundle's, so the
 * folder is looked for from the working directory instead, and
 * LOG_INSIGHTS_MIGRATIONS_DIR (the Docker image sets it) wins over both.
 */
export const MIGRATIONS_DIR = locateMigrations();

function locateMigrations(): string {
  if (process.env.LOG_INSIGHTS_MIGRATIONS_DIR) return path.resolve(process.env.LOG_INSIGHTS_MIGRATIONS_DIR);
  // Path arithmetic, not new URL(literal, import.meta.url): bundlers must not turn the folder into an asset.
  const candidates = [
    import.meta.url.startsWith("file:") ? path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "migrations") : null,
    path.resolve(process.cwd(), "packages/store/migrations"),
    path.resolve(process.cwd(), "../../packages/store/migrations"),
  ].filter((c): c is string => c !== null);
  return candidates.find((c) => existsSync(path.join(c, "0001_initial.sql"))) ?? candidates[0]!;
}

/** pg_advisory_lock key of the migration run: a fixed random bigint, outside hashtext()'s int4 range on purpose. */
const MIGRATION_LOCK_KEY = "5496391396015854661";

const FILE_PATTERN = /^(\d{4})_([a-z0-9_]+)\.sql$/;

export interface Migration {
  version: number;
  /** File name without ".sql", e.g. "0001_initial". */
  name: string;
  file: string;
  /** sha256 of the file (line endings normalised, so a CRLF checkout does not count as a change). */
  checksum: string;
  sql: string;
}

export interface AppliedMigration {
  version: number;
  name: string;
  durationMs: number;
}

export interface MigrationStatus {
  /** No pending migration and no applied one changed since. */
  current: boolean;
  /** Rows in schema_migrations. */
  applied: number;
  /** Names of the files not applied yet, in order. */
  pending: string[];
  /** Applied migrations whose file changed since (migrate() refuses to run). */
  changed: string[];
}

export interface MigrateOptions {
  /** Another migrations folder (tests). */
  dir?: string;
}

export class MigrationError extends Error {
  override name = "MigrationError";
}

export function checksumOf(sql: string): string {
  return createHash("sha256").update(sql.replace(/^\uFEFF/, "").replace(/\r\n/g, "\n")).digest("hex");
}

/** Reads and validates the migration files, sorted by version. */
export async function loadMigrations(dir: string = MIGRATIONS_DIR): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith(".sql")).sort();
  const migrations: Migration[] = [];
  const seen = new Map<number, string>();
  for (const file of files) {
    const match = FILE_PATTERN.exec(file);
    if (!match) {
      throw new MigrationError(`Migration file ${file} in ${dir} is not named NNNN_name.sql (lowercase, digits, underscores).`);
    }
    const version = Number.parseInt(match[1]!, 10);
    const other = seen.get(version);
    if (other !== undefined) throw new MigrationError(`Migrations ${other} and ${file} share the version ${match[1]}.`);
    seen.set(version, file);
    const sql = await readFile(path.join(dir, file), "utf8");
    migrations.push({ version, name: file.slice(0, -".sql".length), file, checksum: checksumOf(sql), sql });
  }
  return migrations;
}

interface LedgerRow {
  version: number;
  name: string;
  checksum: string;
}

function changedMigrations(migrations: Migration[], rows: LedgerRow[]): { migration: Migration; row: LedgerRow }[] {
  const byVersion = new Map(rows.map((r) => [r.version, r]));
  return migrations.flatMap((migration) => {
    const row = byVersion.get(migration.version);
    return row !== undefined && row.checksum !== migration.checksum ? [{ migration, row }] : [];
  });
}

/** "line 12" for a PostgreSQL error position (1-based character offset) in `sql`. */
function lineOf(sql: string, position: unknown): string {
  const offset = Number(position);
  if (!Number.isInteger(offset) || offset < 1) return "";
  return ` (line ${sql.slice(0, offset - 1).split("\n").length})`;
}

/**
 * Applies the pending migrations, in version order, each in its own
 * transaction; returns those it applied (empty when the schema is current).
 */
export async function migrate(pool: pg.Pool, logger: Logger = createLogger("store:migrate"), options: MigrateOptions = {}): Promise<AppliedMigration[]> {
  const migrations = await loadMigrations(options.dir);
  const client = await pool.connect();
  try {
    // Session-level: a migration may legitimately take long, and so may the wait for the lock.
    await client.query("SET statement_timeout = 0");
    const locked = await client.query<{ ok: boolean }>("SELECT pg_try_advisory_lock($1::bigint) AS ok", [MIGRATION_LOCK_KEY]);
    if (!locked.rows[0]?.ok) {
      logger.info("another process is applying migrations; waiting for it");
      await client.query("SELECT pg_advisory_lock($1::bigint)", [MIGRATION_LOCK_KEY]);
    }
    try {
      // Created under the lock: concurrent CREATE TABLE IF NOT EXISTS can still collide.
      await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version    integer     PRIMARY KEY,
        name       text        NOT NULL,
        checksum   text        NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`);
      const { rows } = await client.query<LedgerRow>("SELECT version, name, checksum FROM schema_migrations ORDER BY version");

      const changed = changedMigrations(migrations, rows);
      if (changed.length > 0) {
        const lines = changed.map(
          ({ migration, row }) =>
            `  ${migration.file}: applied with checksum ${row.checksum.slice(0, 12)}…, the file now has ${migration.checksum.slice(0, 12)}…`,
        );
        throw new MigrationError(
          `Applied migrations were modified afterwards:\n${lines.join("\n")}\n` +
            "An applied migration must never change: restore the file and put the change in a new migration. " +
            "(In development you may instead recreate the database, e.g. delete .data/postgres.)",
        );
      }
      const known = new Set(migrations.map((m) => m.version));
      const unknown = rows.filter((r) => !known.has(r.version));
      if (unknown.length > 0) {
        logger.warn({ versions: unknown.map((r) => r.name) }, "the database has migrations this code does not know (a newer version ran on it)");
      }

      const appliedVersions = new Set(rows.map((r) => r.version));
      const highest = Math.max(0, ...appliedVersions);
      const applied: AppliedMigration[] = [];
      for (const migration of migrations) {
        if (appliedVersions.has(migration.version)) continue;
        if (migration.version < highest) {
          logger.warn({ migration: migration.name, highest }, "applying a migration numbered below one already applied");
        }
        const started = Date.now();
        await client.query("BEGIN");
        try {
          await client.query(migration.sql);
          await client.query("INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)", [
            migration.version,
            migration.name,
            migration.checksum,
          ]);
          await client.query("COMMIT");
        } catch (err) {
          await client.query("ROLLBACK").catch(() => undefined);
          const pgErr = err as Error & { position?: string };
          throw new MigrationError(
            `Migration ${migration.file} failed${lineOf(migration.sql, pgErr.position)}: ${pgErr.message}. Nothing of it was applied.`,
            { cause: err },
          );
        }
        const durationMs = Date.now() - started;
        logger.info({ migration: migration.name, ms: durationMs }, "applied migration");
        applied.push({ version: migration.version, name: migration.name, durationMs });
      }
      return applied;
    } finally {
      await client.query("SELECT pg_advisory_unlock($1::bigint)", [MIGRATION_LOCK_KEY]).catch(() => undefined);
    }
  } finally {
    // Discarded, never handed out again: it has statement_timeout 0, and closing it
    // releases the advisory lock even if the unlock above failed.
    client.release(true);
  }
}

/** Where the database stands relative to the migration files (for /readyz); takes no lock. */
export async function migrationStatus(pool: pg.Pool, options: MigrateOptions = {}): Promise<MigrationStatus> {
  const migrations = await loadMigrations(options.dir);
  const exists = await pool.query<{ found: string | null }>("SELECT to_regclass('schema_migrations')::text AS found");
  const rows =
    exists.rows[0]?.found == null
      ? []
      : (await pool.query<LedgerRow>("SELECT version, name, checksum FROM schema_migrations ORDER BY version")).rows;
  const appliedVersions = new Set(rows.map((r) => r.version));
  const pending = migrations.filter((m) => !appliedVersions.has(m.version)).map((m) => m.name);
  const changed = changedMigrations(migrations, rows).map(({ migration }) => migration.name);
  return { current: pending.length === 0 && changed.length === 0, applied: rows.length, pending, changed };
}

/**
 * Whether this process applies the migrations when it starts:
 * LOG_INSIGHTS_MIGRATE_ON_START, default true. A packaging variable (like
 * LOG_INSIGHTS_MIGRATIONS_DIR), not part of the product's configuration:
 * docker-compose.yml sets it to false for the web service, which connects
 * as the read-only role log_insights_api (it may not create tables) and
 * leaves the migrations to the schema's owner (the `migrate` service).
 */
export function migratesOnStart(env: NodeJS.ProcessEnv = process.env): boolean {
  const value = env.LOG_INSIGHTS_MIGRATE_ON_START?.trim() ?? "";
  if (value === "" || /^(true|1|yes|on)$/i.test(value)) return true;
  if (/^(false|0|no|off)$/i.test(value)) return false;
  throw new MigrationError("LOG_INSIGHTS_MIGRATE_ON_START: expected true or false");
}

/**
 * For a process that does not migrate (LOG_INSIGHTS_MIGRATE_ON_START=false):
 * resolves when the schema is current, else throws a MigrationError that
 * says what is missing and who applies it. The caller tries again later
 * (the web: on its next request).
 */
export async function requireCurrentSchema(pool: pg.Pool, options: MigrateOptions = {}): Promise<void> {
  let status: MigrationStatus;
  try {
    status = await migrationStatus(pool, options);
  } catch (err) {
    if ((err as { code?: string }).code === "42501") {
      throw new MigrationError(
        "This database role may not read schema_migrations: the migrations have not granted it its rights yet. " +
          "The schema's owner applies them (in Docker: the migrate service); a role made after migration 0005 ran " +
          "gets its rights from docker/postgres-init/10-api-role.sh (README, Docker).",
        { cause: err },
      );
    }
    throw err;
  }
  if (status.changed.length > 0) {
    throw new MigrationError(`Applied migrations were modified afterwards (${status.changed.join(", ")}): restore the files; this process does not migrate.`);
  }
  if (!status.current) {
    throw new MigrationError(
      `The database schema is not current (pending: ${status.pending.join(", ")}) and this process does not apply migrations ` +
        "(LOG_INSIGHTS_MIGRATE_ON_START=false): the schema's owner applies them (in Docker: the migrate service).",
    );
  }
}
