/**
 * Satisfaction signals: what went wrong with a bot question, in words a
 * support or product person understands, and a "needs attention" order
 * across them. The log has no feedback field, so these are the signals it
 * does carry (see shared/docs/log-format.md).
 */

export type SignalKind = "failed" | "unfinished" | "reasked" | "hedged" | "no_documents" | "partial" | "slow";

export interface SignalDefinition {
  kind: SignalKind;
  /** Short label for lists and filters. */
  label: string;
  /** One sentence for someone who has never seen the logs. */
  meaning: string;
  /** Weight in the "needs attention" order: the worst signal leads. */
  weight: number;
}

/** In "needs attention" order: an investor left with nothing first, slowness last. */
export const SIGNALS: readonly SignalDefinition[] = [
  { kind: "failed", label: "Failed", weight: 100, meaning: "The bot hit an error and the investor got no answer." },
  { kind: "unfinished", label: "No answer", weight: 80, meaning: "The question was asked but no answer was ever logged." },
  { kind: "reasked", label: "Asked again", weight: 60, meaning: "The investor asked nearly the same thing again within minutes: the answer probably did not help." },
  { kind: "hedged", label: "Not in the documents", weight: 50, meaning: "The bot answered that the deal documents do not contain this information." },
  { kind: "no_documents", label: "No documents", weight: 40, meaning: "The bot had no deal documents to answer from." },
  { kind: "partial", label: "Partly answered", weight: 30, meaning: "The bot answered part of the question; the rest was not in the documents." },
  { kind: "slow", label: "Slow", weight: 20, meaning: "The answer took longer than the slow threshold." },
];

const BY_KIND = new Map(SIGNALS.map((s) => [s.kind, s]));

/** The fields of a stored question that carry its signals. */
export interface SignalFacts {
  outcome: "answered" | "hedged" | "failed" | "unfinished";
  partial: boolean;
  noDocuments: boolean;
  slow: boolean;
  reasked: boolean;
  latencyMs?: number | null;
  errorMessage?: string | null;
}

/** The question's signals, worst first. A partial answer is also hedged; it is reported as partial only. */
export function signalsOf(q: SignalFacts): SignalKind[] {
  const out: SignalKind[] = [];
  if (q.outcome === "failed") out.push("failed");
  if (q.outcome === "unfinished") out.push("unfinished");
  if (q.reasked) out.push("reasked");
  if (q.outcome === "hedged" && !q.partial) out.push("hedged");
  if (q.noDocuments) out.push("no_documents");
  if (q.partial) out.push("partial");
  if (q.slow) out.push("slow");
  return out.sort((a, b) => BY_KIND.get(b)!.weight - BY_KIND.get(a)!.weight);
}

/**
 * The "needs attention" score: the worst signal's weight, plus a tenth of
 * each other signal's, so a hedged answer that was also re-asked comes
 * before a hedged answer alone, but never before a failure. 0: nothing wrong.
 */
export function attentionScore(signals: readonly SignalKind[]): number {
  if (signals.length === 0) return 0;
  const weights = signals.map((k) => BY_KIND.get(k)!.weight).sort((a, b) => b - a);
  return weights[0]! + weights.slice(1).reduce((sum, w) => sum + w / 10, 0);
}

/** One sentence on why this question needs attention, for a list row (the worst signal, with its detail). */
export function explainSignals(q: SignalFacts, slowThresholdMs: number): string | null {
  const [worst, ...rest] = signalsOf(q);
  if (!worst) return null;
  let sentence: string;
  switch (worst) {
    case "failed":
      sentence = q.errorMessage ? `The bot hit an error ("${q.errorMessage}") and gave no answer.` : BY_KIND.get("failed")!.meaning;
      break;
    case "slow":
      sentence = q.latencyMs != null
        ? `The answer took ${(q.latencyMs / 1000).toFixed(1)} s (slow means over ${(slowThresholdMs / 1000).toFixed(0)} s).`
        : BY_KIND.get("slow")!.meaning;
      break;
    default:
      sentence = BY_KIND.get(worst)!.meaning;
  }
  if (rest.length === 0) return sentence;
  return `${sentence} Also: ${rest.map((k) => BY_KIND.get(k)!.label.toLowerCase()).join(", ")}.`;
}
