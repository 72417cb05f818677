/**
 * Scores the question classifier (topic, fund) and the hedge detector
 * (hedged, partial) against the labeled evaluation set in tools/eval.
 * Pure: the command line (./run.ts) prints what this computes.
 */
import { TOPIC_IDS, classifyQuestion, detectHedge } from "@log-insights/logs";
import type { Classification, HedgeResult, TopicId } from "@log-insights/logs";
import type { LabeledQuestion } from "../../eval/labeled-questions";

export interface PrecisionRecall {
  precision: number;
  recall: number;
  f1: number;
  /** Gold positives. */
  support: number;
  truePositives: number;
  predictedPositives: number;
}

export interface ItemResult {
  item: LabeledQuestion;
  classification: Classification;
  hedge: HedgeResult;
}

export interface SplitReport {
  split: "dev" | "test" | "blind";
  items: number;
  topics: Record<TopicId, PrecisionRecall>;
  topicAccuracy: number;
  fundAccuracy: number;
  hedge: PrecisionRecall;
  partial: PrecisionRecall;
  topicErrors: ItemResult[];
  fundErrors: ItemResult[];
  hedgeErrors: ItemResult[];
  partialErrors: ItemResult[];
}

export function precisionRecall(gold: readonly boolean[], predicted: readonly boolean[]): PrecisionRecall {
  let tp = 0;
  let pp = 0;
  let support = 0;
  for (let i = 0; i < gold.length; i++) {
    if (gold[i]) support++;
    if (predicted[i]) pp++;
    if (gold[i] && predicted[i]) tp++;
  }
  // No predicted positives: precision is vacuously 1 (nothing wrong was claimed); no gold positives: recall 1.
  const precision = pp === 0 ? 1 : tp / pp;
  const recall = support === 0 ? 1 : tp / support;
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { precision, recall, f1, support, truePositives: tp, predictedPositives: pp };
}

export function runItems(items: readonly LabeledQuestion[]): ItemResult[] {
  return items.map((item) => ({ item, classification: classifyQuestion(item.question), hedge: detectHedge(item.answer) }));
}

export function scoreSplit(split: "dev" | "test" | "blind", results: readonly ItemResult[]): SplitReport {
  const rs = results.filter((r) => r.item.split === split);
  const topics = Object.fromEntries(
    TOPIC_IDS.map((id) => [
      id,
      precisionRecall(
        rs.map((r) => r.item.topic === id),
        rs.map((r) => r.classification.topic === id),
      ),
    ]),
  ) as Record<TopicId, PrecisionRecall>;
  const topicErrors = rs.filter((r) => r.classification.topic !== r.item.topic);
  const fundErrors = rs.filter((r) => r.classification.fund !== r.item.fund);
  const hedgeErrors = rs.filter((r) => r.hedge.hedged !== r.item.hedged);
  const partialErrors = rs.filter((r) => r.hedge.partial !== r.item.partial);
  return {
    split,
    items: rs.length,
    topics,
    topicAccuracy: rs.length === 0 ? 0 : 1 - topicErrors.length / rs.length,
    fundAccuracy: rs.length === 0 ? 0 : 1 - fundErrors.length / rs.length,
    hedge: precisionRecall(
      rs.map((r) => r.item.hedged),
      rs.map((r) => r.hedge.hedged),
    ),
    partial: precisionRecall(
      rs.map((r) => r.item.partial),
      rs.map((r) => r.hedge.partial),
    ),
    topicErrors,
    fundErrors,
    hedgeErrors,
    partialErrors,
  };
}

/** The targets the evaluation must meet on the test half. */
export const TARGETS = { topicAccuracy: 0.9, hedgeRecall: 0.85, hedgePrecision: 0.9 } as const;

export function targetsMet(r: SplitReport): { name: string; value: number; target: number; met: boolean }[] {
  return [
    { name: "topic accuracy", value: r.topicAccuracy, target: TARGETS.topicAccuracy, met: r.topicAccuracy >= TARGETS.topicAccuracy },
    { name: "hedge recall", value: r.hedge.recall, target: TARGETS.hedgeRecall, met: r.hedge.recall >= TARGETS.hedgeRecall },
    { name: "hedge precision", value: r.hedge.precision, target: TARGETS.hedgePrecision, met: r.hedge.precision >= TARGETS.hedgePrecision },
  ];
}
