import { defineConfig } from "vitest/config";

// Two projects: "fast" tests need nothing running; "db" tests (files named
// *.db.test.ts) get a PostgreSQL server from the global setup: DATABASE_URL
// when set, else an embedded one started for the run.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "fast",
          include: ["packages/*/test/**/*.test.ts", "apps/*/test/**/*.test.ts", "tools/test/**/*.test.ts"],
          exclude: ["**/*.db.test.ts", "**/*.e2e.test.ts", "**/node_modules/**"],
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: "db",
          include: ["packages/*/test/**/*.db.test.ts", "tools/test/**/*.db.test.ts"],
          globalSetup: ["packages/store/test/global-setup.ts"],
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
      {
        // The dashboard in a real browser: a production build, a real database, Debian's chromium.
        test: {
          name: "e2e",
          include: ["apps/*/test/e2e/**/*.e2e.test.ts", "tools/test/e2e/**/*.e2e.test.ts"],
          globalSetup: ["packages/store/test/global-setup.ts", "apps/web/test/e2e/build.ts"],
          testTimeout: 120_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
