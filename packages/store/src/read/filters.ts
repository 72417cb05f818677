import { column, DIMENSIONS, type RollupChoice } from "./dimensions";
import type { QuestionFilter } from "./input";
import { join, raw, sql, type Sql } from "./sql";

/**
 * The filter as conditions on bot_questions rows (alias `b` by default),
 * each starting with AND, so it appends to any WHERE. The one place every
 * reader turns a filter into SQL: values only ever become parameters.
 */
export function questionConditions(filter: QuestionFilter, alias = "b"): Sql {
  const a = raw(alias);
  // Outcome rows joined into the start of a question cut across two files are not questions of their own.
  const parts: Sql[] = [sql`AND ${a}.merged_into IS NULL`];
  if (filter.userId !== undefined && filter.userId !== null) parts.push(sql`AND ${a}.user_id = ${filter.userId}`);
  if (filter.dealId !== undefined && filter.dealId !== null) parts.push(sql`AND ${a}.deal_id = ${filter.dealId}`);
  for (const dim of DIMENSIONS) {
    const value = filter[dim];
    if (value !== undefined && value !== null) parts.push(sql`AND ${column(dim, alias)} = ${value}`);
  }
  if (filter.outcomes && filter.outcomes.length > 0) parts.push(sql`AND ${a}.outcome = ANY(${[...filter.outcomes]}::text[])`);
  return join(parts, " ");
}

/** The filter as conditions on question_rollups rows of the chosen dimension set. */
export function rollupConditions(filter: QuestionFilter, choice: RollupChoice, alias = "q"): Sql {
  const parts: Sql[] = [sql`AND ${raw(alias)}.dimset = ${choice.dimset}`];
  for (const dim of choice.dims) {
    const value = filter[dim];
    if (value !== undefined && value !== null) parts.push(sql`AND ${column(dim, alias)} = ${value}`);
  }
  return join(parts, " ");
}
