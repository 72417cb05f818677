import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { PoolClient } from "pg";
import { from as copyFrom } from "pg-copy-streams";
import {
  COPY_LOG_ENTRIES_SQL, COPY_QUESTIONS_SQL, questionCopyLine, refreshConversations, joinSplitQuestions, lockConversationScopes,
  type ConversationScope, type QuestionRow,
} from "@log-insights/store";
import { storedRaw, type Rejection } from "./file-reader";
import type { LedgerFile } from "./ledger";

const COPY_CHUNK_CHARS = 256 * 1024;

/** Groups COPY lines into large chunks: one write per ~256 KB instead of one per row. */
export async function* chunked(lines: Iterable<string> | AsyncIterable<string>): AsyncGenerator<string> {
  let chunk = "";
  for await (const line of lines) {
    chunk += line;
    if (chunk.length >= COPY_CHUNK_CHARS) {
      yield chunk;
      chunk = "";
    }
  }
  if (chunk) yield chunk;
}

/** COPYs log entry lines into log_entries within the caller's transaction. */
export async function copyEntries(client: PoolClient, lines: Iterable<string> | AsyncIterable<string>): Promise<void> {
  await pipeline(Readable.from(chunked(lines)), client.query(copyFrom(COPY_LOG_ENTRIES_SQL)));
}

/** What a transaction stores beside the entries, for one or more files. */
export interface DerivedRows {
  questions: QuestionRow[];
  rejections: { fileId: number; rejection: Rejection }[];
  /** Files stored before whose old rows were deleted: their conversations need rebuilding too. */
  replacedScopes: ConversationScope[];
}

/**
 * Writes the questions, rejected records and conversations derived from the
 * files of one transaction. Questions cut across two files are joined, then
 * conversations are rebuilt once for the whole transaction, for every user
 * and deal it touched. The rollups follow by themselves: triggers on
 * bot_questions append each statement's deltas (migration 0006), at the
 * batch's cost and without a lock on the day; compactRollups merges them
 * after the commit.
 */
export async function writeDerivedRows(client: PoolClient, rows: DerivedRows): Promise<void> {
  const scopes: ConversationScope[] = [
    ...rows.replacedScopes,
    ...rows.questions.map((q) => ({ userId: q.userId, dealId: q.dealId, fromMs: q.askedAtMs, toMs: q.askedAtMs })),
  ];
  // Before anything reads other files' questions: a concurrent worker storing the same users' questions commits first.
  await lockConversationScopes(client, scopes);
  if (rows.questions.length > 0) {
    await pipeline(Readable.from(chunked(rows.questions.map(questionCopyLine))), client.query(copyFrom(COPY_QUESTIONS_SQL)));
    await joinSplitQuestions(client, rows.questions);
  }
  for (let i = 0; i < rows.rejections.length; i += 500) {
    const batch = rows.rejections.slice(i, i + 500);
    await client.query(
      `INSERT INTO rejected_records (file_id, idx, reason, raw, raw_bytes)
       SELECT * FROM unnest($1::bigint[], $2::int[], $3::text[], $4::text[], $5::int[])`,
      [
        batch.map((r) => r.fileId),
        batch.map((r) => r.rejection.index),
        batch.map((r) => r.rejection.reason.replaceAll("\u0000", "")),
        batch.map((r) => storedRaw(r.rejection.raw)),
        batch.map((r) => r.rejection.rawBytes),
      ],
    );
  }
  if (scopes.length > 0) await refreshConversations(client, scopes);
}

/**
 * Removes what an earlier ingest of a file stored (the object was replaced,
 * or --reprocess). The ledger's entry time range lets PostgreSQL skip every
 * other day's partition. Returns the conversations to rebuild.
 */
export async function deleteFileRows(client: PoolClient, file: LedgerFile): Promise<ConversationScope[]> {
  if (file.firstEntryAtMs !== null && file.lastEntryAtMs !== null) {
    await client.query(`DELETE FROM log_entries WHERE file_id = $1 AND ts BETWEEN $2 AND $3`, [
      file.id, new Date(file.firstEntryAtMs), new Date(file.lastEntryAtMs),
    ]);
  } else {
    await client.query(`DELETE FROM log_entries WHERE file_id = $1`, [file.id]);
  }
  const { rows } = await client.query<{ user_id: string | null; deal_id: string | null; asked_at: Date }>(
    `WITH gone AS (DELETE FROM bot_questions WHERE file_id = $1 RETURNING id, user_id, deal_id, asked_at),
     -- Outcomes joined to a deleted start show again until the start is stored again and rejoins them.
     shown AS (UPDATE bot_questions o SET merged_into = NULL FROM gone WHERE o.merged_into = gone.id
               RETURNING o.user_id, o.deal_id, o.asked_at)
     SELECT user_id, deal_id, asked_at FROM gone UNION ALL SELECT user_id, deal_id, asked_at FROM shown`,
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
