import {
  DEFAULT_PRIVACY, QuestionPairer, classifyQuestion, maskRawText, parseEntry, redactRawText, resolvePrivacy,
  type NormalizedEntry, type PairedQuestion, type Privacy, type PrivacyOptions,
} from "@log-insights/logs";
import { ERASED_REASON, NO_ERASED_USERS, type ErasedUsers } from "@log-insights/auth/erased-users";
import { entryCopyLine, questionId, type QuestionRow } from "@log-insights/store";
import type { DecodedElement } from "./decode";
import type { FileStats, LedgerFile } from "./ledger";
import type { RetentionHorizons } from "./partitions";

export type { FileStats };

/** A record that could not be stored, kept with its reason. */
export interface Rejection {
  index: number;
  reason: string;
  /** Its raw text, capped, personal data already masked (secrets are redacted when it is written: storedRaw). */
  raw: string | null;
  rawBytes: number;
}

/**
 * Turns one file's decoded elements into what is stored: a COPY line per
 * valid entry (validated and redacted by the log model), a rejection per
 * invalid one, and, at the end, the file's bot questions. Questions are
 * paired as entries stream by, so memory stays small even when the COPY
 * lines are streamed out as they come.
 */
export class FileReader {
  readonly rejections: Rejection[] = [];
  /** Pairs bot entries as they come: a file's entries are never all held. */
  private readonly pairer = new QuestionPairer();
  private read = 0;
  private stored = 0;
  private first: number | null = null;
  private last: number | null = null;

  private readonly privacy: Privacy;

  /**
   * `horizons`: entries and questions before retention's horizons are not stored (their partitions were dropped).
   * `privacyOptions`: personal data masking and the client address mode (default: masked, truncated).
   * `erased`: investors erased with `npm run erase-user`: their entries (and so their questions) are not
   * stored but recorded as rejected with the reason "erased investor" and no raw text.
   */
  constructor(
    readonly file: LedgerFile,
    private readonly horizons?: RetentionHorizons,
    private readonly privacyOptions: PrivacyOptions = DEFAULT_PRIVACY,
    private readonly erased: ErasedUsers = NO_ERASED_USERS,
  ) {
    this.privacy = resolvePrivacy(privacyOptions);
  }

  /** The element's COPY line, or null when it was rejected. `check` may veto an entry's time (partitions). */
  accept(el: DecodedElement, check?: (timeMs: number) => void): string | null {
    this.read++;
    if (!el.ok) {
      if (this.erased.namedIn(el.raw)) return this.rejectErased(el);
      this.rejections.push({ index: el.index, reason: el.reason, raw: this.privateRaw(el.raw), rawBytes: el.bytes });
      return null;
    }
    const parsed = parseEntry(el.value, el.index, this.file.keyTimeMs, this.privacyOptions);
    if (!parsed.ok) {
      const raw = safeStringify(el.value);
      if (this.erased.namedIn(raw)) return this.rejectErased(el);
      this.rejections.push({ index: el.index, reason: parsed.reason, raw: this.privateRaw(raw), rawBytes: el.bytes });
      return null;
    }
    const e = parsed.entry;
    if (this.erased.size > 0 && (this.erased.has(e.userId) || this.erased.namedIn(JSON.stringify(e.data)))) return this.rejectErased(el);
    const entriesHorizon = this.horizons?.entriesMs ?? null;
    if (entriesHorizon !== null && e.timeMs < entriesHorizon) {
      // Its day was dropped: not stored (no partition), but still paired, so a question after the horizon keeps its start.
      if (isBotEntry(e)) this.pairer.push(e);
      this.rejections.push({ index: el.index, reason: `before the retention horizon ${new Date(entriesHorizon).toISOString()}`, raw: null, rawBytes: el.bytes });
      return null;
    }
    check?.(e.timeMs);
    this.stored++;
    if (this.first === null || e.timeMs < this.first) this.first = e.timeMs;
    if (this.last === null || e.timeMs > this.last) this.last = e.timeMs;
    if (isBotEntry(e)) this.pairer.push(e);
    return entryCopyLine(this.file.id, e);
  }

  /** An erased investor's entry: counted as rejected, nothing of it kept (no raw text), not paired. */
  private rejectErased(el: DecodedElement): null {
    this.rejections.push({ index: el.index, reason: ERASED_REASON, raw: null, rawBytes: el.bytes });
    return null;
  }

  /** A rejected record's raw text as kept: capped, its personal data masked and its client addresses anonymized. */
  private privateRaw(raw: string | null): string | null {
    return raw === null ? null : maskRawText(raw.slice(0, MAX_RAW_CHARS), this.privacy);
  }

  /** The file's bot questions, paired in file order. */
  questions(slowAnswerMs: number): QuestionRow[] {
    const horizon = this.horizons?.questionsMs ?? null;
    return this.pairer.finish()
      .filter((q) => (horizon === null || q.askedAtMs >= horizon) && !this.erased.has(q.userId))
      .map((q) => toQuestionRow(q, this.file, slowAnswerMs));
  }

  stats(questions: number): FileStats {
    return {
      entriesRead: this.read,
      entriesStored: this.stored,
      entriesRejected: this.rejections.length,
      questions,
      firstEntryAtMs: this.first,
      lastEntryAtMs: this.last,
    };
  }
}

/** Entries that can take part in a bot question: the bot's own, and any error (it may fail one). */
function isBotEntry(e: NormalizedEntry): boolean {
  return e.context === "DealBotService" || e.context === "OpenAIProvider" || e.level >= 50;
}

function toQuestionRow(q: PairedQuestion, file: LedgerFile, slowAnswerMs: number): QuestionRow {
  // Topic and fund are assigned here, once, so aggregations stay cheap; `npm run reassign-topics` redoes it after a taxonomy change.
  const { topic, fund } = classifyCached(q.question);
  return {
    ...q,
    id: questionId(file.source, file.key, q.startIndex),
    fileId: file.id,
    topic,
    fund,
    slow: q.latencyMs !== null && q.latencyMs > slowAnswerMs,
    reasked: false,
  };
}

/**
 * Investors ask the same questions again and again (that is what "common
 * questions" are): classifying each distinct text once per process saves
 * most of the classifier's cost (~15k questions/s). Bounded: cleared when full.
 */
const classified = new Map<string, { topic: string; fund: string | null }>();
const CLASSIFIED_MAX = 50_000;

function classifyCached(text: string): { topic: string; fund: string | null } {
  let c = classified.get(text);
  if (!c) {
    const { topic, fund } = classifyQuestion(text);
    c = { topic, fund };
    if (classified.size >= CLASSIFIED_MAX) classified.clear();
    classified.set(text, c);
  }
  return c;
}

const MAX_RAW_CHARS = 1024 * 1024;

function safeStringify(value: unknown): string {
  try {
    return (JSON.stringify(value) ?? String(value)).slice(0, MAX_RAW_CHARS);
  } catch {
    try {
      return String(value).slice(0, MAX_RAW_CHARS);
    } catch {
      // An array nested ~10,000 deep overflows both (JSON.parse reads it fine): the record is still rejected, with its reason.
      return "[not serializable: nested too deeply]";
    }
  }
}

/** Raw text of a rejected record as stored: capped, secrets redacted, NUL removed. */
export function storedRaw(raw: string | null): string | null {
  return raw === null ? null : redactRawText(raw.slice(0, MAX_RAW_CHARS)).replaceAll("\u0000", "");
}
