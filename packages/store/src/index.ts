// @log-insights/store: PostgreSQL access for the whole product (connection,
// embedded server, migrations, partitions). Test helpers live in the
// "@log-insights/store/testing" subpath so that production code never loads Vitest.
export {
  openDatabase,
  createPool,
  redactUrl,
  APPLICATION_NAME,
  DEFAULT_STATEMENT_TIMEOUT_MS,
  type Database,
  type OpenDatabaseOptions,
  type PoolOptions,
} from "./connect";
export { withAdminClient, databaseUrlFor } from "./admin";
export {
  startEmbeddedPostgres,
  makeTempDir,
  EmbeddedPostgresError,
  type EmbeddedPostgres,
  type EmbeddedPostgresOptions,
} from "./embedded";
export {
  migrate,
  migrationStatus,
  migratesOnStart,
  requireCurrentSchema,
  loadMigrations,
  checksumOf,
  MigrationError,
  MIGRATIONS_DIR,
  type Migration,
  type AppliedMigration,
  type MigrationStatus,
  type MigrateOptions,
} from "./migrate";
export {
  ensurePartitions,
  type PartitionRange,
  type EnsurePartitionsOptions,
  type EnsurePartitionsResult,
} from "./partitions";
export * from "./write";
export { reassignTopics, type ReassignOptions, type ReassignResult } from "./reassign-topics";
export * from "./read";
export * from "./retention";
