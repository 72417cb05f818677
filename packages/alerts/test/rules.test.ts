import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { AlertRulesError, DEFAULT_RULES_FILE, loadRules, METRICS, parseDuration, parseRules, rulesSource } from "../src/rules";

const rule = (fields: Record<string, unknown>) => ({ id: "r1", name: "Rule one", metric: "failed_share", window: "15m", threshold: 0.05, ...fields });
const yamlOf = (rules: unknown[], extra = "") => `${extra}rules: ${JSON.stringify(rules)}\n`;

function errorOf(text: string, file = "rules.yaml"): string {
  try {
    parseRules(text, file);
  } catch (err) {
    expect(err).toBeInstanceOf(AlertRulesError);
    return (err as Error).message;
  }
  throw new Error("expected the rules to be refused");
}

describe("the shipped default rules", () => {
  it("load, cover every metric, and have unique slugs", async () => {
    const set = await loadRules(DEFAULT_RULES_FILE);
    expect(set.rules.length).toBeGreaterThanOrEqual(METRICS.length);
    expect(new Set(set.rules.map((r) => r.metric))).toEqual(new Set(METRICS));
    for (const r of set.rules) {
      expect(r.id).toMatch(/^[a-z0-9-]+$/);
      expect(r.name.length).toBeGreaterThan(0);
      expect(r.description).not.toBeNull();
    }
    const failed = set.rules.find((r) => r.id === "failed-answers")!;
    expect(failed).toMatchObject({ metric: "failed_share", windowMs: 15 * 60_000, comparison: "above", threshold: 0.05, minQuestions: 20, severity: "critical", delayMs: 120_000, repeatMs: null });
    expect(set.rules.find((r) => r.metric === "ingest_lag_seconds")).toMatchObject({ window: null, windowMs: null, minQuestions: null, delayMs: 0 });
    expect(set.rules.find((r) => r.id === "question-volume-drop")).toMatchObject({ comparison: "below", minQuestions: 30 });
  });
});

describe("parseRules", () => {
  it("applies defaults: comparison per metric, the file's defaults, else 20 questions and no delay", () => {
    const set = parseRules(yamlOf([rule({}), rule({ id: "v", metric: "volume_ratio", threshold: 0.5, minQuestions: 5, repeat: "1h" })], "defaults: { delay: 90s }\n"));
    expect(set.rules[0]).toMatchObject({ comparison: "above", minQuestions: 20, delayMs: 90_000, severity: "warning", description: null, window: "15m" });
    expect(set.rules[1]).toMatchObject({ comparison: "below", minQuestions: 5, repeatMs: 3_600_000 });
    expect(parseRules(yamlOf([rule({})])).rules[0]!.delayMs).toBe(0);
  });

  it("reads JSON when the file is .json, and channel URLs from notifications:", () => {
    const set = parseRules(JSON.stringify({ rules: [rule({})], notifications: { slack: "https://hooks.slack.com/services/x" } }), "rules.json");
    expect(set.rules).toHaveLength(1);
    expect(set.channels).toEqual({ slack: "https://hooks.slack.com/services/x" });
  });

  it("names the rule and the field of every problem", () => {
    expect(errorOf(yamlOf([rule({ threshold: 5 })]))).toMatch(/rule "r1" \(rules\[0\]\) threshold: a share is between 0 and 1/);
    expect(errorOf(yamlOf([rule({ window: "15 minutes" })]))).toMatch(/rule "r1" \(rules\[0\]\) window: window must be a duration/);
    expect(errorOf(yamlOf([rule({ window: "30d" })]))).toMatch(/rule "r1" \(rules\[0\]\) window: window must be between 1m and 7d/);
    expect(errorOf(yamlOf([rule({ metric: "errors" })]))).toMatch(/rule "r1" \(rules\[0\]\) metric: must be one of failed_share/);
    expect(errorOf(yamlOf([rule({ severity: "high" })]))).toMatch(/rule "r1" \(rules\[0\]\) severity: must be warning or critical/);
    expect(errorOf(yamlOf([rule({ comparison: ">" })]))).toMatch(/rule "r1" \(rules\[0\]\) comparison: must be one of above/);
    expect(errorOf(yamlOf([rule({ window: undefined })]))).toMatch(/rule "r1" \(rules\[0\]\) window: is required for failed_share/);
    expect(errorOf(yamlOf([rule({ metric: "ingest_lag_seconds", threshold: 60, minQuestions: 3 })]))).toMatch(/rule "r1" \(rules\[0\]\) minQuestions: does not apply/);
    expect(errorOf(yamlOf([rule({ id: "Not A Slug" })]))).toMatch(/rule "Not A Slug" \(rules\[0\]\) id: must be a slug/);
    expect(errorOf(yamlOf([rule({ treshold: 1 })]))).toMatch(/rule "r1" \(rules\[0\]\).*treshold/);
    expect(errorOf(yamlOf([rule({ threshold: "high" })]))).toMatch(/rule "r1" \(rules\[0\]\) threshold: must be a number/);
    expect(errorOf(yamlOf([{ name: "no id", metric: "failed_share", window: "1h", threshold: 0.1 }]))).toMatch(/rules\[0\] id:/);
    expect(errorOf(yamlOf([rule({}), rule({})]))).toMatch(/rule "r1" \(rules\[1\]\) id: "r1" is also the id of rules\[0\]/);
    // Several problems: all listed, one per line.
    const many = errorOf(yamlOf([rule({ threshold: 2 }), rule({ id: "r2", window: "soon" })]));
    expect(many).toContain('rule "r1" (rules[0]) threshold');
    expect(many).toContain('rule "r2" (rules[1]) window');
  });

  it("refuses what is not a rules file, with the line of a YAML error", () => {
    expect(errorOf("rules:\n  - id: a\n   name: b\n")).toMatch(/rules\.yaml: not valid YAML \(line \d+\)/);
    expect(errorOf("{", "rules.json")).toMatch(/not valid JSON/);
    expect(errorOf("rules: 3\n")).toMatch(/rules: must be a list of rules/);
    expect(errorOf("rulez: []\n")).toMatch(/rules\.yaml: /);
    expect(errorOf(yamlOf([rule({})], "notifications: { slack: not-a-url }\n"))).toMatch(/notifications\.slack: must be an http\(s\) URL/);
  });

  it("parses durations", () => {
    expect(parseDuration("15m")).toBe(900_000);
    expect(parseDuration("1h")).toBe(3_600_000);
    expect(parseDuration("1d")).toBe(86_400_000);
    expect(parseDuration("90s")).toBe(90_000);
    expect(parseDuration("1w")).toBeNull();
    expect(parseDuration("")).toBeNull();
  });
});

describe("rulesSource", () => {
  it("re-reads a changed file and keeps the last good rules when an edit breaks it", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "li-rules-"));
    try {
      const file = path.join(dir, "rules.yaml");
      await writeFile(file, yamlOf([rule({})]));
      const errors: string[] = [];
      const source = rulesSource(file, (e) => errors.push(e.message));
      expect((await source.get()).rules.map((r) => r.id)).toEqual(["r1"]);
      await writeFile(file, yamlOf([rule({}), rule({ id: "r2" })]));
      expect((await source.get()).rules.map((r) => r.id)).toEqual(["r1", "r2"]);
      await writeFile(file, yamlOf([rule({ threshold: 9 })]) + "# broken\n");
      expect((await source.get()).rules.map((r) => r.id)).toEqual(["r1", "r2"]);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatch(/threshold/);
      await expect(rulesSource(path.join(dir, "missing.yaml")).get()).rejects.toThrow(/cannot read the alert rules file/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
