import type { ErasedUsers } from "@log-insights/auth/erased-users";
import type { PrivacyOptions } from "@log-insights/logs";
import type { QuestionRow } from "@log-insights/store";
import { decodeObject } from "./decode";
import { FileReader, type FileStats, type Rejection } from "./file-reader";
import type { LedgerFile } from "./ledger";
import type { RetentionHorizons } from "./partitions";
import type { Source } from "./sources";

const DAY_MS = 86_400_000;

/** A small file read whole: everything its transaction will write. */
export interface ReadFile {
  file: LedgerFile;
  /** COPY text of its entries. */
  copyText: string;
  questions: QuestionRow[];
  rejections: Rejection[];
  stats: FileStats;
  /** One time per distinct UTC day among its entries, and each question's time: for partition checks. */
  entryDayTimes: number[];
  questionTimes: number[];
  durationMs: number;
}

/**
 * Thrown by readFile when the decoded bytes of a batch pass its budget: a
 * small file as stored can hold a lot once gunzipped, and a batch is held in
 * memory whole. The file is then streamed alone instead.
 */
export class TooLargeToBatchError extends Error {
  override name = "TooLargeToBatchError";
}

/** Decoded bytes a batch may hold, shared by the reads of its files. */
export interface DecodedBudget {
  left: number;
}

/** Reads, decodes and normalizes a whole file (used in read workers, or in-process). */
export async function readFile(
  source: Source, file: LedgerFile, slowAnswerMs: number, horizons?: RetentionHorizons, budget?: DecodedBudget, privacy?: PrivacyOptions,
  erased?: ErasedUsers,
): Promise<ReadFile> {
  const started = performance.now();
  const reader = new FileReader(file, horizons, privacy, erased);
  const lines: string[] = [];
  const days = new Set<number>();
  const note = (t: number): void => void days.add(Math.floor(t / DAY_MS));
  const stream = await source.open(file.key, file.etag ? { etag: file.etag } : undefined);
  for await (const el of decodeObject(stream, file.key)) {
    if (budget && (budget.left -= el.bytes) < 0) {
      stream.destroy();
      throw new TooLargeToBatchError(`${file.key} is too large once decoded to be read in a batch`);
    }
    const line = reader.accept(el, note);
    if (line !== null) lines.push(line);
  }
  const questions = reader.questions(slowAnswerMs);
  return {
    file,
    copyText: lines.join(""),
    questions,
    rejections: reader.rejections,
    stats: reader.stats(questions.length),
    entryDayTimes: [...days].map((d) => d * DAY_MS),
    questionTimes: questions.map((q) => q.askedAtMs),
    durationMs: performance.now() - started,
  };
}
