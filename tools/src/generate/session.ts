/**
 * One chat session: a user asks the deal bot about one deal, 1-12 questions
 * on one `req`. Each question logs the production sequence (start, cache
 * lookup, hit or miss, context, LLM inputs, OpenAI request, outcome), or fails
 * with an error-level entry, or is still in flight when the file is written.
 */
import {
  API_HOST,
  BOT_FAILURES,
  CONTEXT,
  MAX_TOKENS,
  MODEL,
  MSG,
  STATIC_CONTEXT_LENGTH,
  TEMPERATURE,
  type Intent,
} from "./catalogue";
import { isoTime, makeReq, type Entry, type Req } from "./entries";
import { clientIp, cookie, planted, remoteAddress, traceId } from "./noise";
import { forwardedFor, withPersonalData } from "./personal";
import type { Rng } from "./prng";
import { pickLevel, pickTimeFields } from "./quirks";
import { composeAnswer, pickAspect, phraseQuestion, reaskOf, type Aspect } from "./questions";
import type { Deal, Proc, User, World } from "./world";

export type QuestionOutcome = "answered" | "hedged" | "failed" | "unfinished";

/** Ground truth for one bot question: what the generator meant, not what a parser would infer. */
export interface QuestionRecord {
  /** The start entry's time (ISO). */
  askedAt: string;
  userId: number;
  dealId: string;
  fund: string;
  intent: Intent;
  /** Finer label: which aspect of the intent was asked (e.g. "returns.irr"). */
  aspect: string;
  /** The text as it is expected to be stored: personal data the user typed replaced by its placeholder ("My email is [email]."). */
  question: string;
  /** The text as typed (in the files), when it holds personal data; absent otherwise. */
  typed?: string;
  outcome: QuestionOutcome;
  /** The outcome's `processingTimeMs`; null when failed or unfinished. */
  latencyMs: number | null;
  /** Null when the question stopped before the cache lookup finished. */
  cacheHit: boolean | null;
  /** Null when the question stopped before its context was ready. */
  documentCount: number | null;
  hedged: boolean;
  partial: boolean;
  /** A near-identical re-ask of an earlier question of the same session. */
  reask: boolean;
}

export interface SessionSpec {
  start: number;
  /** No entry of the session may be later than this. */
  deadline: number;
  user: User;
  deal: Deal;
  proc: Proc;
  reqId: number;
  /** The last question is still in flight when the file is written. */
  unfinishedLast: boolean;
  /** Cut the session into two files so that one outcome opens the second file. */
  split: boolean;
  /** The session's own stream for personal data (typed into questions, client addresses). */
  pii: Rng;
  /** Share of questions with personal data typed into them. */
  personalDataRate: number;
}

export interface BuiltSession {
  entries: Entry[];
  questions: QuestionRecord[];
  /** Index of the entry opening the second file (an orphan outcome), or null. */
  splitAt: number | null;
  /** Index in `questions` of the question whose outcome opens the second file. */
  splitQuestion: number | null;
}

/** Shares of questions that fail, and of sessions that end with a question in flight. */
export const SESSION_RATES = {
  failure: 0.02,
  cacheHit: 0.55,
  noDocuments: 0.02,
  reaskAfterHedge: 0.11,
  reaskOtherwise: 0.022,
  slowTail: 0.025,
} as const;

function questionCount(r: Rng): number {
  const bucket = r.weighted(["short", "mid", "typical", "long"] as const, [9, 14, 72, 5]);
  if (bucket === "short") return r.int(1, 3);
  if (bucket === "mid") return r.int(4, 7);
  if (bucket === "typical") return r.int(8, 11);
  return 12;
}

/** The bot's processingTimeMs: like production (about 550-6,500 ms, median ~3.5 s) plus a slow tail. */
export function botLatency(r: Rng): number {
  if (r.chance(SESSION_RATES.slowTail)) return Math.round(Math.exp(r.float(Math.log(7000), Math.log(28000))));
  const u = r.chance(0.5) ? r.next() : (r.next() + r.next()) / 2;
  return Math.round(550 + u * 5900);
}

/** Seconds until the user's next question: 10-120 s, mostly short. */
function thinkTime(r: Rng): number {
  const u = r.next();
  return Math.round(10_000 + 110_000 * u * u);
}

function botReq(world: World, r: Rng, spec: SessionSpec): Req {
  const { user, deal } = spec;
  let url = `/deals/${deal.id}/bot/query`;
  let query: Record<string, string> = {};
  if (r.chance(0.01)) {
    const token = world.secrets.plant("url_token", () => r.hex(40));
    url += `?token=${token}`;
    query = { token };
  }
  return makeReq({
    id: spec.reqId,
    method: "POST",
    url,
    query,
    params: { "0": `deals/${deal.id}/bot/query` },
    headers: {
      "x-forwarded-for": forwardedFor(clientIp(r), spec.pii, world.personal),
      "x-forwarded-proto": "https",
      "x-forwarded-port": "443",
      host: API_HOST,
      "x-amzn-trace-id": traceId(r),
      "content-length": String(r.int(1200, 7500)),
      accept: "application/json, text/plain, */*",
      "x-application-id": "cur8-mobile",
      "x-application-platform": user.platform,
      "x-application-version": user.appVersion,
      "sec-req-code": r.hex(32),
      "content-type": "application/json",
      "accept-encoding": "gzip",
      "user-agent": user.userAgent,
      cookie: cookie(world, r, user.id),
    },
    remoteAddress: planted(world, remoteAddress(r)),
    remotePort: r.int(1024, 65535),
  });
}

interface Step {
  dt: number;
  level: 30 | 50;
  context: string;
  message: string;
  fields: Record<string, unknown>;
}

export function buildSession(world: World, r: Rng, spec: SessionSpec): BuiltSession {
  const { user, deal, proc } = spec;
  const fund = deal.fund;
  const req = botReq(world, r, spec);
  const entries: Entry[] = [];
  const questions: QuestionRecord[] = [];
  const outcomeIndexes: Array<number | null> = [];
  const asked: Array<{ text: string; aspect: Aspect; hedged: boolean }> = [];
  const used = new Set<string>();
  const n = questionCount(r);
  const sysTokens = r.int(925, 970);
  let historyTokens = 0;
  let t = spec.start;

  const emit = (at: number, s: Step, isStart: boolean): void => {
    entries.push({
      t: at,
      level: pickLevel(r, s.level),
      fields: pickTimeFields(r, !isStart),
      pid: proc.pid,
      hostname: proc.hostname,
      req,
      body: { context: s.context, message: s.message, dealId: deal.id, authUserId: user.id, ...s.fields },
    });
  };

  for (let k = 0; k < n; k++) {
    const isLast = k === n - 1;
    // --- what is asked
    let aspect: Aspect;
    let text: string;
    let reask = false;
    // Users re-ask a question they care about (not small talk), mostly right after a poor answer.
    const reaskable = asked.filter((a) => a.aspect.reply === undefined && a.aspect.id !== "other.offtopic");
    const prev = reaskable[reaskable.length - 1];
    if (prev && r.chance(prev.hedged ? SESSION_RATES.reaskAfterHedge : SESSION_RATES.reaskOtherwise)) {
      const target = reaskable.length >= 2 && r.chance(0.25) ? (reaskable[reaskable.length - 2] as typeof prev) : prev;
      aspect = target.aspect;
      text = reaskOf(target.text, r);
      reask = true;
    } else {
      aspect = pickAspect(r);
      for (let i = 0; i < 4 && used.has(aspect.id); i++) aspect = pickAspect(r);
      text = phraseQuestion(r.pick(aspect.questions), fund, r);
    }
    used.add(aspect.id);
    // Sometimes the user adds an email, a phone number... (written as typed; stored masked).
    const { typed, stored } = withPersonalData(text, spec.pii, spec.personalDataRate, world.personal);

    // --- what happens to it
    const unfinished = isLast && spec.unfinishedLast;
    const failure = !unfinished && r.chance(SESSION_RATES.failure) ? r.pick(BOT_FAILURES) : null;
    const cacheHit = failure?.kind === "context" ? false : r.chance(SESSION_RATES.cacheHit);
    const documentCount = r.chance(SESSION_RATES.noDocuments) ? 0 : r.weighted([1, 2, 3, 4], [35, 30, 20, 15]);
    const sizes: number[] = [];
    for (let i = 0; i < documentCount; i++) sizes.push(r.int(5000, 85000));
    const totalSize = sizes.reduce((a, b) => a + b, 0);
    const cacheKey = `deal-bot:${deal.id}`;

    const steps: Step[] = [];
    const step = (dt: number, message: string, fields: Record<string, unknown>, context: string = CONTEXT.bot, level: 30 | 50 = 30): void => {
      steps.push({ dt, level, context, message, fields });
    };
    step(0, MSG.start, { messageLength: typed.length, query: typed });
    step(r.int(2, 6), MSG.cacheAttempt, { cacheKey });
    if (failure?.kind === "context") {
      step(r.int(3, 12), MSG.cacheMiss, { cacheKey });
      step(r.int(failure.afterMs[0], failure.afterMs[1]), MSG.botError, { error: failure.error }, CONTEXT.bot, 50);
    } else {
      if (cacheHit) {
        step(r.int(3, 12), MSG.cacheRetrieved, { documentCount });
        step(0, MSG.cachedSizes, { documentSizes: sizes, totalDocumentSize: totalSize });
        step(0, MSG.cacheHit, { cacheKey });
        step(r.int(1, 3), MSG.contextReady, { cacheHit, documentCount, lastUpdated: "" });
      } else {
        step(r.int(3, 12), MSG.cacheMiss, { cacheKey });
        step(r.int(63, 144), MSG.contextReady, { cacheHit, documentCount, lastUpdated: "" });
      }
      step(0, MSG.contextSizes, { documentSizes: sizes, totalDocumentSize: totalSize });
      step(r.int(1, 2), MSG.llmInputs, { staticContextLength: STATIC_CONTEXT_LENGTH, requestMessage: typed });
      step(r.int(22, 69), MSG.openaiSend, { model: MODEL, temperature: TEMPERATURE, maxTokens: MAX_TOKENS }, CONTEXT.openai);
      if (failure) {
        step(r.int(failure.afterMs[0], failure.afterMs[1]), MSG.openaiError, { error: failure.error }, CONTEXT.openai, 50);
        if (r.chance(0.6)) step(r.int(1, 3), MSG.botError, { error: failure.error }, CONTEXT.bot, 50);
      }
    }

    let latency: number | null = null;
    let plan: ReturnType<typeof composeAnswer> | null = null;
    if (!failure && !unfinished) {
      latency = botLatency(r);
      plan = composeAnswer(aspect, fund, documentCount, r);
      const promptTokens = sysTokens + historyTokens + Math.round(typed.length / 4);
      step(latency, MSG.outcome, {
        processingTimeMs: latency,
        cacheHit,
        documentCount,
        answerLength: plan.text.length,
        promptTokens,
        query: typed,
        answer: plan.text,
      });
      historyTokens += Math.round((typed.length + plan.text.length) / 4.3);
    }

    // An in-flight question keeps only a prefix of its sequence, mostly up to the OpenAI request.
    let keep = steps.length;
    if (unfinished) keep = r.weighted([1, 2, 3, steps.length], [8, 8, 14, 70]);

    const times: number[] = [];
    let at = t;
    for (let i = 0; i < keep; i++) {
      at += (steps[i] as Step).dt;
      times.push(at);
    }
    if (at > spec.deadline) break; // the data ends here: no more questions in this session

    let outcomeIndex: number | null = null;
    let contextReadyKept = false;
    let cacheResultKept = false;
    for (let i = 0; i < keep; i++) {
      const s = steps[i] as Step;
      const when = times[i] as number;
      if (s.message === MSG.contextReady) {
        contextReadyKept = true;
        s.fields.lastUpdated = isoTime(when - r.int(660_000, 84_600_000));
      }
      if (s.message === MSG.cacheHit || s.message === MSG.cacheMiss) cacheResultKept = true;
      if (s.message === MSG.outcome) outcomeIndex = entries.length;
      emit(when, s, i === 0);
    }

    const hedged = plan?.hedged ?? false;
    questions.push({
      askedAt: isoTime(t),
      userId: user.id,
      dealId: deal.id,
      fund: fund.name,
      intent: aspect.intent,
      aspect: aspect.id,
      question: stored,
      ...(typed !== stored ? { typed } : {}),
      outcome: failure ? "failed" : unfinished ? "unfinished" : hedged ? "hedged" : "answered",
      latencyMs: latency,
      cacheHit: cacheResultKept ? cacheHit : null,
      documentCount: contextReadyKept ? documentCount : null,
      hedged,
      partial: plan?.partial ?? false,
      reask,
    });
    outcomeIndexes.push(outcomeIndex);
    asked.push({ text, aspect, hedged: hedged || failure !== null });
    t = at + thinkTime(r);
  }

  let splitAt: number | null = null;
  let splitQuestion: number | null = null;
  if (spec.split) {
    // Cut at an answered question that is not the last, so its outcome opens the next file.
    const candidates: number[] = [];
    for (let q = 0; q < questions.length - 1; q++) if (outcomeIndexes[q] !== null) candidates.push(q);
    if (candidates.length > 0) {
      splitQuestion = r.pick(candidates);
      splitAt = outcomeIndexes[splitQuestion] as number;
    }
  }
  return { entries, questions, splitAt, splitQuestion };
}
