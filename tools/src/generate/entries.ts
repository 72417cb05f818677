/**
 * Log entries as the production service writes them (pino + nestjs-pino), and
 * their serialization. An entry keeps its parts apart (head: level, time,
 * timestamp, pid, hostname; the shared `req`; body: context, message, fields)
 * so that the compact writer serializes each session's `req` once and splices
 * it in: the output is byte-identical to `JSON.stringify` of the whole entry.
 */

export type Level = 30 | 40 | 50 | "info";

/** A `req` object shared by all entries of one request, with its JSON cached. */
export interface Req {
  obj: Record<string, unknown>;
  json: string;
}

export function makeReq(obj: Record<string, unknown>): Req {
  return { obj, json: JSON.stringify(obj) };
}

export interface Entry {
  /** The entry's time (ms), also when the `time`/`timestamp` fields are left out. */
  t: number;
  level: Level;
  /** Which of `time` / `timestamp` the entry carries (format quirks). */
  fields: TimeFields;
  pid: number;
  hostname: string;
  req: Req | null;
  /** context, message, then the message's own fields, in production key order. */
  body: Record<string, unknown>;
}

/** Something the log model must reject (not an entry, or an entry with a bad level/time). */
export interface Invalid {
  t: number;
  raw: unknown;
  kind: string;
}

export type Element = Entry | Invalid;

export function isInvalid(e: Element): e is Invalid {
  return "raw" in e;
}

/** Which of `time` / `timestamp` an entry carries (format quirks). */
export type TimeFields = "both" | "time" | "timestamp" | "none";

let isoDay = NaN;
let isoDayPrefix = "";

/** `new Date(t).toISOString()`, faster for the many times that share a day. */
export function isoTime(t: number): string {
  const day = Math.floor(t / 86_400_000);
  if (day !== isoDay || t < 0) {
    if (t < 0 || t >= 253402300800000) return new Date(t).toISOString();
    isoDay = day;
    isoDayPrefix = new Date(day * 86_400_000).toISOString().slice(0, 11);
  }
  let ms = t - day * 86_400_000;
  const h = Math.floor(ms / 3_600_000);
  ms -= h * 3_600_000;
  const m = Math.floor(ms / 60_000);
  ms -= m * 60_000;
  const sec = Math.floor(ms / 1000);
  ms -= sec * 1000;
  return `${isoDayPrefix}${h < 10 ? "0" : ""}${h}:${m < 10 ? "0" : ""}${m}:${sec < 10 ? "0" : ""}${sec}.${ms < 10 ? "00" : ms < 100 ? "0" : ""}${ms}Z`;
}

/** The fields before `req`, as an object (production key order). */
export function headObject(e: Entry): Record<string, unknown> {
  switch (e.fields) {
    case "both":
      return { level: e.level, time: e.t, timestamp: isoTime(e.t), pid: e.pid, hostname: e.hostname };
    case "time":
      return { level: e.level, time: e.t, pid: e.pid, hostname: e.hostname };
    case "timestamp":
      return { level: e.level, timestamp: isoTime(e.t), pid: e.pid, hostname: e.hostname };
    case "none":
      return { level: e.level, pid: e.pid, hostname: e.hostname };
  }
}

/** Compact JSON of one entry, identical to `JSON.stringify(toObject(e))`. */
export function entryJson(e: Entry): string {
  const level = typeof e.level === "number" ? e.level : JSON.stringify(e.level);
  const time =
    e.fields === "both"
      ? `"time":${e.t},"timestamp":"${isoTime(e.t)}",`
      : e.fields === "time"
        ? `"time":${e.t},`
        : e.fields === "timestamp"
          ? `"timestamp":"${isoTime(e.t)}",`
          : "";
  const head = `{"level":${level},${time}"pid":${e.pid},"hostname":${JSON.stringify(e.hostname)},`;
  const body = JSON.stringify(e.body).slice(1);
  return e.req === null ? head + body : `${head}"req":${e.req.json},${body}`;
}

export function toObject(e: Element): unknown {
  if (isInvalid(e)) return e.raw;
  return e.req === null ? { ...headObject(e), ...e.body } : { ...headObject(e), req: e.req.obj, ...e.body };
}

/** The file content: one JSON array, compact on one line or pretty-printed with 2 spaces. */
export function serializeFile(elements: readonly Element[], pretty: boolean): string {
  if (pretty) return JSON.stringify(elements.map(toObject), null, 2);
  const parts = new Array<string>(elements.length);
  for (let i = 0; i < elements.length; i++) {
    const e = elements[i] as Element;
    parts[i] = isInvalid(e) ? JSON.stringify(e.raw) : entryJson(e);
  }
  return `[${parts.join(",")}]`;
}

/** Merges lists already sorted by `t` into one (stable: on equal times, earlier lists first). */
export function mergeByTime<T extends { t: number }>(lists: readonly (readonly T[])[]): T[] {
  const out: T[] = [];
  const idx = lists.map(() => 0);
  for (;;) {
    let best = -1;
    let bestT = Infinity;
    for (let l = 0; l < lists.length; l++) {
      const list = lists[l] as readonly T[];
      const i = idx[l] as number;
      if (i < list.length) {
        const t = (list[i] as T).t;
        if (t < bestT) {
          bestT = t;
          best = l;
        }
      }
    }
    if (best < 0) return out;
    out.push((lists[best] as readonly T[])[idx[best] as number] as T);
    idx[best] = (idx[best] as number) + 1;
  }
}
