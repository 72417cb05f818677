import { attentionScore, explainSignals, signalsOf, type SignalKind } from "@log-insights/logs";
import type { Outcome } from "./input";
import { raw, sql, type Sql } from "./sql";

/** A bot question as readers return it (secrets were removed at ingest). */
export interface BotQuestion {
  id: string;
  askedAtMs: number;
  answeredAtMs: number | null;
  userId: number | null;
  dealId: string | null;
  fund: string | null;
  topic: string | null;
  text: string;
  answer: string | null;
  outcome: Outcome;
  signals: SignalKind[];
  /** The worst signal in one plain sentence, null when nothing went wrong. */
  reason: string | null;
  attention: number;
  latencyMs: number | null;
  cacheHit: boolean | null;
  documentCount: number | null;
  conversationId: string | null;
  platform: string | null;
  appVersion: string | null;
  errorMessage: string | null;
  model: string | null;
}

export const QUESTION_COLUMNS = sql`b.id, b.asked_at, b.answered_at, b.user_id, b.deal_id, b.fund, b.topic, b.question, b.answer,
  b.outcome, b.partial, b.no_documents, b.slow, b.reasked, b.latency_ms, b.cache_hit, b.document_count,
  b.conversation_id, b.platform, b.app_version, b.error_message, b.model`;

export interface QuestionDbRow {
  id: string;
  asked_at: Date;
  answered_at: Date | null;
  user_id: string | null;
  deal_id: string | null;
  fund: string | null;
  topic: string | null;
  question: string;
  answer: string | null;
  outcome: Outcome;
  partial: boolean;
  no_documents: boolean;
  slow: boolean;
  reasked: boolean;
  latency_ms: number | null;
  cache_hit: boolean | null;
  document_count: number | null;
  conversation_id: string | null;
  platform: string | null;
  app_version: string | null;
  error_message: string | null;
  model: string | null;
}

/** The slow threshold the flags were computed with, for the explanation sentence. */
export const DEFAULT_SLOW_MS = 10_000;

export function toBotQuestion(r: QuestionDbRow, slowMs = DEFAULT_SLOW_MS): BotQuestion {
  const facts = {
    outcome: r.outcome, partial: r.partial, noDocuments: r.no_documents, slow: r.slow, reasked: r.reasked,
    latencyMs: r.latency_ms, errorMessage: r.error_message,
  };
  const signals = signalsOf(facts);
  return {
    id: r.id,
    askedAtMs: r.asked_at.getTime(),
    answeredAtMs: r.answered_at?.getTime() ?? null,
    userId: r.user_id === null ? null : Number(r.user_id),
    dealId: r.deal_id,
    fund: r.fund,
    topic: r.topic,
    text: r.question,
    answer: r.answer,
    outcome: r.outcome,
    signals,
    reason: explainSignals(facts, slowMs),
    attention: attentionScore(signals),
    latencyMs: r.latency_ms,
    cacheHit: r.cache_hit,
    documentCount: r.document_count,
    conversationId: r.conversation_id,
    platform: r.platform,
    appVersion: r.app_version,
    errorMessage: r.error_message,
    model: r.model,
  };
}

export type ProblemKind = "failed" | "unfinished" | "hedged" | "no_documents" | "slow" | "reasked";
export const PROBLEM_KINDS: readonly ProblemKind[] = ["failed", "unfinished", "hedged", "no_documents", "slow", "reasked"];

/** Each problem kind as a condition on bot_questions b (partial answers count as hedged). */
export const PROBLEM_CONDITION: Record<ProblemKind, Sql> = {
  failed: raw(`b.outcome = 'failed'`),
  unfinished: raw(`b.outcome = 'unfinished'`),
  hedged: raw(`b.outcome = 'hedged'`),
  no_documents: raw(`b.no_documents`),
  slow: raw(`b.slow`),
  reasked: raw(`b.reasked`),
};

/**
 * attentionScore (@log-insights/logs signals.ts) in SQL, so lists can be
 * ordered and paged by it: the worst signal's weight plus a tenth of the others'.
 */
/** The stored attention score (a generated column, migration 0002), for ordering and paging lists by it. */
export const ATTENTION_SQL = raw("b.attention");
