import { describe, expect, it } from "vitest";
import { fingerprint } from "../src/fingerprint";
import { pairQuestions } from "../src/pair";
import { bot, normalizeAll, questionSequence, type Raw } from "./helpers";

const alice = { reqId: 2629, userId: 8387, dealId: "342", platform: "iOS", appVersion: "2.2.9" };
const bob = { reqId: 5898, userId: 5658, dealId: "996", platform: "Android", appVersion: "2.3.1" };

const ANSWER = "The target return for the GBP Income Fund is between 7.25% and 7.5%.";
const HEDGE =
  "The specific benefits of partnering with Everest Group are not detailed in the provided information. For more detailed insights, you may want to check the deal documents.";
const PARTIAL =
  "The target return is 12%. However, the fees are not specified in the provided information.";

function indexesOf(raws: Raw[], from = 0): number[] {
  return raws.map((_, i) => i + from);
}

describe("pairQuestions: one question", () => {
  it("pairs a cache-hit sequence", () => {
    const raws = questionSequence(alice, "What is the target return?", ANSWER, {
      cacheHit: true,
      documentCount: 4,
      processingTimeMs: 3606,
      promptTokens: 942,
    });
    const entries = normalizeAll(raws);
    const [q, ...rest] = pairQuestions(entries);
    expect(rest).toEqual([]);
    expect(q).toEqual({
      startIndex: 0,
      endIndex: raws.length - 1,
      askedAtMs: raws[0]!.time,
      answeredAtMs: raws.at(-1)!.time,
      userId: 8387,
      dealId: "342",
      requestId: "2629",
      question: "What is the target return?",
      fingerprint: fingerprint("What is the target return?"),
      answer: ANSWER,
      outcome: "answered",
      latencyMs: 3606,
      cacheHit: true,
      documentCount: 4,
      promptTokens: 942,
      model: "gpt-4o-mini",
      platform: "iOS",
      appVersion: "2.2.9",
      errorMessage: null,
      orphanOutcome: false,
      partial: false,
      entryIndexes: indexesOf(raws),
    });
  });

  it("pairs a cache-miss sequence", () => {
    const raws = questionSequence(alice, "Explain S/EIS relief", ANSWER, { cacheHit: false, documentCount: 2 });
    expect(raws.some((r) => r.message === "Cache miss, generating context")).toBe(true);
    const [q] = pairQuestions(normalizeAll(raws));
    expect(q).toMatchObject({ outcome: "answered", cacheHit: false, documentCount: 2, entryIndexes: indexesOf(raws) });
  });

  it("never takes latency from ApiController's Request processed entry", () => {
    const raws = [
      bot.start(alice, "Q?"),
      bot.apiProcessed(alice, 130), // same key, its own processingTimeMs
      bot.openai(alice),
      bot.processed(alice, "Q?", ANSWER, { processingTimeMs: 4668 }),
    ];
    const entries = normalizeAll(raws);
    expect(entries[1]!.latencyMs).toBe(130); // the column keeps the API's latency for that entry
    const [q] = pairQuestions(entries);
    expect(q!.latencyMs).toBe(4668);
  });

  it("leaves latency null when the outcome has no processingTimeMs", () => {
    const raws = [bot.start(alice, "Q?"), bot.openai(alice), bot.processed(alice, "Q?", ANSWER)];
    const [q] = pairQuestions(normalizeAll(raws));
    expect(q!.latencyMs).toBeNull();
    expect(q!.outcome).toBe("answered");
  });
});

describe("pairQuestions: outcomes", () => {
  it("marks hedged and partial answers", () => {
    const raws = [
      ...questionSequence(alice, "Benefits of Everest?", HEDGE),
      ...questionSequence(alice, "Target return and fees?", PARTIAL),
      ...questionSequence(alice, "Target return?", ANSWER),
    ];
    const qs = pairQuestions(normalizeAll(raws));
    expect(qs.map((q) => [q.outcome, q.partial])).toEqual([
      ["hedged", false],
      ["hedged", true],
      ["answered", false],
    ]);
  });

  it("closes a start with no outcome at the end of the file as unfinished", () => {
    const raws = [
      ...questionSequence(alice, "First?", ANSWER),
      bot.start(alice, "Second?"),
      bot.attempt(alice),
      bot.cacheMiss(alice),
      bot.ready(alice, false, 0),
      bot.openai(alice),
    ];
    const qs = pairQuestions(normalizeAll(raws));
    expect(qs).toHaveLength(2);
    const second = qs[1]!;
    const start = raws.length - 5;
    expect(second).toMatchObject({
      question: "Second?",
      outcome: "unfinished",
      endIndex: null,
      answeredAtMs: null,
      answer: null,
      latencyMs: null,
      // Read from "Context ready for LLM processing" since there is no outcome.
      cacheHit: false,
      documentCount: 0,
      model: "gpt-4o-mini",
      startIndex: start,
      entryIndexes: [start, start + 1, start + 2, start + 3, start + 4],
    });
  });

  it("closes a start superseded by another start of the same key as unfinished", () => {
    const raws = [
      bot.start(alice, "Lost question?"),
      bot.attempt(alice),
      ...questionSequence(alice, "Retried question?", ANSWER),
    ];
    const qs = pairQuestions(normalizeAll(raws));
    expect(qs.map((q) => [q.question, q.outcome, q.entryIndexes])).toEqual([
      ["Lost question?", "unfinished", [0, 1]],
      ["Retried question?", "answered", indexesOf(raws).slice(2)],
    ]);
  });

  it("fails the open question on an error entry with the same requestId", () => {
    const raws = [
      bot.start(alice, "Q?"),
      bot.attempt(alice),
      bot.error(alice, { err: { type: "Error", message: "OpenAI timeout", stack: "..." } }),
    ];
    const [q] = pairQuestions(normalizeAll(raws));
    expect(q).toMatchObject({ outcome: "failed", errorMessage: "OpenAI timeout", endIndex: 2, entryIndexes: [0, 1, 2] });
    expect(q!.answer).toBeNull();
  });

  it("fails by userId (and dealId) when the error entry has no requestId", () => {
    const raws = [
      bot.start(alice, "Alice?"),
      bot.start(bob, "Bob?"),
      bot.error(null, { error: "Connection timeout" }, { userId: bob.userId }),
      bot.processed(alice, "Alice?", ANSWER, { processingTimeMs: 900 }),
    ];
    const qs = pairQuestions(normalizeAll(raws));
    expect(qs.map((q) => [q.question, q.outcome, q.errorMessage, q.entryIndexes])).toEqual([
      ["Alice?", "answered", null, [0, 3]],
      ["Bob?", "failed", "Connection timeout", [1, 2]],
    ]);
  });

  it("does not fail a question of another deal of the same user", () => {
    const raws = [
      bot.start(alice, "Q?"),
      bot.error(null, { error: "boom" }, { userId: alice.userId, dealId: "999" }),
    ];
    const [q] = pairQuestions(normalizeAll(raws));
    expect(q!.outcome).toBe("unfinished");
    expect(q!.errorMessage).toBeNull();
  });

  it("falls back to the error entry's message when it has no error/err field", () => {
    const raws = [bot.start(alice, "Q?"), bot.error(alice, {})];
    expect(pairQuestions(normalizeAll(raws))[0]!.errorMessage).toBe("Payment processing error");
  });

  it("attaches a success outcome that still follows a failure, keeping errorMessage", () => {
    const raws = [
      bot.start(alice, "Q?"),
      bot.error(alice, { error: "retrying after 429" }),
      bot.openai(alice),
      bot.processed(alice, "Q?", PARTIAL, { processingTimeMs: 5100 }),
    ];
    const [q, ...rest] = pairQuestions(normalizeAll(raws));
    expect(rest).toEqual([]);
    expect(q).toMatchObject({
      outcome: "hedged",
      partial: true,
      errorMessage: "retrying after 429",
      latencyMs: 5100,
      endIndex: 3,
      entryIndexes: [0, 1, 2, 3],
    });
  });

  it("keeps an outcome with no start as an orphan", () => {
    const raws = [
      // The tail of a sequence whose start was in the previous file.
      bot.openai(alice),
      bot.processed(alice, "Where did my question go?", ANSWER, {
        processingTimeMs: 2000,
        cacheHit: true,
        documentCount: 3,
      }),
      ...questionSequence(alice, "Next?", ANSWER),
    ];
    const qs = pairQuestions(normalizeAll(raws));
    expect(qs).toHaveLength(2);
    expect(qs[0]).toMatchObject({
      orphanOutcome: true,
      question: "Where did my question go?",
      fingerprint: fingerprint("Where did my question go?"),
      startIndex: 1,
      endIndex: 1,
      askedAtMs: (raws[1]!.time as number) - 2000,
      answeredAtMs: raws[1]!.time,
      latencyMs: 2000,
      outcome: "answered",
      model: "gpt-4o-mini",
      entryIndexes: [0, 1],
    });
    expect(qs[1]).toMatchObject({ orphanOutcome: false, question: "Next?", startIndex: 2 });
  });

  it("uses the outcome's time as askedAtMs for an orphan without processingTimeMs", () => {
    const raws = [bot.processed(alice, "Q?", ANSWER)];
    const [q] = pairQuestions(normalizeAll(raws));
    expect(q!.askedAtMs).toBe(raws[0]!.time);
  });
});

describe("pairQuestions: several sessions in one file", () => {
  it("pairs interleaved sessions by key", () => {
    const a = questionSequence(alice, "Alice asks?", ANSWER, { processingTimeMs: 1111 });
    const b = questionSequence(bob, "Bob asks?", HEDGE, { processingTimeMs: 2222, cacheHit: false });
    // Interleave entry by entry: a0 b0 a1 b1 ...
    const raws: Raw[] = [];
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      if (a[i]) raws.push(a[i]!);
      if (b[i]) raws.push(b[i]!);
    }
    const qs = pairQuestions(normalizeAll(raws));
    expect(qs).toHaveLength(2);
    const [qa, qb] = qs;
    expect(qa).toMatchObject({ question: "Alice asks?", userId: 8387, latencyMs: 1111, outcome: "answered", platform: "iOS" });
    expect(qb).toMatchObject({ question: "Bob asks?", userId: 5658, latencyMs: 2222, outcome: "hedged", platform: "Android" });
    expect(qa!.entryIndexes.map((i) => raws[i]!.authUserId)).toEqual(a.map(() => alice.userId));
    expect(qb!.entryIndexes.map((i) => raws[i]!.authUserId)).toEqual(b.map(() => bob.userId));
    expect(qa!.entryIndexes).toHaveLength(a.length);
    expect(qb!.entryIndexes).toHaveLength(b.length);
  });

  it("pairs consecutive questions of one session (same req.id) in order", () => {
    const raws = [
      ...questionSequence(alice, "One?", ANSWER, { promptTokens: 961 }),
      ...questionSequence(alice, "Two?", ANSWER, { promptTokens: 1005 }),
      ...questionSequence(alice, "Three?", ANSWER, { promptTokens: 1105 }),
    ];
    const qs = pairQuestions(normalizeAll(raws));
    expect(qs.map((q) => [q.question, q.promptTokens])).toEqual([
      ["One?", 961],
      ["Two?", 1005],
      ["Three?", 1105],
    ]);
    expect(qs.flatMap((q) => q.entryIndexes)).toEqual(indexesOf(raws));
  });

  it("tolerates missing (rejected) entries between indexes", () => {
    const entries = normalizeAll(questionSequence(alice, "Q?", ANSWER)).filter((e) => e.index !== 2);
    const [q] = pairQuestions(entries);
    expect(q!.entryIndexes).not.toContain(2);
    expect(q!.outcome).toBe("answered");
  });
});
