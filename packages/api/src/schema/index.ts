import { createRequire } from "node:module";
import type * as GraphQL from "graphql";
import type { GraphQLSchema } from "graphql";
import { assertEveryFieldHasARole } from "./access-rules";
import { builder } from "./builder";
import "./scalars";
import "./enums";
import "./metrics";
import "./questions";
import "./conversations";
import "./logs";
import "./alerts";
import "./live";
import "./access";

builder.queryType({ description: "Every metric, search and drill-down of the deal bot's logs. Times are ISO-8601; ranges are [from, to)." });

let schema: GraphQLSchema | undefined;
let schemaWithoutRoles: GraphQLSchema | undefined;

/**
 * The GraphQL schema (built once: the builder holds module-level definitions).
 * `withoutRoles`: the same schema with no field's role checked (Pothos's
 * disableScopeAuth), for bench:api's access-off baseline only
 * (ApiOptions.openAccessForBenchmarks), so the baseline pays for no access
 * check at all.
 */
export function buildSchema(options: { withoutRoles?: boolean } = {}): GraphQLSchema {
  if (options.withoutRoles) return (schemaWithoutRoles ??= builder.toSchema({ disableScopeAuth: true }));
  if (!schema) {
    const built = builder.toSchema();
    assertEveryFieldHasARole(built);
    schema = built;
  }
  return schema;
}

/** The SDL committed at packages/api/schema.graphql (types sorted, so the file diffs well). */
export function printSchemaSdl(): string {
  // Through require: the same graphql module (CommonJS) that Pothos built the schema with, even under
  // Vitest, which resolves our own `import "graphql"` to its ESM copy (see errors.ts).
  const graphql = createRequire(import.meta.url)("graphql") as typeof GraphQL;
  return `${graphql.printSchema(graphql.lexicographicSortSchema(buildSchema()))}\n`;
}
