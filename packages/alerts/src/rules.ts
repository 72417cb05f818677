import { existsSync } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parse as parseYaml, YAMLParseError } from "yaml";
import { z } from "zod";

// Why a file: the rules are product decisions ("tell us when more than 5% of
// questions fail over 15 minutes"), so they live in a YAML file a product
// person can read and change in review, not in code or in the database. One
// zod schema is both the check and the type; an error names the file, the
// rule (by id) and the field, never just "invalid". JSON is accepted too
// (`.json`). The default rules ship in packages/alerts/rules.default.yaml;
// ALERT_RULES_FILE points at another file.

/** What a rule measures. Shares are 0-1 over the questions in the window. */
export const METRICS = [
  "failed_share",
  "hedged_share",
  "unfinished_share",
  "p95_answer_ms",
  "volume_ratio",
  "ingest_lag_seconds",
  "failed_files",
] as const;
export type Metric = (typeof METRICS)[number];

export const COMPARISONS = ["above", "at_least", "below", "at_most"] as const;
export type Comparison = (typeof COMPARISONS)[number];

export const SEVERITIES = ["warning", "critical"] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Metrics computed over the questions of a window: they need enough questions to mean anything. */
export const QUESTION_METRICS: ReadonlySet<Metric> = new Set(["failed_share", "hedged_share", "unfinished_share", "p95_answer_ms", "volume_ratio"]);
const SHARE_METRICS: ReadonlySet<Metric> = new Set(["failed_share", "hedged_share", "unfinished_share"]);

/** Used when a rule says nothing: most metrics alert on going up, volume on dropping. */
export function defaultComparison(metric: Metric): Comparison {
  return metric === "volume_ratio" ? "below" : "above";
}

/** A rule as the evaluator uses it (durations in ms, defaults applied). */
export interface AlertRule {
  /** Stable slug: the key of the rule's state and history; renaming it starts a new history. */
  id: string;
  name: string;
  description: string | null;
  metric: Metric;
  /** The window as written ("15m"), null for ingest_lag_seconds (a point-in-time metric). */
  window: string | null;
  windowMs: number | null;
  comparison: Comparison;
  threshold: number;
  /** Question metrics only: fewer questions than this in the window (for volume_ratio: in last week's window) and the rule does not judge. */
  minQuestions: number | null;
  severity: Severity;
  /** The window ends this long before now: the newest minute's questions may still be waiting for their outcome's file. */
  delayMs: number;
  /** Repeat interval while firing; null: the schedule's (ALERT_REPEAT_MINUTES). */
  repeatMs: number | null;
}

/** Channel URLs from the rules file (the environment wins over them; see notify/channels.ts). */
export interface FileChannels {
  webhook?: string;
  slack?: string;
  alertmanager?: string;
}

export interface RuleSet {
  rules: AlertRule[];
  channels: FileChannels;
  /** Where the rules came from (for messages). */
  file: string;
}

export class AlertRulesError extends Error {
  override name = "AlertRulesError";
}

const DURATION = /^(\d{1,6})\s*(s|m|h|d)$/;
const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const WEEK_MS = 7 * UNIT_MS.d;

/** "15m" -> 900000; null when it is not a duration. */
export function parseDuration(text: string): number | null {
  const m = DURATION.exec(text.trim());
  return m ? Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS] : null;
}

const duration = (what: string, minMs: number, maxMs: number) =>
  z.string().superRefine((s, ctx) => {
    const ms = parseDuration(s);
    if (ms === null) ctx.addIssue({ code: "custom", message: `${what} must be a duration such as 90s, 15m, 1h or 1d; got ${JSON.stringify(s.slice(0, 40))}` });
    else if (ms < minMs || ms > maxMs) ctx.addIssue({ code: "custom", message: `${what} must be between ${formatDuration(minMs)} and ${formatDuration(maxMs)}; got ${s}` });
  });

const url = z.string().refine((s) => /^https?:\/\/[^\s]+$/.test(s), { message: "must be an http(s) URL" });

const ruleSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, { message: "must be a slug: lowercase letters, digits and dashes (e.g. failed-answers)" }),
    name: z.string().trim().min(1).max(120),
    description: z.string().trim().max(1_000).optional(),
    metric: z.enum(METRICS, { message: `must be one of ${METRICS.join(", ")}` }),
    window: duration("window", 60_000, WEEK_MS).optional(),
    comparison: z.enum(COMPARISONS, { message: `must be one of ${COMPARISONS.join(", ")}` }).optional(),
    threshold: z.number({ message: "must be a number" }).finite(),
    minQuestions: z.number().int().min(0).optional(),
    severity: z.enum(SEVERITIES, { message: "must be warning or critical" }).default("warning"),
    delay: duration("delay", 0, 3_600_000).optional(),
    repeat: duration("repeat", 60_000, 30 * UNIT_MS.d).optional(),
  })
  .strict()
  .superRefine((r, ctx) => {
    if (r.metric !== "ingest_lag_seconds" && r.window === undefined) {
      ctx.addIssue({ code: "custom", path: ["window"], message: `is required for ${r.metric} (e.g. 15m, 1h)` });
    }
    if (SHARE_METRICS.has(r.metric) && (r.threshold < 0 || r.threshold > 1)) {
      ctx.addIssue({ code: "custom", path: ["threshold"], message: `a share is between 0 and 1 (0.05 is 5%); got ${r.threshold}` });
    }
    if (!SHARE_METRICS.has(r.metric) && r.threshold < 0) {
      ctx.addIssue({ code: "custom", path: ["threshold"], message: `must not be negative; got ${r.threshold}` });
    }
    if (!QUESTION_METRICS.has(r.metric) && r.minQuestions !== undefined) {
      ctx.addIssue({ code: "custom", path: ["minQuestions"], message: `does not apply to ${r.metric} (it does not count questions)` });
    }
  });

const fileSchema = z
  .object({
    version: z.literal(1).optional(),
    defaults: z
      .object({
        minQuestions: z.number().int().min(0).optional(),
        delay: duration("delay", 0, 3_600_000).optional(),
        repeat: duration("repeat", 60_000, 30 * UNIT_MS.d).optional(),
      })
      .strict()
      .optional(),
    notifications: z.object({ webhook: url.optional(), slack: url.optional(), alertmanager: url.optional() }).strict().optional(),
    rules: z.array(z.unknown(), { message: "must be a list of rules" }),
  })
  .strict();

/** When neither the rule nor the file's defaults say: no alert on a handful of questions. */
export const DEFAULT_MIN_QUESTIONS = 20;

/**
 * Parses and validates a rules document (YAML, or JSON when the name ends
 * in .json). Throws one AlertRulesError listing every problem, each naming
 * the rule and the field: `rule "failed-answers" (rules[0]) threshold: ...`.
 */
export function parseRules(text: string, file = "rules"): RuleSet {
  let doc: unknown;
  try {
    doc = file.endsWith(".json") ? JSON.parse(text) : parseYaml(text, { prettyErrors: true, uniqueKeys: true });
  } catch (err) {
    const where = err instanceof YAMLParseError && err.linePos ? ` (line ${err.linePos[0].line})` : "";
    throw new AlertRulesError(`${file}: not valid ${file.endsWith(".json") ? "JSON" : "YAML"}${where}: ${firstLine((err as Error).message)}`);
  }
  const top = fileSchema.safeParse(doc);
  if (!top.success) {
    throw new AlertRulesError(`${file}: ${top.error.issues.map((i) => `${i.path.length > 0 ? i.path.join(".") : "the file"}: ${i.message}`).join("; ")}`);
  }
  const defaults = top.data.defaults ?? {};
  const problems: string[] = [];
  const rules: AlertRule[] = [];
  const seen = new Map<string, number>();
  top.data.rules.forEach((raw, index) => {
    const rawId = raw !== null && typeof raw === "object" && typeof (raw as { id?: unknown }).id === "string" ? (raw as { id: string }).id : null;
    const label = rawId ? `rule "${rawId.slice(0, 64)}" (rules[${index}])` : `rules[${index}]`;
    const parsed = ruleSchema.safeParse(raw);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const field = issue.path.length > 0 ? issue.path.join(".") : issue.code === "unrecognized_keys" ? "" : "the rule";
        problems.push(`${label}${field ? ` ${field}` : ""}: ${issue.message}`);
      }
      return;
    }
    const r = parsed.data;
    const earlier = seen.get(r.id);
    if (earlier !== undefined) {
      problems.push(`${label} id: "${r.id}" is also the id of rules[${earlier}]; ids must be unique`);
      return;
    }
    seen.set(r.id, index);
    const questionMetric = QUESTION_METRICS.has(r.metric);
    rules.push({
      id: r.id,
      name: r.name,
      description: r.description ?? null,
      metric: r.metric,
      window: r.metric === "ingest_lag_seconds" ? null : (r.window ?? null),
      windowMs: r.metric === "ingest_lag_seconds" || r.window === undefined ? null : parseDuration(r.window),
      comparison: r.comparison ?? defaultComparison(r.metric),
      threshold: r.threshold,
      minQuestions: questionMetric ? (r.minQuestions ?? defaults.minQuestions ?? DEFAULT_MIN_QUESTIONS) : null,
      severity: r.severity,
      delayMs: questionMetric ? (parseDuration(r.delay ?? defaults.delay ?? "0s") ?? 0) : 0,
      repeatMs: parseDuration(r.repeat ?? defaults.repeat ?? "") ?? null,
    });
  });
  if (problems.length > 0) throw new AlertRulesError(`${file}: ${problems.length === 1 ? problems[0] : `\n  ${problems.join("\n  ")}`}`);
  return { rules, channels: top.data.notifications ?? {}, file };
}

/** Reads and validates a rules file (default: the shipped rules.default.yaml). */
export async function loadRules(file: string = DEFAULT_RULES_FILE): Promise<RuleSet> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    throw new AlertRulesError(`cannot read the alert rules file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return parseRules(text, file);
}

/**
 * The rules of a file, re-read when the file changes (its mtime and size):
 * editing the rules takes effect at the next evaluation, without a restart.
 * A file broken by an edit is reported (onError) and the last good rules are
 * kept; with no good rules yet, get() throws the error.
 */
export function rulesSource(file: string = DEFAULT_RULES_FILE, onError?: (err: AlertRulesError) => void): { file: string; get(): Promise<RuleSet> } {
  let cached: { key: string; rules: RuleSet } | null = null;
  let lastBadKey: string | null = null;
  return {
    file,
    async get() {
      let key: string;
      try {
        const s = await stat(file);
        key = `${s.mtimeMs}:${s.size}`;
      } catch {
        key = "missing";
      }
      if (cached && cached.key === key) return cached.rules;
      try {
        const rules = await loadRules(file);
        cached = { key, rules };
        lastBadKey = null;
        return rules;
      } catch (err) {
        if (!cached || !(err instanceof AlertRulesError)) throw err;
        if (lastBadKey !== key) onError?.(err);
        lastBadKey = key;
        return cached.rules;
      }
    },
  };
}

/** "15m", "1h", "1d 2h" for messages. */
export function formatDuration(ms: number): string {
  if (ms % UNIT_MS.d === 0 && ms > 0) return `${ms / UNIT_MS.d}d`;
  if (ms % UNIT_MS.h === 0 && ms > 0) return `${ms / UNIT_MS.h}h`;
  if (ms % UNIT_MS.m === 0 && ms > 0) return `${ms / UNIT_MS.m}m`;
  return `${Math.round(ms / 1000)}s`;
}

/** A duration in words for people ("15 minutes", "1 hour", "2 days"), where formatDuration writes the file's form ("15m"). */
export function durationInWords(ms: number): string {
  const plural = (n: number, unit: string): string => `${n} ${unit}${n === 1 ? "" : "s"}`;
  if (ms % UNIT_MS.d === 0 && ms > 0) return plural(ms / UNIT_MS.d, "day");
  if (ms % UNIT_MS.h === 0 && ms > 0) return plural(ms / UNIT_MS.h, "hour");
  if (ms % UNIT_MS.m === 0 && ms > 0) return plural(ms / UNIT_MS.m, "minute");
  return plural(Math.round(ms / 1000), "second");
}

function firstLine(s: string): string {
  return s.split("\n")[0]!.slice(0, 300);
}

/**
 * packages/alerts/rules.default.yaml, found from this file so any cwd works;
 * inside a bundle (the Next.js server) this file's URL is the bundle's, so it
 * is also looked for from the working directory (as the migrations are).
 */
export const DEFAULT_RULES_FILE = locateDefaultRules();

function locateDefaultRules(): string {
  const candidates = [
    import.meta.url.startsWith("file:") ? path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "rules.default.yaml") : null,
    path.resolve(process.cwd(), "packages/alerts/rules.default.yaml"),
    path.resolve(process.cwd(), "../../packages/alerts/rules.default.yaml"),
  ].filter((c): c is string => c !== null);
  return candidates.find((c) => existsSync(c)) ?? candidates[0]!;
}
