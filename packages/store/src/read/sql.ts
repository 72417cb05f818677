import type pg from "pg";
import sql, { empty, join, raw, type Sql } from "sql-template-tag";

// Why sql-template-tag: every reader builds its SQL from tagged templates, so
// a user-supplied value can only ever become a $n parameter, never SQL text;
// identifiers come from fixed maps in this folder (dimensions.ts), never from input.
export { sql, empty, join, raw, type Sql };

/** Anything that runs a query: a pool or a checked-out client. */
export type Queryable = Pick<pg.Pool, "query">;

export async function run<T extends pg.QueryResultRow>(db: Queryable, query: Sql): Promise<T[]> {
  const result = await db.query<T>({ text: query.text, values: query.values });
  return result.rows;
}
