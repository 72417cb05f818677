import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { PoolClient } from "pg";
import { from as copyFrom } from "pg-copy-streams";
import {
  detectHedge, pairQuestions, parseEntry, redactRawText,
  type NormalizedEntry, type PairedQuestion,
} from "@log-insights/logs";
import {
  COPY_LOG_ENTRIES_SQL, COPY_QUESTIONS_SQL, entryCopyLine, questionCopyLine, questionId, refreshConversations,
  type ConversationScope, type QuestionRow,
} from "@log-insights/store";
import { decodeObject } from "./decode";
import type { LedgerFile } from "./ledger";
import type { PartitionCache } from "./partitions";
import type { Source } from "./sources";

/** What one file contributed, for the ledger and the run's summary. */
export interface StoredFile {
  entriesRead: number;
  entriesStored: number;
  entriesRejected: number;
  questions: number;
  firstEntryAtMs: number | null;
  lastEntryAtMs: number | null;
}

export interface StoreFileOptions {
  source: Source;
  partitions: PartitionCache;
  /** Answers slower than this are flagged slow. */
  slowAnswerMs: number;
}

interface Rejection {
  index: number;
  reason: string;
  raw: string | null;
  rawBytes: number;
}

const COPY_CHUNK_CHARS = 256 * 1024;
const MAX_RAW_CHARS = 1024 * 1024;

/**
 * Reads one file from its source and writes everything it holds into the
 * caller's open transaction: its log entries (COPY, streamed as the file is
 * decoded, so memory does not grow with the file), its bot questions, its
 * rejected records, and the conversations they touch. Throws on a file that
 * cannot be read; the caller rolls back and marks it failed.
 */
export async function storeFile(client: PoolClient, file: LedgerFile, opts: StoreFileOptions): Promise<StoredFile> {
  const scopes: ConversationScope[] = [];
  if (file.entriesStored !== null) scopes.push(...(await deleteFileRows(client, file)));

  const botEntries: NormalizedEntry[] = [];
  const rejections: Rejection[] = [];
  let read = 0;
  let stored = 0;
  let first: number | null = null;
  let last: number | null = null;

  const stream = await opts.source.open(file.key);
  async function* copyLines(): AsyncGenerator<string> {
    let chunk = "";
    for await (const el of decodeObject(stream, file.key)) {
      read++;
      if (!el.ok) {
        rejections.push({ index: el.index, reason: el.reason, raw: el.raw, rawBytes: el.bytes });
        continue;
      }
      const parsed = parseEntry(el.value, el.index, file.keyTimeMs);
      if (!parsed.ok) {
        const raw = JSON.stringify(el.value) ?? String(el.value);
        rejections.push({ index: el.index, reason: parsed.reason, raw, rawBytes: el.bytes });
        continue;
      }
      const e = parsed.entry;
      opts.partitions.check(e.timeMs, "log_entries");
      chunk += entryCopyLine(file.id, e);
      stored++;
      if (first === null || e.timeMs < first) first = e.timeMs;
      if (last === null || e.timeMs > last) last = e.timeMs;
      if (isBotEntry(e)) botEntries.push(e);
      if (chunk.length >= COPY_CHUNK_CHARS) {
        yield chunk;
        chunk = "";
      }
    }
    if (chunk) yield chunk;
  }
  await pipeline(Readable.from(copyLines()), client.query(copyFrom(COPY_LOG_ENTRIES_SQL)));

  const questions = pairQuestions(botEntries).map((q) => toQuestionRow(q, file, opts));
  if (questions.length > 0) {
    for (const q of questions) opts.partitions.check(q.askedAtMs, "bot_questions");
    await pipeline(
      Readable.from([questions.map(questionCopyLine).join("")]),
      client.query(copyFrom(COPY_QUESTIONS_SQL)),
    );
    scopes.push(...questions.map((q) => ({ userId: q.userId, dealId: q.dealId, fromMs: q.askedAtMs, toMs: q.askedAtMs })));
  }
  await insertRejections(client, file.id, rejections);
  if (scopes.length > 0) await refreshConversations(client, scopes);

  return {
    entriesRead: read,
    entriesStored: stored,
    entriesRejected: rejections.length,
    questions: questions.length,
    firstEntryAtMs: first,
    lastEntryAtMs: last,
  };
}

/** Entries that can take part in a bot question: the bot's own, and any error (it may fail one). */
function isBotEntry(e: NormalizedEntry): boolean {
  return e.context === "DealBotService" || e.context === "OpenAIProvider" || e.level >= 50;
}

function toQuestionRow(q: PairedQuestion, file: LedgerFile, opts: StoreFileOptions): QuestionRow {
  const hedge = q.answer ? detectHedge(q.answer) : null;
  return {
    ...q,
    id: questionId(file.source, file.key, q.startIndex),
    fileId: file.id,
    topic: null,
    fund: null,
    partial: hedge?.partial ?? false,
    slow: q.latencyMs !== null && q.latencyMs > opts.slowAnswerMs,
    reasked: false,
  };
}

/**
 * Removes what an earlier ingest of this file stored (the object was
 * replaced, or --reprocess). The ledger's entry time range lets PostgreSQL
 * skip every other day's partition. Returns the conversations to rebuild.
 */
async function deleteFileRows(client: PoolClient, file: LedgerFile): Promise<ConversationScope[]> {
  const range = file.firstEntryAtMs !== null && file.lastEntryAtMs !== null
    ? { from: new Date(file.firstEntryAtMs), to: new Date(file.lastEntryAtMs) }
    : null;
  if (range) {
    await client.query(`DELETE FROM log_entries WHERE file_id = $1 AND ts BETWEEN $2 AND $3`, [file.id, range.from, range.to]);
  } else {
    await client.query(`DELETE FROM log_entries WHERE file_id = $1`, [file.id]);
  }
  const { rows } = await client.query<{ user_id: string | null; deal_id: string | null; asked_at: Date }>(
    `DELETE FROM bot_questions WHERE file_id = $1 RETURNING user_id, deal_id, asked_at`,
    [file.id],
  );
  await client.query(`DELETE FROM rejected_records WHERE file_id = $1`, [file.id]);
  return rows.map((r) => ({
    userId: r.user_id === null ? null : Number(r.user_id),
    dealId: r.deal_id,
    fromMs: r.asked_at.getTime(),
    toMs: r.asked_at.getTime(),
  }));
}

async function insertRejections(client: PoolClient, fileId: number, rejections: Rejection[]): Promise<void> {
  for (let i = 0; i < rejections.length; i += 500) {
    const batch = rejections.slice(i, i + 500);
    await client.query(
      `INSERT INTO rejected_records (file_id, idx, reason, raw, raw_bytes)
       SELECT $1, r.idx, r.reason, r.raw, r.raw_bytes
       FROM unnest($2::int[], $3::text[], $4::text[], $5::int[]) AS r(idx, reason, raw, raw_bytes)`,
      [
        fileId,
        batch.map((r) => r.index),
        batch.map((r) => r.reason.replaceAll("\u0000", "")),
        batch.map((r) => (r.raw === null ? null : redactRawText(r.raw.slice(0, MAX_RAW_CHARS)).replaceAll("\u0000", ""))),
        batch.map((r) => r.rawBytes),
      ],
    );
  }
}
