import pg from "pg";

// Why: creating and dropping databases (test isolation, the test run's
// teardown) needs a plain connection to the server's own database, outside
// any pool and without the pool's statement_timeout.

/** Runs fn on a short-lived connection to `url` (e.g. to CREATE/DROP DATABASE). */
export async function withAdminClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, application_name: "log-insights-admin" });
  client.on("error", () => undefined);
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** The same server URL, pointing at another database. */
export function databaseUrlFor(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(database)}`;
  return parsed.toString();
}
