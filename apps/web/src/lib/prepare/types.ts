/** The API's shapes as the dashboard reads them (see packages/api/schema.graphql). */
export interface LatencyStats {
  mean: number | null;
  p50: number | null;
  p90: number | null;
  p95: number | null;
  p99: number | null;
}

export interface OverviewPeriod {
  questions: number;
  users: number;
  conversations: number;
  answered: number;
  hedged: number;
  failed: number;
  unfinished: number;
  cacheHitRate: number | null;
  latencyMs: LatencyStats;
}

export interface Overview extends OverviewPeriod {
  previous: OverviewPeriod;
}

export interface CountBucket {
  start: string;
  count: number;
  answered: number;
  hedged: number;
  failed: number;
  unfinished: number;
}

export interface LatencyBucket {
  start: string;
  count: number;
  mean: number | null;
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

export interface BreakdownRow {
  value: string | null;
  count: number;
  share: number;
  previousCount: number;
}

/** A Relay connection as the API returns it (lists of questions, conversations, log entries, groups, gaps). */
export interface Connection<T> {
  totalCount: number;
  /** false when the API stopped counting (show "10,000+"). */
  totalCountIsExact?: boolean;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  edges: { cursor: string; node: T }[];
}
