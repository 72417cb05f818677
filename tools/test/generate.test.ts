import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateBucket, INTENTS, type Truth } from "../src/generate/index";
import {
  entryTime,
  isPlainObject,
  isRejected,
  keyTimeOf,
  makeTempDir,
  pairFile,
  readBucket,
  type Obj,
  type ReadFile,
} from "./helpers/bucket";

const KEY_RE =
  /^(\d{4})\/(\d{2})\/(\d{2})\/(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\.json\.gz$/;

const BOT_HEADERS = [
  "x-forwarded-for",
  "x-forwarded-proto",
  "x-forwarded-port",
  "host",
  "x-amzn-trace-id",
  "content-length",
  "accept",
  "x-application-id",
  "x-application-platform",
  "x-application-version",
  "sec-req-code",
  "content-type",
  "accept-encoding",
  "user-agent",
  "cookie",
];

const END = new Date("2025-05-03T00:00:00.000Z");

function entries(files: ReadFile[]): Obj[] {
  const out: Obj[] = [];
  for (const f of files) for (const e of f.elements) if (isPlainObject(e)) out.push(e);
  return out;
}

function count<T>(items: T[], pred: (x: T) => boolean): number {
  let n = 0;
  for (const x of items) if (pred(x)) n++;
  return n;
}

describe("generateBucket: a medium run read back from disk", () => {
  const tmp = makeTempDir("gen-medium-");
  const outDir = `${tmp.dir}/bucket`;
  let truth: Truth;
  let files: ReadFile[];
  let all: Obj[];

  beforeAll(async () => {
    truth = await generateBucket({ outDir, seed: 7, days: 3, sessionsPerDay: 60, end: END });
    files = readBucket(outDir);
    all = entries(files);
  });
  afterAll(() => tmp.cleanup());

  it("writes the truth beside the folder, not inside it", () => {
    expect(existsSync(`${outDir}.truth.json`)).toBe(true);
    expect(files.every((f) => f.key.endsWith(".json.gz"))).toBe(true);
    expect(files.length).toBe(truth.files.total);
  });

  it("lays files out like the bucket, with keys 0.1-2.5 s after the file's last entry", () => {
    for (const f of files) {
      const m = KEY_RE.exec(f.key);
      expect(m, f.key).not.toBeNull();
      const [, y, mo, d, iso] = m as RegExpExecArray;
      expect(iso?.slice(0, 10)).toBe(`${y}-${mo}-${d}`);
      const keyTime = keyTimeOf(f.key);
      expect(new Date(keyTime).toISOString()).toBe(iso);
      expect(keyTime).toBeLessThanOrEqual(END.getTime());
      const times = f.elements
        .filter((e): e is Obj => isPlainObject(e) && !isRejected(e) && ("time" in e || "timestamp" in e))
        .map((e) => entryTime(e, keyTime));
      const last = Math.max(...times);
      expect(keyTime - last, f.key).toBeGreaterThanOrEqual(100);
      expect(keyTime - last, f.key).toBeLessThanOrEqual(2500);
    }
  });

  it("gzips one JSON array per file, compact on one line or pretty-printed with 2 spaces", () => {
    let pretty = 0;
    for (const f of files) {
      expect(f.gz[0]).toBe(0x1f);
      expect(f.gz[1]).toBe(0x8b);
      if (f.text.startsWith("[\n")) {
        pretty++;
        expect(f.text).toBe(JSON.stringify(f.elements, null, 2));
      } else {
        expect(f.text).toBe(JSON.stringify(f.elements));
        expect(f.text.includes("\n")).toBe(false);
      }
    }
    expect(pretty).toBe(truth.files.pretty);
  });

  it("counts in the truth what the files hold", () => {
    const elementCount = files.reduce((n, f) => n + f.elements.length, 0);
    expect(elementCount).toBe(truth.entries.total);
    expect(all.length).toBe(truth.entries.valid);
    expect(truth.entries.rejectedExpected).toBe(0);

    const byCm: Record<string, number> = {};
    const byLevel: Record<string, number> = {};
    for (const e of all) {
      const k = `${String(e.context)}|${String(e.message)}`;
      byCm[k] = (byCm[k] ?? 0) + 1;
      byLevel[String(e.level)] = (byLevel[String(e.level)] ?? 0) + 1;
    }
    expect(byCm).toEqual(truth.entries.byContextMessage);
    expect(byLevel).toEqual(truth.entries.byLevel);

    const starts = all.filter((e) => e.message === "Processing deal bot query");
    const outcomes = all.filter((e) => e.message === "Query processed successfully");
    expect(starts.length).toBe(truth.questionsTotal);
    expect(outcomes.length).toBe(truth.outcomes.answered + truth.outcomes.hedged);
    expect(count(all, (e) => e.level === 50)).toBe(truth.entries.byLevel["50"]);
    expect(count(all, (e) => e.message === "Cache hit and context is valid")).toBe(truth.cacheHits);
    // Distinct texts as stored (personal data masked); the files hold them as typed.
    expect(new Set(truth.questions.map((q) => q.question)).size).toBe(truth.distinctQuestionTexts);
    expect(new Set(starts.map((e) => e.query))).toEqual(new Set(truth.questions.map((q) => q.typed ?? q.question)));

    // Per UTC day, from the start entries (timestamp, else time; starts never lack both).
    const perDay: Record<string, number> = {};
    for (const e of starts) {
      expect("time" in e || "timestamp" in e).toBe(true);
      const day = new Date(entryTime(e, NaN)).toISOString().slice(0, 10);
      perDay[day] = (perDay[day] ?? 0) + 1;
    }
    expect(perDay).toEqual(truth.questionsPerUtcDay);
    expect(Object.values(truth.questionsPerUtcDay).reduce((a, b) => a + b, 0)).toBe(truth.questionsTotal);

    // Quirk counts.
    expect(count(all, (e) => typeof e.level === "string")).toBe(truth.entries.quirks.stringLevel);
    expect(count(all, (e) => !("time" in e))).toBe(truth.entries.quirks.missingTime);
    expect(count(all, (e) => !("timestamp" in e))).toBe(truth.entries.quirks.missingTimestamp);
    expect(count(all, (e) => !("time" in e) && !("timestamp" in e))).toBe(truth.entries.quirks.missingBoth);

    // Users and deals of the bot questions.
    expect(new Set(starts.map((e) => e.authUserId)).size).toBe(truth.users.bot);
    expect([...new Set(starts.map((e) => String(e.dealId)))].sort()).toEqual(truth.deals.ids);
  });

  it("matches the truth's question records with the start and outcome entries", () => {
    const key = (askedAt: string, user: unknown, deal: unknown, q: unknown): string => `${askedAt}|${String(user)}|${String(deal)}|${String(q)}`;
    const fromFiles = all
      .filter((e) => e.message === "Processing deal bot query")
      .map((e) => key(new Date(entryTime(e, NaN)).toISOString(), e.authUserId, e.dealId, e.query))
      .sort();
    const fromTruth = truth.questions.map((q) => key(q.askedAt, q.userId, q.dealId, q.typed ?? q.question)).sort();
    expect(fromFiles).toEqual(fromTruth);

    const outcomeLatencies = all
      .filter((e) => e.message === "Query processed successfully")
      .map((e) => e.processingTimeMs as number)
      .sort((a, b) => a - b);
    const truthLatencies = truth.questions
      .filter((q) => q.latencyMs !== null)
      .map((q) => q.latencyMs as number)
      .sort((a, b) => a - b);
    expect(outcomeLatencies).toEqual(truthLatencies);

    const lat = truth.latency;
    expect(lat).not.toBeNull();
    if (lat !== null) {
      const n = outcomeLatencies.length;
      expect(lat.count).toBe(n);
      expect(lat.min).toBe(outcomeLatencies[0]);
      expect(lat.max).toBe(outcomeLatencies[n - 1]);
      expect(lat.p50).toBe(outcomeLatencies[Math.ceil(0.5 * n) - 1]);
      expect(lat.p95).toBe(outcomeLatencies[Math.ceil(0.95 * n) - 1]);
      expect(lat.p99).toBe(outcomeLatencies[Math.ceil(0.99 * n) - 1]);
      expect(lat.mean).toBeCloseTo(outcomeLatencies.reduce((a, b) => a + b, 0) / n, 1);
    }

    const o = truth.outcomes;
    expect(o.answered + o.hedged + o.failed + o.unfinished).toBe(truth.questionsTotal);
    expect(truth.questions.filter((q) => q.outcome === "hedged").every((q) => q.hedged)).toBe(true);
    expect(truth.questions.filter((q) => q.partial).every((q) => q.hedged)).toBe(true);
    expect(truth.questions.filter((q) => q.outcome === "failed" || q.outcome === "unfinished").every((q) => q.latencyMs === null)).toBe(true);
  });

  it("pairs within files as the truth says (failures, in-flight questions, orphan outcomes)", () => {
    let startsWithoutOutcome = 0;
    let outcomesWithoutStart = 0;
    for (const f of files) {
      const p = pairFile(f.elements);
      startsWithoutOutcome += p.startsWithoutOutcome;
      outcomesWithoutStart += p.outcomesWithoutStart;
    }
    expect(startsWithoutOutcome).toBe(truth.filePairing.startsWithoutOutcome);
    expect(outcomesWithoutStart).toBe(truth.filePairing.outcomesWithoutStart);
    expect(outcomesWithoutStart).toBe(truth.orphanOutcomes);
    expect(truth.orphanOutcomes).toBeGreaterThan(0);
    expect(truth.outcomes.failed).toBeGreaterThan(0);
    expect(truth.outcomes.unfinished).toBeGreaterThan(0);
  });

  it("writes each question's sequence in the production format", () => {
    for (const f of files) {
      const els = f.elements.filter(isPlainObject);
      const lastOpenAi = new Map<unknown, Obj>();
      const lastTokens = new Map<unknown, number>();
      for (const e of els) {
        if (e.context !== "DealBotService" && e.context !== "OpenAIProvider") continue;
        if (e.message === "Context invalidated successfully") continue;
        const req = e.req as Obj;
        expect(Object.keys(req)).toEqual(["id", "method", "url", "query", "params", "headers", "remoteAddress", "remotePort"]);
        expect(Object.keys(req.headers as Obj)).toEqual(BOT_HEADERS);
        expect(typeof e.authUserId).toBe("number");
        expect(typeof e.dealId).toBe("string");
        expect(req.url).toMatch(new RegExp(`^/deals/${String(e.dealId)}/bot/query`));
        expect(String((req.headers as Obj).cookie)).toMatch(new RegExp(`^auth_user_id=${String(e.authUserId)}; access_token=[0-9a-f-]{36}; refresh_token=[0-9a-f-]{36}$`));
        const m = e.message;
        if (m === "Processing deal bot query") {
          expect(e.messageLength).toBe(String(e.query).length);
          expect(Object.keys(e).slice(-4)).toEqual(["dealId", "authUserId", "messageLength", "query"]);
        } else if (m === "Inputs to llmService.generateResponse") {
          expect(typeof e.requestMessage).toBe("string");
        } else if (m === "Sending request to OpenAI") {
          expect(e.context).toBe("OpenAIProvider");
          expect([e.model, e.temperature, e.maxTokens]).toEqual(["gpt-4o-mini", 0.5, 4000]);
          lastOpenAi.set(req.id, e);
        } else if (m === "Query processed successfully") {
          expect(Object.keys(e).slice(-9)).toEqual([
            "dealId",
            "authUserId",
            "processingTimeMs",
            "cacheHit",
            "documentCount",
            "answerLength",
            "promptTokens",
            "query",
            "answer",
          ]);
          expect(e.answerLength).toBe(String(e.answer).length);
          const sent = lastOpenAi.get(req.id);
          if (sent !== undefined && typeof sent.time === "number" && typeof e.time === "number") {
            expect(e.time).toBe(sent.time + (e.processingTimeMs as number));
          }
          const prevTokens = lastTokens.get(req.id);
          if (prevTokens !== undefined) expect(e.promptTokens as number).toBeGreaterThan(prevTokens);
          lastTokens.set(req.id, e.promptTokens as number);
        } else if (m === "Context ready for LLM processing") {
          expect(typeof e.cacheHit).toBe("boolean");
          expect(Date.parse(String(e.lastUpdated))).toBeLessThan(entryTime(e, Infinity));
        } else if (m === "Cached document size details" || m === "Context size details") {
          const sizes = e.documentSizes as number[];
          expect(e.totalDocumentSize).toBe(sizes.reduce((a, b) => a + b, 0));
        } else if (e.level === 50) {
          expect(["Error processing deal bot query", "OpenAI request failed"]).toContain(m);
          expect(typeof e.error).toBe("string");
        }
      }
    }
  });

  it("mixes in other services' entries that never belong to an open bot question", () => {
    for (const f of files) {
      const els = f.elements.filter(isPlainObject);
      const botUsers = new Set(els.filter((e) => e.message === "Processing deal bot query").map((e) => e.authUserId));
      for (const e of els) {
        if (e.context === "DealBotService" || e.context === "OpenAIProvider") continue;
        if ("authUserId" in e) expect(botUsers.has(e.authUserId), `${f.key}: ${String(e.message)}`).toBe(false);
        if (e.context === "ApiController") {
          expect(String(e.message)).toMatch(/^(Processing GET request for \/[a-z/]+|Request processed \(GET \/[a-z/]+\))$/);
          if (String(e.message).startsWith("Request processed")) expect(typeof e.processingTimeMs).toBe("number");
          const req = e.req as Obj;
          expect(Object.keys(req)).toEqual(["id", "method", "url", "query", "headers", "remoteAddress", "remotePort"]);
        } else {
          expect("req" in e).toBe(false);
        }
        if (e.context === "DatabaseService") expect([e.level, typeof e.queryTime]).toEqual([40, "number"]);
        if (e.context === "PaymentService") expect([e.level, typeof e.error]).toEqual([50, "string"]);
        if (e.context === "SystemMonitor") expect(String(e.message)).toMatch(/^Memory usage: \d+MB$/);
      }
    }
    const admin = all.filter((e) => e.message === "Context invalidated successfully");
    expect(admin.length).toBeGreaterThan(0);
    for (const e of admin) {
      expect(e.level).toBe("info");
      expect("time" in e).toBe(false);
      const h = (e.req as Obj).headers as Obj;
      expect(String(h.authorization)).toMatch(/^Bearer [0-9a-f]{64}$/);
      expect(typeof h.access_token).toBe("string");
      expect(h["user-agent"]).toMatch(/^Retool\//);
    }
  });

  it("plants every secret it lists, and lists every secret in the files", () => {
    const text = files.map((f) => f.text).join("\n");
    const values = truth.secrets.map((s) => s.value);
    expect(new Set(values).size).toBe(values.length);
    for (const v of values) expect(text.includes(v), v).toBe(true);
    // Scan the files for secrets independently of the truth.
    const found = new Set<string>();
    for (const e of all) {
      const req = e.req as Obj | undefined;
      if (!req) continue;
      const h = req.headers as Obj;
      const cookie = typeof h.cookie === "string" ? h.cookie : "";
      for (const m of cookie.matchAll(/(?:access_token|refresh_token)=([^;]+)/g)) found.add(m[1] as string);
      if (typeof h.authorization === "string") found.add(h.authorization.replace(/^Bearer /, ""));
      if (typeof h.access_token === "string") found.add(h.access_token);
      const q = req.query as Obj;
      if (typeof q.token === "string") {
        found.add(q.token);
        expect(String(req.url)).toContain(`?token=${q.token}`);
      }
    }
    expect([...found].sort()).toEqual([...values].sort());
    const kinds = new Set(truth.secrets.map((s) => s.kind));
    expect([...kinds].sort()).toEqual(["access_token", "access_token_header", "authorization", "refresh_token", "url_token"]);
  });

  it("plants the personal data it lists (typed into questions, client addresses), and masks it in the question records", () => {
    const text = files.map((f) => f.text).join("\n");
    const planted = truth.plantedPersonalData;
    const values = planted.map((p) => p.value);
    expect(new Set(values).size).toBe(values.length);
    for (const v of values) expect(text.includes(v), v).toBe(true);
    expect(new Set(planted.map((p) => p.kind))).toEqual(new Set(["email", "phone", "iban", "card", "niNumber", "ip"]));
    const placeholder: Record<string, string> = { email: "[email]", phone: "[phone]", iban: "[iban]", card: "[card]", niNumber: "[ni-number]" };
    const typed = truth.questions.filter((q) => q.typed !== undefined);
    expect(typed.length / truth.questionsTotal).toBeGreaterThan(0.005);
    expect(typed.length / truth.questionsTotal).toBeLessThan(0.03);
    // Each typed question holds one planted value; the record's text is it with the value replaced by its placeholder.
    for (const q of typed) {
      const hits = planted.filter((p) => p.kind !== "ip" && q.typed!.includes(p.value));
      expect(hits.length, q.typed).toBe(1);
      expect(q.question).toBe(q.typed!.replace(hits[0]!.value, placeholder[hits[0]!.kind]!));
    }
    expect(planted.filter((p) => p.kind !== "ip").length).toBe(typed.length);
    // Every client address in the files is listed.
    const addresses = new Set<string>();
    for (const e of all) {
      const req = e.req as Obj | undefined;
      if (!req) continue;
      const h = req.headers as Obj;
      for (const k of ["x-forwarded-for", "x-retool-forwarded-for"]) if (typeof h[k] === "string") for (const a of String(h[k]).split(", ")) addresses.add(a);
      addresses.add(String(req.remoteAddress));
    }
    expect([...addresses].sort()).toEqual(planted.filter((p) => p.kind === "ip").map((p) => p.value).sort());
    expect([...addresses].some((a) => a.startsWith("2001:db8:"))).toBe(true);
  });

  it("has the intended proportions (quirks, outcomes, cache, latency) in a medium run", () => {
    const n = truth.questionsTotal;
    expect(n).toBeGreaterThan(1000);
    const share = (x: number): number => x / n;
    expect(share(truth.outcomes.hedged)).toBeGreaterThan(0.3);
    expect(share(truth.outcomes.hedged)).toBeLessThan(0.45);
    expect(share(truth.outcomes.failed)).toBeGreaterThan(0.008);
    expect(share(truth.outcomes.failed)).toBeLessThan(0.035);
    expect(share(truth.outcomes.unfinished)).toBeGreaterThan(0.002);
    expect(share(truth.outcomes.unfinished)).toBeLessThan(0.025);
    expect(share(truth.reasks)).toBeGreaterThan(0.03);
    expect(share(truth.reasks)).toBeLessThan(0.08);
    expect(share(truth.partial)).toBeGreaterThan(0.02);
    expect(share(truth.partial)).toBeLessThan(0.1);
    expect(truth.documentCountZero).toBeGreaterThan(0);
    const hit = truth.cacheHits / (truth.cacheHits + truth.cacheMisses);
    expect(hit).toBeGreaterThan(0.48);
    expect(hit).toBeLessThan(0.62);
    const lat = truth.latency;
    expect(lat?.min).toBeGreaterThanOrEqual(500);
    expect(lat?.p50).toBeGreaterThan(2500);
    expect(lat?.p50).toBeLessThan(4500);
    expect(lat?.max).toBeGreaterThan(6500); // the slow tail

    const perSession = truth.questionsTotal / truth.sessions;
    expect(perSession).toBeGreaterThan(7);
    expect(perSession).toBeLessThan(10);

    const f = truth.files;
    expect(f.pretty / f.total).toBeGreaterThan(0.05);
    expect(f.pretty / f.total).toBeLessThan(0.16);
    expect(f.interleaved).toBeGreaterThan(0);
    expect(f.noiseOnly).toBeGreaterThan(0);
    expect(f.splitSessions).toBe(truth.orphanOutcomes);

    const q = truth.entries.quirks;
    const valid = truth.entries.valid;
    expect(q.missingTime / valid).toBeGreaterThan(0.005);
    expect(q.missingTime / valid).toBeLessThan(0.02);
    expect(q.missingTimestamp / valid).toBeGreaterThan(0.001);
    expect(q.missingTimestamp / valid).toBeLessThan(0.008);
    expect(q.missingBoth).toBeGreaterThan(0);
    expect(q.missingBoth / valid).toBeLessThan(0.002);
    expect(q.stringLevel).toBeGreaterThan(truth.entries.byContextMessage["DealBotService|Context invalidated successfully"] ?? 0);
    expect(q.stringLevel / valid).toBeLessThan(0.015);

    // Busier in UK daytime than at night (the run is in BST: UK = UTC+1).
    const byHour = new Array<number>(24).fill(0);
    for (const x of truth.questions) {
      const h = (new Date(x.askedAt).getUTCHours() + 1) % 24;
      byHour[h] = (byHour[h] as number) + 1;
    }
    const night = byHour.slice(1, 6).reduce((a, b) => a + b, 0);
    const day = byHour.slice(11, 16).reduce((a, b) => a + b, 0);
    expect(day).toBeGreaterThan(night * 3);
  });

  it("labels questions with intents, funds that repeat across deal ids, and varied wording", () => {
    expect(Object.keys(truth.intents).sort()).toEqual([...INTENTS].sort());
    const repeated = truth.funds.filter((f) => f.dealIds.length > 1 && f.questions > 0);
    expect(repeated.length).toBeGreaterThan(0);
    const fundDeals = new Map<string, Set<string>>();
    for (const q of truth.questions) fundDeals.set(q.fund, (fundDeals.get(q.fund) ?? new Set()).add(q.dealId));
    expect([...fundDeals.values()].some((s) => s.size >= 2)).toBe(true);
    const texts = truth.questions.map((q) => q.question);
    expect(texts.some((t) => t.startsWith("What's "))).toBe(true);
    expect(texts.some((t) => t.startsWith("What is "))).toBe(true);
    expect(texts.some((t) => t === t.toLowerCase() && /[a-z]/.test(t))).toBe(true);
    expect(texts.some((t) => !/[?.!]$/.test(t))).toBe(true);
    const hedges = truth.questions.filter((q) => q.outcome === "hedged").map((q) => q.question);
    expect(hedges.length).toBeGreaterThan(0);
    // Re-asks come from the same user soon after and nearly repeat an earlier question.
    for (const q of truth.questions.filter((x) => x.reask)) {
      const earlier = truth.questions.filter((x) => x.userId === q.userId && x.dealId === q.dealId && x.askedAt < q.askedAt && x.intent === q.intent);
      expect(earlier.length, q.question).toBeGreaterThan(0);
    }
  });

  it("varies the hedges the bot gives", () => {
    const hedged = all.filter((e) => e.message === "Query processed successfully").map((e) => String(e.answer));
    const patterns = [
      /is not detailed in the provided information/,
      /please refer to the deal documents/i,
      /I don't have details on/,
      /isn't specified in the documents available to me/,
      /does not specify/,
    ];
    for (const p of patterns) expect(hedged.some((a) => p.test(a)), String(p)).toBe(true);
  });
});
