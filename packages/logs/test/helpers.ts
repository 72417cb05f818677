import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
/**
 * Builders for raw pino entries shaped like the real deal-bot logs
 * (see shared/docs/log-format.md), and a helper to normalize a whole file.
 */
import { parseEntry } from "../src/parse-entry";
import type { NormalizedEntry } from "../src/types";

export type Raw = Record<string, unknown>;

export interface Session {
  reqId: number;
  userId: number;
  dealId: string;
  platform?: string;
  appVersion?: string;
}

let clock = Date.UTC(2025, 3, 2, 10, 0, 0);

/** A monotonically increasing entry time (ms). */
export function tick(step = 5): number {
  clock += step;
  return clock;
}

function base(s: Session | null, context: string, message: string, extra: Raw = {}, level = 30): Raw {
  const time = tick();
  const entry: Raw = {
    level,
    time,
    timestamp: new Date(time).toISOString(),
    pid: 27,
    hostname: "ad9b37fc-25a46f0c-e3aa-46",
  };
  if (s) {
    entry.req = {
      id: s.reqId,
      method: "POST",
      url: `/deals/${s.dealId}/bot/query`,
      query: {},
      params: { "0": `deals/${s.dealId}/bot/query` },
      headers: {
        host: "api.example.dev",
        "x-application-platform": s.platform ?? "iOS",
        "x-application-version": s.appVersion ?? "2.2.9",
        "user-agent": "Cur8Mobile/2.2.9 (iOS 16.4)",
        cookie: `auth_user_id=${s.userId}; access_token=at-${s.userId}-secret; refresh_token=rt-${s.userId}-secret`,
      },
      remoteAddress: "::ffff:10.0.0.1",
      remotePort: 38786,
    };
  }
  entry.context = context;
  entry.message = message;
  if (s) {
    entry.dealId = s.dealId;
    entry.authUserId = s.userId;
  }
  return { ...entry, ...extra };
}

export const bot = {
  start: (s: Session, query: string): Raw =>
    base(s, "DealBotService", "Processing deal bot query", { query, messageLength: query.length }),
  attempt: (s: Session): Raw =>
    base(s, "DealBotService", "Attempting to retrieve context from cache", { cacheKey: `deal-bot:${s.dealId}` }),
  cacheHit: (s: Session, documentCount: number): Raw[] => [
    base(s, "DealBotService", "Retrieved cached document contents from cache", { documentCount }),
    base(s, "DealBotService", "Cached document size details", { documentSizes: [100], totalDocumentSize: 100 }),
    base(s, "DealBotService", "Cache hit and context is valid", { cacheKey: `deal-bot:${s.dealId}` }),
  ],
  cacheMiss: (s: Session): Raw =>
    base(s, "DealBotService", "Cache miss, generating context", { cacheKey: `deal-bot:${s.dealId}` }),
  ready: (s: Session, cacheHit: boolean, documentCount: number): Raw =>
    base(s, "DealBotService", "Context ready for LLM processing", {
      cacheHit,
      documentCount,
      lastUpdated: "2025-04-01T20:56:26.199Z",
    }),
  sizes: (s: Session): Raw =>
    base(s, "DealBotService", "Context size details", { documentSizes: [8254], totalDocumentSize: 8254 }),
  inputs: (s: Session, query: string): Raw =>
    base(s, "DealBotService", "Inputs to llmService.generateResponse", {
      requestMessage: query,
      staticContextLength: 1775,
    }),
  openai: (s: Session, model = "gpt-4o-mini"): Raw =>
    base(s, "OpenAIProvider", "Sending request to OpenAI", { model, temperature: 0.7, maxTokens: 1000 }),
  processed: (
    s: Session,
    query: string,
    answer: string,
    o: { processingTimeMs?: number; cacheHit?: boolean; documentCount?: number; promptTokens?: number } = {},
  ): Raw => {
    const extra: Raw = { query, answer, answerLength: answer.length, promptTokens: o.promptTokens ?? 961 };
    if (o.processingTimeMs !== undefined) extra.processingTimeMs = o.processingTimeMs;
    if (o.cacheHit !== undefined) extra.cacheHit = o.cacheHit;
    if (o.documentCount !== undefined) extra.documentCount = o.documentCount;
    return base(s, "DealBotService", "Query processed successfully", extra);
  },
  /** ApiController's own request log: it ALSO carries processingTimeMs. */
  apiProcessed: (s: Session, processingTimeMs: number): Raw =>
    base(s, "ApiController", "Request processed (GET /deals)", { processingTimeMs }),
  error: (s: Session | null, extra: Raw, user?: { userId?: number; dealId?: string }): Raw => {
    const e = base(s, "PaymentService", "Payment processing error", extra, 50);
    if (user?.userId !== undefined) e.authUserId = user.userId;
    if (user?.dealId !== undefined) e.dealId = user.dealId;
    return e;
  },
};

/** The full sequence of one answered question (cache hit or miss), as the bot logs it. */
export function questionSequence(
  s: Session,
  query: string,
  answer: string,
  o: { cacheHit?: boolean; documentCount?: number; processingTimeMs?: number; promptTokens?: number } = {},
): Raw[] {
  const hit = o.cacheHit ?? true;
  const docs = o.documentCount ?? 3;
  return [
    bot.start(s, query),
    bot.attempt(s),
    ...(hit ? bot.cacheHit(s, docs) : [bot.cacheMiss(s)]),
    bot.ready(s, hit, docs),
    bot.sizes(s),
    bot.inputs(s, query),
    bot.openai(s),
    bot.processed(s, query, answer, {
      processingTimeMs: o.processingTimeMs ?? 3010,
      cacheHit: hit,
      documentCount: docs,
      promptTokens: o.promptTokens,
    }),
  ];
}

/** Normalizes a file's raw entries; throws on a rejection (tests build valid entries). */
export function normalizeAll(raws: unknown[], keyTimeMs: number | null = null): NormalizedEntry[] {
  return raws.map((raw, i) => {
    const r = parseEntry(raw, i, keyTimeMs);
    if (!r.ok) throw new Error(`entry ${i} rejected: ${r.reason}`);
    return r.entry;
  });
}

/** Deep-freezes a value so that any mutation by the code under test throws. */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object") {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/** Every .json.gz file under a bucket folder, in key order (the real sample, generated buckets). */
export function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...listFiles(p));
    else if (name.endsWith(".json.gz")) out.push(p);
  }
  return out;
}
