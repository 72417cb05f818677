/**
 * Optional faults: array elements the log model must reject. The agreed
 * contract: an element is rejected iff it is not a plain object, OR its
 * `level` is missing or neither a finite number nor a pino label, OR `time` is
 * present but not a finite number, OR `timestamp` is present but not a
 * parseable date (OR it has no time at all, which generated files never rely
 * on: their keys always carry a time). Each planted element breaks exactly one
 * rule and looks like an unrelated system entry otherwise, so it never belongs
 * to a bot question's sequence.
 */
import { CONTEXT } from "./catalogue";
import type { Element, Invalid } from "./entries";
import type { Rng } from "./prng";
import type { Proc } from "./world";

export type InvalidKind = "not-object" | "level-missing" | "level-invalid" | "time-invalid" | "timestamp-invalid";

export const INVALID_KINDS: readonly InvalidKind[] = [
  "not-object",
  "level-missing",
  "level-invalid",
  "time-invalid",
  "timestamp-invalid",
];

const NOT_OBJECTS: readonly unknown[] = ["garbage", 42, null, [1, 2], true, [], "{\"level\":30}", 0];
const BAD_LEVELS: readonly unknown[] = ["loud", true, "", { n: 30 }, "thirty", null, [30]];
const BAD_TIMES: readonly unknown[] = ["yesterday", true, { ms: 1 }, "n/a", [1743532096581]];
const BAD_TIMESTAMPS: readonly unknown[] = ["not a date", "yesterday", "soon", "n/a", true];

export function invalidElement(r: Rng, t: number, proc: Proc, kind: InvalidKind): Invalid {
  if (kind === "not-object") return { t, kind, raw: r.pick(NOT_OBJECTS) };
  const base = (): Record<string, unknown> => ({
    level: 30,
    time: t,
    timestamp: new Date(t).toISOString(),
    pid: proc.pid,
    hostname: proc.hostname,
    context: CONTEXT.monitor,
    message: `Memory usage: ${r.int(240, 620)}MB`,
  });
  const raw = base();
  if (kind === "level-missing") delete raw.level;
  else if (kind === "level-invalid") raw.level = r.pick(BAD_LEVELS);
  else if (kind === "time-invalid") raw.time = r.pick(BAD_TIMES);
  else raw.timestamp = r.pick(BAD_TIMESTAMPS);
  return { t, kind, raw };
}

/** Inserts, after each element with probability `rate`, one invalid element; returns the new list. */
export function plantInvalid(elements: readonly Element[], r: Rng, rate: number, proc: Proc): Element[] {
  if (rate <= 0) return elements.slice();
  const out: Element[] = [];
  for (const e of elements) {
    out.push(e);
    if (r.chance(rate)) out.push(invalidElement(r, e.t, proc, r.pick(INVALID_KINDS)));
  }
  return out;
}
