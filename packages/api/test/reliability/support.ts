/**
 * Shared by the API's reliability tests: a pino logger that writes into a
 * buffer (to search the application's own logs), a seeded PRNG, and the
 * checks that a GraphQL error is one a client can act on.
 */
import { Writable } from "node:stream";
import { pino, type Logger } from "pino";

/** A logger at `level` whose JSON lines are kept in memory. */
export function bufferLogger(name: string, level = "debug"): { logger: Logger; text(): string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _enc, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return { logger: pino({ name, level }, stream), text: () => chunks.join("") };
}

/** mulberry32: small, seeded, good enough to pick test inputs reproducibly. */
export function prng(seed: number): { next(): number; int(min: number, max: number): number; pick<T>(items: readonly T[]): T; chance(p: number): boolean } {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    pick: (items) => items[Math.floor(next() * items.length)]!,
    chance: (p) => next() < p,
  };
}

/** Every code the API documents (errors.ts ApiErrorCode). */
export const KNOWN_CODES = new Set([
  "BAD_DATE", "BAD_RANGE", "BAD_TIME_ZONE", "TOO_MANY_BUCKETS", "BAD_FILTER", "BAD_CURSOR", "PAGE_TOO_LARGE", "BAD_SEARCH",
  "ALERT_RULES_INVALID", "QUERY_TOO_DEEP", "QUERY_TOO_COSTLY", "TOO_MANY_ALIASES", "TOO_MANY_DIRECTIVES", "TOO_MANY_TOKENS",
  "INTROSPECTION_DISABLED", "GRAPHQL_VALIDATION_FAILED", "GRAPHQL_PARSE_FAILED", "BAD_USER_INPUT", "TIMEOUT", "UNAVAILABLE",
  "INTERNAL_SERVER_ERROR",
  // graphql-yoga's own, for a request that is not GraphQL at all (a body that is not JSON, no query).
  "BAD_REQUEST", "REQUEST_ENTITY_TOO_LARGE",
]);

/**
 * What must never reach a client: stack frames, source paths, PostgreSQL's
 * and the driver's messages. (Not bare SQL words: a message may quote the
 * client's own input, and the input here is SQL injection.)
 */
export const INTERNALS = new RegExp([
  String.raw`\n\s+at `, String.raw`\bat (?:async )?[\w.<>$]+ \(`, String.raw`\.[cm]?[jt]sx?:\d+`, "node_modules", "file://",
  'relation "', "syntax error at or near", 'column "', "invalid input syntax for", "violates", "duplicate key", "operator does not exist",
  "function .* does not exist", "out of range for type", "unterminated quoted", "ECONNREFUSED", "ECONNRESET", "Client has encountered",
  "Cannot read properties", "Maximum call stack", "TypeError", "RangeError", "ReferenceError",
].join("|"), "i");

export interface ErrorShape {
  message?: unknown;
  extensions?: { code?: unknown; [k: string]: unknown };
}

/** The problems of one response body's errors (empty: each has a known code and a clean message). */
export function errorProblems(errors: ErrorShape[] | undefined): string[] {
  const problems: string[] = [];
  for (const e of errors ?? []) {
    const code = e.extensions?.code;
    if (typeof code !== "string" || !KNOWN_CODES.has(code)) problems.push(`no known code: ${JSON.stringify(e).slice(0, 300)}`);
    if (typeof e.message !== "string" || e.message.trim() === "") problems.push(`no message: ${JSON.stringify(e).slice(0, 300)}`);
    else if (INTERNALS.test(e.message)) problems.push(`internal detail in the message: ${e.message.slice(0, 300)}`);
    if (e.extensions && ("stack" in e.extensions || "exception" in e.extensions)) problems.push(`a stack in extensions: ${JSON.stringify(e).slice(0, 300)}`);
  }
  return problems;
}
