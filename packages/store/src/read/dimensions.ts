import { raw, type Sql } from "./sql";
import type { QuestionFilter } from "./input";

/** Dimensions the rollups are grouped by (migration 0002), with their fixed column names. */
export type Dimension = "topic" | "fund" | "platform" | "appVersion";
export const DIMENSIONS: readonly Dimension[] = ["topic", "fund", "platform", "appVersion"];

const COLUMN: Record<Dimension, string> = { topic: "topic", fund: "fund", platform: "platform", appVersion: "app_version" };
/** Bit of each dimension in GROUPING(topic, fund, platform, app_version): set = rolled up. */
const BIT: Record<Dimension, number> = { topic: 8, fund: 4, platform: 2, appVersion: 1 };

export function column(dim: Dimension, alias: string): Sql {
  return raw(`${alias}.${COLUMN[dim]}`);
}

/** Which rollup rows can answer a query, or null when only question rows can. */
export interface RollupChoice {
  dimset: number;
  /** Dimensions the rows are grouped by (the filter's and the breakdown's). */
  dims: Dimension[];
  /** Hour rows exist for this dimension set (fund x topic is kept per day only). */
  hourly: boolean;
}

/**
 * The rollup dimension set that holds the answer for a filter (and a
 * breakdown dimension): user, deal and outcome filters, and dimension
 * combinations other than fund x topic, need the question rows.
 */
export function chooseRollup(filter: QuestionFilter, groupBy?: Dimension): RollupChoice | null {
  if (filter.userId !== undefined || filter.dealId !== undefined || filter.outcomes !== undefined) return null;
  const dims = DIMENSIONS.filter((d) => filter[d] !== undefined || d === groupBy);
  if (dims.length > 2) return null;
  if (dims.length === 2 && !(dims.includes("fund") && dims.includes("topic"))) return null;
  const dimset = 15 - dims.reduce((bits, d) => bits + BIT[d], 0);
  return { dimset, dims, hourly: dims.length < 2 };
}
