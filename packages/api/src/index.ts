// @log-insights/api: the GraphQL API (schema, resolvers over the store's
// readers, cache, live events, protection, metrics) as a fetch handler that
// any server can mount, and a standalone Node server (`npm run api`).
export { createApiHandler, CSRF_HEADER, DEFAULT_CALLER_LIMITS, type ApiHandler, type ApiOptions, type ApiCacheOptions, type ApiAccessOptions } from "./handler";
export { accessFromEnv } from "./access/from-env";
export { fieldRoles, assertEveryFieldHasARole } from "./schema/access-rules";
export { startApiServer, type ApiServer, type ApiServerOptions } from "./server";
export { buildSchema, printSchemaSdl } from "./schema";
export { INGEST_CHANNEL, parseChange, type DataChange } from "./live/ingest-listener";
export { parseDateTime } from "./schema/scalars";
export { operationCost } from "./protection";
export type { ApiErrorCode } from "./errors";
