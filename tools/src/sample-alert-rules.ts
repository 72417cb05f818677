/**
 * Alert rules for `npm start` on sample data. The sample bucket is written
 * once and never grows, so "logs are not arriving" (ingest_lag_seconds)
 * would be true within minutes of every start and paint a critical banner
 * over the demo. The copy is the shipped rules file minus those rules,
 * comments kept, so the worker and the dashboard read the same rules.
 */
import { readFile, writeFile } from "node:fs/promises";
import { isMap, isSeq, parseDocument } from "yaml";
import { DEFAULT_RULES_FILE } from "@log-insights/alerts";

export const SAMPLE_IGNORED_METRICS = ["ingest_lag_seconds"] as const;

/** Writes the shipped rules without the metrics a static sample cannot satisfy to `file`; returns how many rules were left out. */
export async function writeSampleAlertRules(file: string): Promise<number> {
  const doc = parseDocument(await readFile(DEFAULT_RULES_FILE, "utf8"));
  const rules = doc.get("rules");
  if (!isSeq(rules)) throw new Error(`${DEFAULT_RULES_FILE}: no rules list`);
  const before = rules.items.length;
  rules.items = rules.items.filter((rule) => !(isMap(rule) && (SAMPLE_IGNORED_METRICS as readonly unknown[]).includes(rule.get("metric"))));
  doc.commentBefore = `${doc.commentBefore ?? ""}\n Written by npm start for the sample data (tools/src/sample-alert-rules.ts): ${SAMPLE_IGNORED_METRICS.join(", ")} left out.`;
  await writeFile(file, doc.toString());
  return before - rules.items.length;
}
