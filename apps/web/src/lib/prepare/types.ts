import type { AlertMetric } from "../format";

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

export type AlertSeverity = "CRITICAL" | "WARNING";
export type AlertState = "OK" | "FIRING" | "RESOLVED";
export type AlertComparison = "ABOVE" | "AT_LEAST" | "BELOW" | "AT_MOST";
export type AlertView = "PROBLEMS" | "QUESTIONS" | "INGESTION";

export interface AlertDrillDown {
  view: AlertView;
  /** Dashboard path and query of the questions (or files) behind the alert, e.g. /problems?from=…&to=…&kind=failed. */
  path: string;
}

export interface AlertNotification {
  id: string;
  channel: "WEBHOOK" | "SLACK" | "ALERTMANAGER";
  kind: "FIRING" | "REPEAT" | "RESOLVED";
  status: "PENDING" | "DELIVERED" | "FAILED";
  attempts: number;
  lastError: string | null;
  createdAt: string;
  nextAttemptAt: string | null;
  deliveredAt: string | null;
}

/** One alert (episode of a rule): fired at startedAt, resolved at resolvedAt. */
export interface Alert {
  id: string;
  ruleId: string;
  ruleName: string;
  description?: string | null;
  severity: AlertSeverity;
  metric: AlertMetric;
  comparison: AlertComparison;
  threshold: number;
  state: "FIRING" | "RESOLVED";
  value: number | null;
  lastValue: number | null;
  questions?: number | null;
  windowSeconds?: number | null;
  startedAt: string;
  resolvedAt: string | null;
  summary: string;
  drillDown: AlertDrillDown;
  notifications?: AlertNotification[];
}

/** A rule of the rules file with its current state. */
export interface AlertRuleState {
  id: string;
  name: string;
  description: string | null;
  metric: AlertMetric;
  window: string | null;
  windowSeconds: number | null;
  threshold: number;
  comparison: AlertComparison;
  minQuestions: number | null;
  severity: AlertSeverity;
  state: AlertState;
  since: string | null;
  lastValue: number | null;
  lastDetail: string | null;
  lastEvaluatedAt: string | null;
  currentAlert: { id: string; startedAt: string; summary: string; drillDown: AlertDrillDown } | null;
}
