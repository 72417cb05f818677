import { describe, expect, it } from "vitest";
import { SIGNALS, attentionScore, explainSignals, signalsOf, type SignalFacts } from "../src/signals";

const ok: SignalFacts = { outcome: "answered", partial: false, noDocuments: false, slow: false, reasked: false };

describe("satisfaction signals", () => {
  it("finds nothing wrong with a plain answer", () => {
    expect(signalsOf(ok)).toEqual([]);
    expect(attentionScore([])).toBe(0);
    expect(explainSignals(ok, 10_000)).toBeNull();
  });

  it("reads each signal from the stored facts, worst first", () => {
    expect(signalsOf({ ...ok, outcome: "failed" })).toEqual(["failed"]);
    expect(signalsOf({ ...ok, outcome: "unfinished" })).toEqual(["unfinished"]);
    expect(signalsOf({ ...ok, outcome: "hedged" })).toEqual(["hedged"]);
    expect(signalsOf({ ...ok, outcome: "hedged", partial: true })).toEqual(["partial"]);
    expect(signalsOf({ ...ok, slow: true, reasked: true, noDocuments: true, outcome: "hedged" }))
      .toEqual(["reasked", "hedged", "no_documents", "slow"]);
  });

  it("orders by the worst signal, then by how many others come with it", () => {
    const score = (f: Partial<SignalFacts>): number => attentionScore(signalsOf({ ...ok, ...f }));
    expect(score({ outcome: "failed" })).toBeGreaterThan(score({ outcome: "unfinished", reasked: true, slow: true }));
    expect(score({ outcome: "hedged", reasked: true })).toBeGreaterThan(score({ outcome: "hedged" }));
    expect(score({ outcome: "hedged" })).toBeGreaterThan(score({ outcome: "hedged", partial: true }));
    expect(score({ slow: true })).toBeGreaterThan(0);
    // The table is in weight order, so lists built from it read worst first.
    expect(SIGNALS.map((s) => s.weight)).toEqual([...SIGNALS.map((s) => s.weight)].sort((a, b) => b - a));
  });

  it("explains in plain words, with the detail that matters", () => {
    expect(explainSignals({ ...ok, outcome: "failed", errorMessage: "Request timed out" }, 10_000))
      .toBe('The bot hit an error ("Request timed out") and gave no answer.');
    expect(explainSignals({ ...ok, slow: true, latencyMs: 12_345 }, 10_000)).toBe("The answer took 12.3 s (slow means over 10 s).");
    expect(explainSignals({ ...ok, outcome: "hedged", reasked: true }, 10_000))
      .toBe("The investor asked nearly the same thing again within minutes: the answer probably did not help. Also: not in the documents.");
  });
});
