import { gql } from "urql";

/** The dashboard's GraphQL documents, one per card so each loads and fails on its own. */

const LATENCY = "latencyMs { mean p50 p90 p95 p99 }";
const PERIOD = `questions users conversations answered hedged failed unfinished cacheHitRate ${LATENCY}`;

export const OVERVIEW = gql`
  query Overview($from: DateTime!, $to: DateTime!, $tz: String, $filter: QuestionFilter) {
    overview(from: $from, to: $to, timeZone: $tz, filter: $filter) { ${PERIOD} previous { ${PERIOD} } }
  }`;

export const QUESTION_COUNTS = gql`
  query QuestionCounts($from: DateTime!, $to: DateTime!, $interval: Interval!, $tz: String, $filter: QuestionFilter) {
    questionCounts(from: $from, to: $to, interval: $interval, timeZone: $tz, filter: $filter) { start count answered hedged failed unfinished }
  }`;

export const RESPONSE_TIMES = gql`
  query ResponseTimes($from: DateTime!, $to: DateTime!, $interval: Interval!, $tz: String, $filter: QuestionFilter) {
    responseTimes(from: $from, to: $to, interval: $interval, timeZone: $tz, filter: $filter) { start count mean p50 p95 p99 }
  }`;

export const BREAKDOWN = gql`
  query Breakdown($from: DateTime!, $to: DateTime!, $dimension: Dimension!, $filter: QuestionFilter) {
    breakdown(from: $from, to: $to, dimension: $dimension, filter: $filter) { value count share previousCount }
  }`;

export const TOPICS = gql`
  query Topics($from: DateTime!, $to: DateTime!, $filter: QuestionFilter) {
    topics(from: $from, to: $to, filter: $filter) { topic label count share previousCount }
  }`;

const QUESTION_FIELDS = `id askedAt userId dealId fund topic text answer outcome signals reason attention latencyMs cacheHit documentCount conversationId platform appVersion`;

export const COMMON_QUESTIONS = gql`
  query CommonQuestions($from: DateTime!, $to: DateTime!, $first: Int, $after: String, $filter: QuestionFilter) {
    commonQuestions(from: $from, to: $to, first: $first, after: $after, filter: $filter) {
      totalCount pageInfo { hasNextPage endCursor }
      edges { cursor node { id text count share hedged previousCount firstAskedAt lastAskedAt } }
    }
  }`;

export const OTHER_TOPICS = gql`
  query OtherTopics($from: DateTime!, $to: DateTime!, $filter: QuestionFilter) {
    otherTopics(from: $from, to: $to, filter: $filter) { label terms count examples }
  }`;

export const KNOWLEDGE_GAPS = gql`
  query KnowledgeGaps($from: DateTime!, $to: DateTime!, $first: Int, $after: String) {
    knowledgeGaps(from: $from, to: $to, first: $first, after: $after) {
      totalCount pageInfo { hasNextPage endCursor }
      edges { cursor node { id fund topic topicLabel hedged partial questions hedgedShare lastAskedAt summary examples { id text askedAt } } }
    }
  }`;

export const PROBLEM_QUESTIONS = gql`
  query ProblemQuestions($from: DateTime!, $to: DateTime!, $kinds: [ProblemKind!], $first: Int, $after: String, $filter: QuestionFilter) {
    problemQuestions(from: $from, to: $to, kinds: $kinds, first: $first, after: $after, filter: $filter) {
      totalCount totalCountIsExact pageInfo { hasNextPage endCursor }
      edges { cursor node { ${QUESTION_FIELDS} } }
    }
  }`;

export const SEARCH_QUESTIONS = gql`
  query SearchQuestions($text: String!, $from: DateTime, $to: DateTime, $first: Int, $after: String, $filter: QuestionFilter) {
    searchQuestions(text: $text, from: $from, to: $to, first: $first, after: $after, filter: $filter) {
      totalCount totalCountIsExact pageInfo { hasNextPage endCursor }
      edges { cursor node { ${QUESTION_FIELDS} } }
    }
  }`;

export const CONVERSATIONS = gql`
  query Conversations($from: DateTime!, $to: DateTime!, $first: Int, $after: String, $filter: QuestionFilter) {
    conversations(from: $from, to: $to, first: $first, after: $after, filter: $filter) {
      totalCount totalCountIsExact pageInfo { hasNextPage endCursor }
      edges { cursor node { id userId dealId startedAt endedAt questionCount problemCount firstQuestion } }
    }
  }`;

export const CONVERSATION = gql`
  query Conversation($id: ID!) {
    conversation(id: $id) { id userId dealId startedAt endedAt questionCount problemCount questions { ${QUESTION_FIELDS} answeredAt errorMessage } }
  }`;

export const QUESTION_LOG = gql`
  query QuestionLog($id: ID!) {
    question(id: $id) { id logEntries { id time level levelName context message requestId data } }
  }`;

export const LOG_ENTRIES = gql`
  query LogEntries($from: DateTime!, $to: DateTime!, $levels: [String!], $context: String, $text: String, $first: Int, $after: String) {
    logEntries(from: $from, to: $to, levels: $levels, context: $context, text: $text, first: $first, after: $after) {
      totalCount totalCountIsExact pageInfo { hasNextPage endCursor }
      edges { cursor node { id time level levelName context message userId dealId requestId latencyMs data } }
    }
  }`;

export const LOG_COUNTS = gql`
  query LogCounts($from: DateTime!, $to: DateTime!, $interval: Interval!, $tz: String, $levels: [String!], $context: String, $text: String) {
    logCounts(from: $from, to: $to, interval: $interval, timeZone: $tz, levels: $levels, context: $context, text: $text) { start count errors }
  }`;

export const ERROR_GROUPS = gql`
  query ErrorGroups($from: DateTime!, $to: DateTime!) {
    errorGroups(from: $from, to: $to) { context message count firstSeenAt lastSeenAt sampleEntryId }
  }`;

export const INGESTION = gql`
  query Ingestion {
    ingestion {
      files { pending done failed skipped }
      lastFileKey lastFileAt lastIngestedAt lagSeconds
      entriesPerMinute { start count }
      failedFiles { key error attempts updatedAt }
    }
  }`;

const DRILL_DOWN = "drillDown { view path }";

/** The banner's alerts: polled and refetched on new data, small on purpose. */
export const FIRING_ALERTS = gql`
  query FiringAlerts {
    firingAlerts { id ruleId ruleName severity metric comparison threshold state value lastValue startedAt resolvedAt summary ${DRILL_DOWN} }
  }`;

export const ALERT_RULES = gql`
  query AlertRules {
    alertRules {
      id name description metric window windowSeconds threshold comparison minQuestions severity
      state since lastValue lastDetail lastEvaluatedAt currentAlert { id startedAt summary ${DRILL_DOWN} }
    }
  }`;

export const ALERTS = gql`
  query Alerts($from: DateTime!, $to: DateTime!, $state: AlertState, $first: Int, $after: String) {
    alerts(from: $from, to: $to, state: $state, first: $first, after: $after) {
      totalCount totalCountIsExact pageInfo { hasNextPage endCursor }
      edges { cursor node {
        id ruleId ruleName description severity metric comparison threshold state value lastValue questions windowSeconds
        startedAt resolvedAt summary ${DRILL_DOWN}
        notifications { id channel kind status attempts lastError createdAt nextAttemptAt deliveredAt }
      } }
    }
  }`;
