/**
 * Pairing log entries into bot questions, within ONE file, in array order.
 *
 * Why array order and a composite key: `req.id` is not unique per question
 * (one chat session reuses it for 8-11 questions), so a question is its start
 * entry plus the next outcome with the same (requestId, userId, dealId) key.
 * A file may interleave several sessions, so open questions are kept per key.
 *
 * Rules (decided where the brief left a choice):
 * - Start: DealBotService "Processing deal bot query"; the question is its
 *   `query` (else `requestMessage`). Platform/app version come from the start.
 * - Outcome: DealBotService "Query processed successfully" with the same key.
 *   It gives latency (its processingTimeMs; never an ApiController's), answer,
 *   cacheHit, documentCount, promptTokens. Outcome "hedged" when
 *   `detectHedge(answer).hedged`, else "answered"; `partial` from the detector.
 * - A second start with the same key before an outcome closes the first as
 *   "unfinished"; so does the end of the file.
 * - Error (level >= 50): it fails the open question with the same requestId
 *   when the error entry has one, else with the same userId (and dealId when
 *   the error has one); several candidates: the most recently started.
 *   errorMessage = `error` (string, or its `message`), else `err.message`
 *   (or `err` as a string), else the entry's message. The question stays
 *   "failed" unless a success outcome with the same key arrives before the
 *   next start of that key: then the outcome is attached (answered/hedged,
 *   with latency and answer) and errorMessage is kept, so "an error happened
 *   but the user got an answer" stays visible.
 * - Outcome with no open or failed question for its key: kept with
 *   `orphanOutcome: true`, question from its `query`, askedAtMs = its time
 *   minus processingTimeMs when known. Entries of its key seen since that
 *   key's last question closed (the tail of a sequence whose start is in the
 *   previous file) are counted in its entryIndexes.
 * - model from OpenAIProvider "Sending request to OpenAI" in the sequence;
 *   cacheHit/documentCount fall back to "Context ready for LLM processing"
 *   (then "Retrieved cached document contents from cache") when the outcome
 *   lacks them (failed or unfinished questions).
 * - entryIndexes: every entry with the question's key between its start and
 *   its close (and the error entry that failed it), ascending.
 */
import { fingerprint } from "./fingerprint";
import { detectHedge } from "./hedge";
import type { NormalizedEntry, PairedQuestion } from "./types";

export const BOT_CONTEXT = "DealBotService";
export const START_MESSAGE = "Processing deal bot query";
export const OUTCOME_MESSAGE = "Query processed successfully";
export const CONTEXT_READY_MESSAGE = "Context ready for LLM processing";
export const CACHE_RETRIEVED_MESSAGE = "Retrieved cached document contents from cache";
export const LLM_CONTEXT = "OpenAIProvider";
export const LLM_REQUEST_MESSAGE = "Sending request to OpenAI";
/** pino "error": this level and above can fail a question. */
export const ERROR_LEVEL = 50;

export function isQuestionStart(e: NormalizedEntry): boolean {
  return e.context === BOT_CONTEXT && e.message === START_MESSAGE;
}

export function isQuestionOutcome(e: NormalizedEntry): boolean {
  return e.context === BOT_CONTEXT && e.message === OUTCOME_MESSAGE;
}

/** The pairing key: (requestId, userId, dealId). */
export function questionKey(e: Pick<NormalizedEntry, "requestId" | "userId" | "dealId">): string {
  return `${e.requestId ?? ""}\u0001${e.userId ?? ""}\u0001${e.dealId ?? ""}`;
}

/** Facts read from a question's sequence entries (the outcome's own values win). */
interface SequenceFacts {
  model: string | null;
  readyCacheHit: boolean | null;
  readyDocumentCount: number | null;
}

interface Open extends SequenceFacts {
  q: PairedQuestion;
  key: string;
  /** Failed by an error entry; still accepts a success outcome of its key. */
  failed: boolean;
}

/** Unowned entries of a key since its last question closed (for orphan outcomes). */
interface Loose extends SequenceFacts {
  indexes: number[];
}

function str(v: unknown): string | null {
  return typeof v === "string" ? v : null;
}
function num(v: unknown): number | null {
  return typeof v === "number" && Number.isFinite(v) ? v : null;
}
function bool(v: unknown): boolean | null {
  return typeof v === "boolean" ? v : null;
}

/** The error text of an error-level entry. */
export function errorMessageOf(e: NormalizedEntry): string | null {
  const { error, err } = e.data;
  if (typeof error === "string" && error !== "") return error;
  if (error !== null && typeof error === "object" && typeof (error as { message?: unknown }).message === "string") {
    return (error as { message: string }).message;
  }
  if (err !== null && typeof err === "object" && typeof (err as { message?: unknown }).message === "string") {
    return (err as { message: string }).message;
  }
  if (typeof err === "string" && err !== "") return err;
  return e.message;
}

function newQuestion(e: NormalizedEntry, question: string, askedAtMs: number): PairedQuestion {
  return {
    startIndex: e.index,
    endIndex: null,
    askedAtMs,
    answeredAtMs: null,
    userId: e.userId,
    dealId: e.dealId,
    requestId: e.requestId,
    question,
    fingerprint: fingerprint(question),
    answer: null,
    outcome: "unfinished",
    latencyMs: null,
    cacheHit: null,
    documentCount: null,
    promptTokens: null,
    model: null,
    platform: e.platform,
    appVersion: e.appVersion,
    errorMessage: null,
    orphanOutcome: false,
    partial: false,
    entryIndexes: [e.index],
  };
}

/** Applies a success outcome entry to a question (answer, latency, outcome). */
function applyOutcome(o: Open, e: NormalizedEntry): void {
  const q = o.q;
  const d = e.data;
  q.endIndex = e.index;
  q.answeredAtMs = e.timeMs;
  q.answer = str(d.answer);
  q.latencyMs = e.latencyMs;
  q.cacheHit = bool(d.cacheHit) ?? o.readyCacheHit;
  q.documentCount = num(d.documentCount) ?? o.readyDocumentCount;
  q.promptTokens = num(d.promptTokens);
  if (q.question === "") {
    const text = str(d.query) ?? "";
    q.question = text;
    q.fingerprint = fingerprint(text);
  }
  const hedge = q.answer === null ? null : detectHedge(q.answer);
  q.outcome = hedge?.hedged ? "hedged" : "answered";
  q.partial = hedge?.partial ?? false;
}

/** Reads the sequence entries that carry model / context facts. */
function absorb(target: SequenceFacts, e: NormalizedEntry): void {
  if (e.context === LLM_CONTEXT && e.message === LLM_REQUEST_MESSAGE) {
    target.model = str(e.data.model) ?? target.model;
  } else if (e.context === BOT_CONTEXT && e.message === CONTEXT_READY_MESSAGE) {
    target.readyCacheHit = bool(e.data.cacheHit) ?? target.readyCacheHit;
    target.readyDocumentCount = num(e.data.documentCount) ?? target.readyDocumentCount;
  } else if (e.context === BOT_CONTEXT && e.message === CACHE_RETRIEVED_MESSAGE) {
    target.readyDocumentCount ??= num(e.data.documentCount);
  }
}

/**
 * Rebuilds the bot questions of one file, one entry at a time, in array
 * order (rejected entries may be missing). Only open questions are held, so
 * memory does not grow with the file: a streamed 1 GB file is paired
 * without keeping its entries.
 */
export class QuestionPairer {
  private readonly done: PairedQuestion[] = [];
  /** The open (or failed, still accepting an outcome) question per key. */
  private readonly open = new Map<string, Open>();
  private readonly loose = new Map<string, Loose>();

  private close(o: Open): void {
    o.q.model = o.model;
    if (o.q.cacheHit === null) o.q.cacheHit = o.readyCacheHit;
    if (o.q.documentCount === null) o.q.documentCount = o.readyDocumentCount;
    this.done.push(o.q);
    this.open.delete(o.key);
  }

  push(e: NormalizedEntry): void {
    const { open, loose } = this;
    const key = questionKey(e);

    if (isQuestionStart(e)) {
      const prev = open.get(key);
      if (prev) this.close(prev); // superseded: unfinished, or failed
      loose.delete(key);
      const text = str(e.data.query) ?? str(e.data.requestMessage) ?? "";
      open.set(key, {
        q: newQuestion(e, text, e.timeMs),
        key,
        model: null,
        readyCacheHit: null,
        readyDocumentCount: null,
        failed: false,
      });
      return;
    }

    if (isQuestionOutcome(e)) {
      const o = open.get(key);
      if (o) {
        o.q.entryIndexes.push(e.index);
        applyOutcome(o, e);
        this.close(o);
      } else {
        const l = loose.get(key);
        const latency = e.latencyMs;
        const q = newQuestion(e, str(e.data.query) ?? "", latency !== null ? e.timeMs - latency : e.timeMs);
        q.orphanOutcome = true;
        const orphan: Open = {
          q,
          key,
          model: l?.model ?? null,
          readyCacheHit: l?.readyCacheHit ?? null,
          readyDocumentCount: l?.readyDocumentCount ?? null,
          failed: false,
        };
        if (l) q.entryIndexes = [...l.indexes, e.index];
        applyOutcome(orphan, e);
        q.model = orphan.model;
        this.done.push(q);
      }
      loose.delete(key);
      return;
    }

    if (e.level >= ERROR_LEVEL) {
      const target = findFailTarget(open, e);
      if (target) {
        target.q.entryIndexes.push(e.index);
        if (!target.failed) {
          target.failed = true;
          target.q.outcome = "failed";
          target.q.errorMessage = errorMessageOf(e);
          target.q.endIndex = e.index;
        }
        return;
      }
    }

    const o = open.get(key);
    if (o) {
      o.q.entryIndexes.push(e.index);
      absorb(o, e);
    } else if (e.context === BOT_CONTEXT || e.context === LLM_CONTEXT) {
      let l = loose.get(key);
      if (!l) {
        l = { indexes: [], model: null, readyCacheHit: null, readyDocumentCount: null };
        loose.set(key, l);
      }
      l.indexes.push(e.index);
      absorb(l, e);
    }
  }

  /** Closes what is still open (unfinished at the end of the file); questions sorted by startIndex. */
  finish(): PairedQuestion[] {
    for (const o of [...this.open.values()]) this.close(o);
    this.loose.clear();
    return this.done.sort((a, b) => a.startIndex - b.startIndex);
  }
}

/**
 * Rebuilds the bot questions of one file from its entries (in array order;
 * rejected entries may be missing). Returns questions sorted by startIndex.
 */
export function pairQuestions(entries: readonly NormalizedEntry[]): PairedQuestion[] {
  const pairer = new QuestionPairer();
  for (const e of entries) pairer.push(e);
  return pairer.finish();
}

/** The open question an error entry belongs to (see the module comment). */
function findFailTarget(open: Map<string, Open>, e: NormalizedEntry): Open | null {
  let best: Open | null = null;
  for (const o of open.values()) {
    const q = o.q;
    let match: boolean;
    if (e.requestId !== null) {
      match = q.requestId === e.requestId;
    } else {
      match = e.userId !== null && q.userId === e.userId && (e.dealId === null || q.dealId === e.dealId);
    }
    if (match && (best === null || q.startIndex > best.q.startIndex)) best = o;
  }
  return best;
}
