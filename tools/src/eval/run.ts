/**
 * `npm run eval`: scores the question classifier and the hedge detector on
 * the labeled set (tools/eval/labeled-questions.ts), test half and dev half
 * separately, and prints the misclassified items of the test half.
 *
 * Also scores the blind set (tools/eval/blind-questions.ts: written by
 * someone who never saw the classifier, never used for tuning): the
 * honest estimate.
 *
 * Options: --split test|dev|both (which halves to print, default both),
 * --errors N (items listed per error kind, default 20), --json (the numbers
 * only, as JSON). Exit status 0; 1 with --check when a test target is missed.
 */
import { BLIND_QUESTIONS } from "../../eval/blind-questions";
import { LABELED_QUESTIONS } from "../../eval/labeled-questions";
import { TOPIC_IDS } from "@log-insights/logs";
import { runItems, scoreSplit, targetsMet } from "./evaluate";
import type { ItemResult, PrecisionRecall, SplitReport } from "./evaluate";

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const f2 = (x: number): string => x.toFixed(2);
const pad = (s: string, n: number): string => s.padEnd(n);
const lpad = (s: string, n: number): string => s.padStart(n);

function prRow(name: string, m: PrecisionRecall): string {
  return `${pad(name, 12)}${lpad(f2(m.precision), 10)}${lpad(f2(m.recall), 8)}${lpad(f2(m.f1), 8)}${lpad(String(m.support), 9)}`;
}

function printReport(r: SplitReport): void {
  console.log(`\n=== ${r.split.toUpperCase()} half: ${r.items} items ===\n`);
  console.log(`${pad("topic", 12)}${lpad("precision", 10)}${lpad("recall", 8)}${lpad("F1", 8)}${lpad("support", 9)}`);
  for (const id of TOPIC_IDS) console.log(prRow(id, r.topics[id]));
  console.log("");
  console.log(`topic accuracy      ${f2(r.topicAccuracy)}  (${r.items - r.topicErrors.length}/${r.items})`);
  console.log(`fund accuracy       ${f2(r.fundAccuracy)}  (${r.items - r.fundErrors.length}/${r.items})`);
  console.log(`hedged   precision  ${f2(r.hedge.precision)}  recall ${f2(r.hedge.recall)}  (gold ${r.hedge.support}, predicted ${r.hedge.predictedPositives}, both ${r.hedge.truePositives})`);
  console.log(`partial  precision  ${f2(r.partial.precision)}  recall ${f2(r.partial.recall)}  (gold ${r.partial.support}, predicted ${r.partial.predictedPositives}, both ${r.partial.truePositives})`);
}

function printErrors(title: string, list: readonly ItemResult[], n: number, line: (r: ItemResult) => string): void {
  if (list.length === 0) return;
  console.log(`\n${title} (${Math.min(n, list.length)} of ${list.length}):`);
  for (const r of list.slice(0, n)) console.log(`  #${r.item.id} ${line(r)}`);
}

function printItemErrors(r: SplitReport, n: number): void {
  printErrors(`Misclassified ${r.split} items`, r.topicErrors, n, (x) =>
    `${x.item.topic} -> ${x.classification.topic}  ${JSON.stringify(x.item.question)}  [${x.classification.matched.join("; ") || "no cue"}]`,
  );
  printErrors(`Wrong fund, ${r.split}`, r.fundErrors, n, (x) =>
    `${JSON.stringify(x.item.fund)} -> ${JSON.stringify(x.classification.fund)}  ${JSON.stringify(x.item.question)}`,
  );
  printErrors(`Wrong hedge call, ${r.split}`, r.hedgeErrors, n, (x) =>
    `gold ${x.item.hedged ? "hedged" : "answered"}, got ${x.hedge.hedged ? `hedged (${x.hedge.family}: ${JSON.stringify(x.hedge.matched)})` : "answered"}  ${JSON.stringify(x.item.answer)}`,
  );
  printErrors(`Wrong partial call, ${r.split}`, r.partialErrors, n, (x) =>
    `gold ${x.item.partial ? "partial" : "not partial"}, got ${x.hedge.partial ? "partial" : "not partial"}  ${JSON.stringify(x.item.answer)}`,
  );
}

const which = arg("--split") ?? "both";
const n = Number(arg("--errors") ?? 20);
const results = runItems([...LABELED_QUESTIONS, ...BLIND_QUESTIONS.map((b) => ({ ...b, split: "blind" as const }))]);
const test = scoreSplit("test", results);
const dev = scoreSplit("dev", results);
const blind = scoreSplit("blind", results);

if (process.argv.includes("--json")) {
  const strip = (r: SplitReport) => ({
    split: r.split,
    items: r.items,
    topics: r.topics,
    topicAccuracy: r.topicAccuracy,
    fundAccuracy: r.fundAccuracy,
    hedge: r.hedge,
    partial: r.partial,
    targets: targetsMet(r),
  });
  console.log(JSON.stringify({ test: strip(test), dev: strip(dev), blind: strip(blind) }, null, 2));
} else {
  console.log(`Labeled set: ${LABELED_QUESTIONS.length} items (odd ids = test, even ids = dev)`);
  if (which !== "dev") printReport(test);
  if (which !== "test") printReport(dev);
  if (which === "both") {
    printReport(blind);
    console.log("\nTargets on the blind set:");
    for (const t of targetsMet(blind)) console.log(`  ${t.met ? "met   " : "MISSED"} ${t.name} ${f2(t.value)} (target >= ${f2(t.target)})`);
  }
  if (which !== "dev") {
    console.log("\nTargets on the test half:");
    for (const t of targetsMet(test)) console.log(`  ${t.met ? "met   " : "MISSED"} ${t.name} ${f2(t.value)} (target >= ${f2(t.target)})`);
    printItemErrors(test, n);
  }
  if (which === "dev") printItemErrors(dev, n);
}
if (process.argv.includes("--check") && !targetsMet(test).every((t) => t.met)) process.exitCode = 1;
