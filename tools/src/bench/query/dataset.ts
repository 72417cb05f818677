/**
 * Synthetic bot questions for `npm run bench:query`, generated straight into
 * the COPY text of bot_questions and conversations (no log files, no ingest):
 * a year of a busy deal bot with the shapes the dashboard readers care about.
 *
 * - Time: a day weight (weekday rhythm, slow growth over the year, noise) and
 *   a diurnal curve; sessions of 1-12 questions a few minutes apart.
 * - Users: ~5,000 with Zipf-like activity, each on one platform (iOS/Android)
 *   and moving to newer app versions (6) as they are released.
 * - Deals: ~800 deal ids over the 10 fund names of the generator's catalogue
 *   (names repeat across deal ids), popularity skewed by fund and deal.
 * - Texts: a bank of a few thousand questions phrased by the generator's own
 *   question bank (tools/src/generate/questions.ts), each with the topic and
 *   fund the ingest would assign (classifyQuestion) and its fingerprint();
 *   answers and hedges from the same bank, so full-text search finds realistic words.
 * - Outcomes: ~57% answered, ~39% hedged (some partial), 2% failed, 1%
 *   unfinished; lognormal latency (median ~3.5 s, p99 ~20 s) only for
 *   answered/hedged; cache hits ~55%; re-asks of a poorly answered question.
 * - Conversations: a user's questions about one deal less than 30 minutes
 *   apart, id = first question's id, exactly as the ingest rebuilds them.
 *
 * Deterministic for a seed (except `endMs`, which the caller passes).
 */
import { classifyQuestion, fingerprint } from "@log-insights/logs";
import { copyText } from "@log-insights/store";
import { BOT_FAILURES, FUNDS, MODEL, type Fund } from "../../generate/catalogue";
import { Rng, hashSeed } from "../../generate/prng";
import { composeAnswer, pickAspect, phraseQuestion, type Aspect } from "../../generate/questions";

/** Bump when the generated data changes shape, so a stored dataset is not reused by mistake. */
export const DATASET_VERSION = 2;

export interface DatasetOptions {
  questions: number;
  days: number;
  /** End of the data (exclusive), ms. */
  endMs: number;
  seed?: number;
}

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;
const CONVERSATION_GAP_MS = 30 * MINUTE_MS;
const USERS = 5_000;
const DEALS = 800;
const APP_VERSIONS = ["2.2.4", "2.2.6", "2.2.8", "2.2.9", "2.3.0", "2.3.1"] as const;
/** Day of the year (0 = first day of the data) each version is released. */
const RELEASE_FRACTION = [0, 0.12, 0.3, 0.5, 0.72, 0.9];
/** Hourly weights (UTC), a UK audience: quiet nights, lunch and evening peaks. */
const DIURNAL = [0.15, 0.08, 0.05, 0.04, 0.05, 0.1, 0.3, 0.6, 0.9, 1.1, 1.2, 1.25, 1.35, 1.3, 1.2, 1.15, 1.1, 1.15, 1.3, 1.5, 1.6, 1.4, 0.9, 0.45];
/** Sunday..Saturday (getUTCDay order). */
const WEEKDAY = [0.75, 1.05, 1.1, 1.08, 1.05, 0.95, 0.7];
const OUTCOME_RATES = { failed: 0.02, unfinished: 0.01, cacheHit: 0.55, noDocuments: 0.02 };
/** Hedged share (before the no-documents hedges) of the questions that got an answer. */
const HEDGED_OF_FINISHED = 0.375; // ~39% hedged in all, with the 2% hedged for want of documents
/** Lognormal latency: median 3.5 s, p99 20 s (z99 = 2.326). */
const LATENCY_MEDIAN_MS = 3_500;
const LATENCY_SIGMA = Math.log(20_000 / 3_500) / 2.326;
const SLOW_MS = 10_000;
const REASK = { afterPoorAnswer: 0.11, otherwise: 0.022 };

interface BankText {
  /** Escaped for COPY already. */
  question: string;
  fingerprint: string;
  topic: string;
  fund: string | null;
  weight: number;
  hedgeRate: number;
  /** Of the hedged answers, the share that are partial. */
  partialShare: number;
  answer: string;
  hedge: string;
  partial: string | null;
  smallTalk: boolean;
}

interface FundBank {
  fund: Fund;
  texts: BankText[];
  cum: number[];
}

export interface Bank {
  funds: FundBank[];
  distinctTexts: number;
  /** Weighted mean hedge rate before calibration. */
  rawHedgeRate: number;
}

const escaped = (s: string): string => copyText(s);

/**
 * The question bank: per fund, `drawsPerFund` questions phrased by the
 * generator (so common phrasings repeat and get more weight), each answered
 * a few times to learn how often the documents leave the bot hedging.
 */
export function buildBank(seed: number, drawsPerFund = 700): Bank {
  const r = new Rng(seed, "bank");
  const funds: FundBank[] = [];
  let distinct = 0;
  let hedgeSum = 0;
  let weightSum = 0;
  for (const fund of FUNDS) {
    const byText = new Map<string, { aspect: Aspect; n: number }>();
    for (let i = 0; i < drawsPerFund; i++) {
      const aspect = pickAspect(r);
      const text = phraseQuestion(r.pick(aspect.questions), fund, r);
      const prev = byText.get(text);
      if (prev) prev.n++;
      else byText.set(text, { aspect, n: 1 });
    }
    const texts: BankText[] = [];
    for (const [text, { aspect, n }] of byText) {
      let hedged = 0;
      let partialN = 0;
      let answer: string | null = null;
      let hedge: string | null = null;
      let partial: string | null = null;
      const tries = 8;
      for (let k = 0; k < tries; k++) {
        const plan = composeAnswer(aspect, fund, 2, r);
        if (plan.partial) {
          partialN++;
          hedged++;
          partial ??= plan.text;
        } else if (plan.hedged) {
          hedged++;
          hedge ??= plan.text;
        } else answer ??= plan.text;
      }
      // A hedge for texts that were always answered (the model still misses now and then), and an answer for the others.
      hedge ??= composeAnswer({ ...aspect, answer: () => null, fallback: undefined, reply: undefined, deflect: undefined }, fund, 2, r).text;
      answer ??= partial ?? hedge;
      const c = classifyQuestion(text);
      texts.push({
        question: escaped(text),
        fingerprint: escaped(fingerprint(text)),
        topic: c.topic,
        fund: c.fund,
        weight: n,
        hedgeRate: hedged / tries,
        partialShare: hedged > 0 ? partialN / hedged : 0.15,
        answer: escaped(answer),
        hedge: escaped(hedge),
        partial: partial === null ? null : escaped(partial),
        smallTalk: aspect.reply !== undefined,
      });
      hedgeSum += (n * fund.popularity * hedged) / tries;
      weightSum += n * fund.popularity;
    }
    distinct += texts.length;
    const cum: number[] = [];
    let acc = 0;
    for (const t of texts) cum.push((acc += t.weight));
    funds.push({ fund, texts, cum });
  }
  return { funds, distinctTexts: distinct, rawHedgeRate: hedgeSum / weightSum };
}

function pickCum<T>(items: readonly T[], cum: readonly number[], x: number): T {
  const target = x * (cum[cum.length - 1] as number);
  let lo = 0;
  let hi = cum.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((cum[mid] as number) > target) hi = mid;
    else lo = mid + 1;
  }
  return items[lo] as T;
}

interface User {
  id: number;
  platform: string;
  /** Index in APP_VERSIONS of the first version the user had, and how fast they update (days). */
  firstVersion: number;
  lagDays: number;
  /** A few deals the user follows (indexes into deals). */
  deals: number[];
}

interface Deal {
  id: string;
  fund: number;
}

interface OpenConversation {
  id: string;
  userId: number;
  dealId: string;
  startedMs: number;
  endedMs: number;
  count: number;
  problems: number;
}

interface Row {
  askedMs: number;
  line: string;
}

export interface GenerateStats {
  questions: number;
  conversations: number;
  sessions: number;
  outcomes: Record<"answered" | "hedged" | "failed" | "unfinished", number>;
  partial: number;
  reasked: number;
  firstMs: number;
  lastMs: number;
}

/**
 * Generates the dataset day by day, in time order (as the ingest would
 * store it), as chunks of COPY text for bot_questions (QUESTION_COPY_COLUMNS)
 * and, separately, for conversations (CONVERSATION_COPY_COLUMNS).
 */
export class DatasetGenerator {
  readonly stats: GenerateStats = {
    questions: 0, conversations: 0, sessions: 0, outcomes: { answered: 0, hedged: 0, failed: 0, unfinished: 0 },
    partial: 0, reasked: 0, firstMs: Infinity, lastMs: -Infinity,
  };
  private readonly r: Rng;
  private readonly bank: Bank;
  /** Calibration of the bank's hedge rates to HEDGED_OF_FINISHED (see hedgeProbability). */
  private readonly hedgeScale: number;
  private readonly hedgeFloor: number;
  private readonly users: User[] = [];
  private readonly userCum: number[] = [];
  private readonly deals: Deal[] = [];
  private readonly dealCum: number[] = [];
  private readonly dealIndexes: number[] = [];
  private readonly open = new Map<string, OpenConversation>();
  private readonly conversationLines: string[] = [];
  private seq = 0;
  private reqSeq = 1000;
  private readonly startMs: number;

  constructor(private readonly options: DatasetOptions, bank?: Bank) {
    const seed = options.seed ?? 7;
    this.r = new Rng(seed, "dataset");
    this.bank = bank ?? buildBank(seed);
    // Too few hedges in the bank: every text hedges a little more often (the model misses facts it has);
    // too many: every text hedges proportionally less.
    const m = this.bank.rawHedgeRate;
    this.hedgeFloor = m < HEDGED_OF_FINISHED ? (HEDGED_OF_FINISHED - m) / (1 - m) : 0;
    this.hedgeScale = m < HEDGED_OF_FINISHED ? 1 : HEDGED_OF_FINISHED / m;
    this.startMs = options.endMs - options.days * DAY_MS;
    const r = new Rng(seed, "world");

    // Deals: each fund gets deal ids in proportion to how many deals it has in the catalogue.
    const totalDeals = FUNDS.reduce((s, f) => s + f.deals, 0);
    const ids = new Set<string>();
    let acc = 0;
    FUNDS.forEach((fund, fi) => {
      const n = fi === FUNDS.length - 1 ? DEALS - this.deals.length : Math.round((DEALS * fund.deals) / totalDeals);
      for (let i = 0; i < n; i++) {
        let id: string;
        do id = String(r.int(100, 9999));
        while (ids.has(id));
        ids.add(id);
        this.deals.push({ id, fund: fi });
        // Within a fund a few deals (the live ones) take most questions; the fund's total follows its popularity.
        acc += (fund.popularity * Math.pow(1 + i, -0.9) * r.float(0.6, 1.4)) / harmonic(n, 0.9);
        this.dealCum.push(acc);
        this.dealIndexes.push(this.dealIndexes.length);
      }
    });

    // Users: Zipf-like activity, shuffled so it is not tied to id order; a few favourite deals each.
    const weights = r.shuffle(Array.from({ length: USERS }, (_v, k) => Math.pow(1 + k, -0.75)));
    const userIds = new Set<number>();
    acc = 0;
    for (let k = 0; k < USERS; k++) {
      let id: number;
      do id = r.int(10_000, 999_999);
      while (userIds.has(id));
      userIds.add(id);
      const follows = r.int(1, 6);
      const deals: number[] = [];
      for (let i = 0; i < follows; i++) deals.push(pickCum(this.dealIndexes, this.dealCum, r.next()));
      this.users.push({
        id,
        platform: r.chance(0.58) ? "iOS" : "Android",
        firstVersion: r.weighted([0, 1, 2], [6, 3, 1]),
        lagDays: r.weighted([2, 10, 30, 90, 400], [25, 30, 25, 15, 5]),
        deals,
      });
      this.userCum.push((acc += weights[k] as number));
    }
  }

  get distinctTexts(): number {
    return this.bank.distinctTexts;
  }

  /** Questions for each day of the data, adding up to `questions` exactly (before the end cut). */
  private dayTargets(): number[] {
    const { days, questions } = this.options;
    const r = new Rng(this.options.seed ?? 7, "days");
    const w: number[] = [];
    for (let d = 0; d < days; d++) {
      const dow = new Date(this.startMs + d * DAY_MS).getUTCDay();
      const growth = 0.6 + 0.4 * (d / Math.max(1, days - 1));
      w.push((WEEKDAY[dow] as number) * growth * r.float(0.85, 1.15));
    }
    const total = w.reduce((a, b) => a + b, 0);
    const out: number[] = [];
    let done = 0;
    let cum = 0;
    for (const x of w) {
      cum += x;
      const upTo = Math.round((questions * cum) / total);
      out.push(upTo - done);
      done = upTo;
    }
    return out;
  }

  /** COPY text chunks (about one day each) of bot_questions rows, in time order. */
  *questionChunks(): Generator<string> {
    const targets = this.dayTargets();
    for (let d = 0; d < targets.length; d++) {
      const dayStart = this.startMs + d * DAY_MS;
      this.flushConversations(dayStart - CONVERSATION_GAP_MS - MINUTE_MS);
      const rows = this.day(dayStart, targets[d] as number);
      rows.sort((a, b) => a.askedMs - b.askedMs);
      // ~1-4 MB per chunk: a day at 10M questions a year.
      for (let i = 0; i < rows.length; i += 20_000) {
        let text = "";
        for (const row of rows.slice(i, i + 20_000)) text += row.line;
        yield text;
      }
    }
    this.flushConversations(Infinity);
  }

  /** COPY text of the conversations (call after questionChunks is exhausted). */
  conversationText(): string[] {
    return this.conversationLines;
  }

  private flushConversations(beforeMs: number): void {
    for (const [k, c] of this.open) if (c.endedMs < beforeMs) this.finish(k, c);
  }

  private day(dayStart: number, target: number): Row[] {
    const r = this.r;
    const rows: Row[] = [];
    // Session starts first (sorted), so conversations merge the way the ingest rebuilds them.
    const starts: number[] = [];
    const expectedSessions = Math.ceil(target / 7.5) + 8;
    for (let i = 0; i < expectedSessions; i++) {
      const hour = r.weighted(HOURS, DIURNAL);
      starts.push(dayStart + hour * 3_600_000 + Math.floor(r.next() * 3_600_000));
    }
    starts.sort((a, b) => a - b);
    let made = 0;
    for (let i = 0; made < target; i++) {
      // More sessions than expected needed: keep adding after the last start (rare).
      const start = i < starts.length ? (starts[i] as number) : dayStart + Math.floor(r.next() * DAY_MS);
      made += this.session(start, target - made, rows);
    }
    return rows;
  }

  /** One chat session; returns the number of questions it asked. */
  private session(start: number, left: number, rows: Row[]): number {
    const r = this.r;
    const { endMs } = this.options;
    const user = pickCum(this.users, this.userCum, r.next());
    const deal = this.deals[r.chance(0.8) ? r.pick(user.deals) : pickCum(this.dealIndexes, this.dealCum, r.next())] as Deal;
    const fundBank = this.bank.funds[deal.fund] as FundBank;
    const version = this.appVersion(user, start);
    const reqId = String(this.reqSeq++);
    const n = Math.min(left, questionCount(r));
    const key = `${user.id}:${deal.id}`;
    this.stats.sessions++;

    let conv = this.open.get(key);
    let t = start;
    let asked = 0;
    let prev: { text: BankText; poor: boolean; row: Row; problem: boolean; reasked: boolean; fields: string[] } | null = null;
    let historyTokens = 0;
    const sysTokens = r.int(925, 970);
    for (let k = 0; k < n; k++) {
      if (t >= endMs) break;
      const reask: boolean = prev !== null && !prev.text.smallTalk && r.chance(prev.poor ? REASK.afterPoorAnswer : REASK.otherwise);
      const text: BankText = reask && prev ? prev.text : pickCum(fundBank.texts, fundBank.cum, r.next());
      if (reask && prev && !prev.reasked) {
        // The earlier question is the one flagged: it was asked again.
        prev.fields[REASKED_FIELD] = "t";
        prev.reasked = true;
        prev.row.line = prev.fields.join("\t") + "\n";
        this.stats.reasked++;
        if (!prev.problem && conv) conv.problems++;
        prev.problem = true;
      }

      const id = this.nextId();
      if (!conv || t - conv.endedMs >= CONVERSATION_GAP_MS) {
        if (conv) this.finish(key, conv);
        conv = { id, userId: user.id, dealId: deal.id, startedMs: t, endedMs: t, count: 0, problems: 0 };
        this.open.set(key, conv);
      }

      // What happens to it.
      const roll = r.next();
      const isLast = k === n - 1;
      let outcome: "answered" | "hedged" | "failed" | "unfinished";
      if (roll < OUTCOME_RATES.failed) outcome = "failed";
      else if (roll < OUTCOME_RATES.failed + OUTCOME_RATES.unfinished * (isLast ? 3 : 0.7)) outcome = "unfinished";
      else outcome = r.chance(text.hedgeRate * this.hedgeScale + (1 - text.hedgeRate) * this.hedgeFloor) ? "hedged" : "answered";
      const noDocuments = outcome !== "unfinished" && outcome !== "failed" && r.chance(OUTCOME_RATES.noDocuments);
      if (noDocuments) outcome = "hedged";
      const partial = outcome === "hedged" && !noDocuments && text.partial !== null && r.chance(Math.max(0.12, text.partialShare));
      const finished = outcome === "answered" || outcome === "hedged";
      const latency = finished ? Math.max(250, Math.round(LATENCY_MEDIAN_MS * Math.exp(LATENCY_SIGMA * r.normal()))) : null;
      const failure = outcome === "failed" ? r.pick(BOT_FAILURES) : null;
      const earlyStop = outcome === "unfinished" && r.chance(0.3);
      const cacheHit = earlyStop ? null : failure?.kind === "context" ? false : r.chance(OUTCOME_RATES.cacheHit);
      const documentCount = earlyStop ? null : noDocuments ? 0 : r.weighted(DOC_COUNTS, DOC_WEIGHTS);
      const answeredMs = latency !== null ? t + latency : failure ? t + r.int(failure.afterMs[0], failure.afterMs[1]) : null;
      const answer = outcome === "answered" ? text.answer : outcome === "hedged" ? (partial ? (text.partial as string) : text.hedge) : null;
      const slow = latency !== null && latency > SLOW_MS;
      const promptTokens = finished ? sysTokens + historyTokens + Math.round(text.question.length / 4) : null;
      if (finished && answer) historyTokens += Math.round((text.question.length + answer.length) / 4.3);
      const startIdx = r.int(0, 420);

      const fields = [
        id, iso(t), answeredMs === null ? NULL : iso(answeredMs),
        String(Math.floor(t / MINUTE_MS) - FILE_EPOCH), String(startIdx), outcome === "unfinished" ? NULL : String(startIdx + r.int(7, 11)),
        String(user.id), deal.id, reqId, conv.id,
        text.question, text.fingerprint, text.topic, text.fund ?? NULL, answer ?? NULL,
        outcome, latency === null ? NULL : String(latency), cacheHit === null ? NULL : cacheHit ? "t" : "f",
        documentCount === null ? NULL : String(documentCount), promptTokens === null ? NULL : String(promptTokens),
        outcome === "unfinished" ? NULL : MODEL, user.platform, version, failure ? failure.error : NULL,
        "f", partial ? "t" : "f", noDocuments ? "t" : "f", slow ? "t" : "f", "f",
      ];
      const row: Row = { askedMs: t, line: fields.join("\t") + "\n" };
      rows.push(row);
      const problem = outcome !== "answered" || partial || noDocuments || slow;
      conv.count++;
      conv.endedMs = Math.max(conv.endedMs, t);
      if (problem) conv.problems++;

      this.stats.questions++;
      this.stats.outcomes[outcome]++;
      if (partial) this.stats.partial++;
      if (t < this.stats.firstMs) this.stats.firstMs = t;
      if (t > this.stats.lastMs) this.stats.lastMs = t;
      asked++;
      prev = { text, poor: outcome !== "answered" || partial, row, problem, reasked: false, fields };
      // A question every few minutes: 20 s to ~5 min, mostly short, after the answer came back.
      const u = r.next();
      t = (answeredMs ?? t) + Math.round(20_000 + 280_000 * u * u);
    }
    return Math.max(asked, Math.min(1, n)); // a session cut by the end still counts, so the day loop ends
  }

  private finish(key: string, conv: OpenConversation): void {
    this.open.delete(key);
    this.conversationLines.push(
      `${conv.id}\t${conv.userId}\t${conv.dealId}\t${iso(conv.startedMs)}\t${iso(conv.endedMs)}\t${conv.count}\t${conv.problems}\n`,
    );
    this.stats.conversations++;
  }

  private appVersion(user: User, t: number): string {
    const dayOfData = (t - this.startMs) / DAY_MS;
    const span = this.options.days;
    let v = user.firstVersion;
    for (let i = v + 1; i < APP_VERSIONS.length; i++) {
      if (dayOfData >= (RELEASE_FRACTION[i] as number) * span + user.lagDays) v = i;
    }
    return APP_VERSIONS[v] as string;
  }

  /** Unique positive 63-bit ids that look random (high half hashed, low half the sequence). */
  private nextId(): string {
    const s = this.seq++;
    const hi = hashSeed(s, "id") & 0x7fff_ffff;
    return ((BigInt(hi) << 32n) | BigInt(s >>> 0)).toString();
  }
}

/** bot_questions columns in the order the COPY lines hold them. */
export const QUESTION_COPY_COLUMNS = [
  "id", "asked_at", "answered_at", "file_id", "start_idx", "end_idx", "user_id", "deal_id", "request_id", "conversation_id",
  "question", "fingerprint", "topic", "fund", "answer", "outcome", "latency_ms", "cache_hit", "document_count", "prompt_tokens",
  "model", "platform", "app_version", "error_message", "orphan_outcome", "partial", "no_documents", "slow", "reasked",
] as const;
export const CONVERSATION_COPY_COLUMNS = ["id", "user_id", "deal_id", "started_at", "ended_at", "question_count", "problem_count"] as const;

const REASKED_FIELD = QUESTION_COPY_COLUMNS.indexOf("reasked");
const NULL = "\\N";
const HOURS = Array.from({ length: 24 }, (_v, h) => h);
const DOC_COUNTS = [1, 2, 3, 4];
const DOC_WEIGHTS = [35, 30, 20, 15];
/** file ids count minutes from 2020-01-01, like one bucket file a minute. */
const FILE_EPOCH = Math.floor(Date.UTC(2020, 0, 1) / MINUTE_MS);

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function harmonic(n: number, s: number): number {
  let h = 0;
  for (let i = 1; i <= n; i++) h += Math.pow(i, -s);
  return h;
}

/** 1-12 questions, mostly 8-11 (the generator's shape). */
function questionCount(r: Rng): number {
  const bucket = r.weighted(["short", "mid", "typical", "long"] as const, [20, 25, 50, 5]);
  if (bucket === "short") return r.int(1, 3);
  if (bucket === "mid") return r.int(4, 7);
  if (bucket === "typical") return r.int(8, 11);
  return 12;
}
