/**
 * The log model over the real (redacted) sample files, asserting the truths
 * listed at the end of shared/docs/log-format.md. The files are reference
 * data outside the repo: read in place, skipped when absent.
 */
import { existsSync, readFileSync } from "node:fs";
import { basename, dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { detectHedge } from "../src/hedge";
import { pairQuestions } from "../src/pair";
import { parseEntry } from "../src/parse-entry";
import type { NormalizedEntry, PairedQuestion } from "../src/types";
import { listFiles } from "./helpers";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const bucket = resolve(repoRoot, "../shared/samples/real-bucket");
const exists = existsSync(bucket);
if (!exists) console.warn(`[logs] real sample folder not found (${bucket}): skipping the real-sample tests`);

/** Tiny local key-time parse: `<ISO-8601 UTC with ms>-<uuid>.json.gz`. */
function keyTime(file: string): number | null {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z)-/.exec(basename(file));
  return m ? Date.parse(m[1]!) : null;
}

interface SampleFile {
  file: string;
  raws: unknown[];
  entries: NormalizedEntry[];
  rejected: string[];
  questions: PairedQuestion[];
}

function load(): SampleFile[] {
  return listFiles(bucket).map((file) => {
    const raws = JSON.parse(gunzipSync(readFileSync(file)).toString("utf8")) as unknown[];
    const entries: NormalizedEntry[] = [];
    const rejected: string[] = [];
    raws.forEach((raw, i) => {
      const r = parseEntry(raw, i, keyTime(file));
      if (r.ok) entries.push(r.entry);
      else rejected.push(r.reason);
    });
    return { file, raws, entries, rejected, questions: pairQuestions(entries) };
  });
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

describe.skipIf(!exists)("real sample files (shared/samples/real-bucket)", () => {
  const files = exists ? load() : [];
  const entries = files.flatMap((f) => f.entries);
  const questions = files.flatMap((f) => f.questions);

  it("has 10 files and 612 entries, all accepted", () => {
    expect(files).toHaveLength(10);
    expect(files.flatMap((f) => f.rejected)).toEqual([]);
    expect(entries).toHaveLength(612);
    expect(files.every((f) => keyTime(f.file) !== null)).toBe(true);
  });

  it("records where each time came from (the admin entry has no `time`)", () => {
    expect(entries.every((e) => e.timeSource === "timestamp")).toBe(true);
    const admin = entries.filter((e) => e.message === "Context invalidated successfully");
    expect(admin).toHaveLength(1);
    expect(admin[0]!.level).toBe(30); // the string level "info"
  });

  it("has one level-50 entry", () => {
    expect(entries.filter((e) => e.level === 50)).toHaveLength(1);
    expect(entries.filter((e) => e.level >= 50)).toHaveLength(1);
  });

  it("rebuilds 65 questions with 63 distinct texts", () => {
    expect(questions).toHaveLength(65);
    expect(new Set(questions.map((q) => q.question)).size).toBe(63);
    // The fingerprint also merges "..., and what is..." with "... and what is..."
    // (a comma apart), so one group fewer than raw texts.
    expect(new Set(questions.map((q) => q.fingerprint)).size).toBe(62);
  });

  it("pairs every question with its own outcome: no orphan, failed or unfinished question", () => {
    for (const f of files) {
      for (const q of f.questions) {
        expect(q.orphanOutcome).toBe(false);
        expect(["answered", "hedged"]).toContain(q.outcome);
        const end = f.entries.find((e) => e.index === q.endIndex)!;
        expect(end.message).toBe("Query processed successfully");
        expect(end.data.query).toBe(q.question);
        // Latency is the bot's processingTimeMs, never an ApiController request's.
        expect(q.latencyMs).toBe(end.latencyMs);
        expect(q.model).toBe("gpt-4o-mini");
        expect(q.errorMessage).toBeNull();
      }
    }
  });

  it("assigns every bot-sequence entry to exactly one question", () => {
    for (const f of files) {
      const seq = f.entries
        .filter((e) => e.context === "DealBotService" || e.context === "OpenAIProvider")
        .filter((e) => e.message !== "Context invalidated successfully")
        .map((e) => e.index);
      const assigned = f.questions.flatMap((q) => q.entryIndexes).sort((a, b) => a - b);
      expect(assigned).toEqual(seq);
    }
  });

  it("has 37 cache hits", () => {
    expect(questions.filter((q) => q.cacheHit === true)).toHaveLength(37);
    expect(questions.filter((q) => q.cacheHit === false)).toHaveLength(28);
  });

  it("has processingTimeMs min 556, median 3604, max 6430 over questions", () => {
    const latencies = questions.map((q) => q.latencyMs!);
    expect(latencies.every((l) => typeof l === "number")).toBe(true);
    expect(Math.min(...latencies)).toBe(556);
    expect(median(latencies)).toBe(3604);
    expect(Math.max(...latencies)).toBe(6430);
  });

  it("has 7 users and 7 deal ids asking questions", () => {
    expect(new Set(questions.map((q) => q.userId)).size).toBe(7);
    expect(new Set(questions.map((q) => q.dealId)).size).toBe(7);
    expect(questions.every((q) => q.userId !== null && q.dealId !== null && q.requestId !== null)).toBe(true);
  });

  it("has 8 / 35 / 22 questions on 2025-04-01 / 2025-04-02 / 2025-05-02 (UTC)", () => {
    const perDay: Record<string, number> = {};
    for (const q of questions) {
      const day = new Date(q.askedAtMs).toISOString().slice(0, 10);
      perDay[day] = (perDay[day] ?? 0) + 1;
    }
    expect(perDay).toEqual({ "2025-04-01": 8, "2025-04-02": 35, "2025-05-02": 22 });
  });

  it("takes platform and app version from the start entry's headers", () => {
    for (const f of files) {
      for (const q of f.questions) {
        const start = f.raws[q.startIndex] as { req: { headers: Record<string, string> } };
        expect(q.platform).toBe(start.req.headers["x-application-platform"]);
        expect(q.appVersion).toBe(start.req.headers["x-application-version"]);
      }
    }
    expect(new Set(questions.map((q) => q.platform))).toEqual(new Set(["iOS", "Android"]));
  });

  it("leaks no secret from the raw files, and keeps auth_user_id cookies", () => {
    const secrets = new Set<string>();
    const authUserIds = new Set<string>();
    const walk = (v: unknown, key = ""): void => {
      if (typeof v === "string") {
        const k = key.toLowerCase();
        if (k === "cookie") {
          for (const part of v.split(";")) {
            const [name, value] = part.trim().split("=") as [string, string | undefined];
            if (name === "auth_user_id") authUserIds.add(`auth_user_id=${value}`);
            else if (value) secrets.add(value);
          }
        } else if (k === "authorization") {
          secrets.add(v);
          secrets.add(v.replace(/^Bearer\s+/i, ""));
        } else if (k === "access_token" || k === "refresh_token") {
          secrets.add(v);
        }
      } else if (Array.isArray(v)) {
        v.forEach((x) => walk(x));
      } else if (v !== null && typeof v === "object") {
        for (const [k, x] of Object.entries(v)) walk(x, k);
      }
    };
    files.forEach((f) => walk(f.raws));
    // The sample holds per-session access/refresh tokens, one Bearer token and one access_token header.
    expect(secrets.size).toBeGreaterThan(20);
    expect(authUserIds.size).toBeGreaterThan(5);

    const stored = JSON.stringify(entries);
    const leaked = [...secrets].filter((s) => stored.includes(s));
    expect(leaked).toEqual([]);
    for (const a of authUserIds) expect(stored).toContain(a);
    expect(stored).not.toMatch(/access_token=|refresh_token=|Bearer [0-9a-f]/);
    // Questions carry no headers, but check them too.
    const storedQuestions = JSON.stringify(questions);
    expect([...secrets].filter((s) => storedQuestions.includes(s))).toEqual([]);
  });

  it("finds 31 hedged answers (doc: 28 of 65; see the report for the difference)", () => {
    const hedged = questions.filter((q) => q.outcome === "hedged");
    // 22 answers say outright that the information is not available ("not
    // detailed in the provided information", "does not specify"), 9 defer
    // the specifics of the asked topic to a document ("For specific details
    // on how these tax benefits work, you may want to refer to the Tax Guide").
    expect(hedged).toHaveLength(31);
    const families = hedged.map((q) => detectHedge(q.answer!).family);
    expect(families.filter((f) => f === "unavailable")).toHaveLength(22);
    expect(families.filter((f) => f === "deferral")).toHaveLength(9);
    expect(hedged.filter((q) => q.partial)).toHaveLength(19);
    // Every "not detailed / not provided in the provided information" answer is caught.
    const explicit = questions.filter((q) =>
      /not (?:detailed|provided|specified)|does not (?:specify|provide)/i.test(q.answer!),
    );
    expect(explicit.every((q) => q.outcome === "hedged")).toBe(true);
  });
});
