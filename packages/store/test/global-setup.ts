import { randomBytes } from "node:crypto";
import { rm } from "node:fs/promises";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { createLogger } from "@log-insights/config";
import { redactUrl } from "../src/connect";
import { withAdminClient } from "../src/admin";
import { makeTempDir, startEmbeddedPostgres } from "../src/embedded";

// The "db" Vitest project's global setup: ONE PostgreSQL server for the whole
// run. DATABASE_URL when set (its role needs CREATEDB), else an embedded
// server in a fresh temp dir (fsync off: it is thrown away) that teardown
// stops and deletes. Test files get their own databases from
// createTestDatabase() (@log-insights/store/testing); the run id in their
// names lets teardown drop whatever a crashed test file left behind.

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const logger = createLogger("store:test-setup", process.env.LOG_LEVEL ?? "warn");
  const prefix = `li_test_${randomBytes(3).toString("hex")}_`;
  project.provide("testDatabasePrefix", prefix);

  const external = process.env.DATABASE_URL || undefined;
  let url: string;
  let stopServer: () => Promise<void> = async () => undefined;
  if (external !== undefined) {
    url = external;
    try {
      await withAdminClient(url, (c) => c.query("SELECT 1"));
    } catch (err) {
      throw new Error(`DATABASE_URL (${redactUrl(url)}) is not reachable: ${(err as Error).message}`, { cause: err });
    }
  } else {
    const tempRoot = await makeTempDir("log-insights-test-pg-");
    const started = Date.now();
    const server = await startEmbeddedPostgres({ dir: path.join(tempRoot, "data"), database: "postgres", durable: false, logger });
    logger.info({ port: server.port, ms: Date.now() - started }, "embedded PostgreSQL for the test run");
    url = server.adminUrl;
    stopServer = async () => {
      await server.stop();
      await rm(tempRoot, { recursive: true, force: true });
    };
  }
  project.provide("testDatabaseUrl", url);

  return async () => {
    try {
      await withAdminClient(url, async (c) => {
        const { rows } = await c.query<{ datname: string }>(
          "SELECT datname FROM pg_database WHERE starts_with(datname, $1)",
          [prefix],
        );
        for (const { datname } of rows) {
          logger.warn({ database: datname }, "dropping a test database that was not dropped by its test");
          await c.query(`DROP DATABASE IF EXISTS ${c.escapeIdentifier(datname)} WITH (FORCE)`);
        }
      });
    } finally {
      await stopServer();
    }
  };
}
