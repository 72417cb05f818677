/**
 * The ground truth of a generated bucket: what was planted, counted while the
 * files were written, so tests (and later the quality evaluation) can compare
 * any aggregate with what the ingestor and the analytics derive.
 */
import type { Intent } from "./catalogue";
import { isInvalid, type Element } from "./entries";
import type { PlantedPersonalData } from "./personal";
import type { QuestionRecord } from "./session";
import type { Secret } from "./world";

export interface LatencyStats {
  /** Percentiles use the nearest-rank method: the value at rank ceil(p/100 * n) of the sorted list. */
  method: "nearest-rank";
  count: number;
  min: number;
  p50: number;
  mean: number;
  p95: number;
  p99: number;
  max: number;
}

export interface Truth {
  version: 1;
  seed: string | number;
  options: {
    days: number;
    sessionsPerDay: number;
    /** Start of the first day window (ISO). */
    start: string;
    /** End of the last day window (ISO); no entry or key is later. */
    end: string;
    faults: { invalidRecords: number };
    gzipLevel: number;
    /** Share of questions with personal data typed into them. */
    personalData: number;
  };
  files: {
    total: number;
    /** Files holding bot sessions (with other services' entries mixed in). */
    chat: number;
    /** Chat files holding two interleaved sessions. */
    interleaved: number;
    /** Sessions cut into two files (the second opens with an orphan outcome). */
    splitSessions: number;
    /** Files with only other services' entries. */
    noiseOnly: number;
    /** Files with admin `Context invalidated successfully` entries. */
    admin: number;
    pretty: number;
    bytesRaw: number;
    bytesGzipped: number;
  };
  sessions: number;
  entries: {
    /** Every array element, valid or not. */
    total: number;
    valid: number;
    /** Elements the log model must reject (planted faults). */
    rejectedExpected: number;
    invalidByKind: Record<string, number>;
    /** Valid entries by `level` as written ("30", "40", "50", "info"). */
    byLevel: Record<string, number>;
    byContext: Record<string, number>;
    /** Valid entries by `<context>|<message>`. */
    byContextMessage: Record<string, number>;
    quirks: {
      stringLevel: number;
      missingTime: number;
      missingTimestamp: number;
      /** Neither `time` nor `timestamp`: the ingestor must use the key's time. */
      missingBoth: number;
    };
  };
  questionsTotal: number;
  distinctQuestionTexts: number;
  /** Questions by the UTC date of their start entry. */
  questionsPerUtcDay: Record<string, number>;
  intents: Record<string, number>;
  /** answered + hedged + failed + unfinished = questionsTotal; answered means not hedged. */
  outcomes: { answered: number; hedged: number; failed: number; unfinished: number };
  /** Partly answered, the rest hedged; counted in `outcomes.hedged`. */
  partial: number;
  reasks: number;
  /** Outcomes at the top of a file whose start is in the previous file (counted as answered/hedged). */
  orphanOutcomes: number;
  /** Pairing within files only: starts with no outcome after them, outcomes with no start before. */
  filePairing: { startsWithoutOutcome: number; outcomesWithoutStart: number };
  cacheHits: number;
  cacheMisses: number;
  documentCountZero: number;
  /** `processingTimeMs` of answered and hedged questions (never the API's request latency). */
  latency: LatencyStats | null;
  users: {
    /** Distinct users who asked the bot. */
    bot: number;
    /** Distinct users seen only in other services' entries. */
    otherOnly: number;
  };
  deals: { total: number; ids: string[] };
  funds: Array<{ name: string; dealIds: string[]; questions: number }>;
  /** Every fake secret planted in the files; values are distinct. */
  secrets: Secret[];
  /**
   * Every personal value written to the files, raw (as typed or logged), each once: emails, phone numbers, IBANs, card
   * and NI numbers typed into questions, and client addresses (`x-forwarded-for`, `x-retool-forwarded-for`, `req.remoteAddress`).
   */
  plantedPersonalData: PlantedPersonalData[];
  questions: QuestionRecord[];
}

export type FileCategory = "chat" | "noiseOnly" | "admin";

function bump(map: Record<string, number>, key: string, by = 1): void {
  map[key] = (map[key] ?? 0) + by;
}

export function nearestRank(sorted: readonly number[], p: number): number {
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] as number;
}

export function latencyStats(values: readonly number[]): LatencyStats | null {
  if (values.length === 0) return null;
  const sorted = values.slice().sort((a, b) => a - b);
  let sum = 0;
  for (const v of sorted) sum += v;
  return {
    method: "nearest-rank",
    count: sorted.length,
    min: sorted[0] as number,
    p50: nearestRank(sorted, 50),
    mean: Math.round((sum / sorted.length) * 100) / 100,
    p95: nearestRank(sorted, 95),
    p99: nearestRank(sorted, 99),
    max: sorted[sorted.length - 1] as number,
  };
}

export class TruthBuilder {
  readonly files: Truth["files"] = {
    total: 0,
    chat: 0,
    interleaved: 0,
    splitSessions: 0,
    noiseOnly: 0,
    admin: 0,
    pretty: 0,
    bytesRaw: 0,
    bytesGzipped: 0,
  };
  readonly entries: Truth["entries"] = {
    total: 0,
    valid: 0,
    rejectedExpected: 0,
    invalidByKind: {},
    byLevel: {},
    byContext: {},
    byContextMessage: {},
    quirks: { stringLevel: 0, missingTime: 0, missingTimestamp: 0, missingBoth: 0 },
  };
  readonly questions: QuestionRecord[] = [];
  sessions = 0;
  orphanOutcomes = 0;
  private readonly otherUsers = new Set<number>();
  private readonly byContextMessage = new Map<string, Map<string, number>>();

  addFile(elements: readonly Element[], pretty: boolean, category: FileCategory): void {
    this.files.total++;
    this.files[category]++;
    if (pretty) this.files.pretty++;
    const en = this.entries;
    for (const e of elements) {
      en.total++;
      if (isInvalid(e)) {
        en.rejectedExpected++;
        bump(en.invalidByKind, e.kind);
        continue;
      }
      en.valid++;
      const level = e.level;
      bump(en.byLevel, String(level));
      if (typeof level === "string") en.quirks.stringLevel++;
      const hasTime = e.fields === "both" || e.fields === "time";
      const hasTimestamp = e.fields === "both" || e.fields === "timestamp" || "timestamp" in e.body;
      if (!hasTime) en.quirks.missingTime++;
      if (!hasTimestamp) en.quirks.missingTimestamp++;
      if (!hasTime && !hasTimestamp) en.quirks.missingBoth++;
      const context = String(e.body.context);
      const message = String(e.body.message);
      let messages = this.byContextMessage.get(context);
      if (messages === undefined) {
        messages = new Map();
        this.byContextMessage.set(context, messages);
      }
      messages.set(message, (messages.get(message) ?? 0) + 1);
      if (context !== "DealBotService" && context !== "OpenAIProvider" && typeof e.body.authUserId === "number") {
        this.otherUsers.add(e.body.authUserId);
      }
    }
  }

  finish(
    base: Pick<Truth, "seed" | "options">,
    secrets: Secret[],
    funds: Array<{ name: string; dealIds: string[] }>,
    plantedPersonalData: PlantedPersonalData[],
  ): Truth {
    const qs = this.questions;
    for (const [context, messages] of this.byContextMessage) {
      for (const [message, n] of messages) {
        bump(this.entries.byContext, context, n);
        bump(this.entries.byContextMessage, `${context}|${message}`, n);
      }
    }
    const perDay: Record<string, number> = {};
    const intents: Record<string, number> = {};
    const outcomes = { answered: 0, hedged: 0, failed: 0, unfinished: 0 };
    const latencies: number[] = [];
    const texts = new Set<string>();
    const botUsers = new Set<number>();
    const deals = new Set<string>();
    const perFund: Record<string, number> = {};
    let partial = 0;
    let reasks = 0;
    let cacheHits = 0;
    let cacheMisses = 0;
    let docZero = 0;
    for (const q of qs) {
      bump(perDay, q.askedAt.slice(0, 10));
      bump(intents, q.intent as Intent);
      outcomes[q.outcome]++;
      if (q.latencyMs !== null) latencies.push(q.latencyMs);
      texts.add(q.question);
      botUsers.add(q.userId);
      deals.add(q.dealId);
      bump(perFund, q.fund);
      if (q.partial) partial++;
      if (q.reask) reasks++;
      if (q.cacheHit === true) cacheHits++;
      if (q.cacheHit === false) cacheMisses++;
      if (q.documentCount === 0) docZero++;
    }
    let otherOnly = 0;
    for (const u of this.otherUsers) if (!botUsers.has(u)) otherOnly++;
    const sortedPerDay: Record<string, number> = {};
    for (const day of Object.keys(perDay).sort()) sortedPerDay[day] = perDay[day] as number;
    return {
      version: 1,
      seed: base.seed,
      options: base.options,
      files: this.files,
      sessions: this.sessions,
      entries: this.entries,
      questionsTotal: qs.length,
      distinctQuestionTexts: texts.size,
      questionsPerUtcDay: sortedPerDay,
      intents,
      outcomes,
      partial,
      reasks,
      orphanOutcomes: this.orphanOutcomes,
      filePairing: {
        startsWithoutOutcome: outcomes.failed + outcomes.unfinished + this.orphanOutcomes,
        outcomesWithoutStart: this.orphanOutcomes,
      },
      cacheHits,
      cacheMisses,
      documentCountZero: docZero,
      latency: latencyStats(latencies),
      users: { bot: botUsers.size, otherOnly },
      deals: { total: deals.size, ids: [...deals].sort() },
      funds: funds.map((f) => ({ ...f, questions: perFund[f.name] ?? 0 })),
      secrets,
      plantedPersonalData,
      questions: qs,
    };
  }
}
