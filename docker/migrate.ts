/**
 * The `migrate` service of docker-compose.yml: applies the migrations as
 * the schema's owner (DATABASE_URL with log_insights), then exits 0. The web
 * service (the read-only role log_insights_api, which may not create tables)
 * waits for it; the workers migrate too, which is then a no-op. Not tied to
 * a log source, unlike the ingest worker (which needs LOGS_SOURCE or
 * AWS_S3_BUCKET before it opens the database).
 * Run: node --import tsx docker/migrate.ts (in the worker image).
 */
import { createLogger } from "@log-insights/config";
import { migrate, openDatabase } from "@log-insights/store";

const logger = createLogger("migrate");
if (!process.env.DATABASE_URL) {
  // Without it openDatabase would start an embedded server inside the container.
  logger.fatal("DATABASE_URL is not set: the schema owner's connection (docker-compose.yml sets it)");
  process.exit(2);
}
try {
  const db = await openDatabase({ logger });
  try {
    const applied = await migrate(db.pool, logger);
    logger.info({ applied: applied.map((m) => m.name) }, applied.length > 0 ? "migrations applied" : "the schema is current");
  } finally {
    await db.close();
  }
} catch (err) {
  logger.fatal({ error: (err as Error).message }, "the migrations could not be applied");
  process.exitCode = 1;
}
