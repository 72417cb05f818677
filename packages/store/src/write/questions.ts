import { createHash } from "node:crypto";
import type { PairedQuestion } from "@log-insights/logs";
import { copyBigint, copyBool, copyInt, copyText, copyTime } from "./copy-format";

/** A bot question as stored: the paired question plus where it came from and its derived labels. */
export interface QuestionRow extends PairedQuestion {
  id: bigint;
  fileId: number;
  topic: string | null;
  fund: string | null;
  partial: boolean;
  slow: boolean;
  reasked: boolean;
}

/**
 * A question's id is derived from where it was logged (source, object key,
 * index of its first entry), so re-ingesting a file gives the same ids and
 * links to a question keep working.
 */
export function questionId(source: string, key: string, startIndex: number): bigint {
  const digest = createHash("sha1").update(`${source}\n${key}\n${startIndex}`).digest();
  // Positive signed 64-bit integer: ids read well in URLs and never collide with -1 style sentinels.
  return digest.readBigInt64BE(0) & 0x7fff_ffff_ffff_ffffn;
}

export const QUESTION_COLUMNS = [
  "id", "asked_at", "answered_at", "file_id", "start_idx", "end_idx", "user_id", "deal_id", "request_id",
  "question", "fingerprint", "topic", "fund", "answer", "outcome", "latency_ms", "cache_hit",
  "document_count", "prompt_tokens", "model", "platform", "app_version", "error_message",
  "orphan_outcome", "partial", "no_documents", "slow", "reasked",
] as const;

export const COPY_QUESTIONS_SQL = `COPY bot_questions (${QUESTION_COLUMNS.join(", ")}) FROM STDIN`;

export function questionCopyLine(q: QuestionRow): string {
  return [
    copyBigint(q.id),
    copyTime(q.askedAtMs),
    copyTime(q.answeredAtMs),
    String(q.fileId),
    String(q.startIndex),
    copyInt(q.endIndex),
    copyBigint(q.userId),
    copyText(q.dealId),
    copyText(q.requestId),
    copyText(q.question),
    copyText(q.fingerprint),
    copyText(q.topic),
    copyText(q.fund),
    copyText(q.answer),
    q.outcome,
    copyInt(q.latencyMs),
    copyBool(q.cacheHit),
    copyInt(q.documentCount),
    copyInt(q.promptTokens),
    copyText(q.model),
    copyText(q.platform),
    copyText(q.appVersion),
    copyText(q.errorMessage),
    copyBool(q.orphanOutcome),
    copyBool(q.partial),
    copyBool(q.documentCount === 0),
    copyBool(q.slow),
    copyBool(q.reasked),
  ].join("\t") + "\n";
}
