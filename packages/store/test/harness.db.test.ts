import { describe, expect, inject, it } from "vitest";
import { createLogger } from "@log-insights/config";
import { withAdminClient } from "../src/admin";
import { openDatabase, redactUrl } from "../src/connect";
import { migrationStatus } from "../src/migrate";
import { createTestDatabase } from "../src/testing";

const logger = createLogger("harness.db.test", process.env.LOG_LEVEL ?? "warn");

describe("test harness", () => {
  it("gives each caller its own migrated database and drops it", async () => {
    const [a, b] = await Promise.all([createTestDatabase(), createTestDatabase()]);
    try {
      expect(a.url).not.toBe(b.url);
      expect(await migrationStatus(a.pool)).toMatchObject({ current: true, pending: [] });
      await a.pool.query("CREATE TABLE only_in_a (id integer)");
      const { rows } = await b.pool.query("SELECT to_regclass('only_in_a') AS t");
      expect(rows[0]).toEqual({ t: null });
    } finally {
      await b.drop();
    }
    const name = decodeURIComponent(new URL(a.url).pathname.slice(1));
    expect(name.startsWith(inject("testDatabasePrefix"))).toBe(true);
    await a.drop();
    await a.drop(); // idempotent
    const { rows } = await withAdminClient(inject("testDatabaseUrl"), (c) =>
      c.query("SELECT count(*)::int AS n FROM pg_database WHERE datname = $1", [name]),
    );
    expect(rows[0]).toEqual({ n: 0 });
  });
});

describe("openDatabase with a URL", () => {
  it("sets the session defaults: UTC, statement_timeout, application_name", async () => {
    const test = await createTestDatabase({ migrate: false });
    const db = await openDatabase({ databaseUrl: test.url, logger, statementTimeoutMs: 500 });
    try {
      expect(db.embedded).toBe(false);
      const { rows } = await db.pool.query(
        "SELECT current_setting('TimeZone') AS tz, current_setting('statement_timeout') AS st, current_setting('application_name') AS app",
      );
      expect(rows[0]).toEqual({ tz: "UTC", st: "500ms", app: "log-insights" });
      await expect(db.pool.query("SELECT pg_sleep(5)")).rejects.toMatchObject({ code: "57014" });
    } finally {
      await db.close();
      await test.drop();
    }
  });

  it("defaults statement_timeout to 30 s", async () => {
    const test = await createTestDatabase({ migrate: false });
    const db = await openDatabase({ databaseUrl: test.url, logger });
    try {
      const { rows } = await db.pool.query("SELECT current_setting('statement_timeout') AS st");
      expect(rows[0]).toEqual({ st: "30s" });
    } finally {
      await db.close();
      await test.drop();
    }
  });

  it("fails at once, without leaking the password, when the server is unreachable", async () => {
    const url = "postgres://someone:s3cret-pass@127.0.0.1:1/nothing";
    const error = await openDatabase({ databaseUrl: url, logger }).catch((err: unknown) => err);
    expect((error as Error).message).toMatch(/^Cannot connect to PostgreSQL at postgres:\/\/someone:\*\*\*@127\.0\.0\.1:1\/nothing: /);
    expect((error as Error).message).not.toContain("s3cret");
    expect(redactUrl(url)).toBe("postgres://someone:***@127.0.0.1:1/nothing");
  });
});
