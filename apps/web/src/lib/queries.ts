import { gql } from "urql";

/**
 * The dashboard's GraphQL documents, one per card so each loads and fails on
 * its own. Each asks only for what its page's roles may see: fields of the
 * support role (answers, investor ids, conversations) are behind
 * `@include(if: $support)`, so a viewer's page asks for none of them (a test
 * checks every document against the schema's roles).
 */

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

/** A question's fields; answer, investor and conversation only with `$support`. */
const QUESTION_FIELDS = `id askedAt userId @include(if: $support) dealId fund topic text answer @include(if: $support) outcome signals reason attention latencyMs cacheHit documentCount conversationId @include(if: $support) platform appVersion`;

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
  query ProblemQuestions($from: DateTime!, $to: DateTime!, $kinds: [ProblemKind!], $first: Int, $after: String, $filter: QuestionFilter, $support: Boolean!) {
    problemQuestions(from: $from, to: $to, kinds: $kinds, first: $first, after: $after, filter: $filter) {
      totalCount totalCountIsExact pageInfo { hasNextPage endCursor }
      edges { cursor node { ${QUESTION_FIELDS} } }
    }
  }`;

export const SEARCH_QUESTIONS = gql`
  query SearchQuestions($text: String!, $from: DateTime, $to: DateTime, $first: Int, $after: String, $filter: QuestionFilter, $support: Boolean!) {
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
  query Conversation($id: ID!, $support: Boolean!) {
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

/** Before every CSV download: the export goes into the audit log, and the file is saved only if that worked. */
export const RECORD_CSV_EXPORT = gql`
  mutation RecordCsvExport($view: String!, $rows: Int!, $filters: JSON) {
    recordCsvExport(view: $view, rows: $rows, filters: $filters)
  }`;

// Access (admins): people, API tokens, the audit log. The signed-in person's own password (everyone).

const USER_FIELDS = "id email role displayName hasPassword sso createdAt createdBy lastSignInAt";

export const USERS = gql`
  query Users {
    users { ${USER_FIELDS} }
  }`;

export const ADD_USER = gql`
  mutation AddUser($email: String!, $role: Role!) {
    addUser(email: $email, role: $role) { url expiresAt user { ${USER_FIELDS} } }
  }`;

export const CREATE_SIGN_IN_LINK = gql`
  mutation CreateSignInLink($email: String!) {
    createSignInLink(email: $email) { url expiresAt user { id email } }
  }`;

export const SET_USER_ROLE = gql`
  mutation SetUserRole($email: String!, $role: Role!) {
    setUserRole(email: $email, role: $role) { ${USER_FIELDS} }
  }`;

export const REMOVE_USER = gql`
  mutation RemoveUser($email: String!) {
    removeUser(email: $email) { id email }
  }`;

const TOKEN_FIELDS = "id name role prefix createdBy createdAt expiresAt lastUsedAt revokedAt";

export const API_TOKENS = gql`
  query ApiTokens($includeRevoked: Boolean) {
    apiTokens(includeRevoked: $includeRevoked) { ${TOKEN_FIELDS} }
  }`;

export const CREATE_API_TOKEN = gql`
  mutation CreateApiToken($name: String!, $role: Role!, $expiresIn: String) {
    createApiToken(name: $name, role: $role, expiresIn: $expiresIn) { token apiToken { ${TOKEN_FIELDS} } }
  }`;

export const REVOKE_API_TOKEN = gql`
  mutation RevokeApiToken($name: String!) {
    revokeApiToken(name: $name) { ${TOKEN_FIELDS} }
  }`;

export const AUDIT_LOG = gql`
  query AuditLog($from: DateTime!, $to: DateTime!, $actions: [AuditAction!], $actor: String, $first: Int, $after: String) {
    auditLog(from: $from, to: $to, actions: $actions, actor: $actor, first: $first, after: $after) {
      hasNextPage endCursor
      edges { cursor node { id at actorKind actorLabel role action outcome target filters } }
    }
  }`;

export const CHANGE_PASSWORD = gql`
  mutation ChangePassword($currentPassword: String, $newPassword: String!) {
    changePassword(currentPassword: $currentPassword, newPassword: $newPassword)
  }`;
