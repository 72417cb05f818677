/**
 * Test helpers: run the generator into a temporary folder and read a bucket
 * folder back (independently of the generator's own code).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, sep } from "node:path";
import { gunzipSync } from "node:zlib";

export interface ReadFile {
  /** Path relative to the bucket folder, with "/" separators. */
  key: string;
  gz: Buffer;
  text: string;
  elements: unknown[];
}

export type Obj = Record<string, unknown>;

export function isPlainObject(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function makeTempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function listFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(p);
    }
  };
  walk(root);
  return out;
}

export function readBucket(root: string): ReadFile[] {
  return listFiles(root).map((p) => {
    const gz = readFileSync(p);
    const text = gunzipSync(gz).toString("utf8");
    const parsed: unknown = JSON.parse(text);
    if (!Array.isArray(parsed)) throw new Error(`${p}: not a JSON array`);
    return { key: relative(root, p).split(sep).join("/"), gz, text, elements: parsed };
  });
}

const PINO_LABELS = new Set(["trace", "debug", "info", "warn", "error", "fatal"]);

/** The agreed rejection contract of the log model (time-less elements aside: keys always carry a time). */
export function isRejected(e: unknown): boolean {
  if (!isPlainObject(e)) return true;
  const level = e.level;
  const levelOk = (typeof level === "number" && Number.isFinite(level)) || (typeof level === "string" && PINO_LABELS.has(level));
  if (!levelOk) return true;
  if ("time" in e && !(typeof e.time === "number" && Number.isFinite(e.time))) return true;
  if ("timestamp" in e && !(typeof e.timestamp === "string" && !Number.isNaN(Date.parse(e.timestamp)))) return true;
  return false;
}

/** Entry time as an ingestor reads it: timestamp, then time, then the key's time. */
export function entryTime(e: Obj, keyTime: number): number {
  if (typeof e.timestamp === "string") return Date.parse(e.timestamp);
  if (typeof e.time === "number") return e.time;
  return keyTime;
}

export function keyTimeOf(key: string): number {
  const base = key.slice(key.lastIndexOf("/") + 1);
  return Date.parse(base.slice(0, 24));
}

export interface Pairing {
  starts: number;
  outcomes: number;
  startsWithoutOutcome: number;
  outcomesWithoutStart: number;
}

/** Pairs questions within one file by array order: a start with the next outcome of the same user/deal/req. */
export function pairFile(elements: unknown[]): Pairing {
  const open = new Map<string, number>();
  const res: Pairing = { starts: 0, outcomes: 0, startsWithoutOutcome: 0, outcomesWithoutStart: 0 };
  for (const e of elements) {
    if (!isPlainObject(e) || isRejected(e)) continue;
    const req = isPlainObject(e.req) ? e.req : {};
    const k = `${String(e.authUserId)}|${String(e.dealId)}|${String(req.id)}`;
    if (e.message === "Processing deal bot query") {
      res.starts++;
      if (open.has(k)) res.startsWithoutOutcome++;
      open.set(k, 1);
    } else if (e.message === "Query processed successfully") {
      res.outcomes++;
      if (open.has(k)) open.delete(k);
      else res.outcomesWithoutStart++;
    }
  }
  res.startsWithoutOutcome += open.size;
  return res;
}
