import DataLoader from "dataloader";
import type { Pool } from "pg";
import type { AccessServices } from "./access/services";
import {
  readConversationsByIds, readQuestionEntriesByIds, readQuestionsByIds,
  type BotQuestion, type Conversation, type LogEntry, type Queryable,
} from "@log-insights/store";
import type { RuleSet } from "@log-insights/alerts";
import { AuditBatch, type AuditAction, type Principal } from "@log-insights/auth";
import type { RequestCache } from "./cache/result-cache";
import type { DataChange } from "./live/ingest-listener";

/** What every resolver gets: who is asking, the database (for readers only), the cache and the request's loaders. */
export interface ApiContext {
  /** Who is asking (authenticated before GraphQL runs); the schema's authScopes judge it. */
  principal: Principal;
  /** Records a look at investors' data in the audit log before it is returned (once per request for the same look). */
  recordView: (action: AuditAction, target: string | null, filters?: Record<string, unknown> | null) => Promise<void>;
  /** The request's origin (https://host), for links when PUBLIC_URL is unset. */
  origin: string;
  /** The pool itself, for the few writes the API makes (access management, the audit log). */
  pool: Pool;
  db: Queryable;
  cache: RequestCache;
  loaders: Loaders;
  live: LiveEvents;
  /** The alert rules (the rules file, re-read when it changes): alertRules lists them; the API never evaluates them. */
  alertRules: () => Promise<RuleSet>;
  /** Sign-in policy and links, for the access-management fields. */
  access: AccessServices;
}

export interface LiveEvents {
  /** Ingest commits from now on, until the client goes away. */
  subscribe(): AsyncIterable<DataChange>;
}

export interface LiveEventsPerCaller {
  /** Ingest commits from now on; refused (TOO_MANY_SUBSCRIPTIONS) past the caller's cap. */
  subscribe(callerKey: string): AsyncIterable<DataChange>;
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

export interface ContextParts {
  pool: Pool;
  principal: Principal;
  cache: RequestCache;
  live: LiveEvents;
  alertRules: () => Promise<RuleSet>;
  access: AccessServices;
  origin: string;
}

export function createContext(parts: ContextParts): ApiContext {
  const { pool, principal, cache } = parts;
  const audit = new AuditBatch(pool);
  const recordView = (action: AuditAction, target: string | null, filters?: Record<string, unknown> | null): Promise<void> =>
    audit.record({ actor: principal, action, target, filters: filters ?? null });
  return { principal, recordView, origin: parts.origin, pool, db: pool, cache, loaders: createLoaders(pool, cache), live: parts.live, alertRules: parts.alertRules, access: parts.access };
}
