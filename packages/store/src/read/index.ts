// Readers: every dashboard question answered from the rollups where they
// cover it, from the question rows where they do not (see aggregate.ts).
export { ReadError, type ReadErrorCode } from "./errors";
export {
  checkFilter, checkRange, MAX_RANGE_MS, MAX_PAGE_SIZE, DEFAULT_PAGE_SIZE, OUTCOMES,
  type QuestionFilter, type TimeRange, type Outcome,
} from "./input";
export { chooseRollup, DIMENSIONS, type Dimension, type RollupChoice } from "./dimensions";
export { aggregate, countUsers, type Totals, type AggregateOptions } from "./aggregate";
export { readOverview, type Overview, type OverviewPeriod, type ReadOptions } from "./overview";
export { readQuestionCounts, readResponseTimes, type SeriesRange, type CountBucket, type LatencyBucket } from "./series";
export { readBreakdown, type BreakdownRow } from "./breakdown";
export { readKnowledgeGaps, type KnowledgeGap, type KnowledgeGapPage } from "./knowledge-gaps";
export { readProblemQuestions, searchQuestions, searchTerms, readQuestion, MAX_SEARCH_CHARS, COUNT_LIMIT, type Page, type PageArgs } from "./question-lists";
export { readConversations, readConversation, type Conversation, type ConversationSummary } from "./conversations";
export { readCommonQuestions, type QuestionGroupRow } from "./common-questions";
export { PROBLEM_KINDS, type BotQuestion, type ProblemKind } from "./question-row";
export type { LatencySummary } from "./stats";
export type { Queryable } from "./sql";
export {
  readLogEntries, readLogCounts, readErrorGroups, readQuestionEntries, levelName,
  type LogEntry, type LogEntryFilter, type LogCountBucket, type ErrorGroup,
} from "./log-entries";
export { readIngestionStatus, type IngestionStatus } from "./ingestion";
export { readIngestHealth, type IngestHealth } from "./ingest-health";
export { readOtherTopics, type OtherTopic } from "./other-topics";
export { readQuestionsByIds, readConversationsByIds, readQuestionEntriesByIds } from "./batch";
