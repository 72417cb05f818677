import { describe, expect, it } from "vitest";
import { TOPIC_IDS } from "@log-insights/logs";
import { BLIND_QUESTIONS } from "../eval/blind-questions";

// Shape checks only: the blind set is evaluation data, so these tests guard its
// size and balance, not any classifier's accuracy on it.

describe("blind question set", () => {
  it("has at least 150 items with unique ids", () => {
    expect(BLIND_QUESTIONS.length).toBeGreaterThanOrEqual(150);
    const ids = BLIND_QUESTIONS.map((item) => item.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("has at least 12 items for every topic", () => {
    for (const topic of TOPIC_IDS) {
      const n = BLIND_QUESTIONS.filter((item) => item.topic === topic).length;
      expect(n, `topic ${topic}`).toBeGreaterThanOrEqual(12);
    }
  });

  it("has at least 40 hedged and 40 non-hedged answers", () => {
    const hedged = BLIND_QUESTIONS.filter((item) => item.hedged).length;
    expect(hedged).toBeGreaterThanOrEqual(40);
    expect(BLIND_QUESTIONS.length - hedged).toBeGreaterThanOrEqual(40);
  });

  it("has at least 15 partial answers, all of them hedged", () => {
    const partial = BLIND_QUESTIONS.filter((item) => item.partial);
    expect(partial.length).toBeGreaterThanOrEqual(15);
    for (const item of partial) expect(item.hedged, `id ${item.id}`).toBe(true);
  });
});
