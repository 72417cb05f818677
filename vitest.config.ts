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
          exclude: ["**/*.db.test.ts", "**/*.e2e.test.ts", "**/test/reliability/**", "**/node_modules/**"],
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: "db",
          include: ["packages/*/test/**/*.db.test.ts", "tools/test/**/*.db.test.ts"],
          exclude: ["**/test/reliability/**", "**/node_modules/**"],
          globalSetup: ["packages/store/test/global-setup.ts"],
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
      // `npm run test:reliability` (issue 8): faults, hostile input, secrets,
      // web security and load. Its own command (it takes minutes), so `npm
      // test` leaves it out.
      ...(process.env.LOG_INSIGHTS_RELIABILITY === "1"
        ? [{
            test: {
              name: "reliability",
              include: ["packages/*/test/reliability/**/*.test.ts", "apps/*/test/reliability/**/*.test.ts"],
              globalSetup: ["packages/store/test/global-setup.ts"],
              testTimeout: 300_000,
              hookTimeout: 300_000,
              // One file at a time: fault timings and the load test's figures are not skewed by the others.
              fileParallelism: false,
            },
          }]
        : []),
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
