import type pg from "pg";
import sql, { empty, join, raw, type Sql } from "sql-template-tag";
import { ReadError } from "./errors";

// Why sql-template-tag: every reader builds its SQL from tagged templates, so
// a user-supplied value can only ever become a $n parameter, never SQL text;
// identifiers come from fixed maps in this folder (dimensions.ts), never from input.
export { sql, empty, join, raw, type Sql };

/** Anything that runs a query: a pool or a checked-out client. */
export type Queryable = Pick<pg.Pool, "query">;

/** PostgreSQL text cannot hold NUL (stored text never has one): a value with one would fail in the server. */
function hasNul(value: unknown): boolean {
  if (typeof value === "string") return value.includes("\u0000");
  return Array.isArray(value) && value.some(hasNul);
}

/** A client's filter, search text or cursor with a NUL: a clear refusal, not the server's "invalid byte sequence" (a masked 500). */
export function refuseNul(query: Sql): void {
  if (query.values.some(hasNul)) throw new ReadError("BAD_FILTER", "text values may not contain NUL characters (\\u0000)");
}

export async function run<T extends pg.QueryResultRow>(db: Queryable, query: Sql): Promise<T[]> {
  refuseNul(query);
  const result = await db.query<T>({ text: query.text, values: query.values });
  return result.rows;
}
