/**
 * The dashboard's panel queries (overview, question counts, answer times,
 * topics, fund and platform breakdowns, problem questions, common
 * questions, knowledge gaps, ingestion) over the week and month ending at
 * `endMs`: what `npm run bench:api` and the reliability load test replay.
 */
export interface Panel {
  name: string;
  query: string;
  variables: Record<string, unknown>;
}

const HOUR = 3_600_000;

export function panels(endMs: number): Panel[] {
  const iso = (ms: number) => new Date(ms).toISOString();
  const week = { from: iso(endMs - 7 * 24 * HOUR), to: iso(endMs) };
  const month = { from: iso(endMs - 30 * 24 * HOUR), to: iso(endMs) };
  const R = "$from: DateTime!, $to: DateTime!";
  return [
    { name: "Overview", variables: week, query: `query Overview(${R}) { overview(from: $from, to: $to) { questions users conversations answered hedged failed unfinished cacheHitRate
      latencyMs { mean p50 p90 p95 p99 } previous { questions users answered hedged failed unfinished cacheHitRate latencyMs { p50 p95 } } } }` },
    { name: "QuestionCounts", variables: month, query: `query QuestionCounts(${R}) { questionCounts(from: $from, to: $to, interval: DAY, timeZone: "Europe/London") { start count answered hedged failed unfinished } }` },
    { name: "ResponseTimes", variables: month, query: `query ResponseTimes(${R}) { responseTimes(from: $from, to: $to, interval: DAY) { start count mean p50 p95 p99 } }` },
    { name: "Topics", variables: week, query: `query Topics(${R}) { topics(from: $from, to: $to) { topic label count share previousCount } }` },
    { name: "Funds", variables: week, query: `query Funds(${R}) { breakdown(dimension: FUND, from: $from, to: $to) { value count share hedged previousCount } }` },
    { name: "Platforms", variables: week, query: `query Platforms(${R}) { platforms: breakdown(dimension: PLATFORM, from: $from, to: $to) { value count share }
      versions: breakdown(dimension: APP_VERSION, from: $from, to: $to) { value count share } }` },
    { name: "Problems", variables: week, query: `query Problems(${R}) { problemQuestions(from: $from, to: $to, first: 25) { totalCount pageInfo { hasNextPage endCursor }
      edges { cursor node { id askedAt text outcome signals reason attention fund topic latencyMs } } } }` },
    { name: "Common", variables: week, query: `query Common(${R}) { commonQuestions(from: $from, to: $to, first: 10) { totalCount edges { node { id text count share lastAskedAt previousCount } } } }` },
    { name: "Gaps", variables: month, query: `query Gaps(${R}) { knowledgeGaps(from: $from, to: $to, first: 10) { totalCount edges { node { fund topicLabel hedged questions summary examples { text askedAt } } } } }` },
    { name: "Ingestion", variables: {}, query: `query Ingestion { ingestion { files { done failed pending } lastFileAt lagSeconds } }` },
  ];
}
