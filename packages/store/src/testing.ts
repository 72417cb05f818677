import { randomBytes } from "node:crypto";
import type pg from "pg";
import { inject } from "vitest";
import { createLogger } from "@log-insights/config";
import { databaseUrlFor, withAdminClient } from "./admin";
import { createPool } from "./connect";
import { migrate } from "./migrate";

export { makeTempDir } from "./embedded";
export { withAdminClient, databaseUrlFor } from "./admin";
export { dumpDatabase, findPgDump } from "./pg-dump";

// Why: db tests (files named *.db.test.ts) share ONE PostgreSQL server per
// run (packages/store/test/global-setup.ts: DATABASE_URL, else an embedded
// one) but never share a database: each test file creates its own, uniquely
// named, migrated database and drops it at the end. No test resets state
// another test may be using, and files run in parallel.

declare module "vitest" {
  export interface ProvidedContext {
    /** A server URL whose role may CREATE DATABASE; its database is only used to issue CREATE/DROP. */
    testDatabaseUrl: string;
    /** Every test database of this run is named with it, so the run can drop its leftovers. */
    testDatabasePrefix: string;
  }
}

export interface TestDatabase {
  /** URL of the new database. */
  url: string;
  /** A pool on it (project session defaults: UTC, statement_timeout, application_name). */
  pool: pg.Pool;
  /** Ends the pool and drops the database (WITH (FORCE)). Idempotent. */
  drop(): Promise<void>;
}

export interface CreateTestDatabaseOptions {
  /** Apply the migrations (default true). */
  migrate?: boolean;
  poolSize?: number;
}

function serverUrl(): { url: string; prefix: string } {
  let url: string | undefined;
  let prefix: string | undefined;
  try {
    url = inject("testDatabaseUrl");
    prefix = inject("testDatabasePrefix");
  } catch {
    // not inside a Vitest worker
  }
  if (!url || !prefix) {
    throw new Error(
      "No test PostgreSQL server: database tests must be named *.db.test.ts and run in the Vitest project \"db\" " +
        "(its global setup, packages/store/test/global-setup.ts, provides the server).",
    );
  }
  return { url, prefix };
}

/** A fresh, uniquely named database on the test server, migrated unless told otherwise. */
export async function createTestDatabase(options: CreateTestDatabaseOptions = {}): Promise<TestDatabase> {
  const { url: server, prefix } = serverUrl();
  const name = `${prefix}${randomBytes(5).toString("hex")}`;
  await withAdminClient(server, (c) => c.query(`CREATE DATABASE ${c.escapeIdentifier(name)}`));
  const url = databaseUrlFor(server, name);
  const logger = createLogger("store:test", process.env.LOG_LEVEL ?? "warn");
  const pool = createPool(url, { poolSize: options.poolSize ?? 5, logger });
  let dropping: Promise<void> | undefined;
  const drop = () =>
    (dropping ??= (async () => {
      await pool.end();
      await withAdminClient(server, (c) => c.query(`DROP DATABASE IF EXISTS ${c.escapeIdentifier(name)} WITH (FORCE)`));
    })());
  try {
    if (options.migrate ?? true) await migrate(pool, logger);
  } catch (err) {
    await drop();
    throw err;
  }
  return { url, pool, drop };
}
