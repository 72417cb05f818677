import DataLoader from "dataloader";
import {
  readConversationsByIds, readQuestionEntriesByIds, readQuestionsByIds,
  type BotQuestion, type Conversation, type LogEntry, type Queryable,
} from "@log-insights/store";
import type { RuleSet } from "@log-insights/alerts";
import type { RequestCache } from "./cache/result-cache";
import type { DataChange } from "./live/ingest-listener";

/** What every resolver gets: the database (for readers only), the cache and the request's loaders. */
export interface ApiContext {
  db: Queryable;
  cache: RequestCache;
  loaders: Loaders;
  live: LiveEvents;
  /** The alert rules (the rules file, re-read when it changes): alertRules lists them; the API never evaluates them. */
  alertRules: () => Promise<RuleSet>;
}

export interface LiveEvents {
  /** Ingest commits from now on, until the client goes away. */
  subscribe(): AsyncIterable<DataChange>;
}

export interface Loaders {
  question: DataLoader<string, BotQuestion | null>;
  conversation: DataLoader<string, Conversation | null>;
  questionEntries: DataLoader<string, LogEntry[]>;
}

/**
 * Per-request loaders for nested fields (BotQuestion.conversation,
 * BotQuestion.logEntries, Conversation.questions, KnowledgeGapExample.question):
 * the ids a page of parents asks for are collected into one batch, the cached
 * ones come from the cache, the rest from one call of the store's batch
 * reader (readConversationsByIds: two queries for any number of
 * conversations). A page of 25 questions of 6 conversations reads the 6 in
 * one go; reloaded, it reads none.
 */
export function createLoaders(db: Queryable, cache: RequestCache): Loaders {
  const batch = <V>(field: string, readMany: (ids: string[]) => Promise<Map<string, V>>) => (ids: readonly string[]) =>
    cache.getMany(field, ids, readMany);
  return {
    question: new DataLoader(batch("question", (ids) => readQuestionsByIds(db, ids))),
    conversation: new DataLoader(batch("conversation", (ids) => readConversationsByIds(db, ids))),
    questionEntries: new DataLoader(async (ids: readonly string[]) =>
      (await cache.getMany("questionEntries", ids, (missing) => readQuestionEntriesByIds(db, missing))).map((entries) => entries ?? [])),
  };
}

export function createContext(db: Queryable, cache: RequestCache, live: LiveEvents, alertRules: () => Promise<RuleSet>): ApiContext {
  return { db, cache, loaders: createLoaders(db, cache), live, alertRules };
}
