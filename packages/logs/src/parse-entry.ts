/**
 * Validation + normalization of one raw log entry into a `NormalizedEntry`.
 *
 * Why a zod envelope plus hand-written promotion: the rejection contract is
 * small and shared with the sample-data generator (not an object; `level`
 * missing or neither a finite number nor a pino label; `time` present but
 * not a finite number; `timestamp` present but not a date; no time at all),
 * so zod checks exactly that envelope and yields the human reason. Everything
 * else is tolerated: hot fields are promoted to columns when they have the
 * expected type (otherwise the column is null and the raw value stays in
 * `data`, nothing is lost), and the rest goes to `data`, redacted.
 *
 * Personal data (privacy/): the text investors type (`query`,
 * `requestMessage`, `answer`, the message, error text) is masked (emails,
 * phone numbers, IBANs, card numbers, NI numbers) and client addresses
 * (`x-forwarded-for` and the other client-address headers,
 * `req.remoteAddress`) are truncated or hashed, as the `privacy` options say
 * (default: masked, truncated). Only those fields: an id or trace header that
 * happens to pass a Luhn check is not a card.
 *
 * Speed (bench/parse-entry.ts, real entries): ~360k entries per CPU second
 * for the whole function; the zod envelope is about 5% of that profile
 * (object building and redaction dominate), so zod runs on every entry and
 * there is no hand-written duplicate of the contract to keep in step.
 */
import { z } from "zod";
import { anonymizeIpValue, ipKeyKind, maskPiiDeep, resolvePrivacy, type Privacy, type PrivacyOptions } from "./privacy";
import { redactField, redactQueryObject, redactString, redactUrl } from "./redact";
import type { NormalizedEntry, TimeSource } from "./types";

/** pino's level labels and their numbers. */
export const PINO_LEVELS: Readonly<Record<string, number>> = Object.freeze({
  trace: 10,
  debug: 20,
  info: 30,
  warn: 40,
  error: 50,
  fatal: 60,
});

/** A Map, so that inherited names ("toString", "__proto__") are never labels. */
const LEVEL_BY_LABEL = new Map(Object.entries(PINO_LEVELS));

/** The numeric level of a pino label (case-insensitive), or undefined. */
export function levelFromLabel(label: string): number | undefined {
  return LEVEL_BY_LABEL.get(label) ?? LEVEL_BY_LABEL.get(label.trim().toLowerCase());
}

const LABELS = Object.keys(PINO_LEVELS).join(", ");

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") {
    const shown = value.length > 40 ? `${value.slice(0, 40)}...` : value;
    return `the string ${JSON.stringify(shown)}`;
  }
  if (typeof value === "number") return String(value);
  return `a ${typeof value}`;
}

/** The rejection contract. Output: numeric level, `time` and the parsed `timestamp` in ms. */
export const entryEnvelopeSchema = z.object(
  {
    level: z.union(
      [
        z.number(),
        z.string().transform((label, ctx) => {
          const level = levelFromLabel(label);
          if (level !== undefined) return level;
          ctx.issues.push({ code: "custom", input: label, message: `unknown level label` });
          return z.NEVER;
        }),
      ],
      {
        error: (iss) =>
          iss.input === undefined
            ? "level is missing"
            : `level must be a finite number or a pino label (${LABELS}), got ${describe(iss.input)}`,
      },
    ),
    time: z
      .number({ error: (iss) => `time must be epoch milliseconds (a finite number), got ${describe(iss.input)}` })
      .optional(),
    timestamp: z
      .string({ error: (iss) => `timestamp must be a date string, got ${describe(iss.input)}` })
      .transform((text, ctx) => {
        const ms = Date.parse(text);
        if (!Number.isNaN(ms)) return ms;
        ctx.issues.push({
          code: "custom",
          input: text,
          message: `timestamp is not a parseable date: ${describe(text)}`,
        });
        return z.NEVER;
      })
      .optional(),
  },
  { error: (iss) => `entry is not a JSON object (got ${describe(iss.input)})` },
);

export type ParseEntryResult = { ok: true; entry: NormalizedEntry } | { ok: false; reason: string };

/** Top-level keys that become columns (kept in `data` only when their type is unexpected). */
const TOP_PROMOTED = new Set([
  "level",
  "time",
  "timestamp",
  "pid",
  "hostname",
  "context",
  "message",
  "authUserId",
  "dealId",
  "processingTimeMs",
  "req",
]);

/** Top-level fields holding text a person typed or an error's text: personal data is masked in them. */
const TEXT_FIELDS = new Set(["query", "requestMessage", "answer", "message", "msg", "error", "err"]);

/** A field's stored value: redacted, then its personal data masked (text fields) or its addresses anonymized (client-address keys). */
function privateField(privacy: Privacy, key: string, value: unknown, depth: number, text: boolean): unknown {
  const redacted = redactField(key, value, depth);
  if (text) return privacy.maskPii ? maskPiiDeep(redacted) : redacted;
  const kind = ipKeyKind(key);
  return kind === null ? redacted : anonymizeIpValue(kind, redacted, privacy.ip);
}

const PLATFORM_HEADER = "x-application-platform";
const VERSION_HEADER = "x-application-version";

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function str(value: unknown): string | null {
  return typeof value === "string" ? value : null;
}

function int(value: unknown): number | null {
  return typeof value === "number" && Number.isSafeInteger(value) ? value : null;
}

/** authUserId: an integer, or a string of digits (some emitters stringify ids). */
function userIdOf(value: unknown): number | null {
  if (typeof value === "number") return Number.isSafeInteger(value) ? value : null;
  if (typeof value === "string" && /^\d{1,15}$/.test(value)) return Number(value);
  return null;
}

/** dealId / req.id: text; numbers are coerced to their decimal string. */
function idText(value: unknown): string | null {
  if (typeof value === "string") return value;
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  return null;
}

/** processingTimeMs: finite number, rounded (the column is integer milliseconds). */
function latencyOf(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) ? Math.round(value) : null;
}

function put(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === "__proto__") {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    target[key] = value;
  }
}

function reasonOf(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      // The union/transform messages already name their field.
      if (issue.code === "custom" || issue.path.length === 0) return issue.message;
      return issue.message.startsWith(String(issue.path[0])) ? issue.message : `${issue.path.join(".")}: ${issue.message}`;
    })
    .join("; ");
}

/**
 * Validates and normalizes one element of a file's JSON array.
 *
 * @param raw the parsed element
 * @param index its index in the file's array
 * @param keyTimeMs the time in the file key's basename (last-resort entry time), or null
 * @param privacyOptions personal data masking and client address mode (default: masked, truncated)
 */
export function parseEntry(raw: unknown, index: number, keyTimeMs: number | null, privacyOptions?: PrivacyOptions): ParseEntryResult {
  const parsed = entryEnvelopeSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, reason: reasonOf(parsed.error) };
  const env = parsed.data;
  const obj = raw as Record<string, unknown>;
  const privacy = resolvePrivacy(privacyOptions);

  let timeMs: number;
  let timeSource: TimeSource;
  if (env.timestamp !== undefined) {
    timeMs = env.timestamp;
    timeSource = "timestamp";
  } else if (env.time !== undefined) {
    timeMs = env.time;
    timeSource = "time";
  } else if (keyTimeMs !== null && Number.isFinite(keyTimeMs)) {
    timeMs = keyTimeMs;
    timeSource = "key";
  } else {
    return { ok: false, reason: "no time: the entry has neither timestamp nor time, and the file key has no time" };
  }

  const pid = int(obj.pid);
  const hostname = str(obj.hostname);
  const context = str(obj.context);
  const messageField = str(obj.message);
  // The message is free text like any other ("upstream refused Authorization: Bearer ..."): redacted the same way.
  let message = messageField === null ? null : privacy.text(redactString(messageField));
  const userId = userIdOf(obj.authUserId);
  const dealId = idText(obj.dealId);
  const latencyMs = latencyOf(obj.processingTimeMs);

  const data: Record<string, unknown> = {};
  let msgPromoted = false;
  if (message === null && typeof obj.msg === "string") {
    // pino's default message key, when the nestjs-pino `message` is absent.
    message = privacy.text(redactString(obj.msg));
    msgPromoted = true;
  }

  let requestId: string | null = null;
  let method: string | null = null;
  let url: string | null = null;
  let platform: string | null = null;
  let appVersion: string | null = null;

  const req = obj.req;
  if (isPlainObject(req)) {
    requestId = idText(req.id);
    method = str(req.method);
    url = typeof req.url === "string" ? redactUrl(req.url) : null;
    const reqData: Record<string, unknown> = {};
    let reqHasData = false;
    for (const k in req) {
      if (!Object.hasOwn(req, k)) continue;
      const v = req[k];
      if ((k === "id" && requestId !== null) || (k === "method" && method !== null) || (k === "url" && url !== null)) {
        continue;
      }
      if (k === "headers" && isPlainObject(v)) {
        const headers: Record<string, unknown> = {};
        for (const h in v) {
          if (!Object.hasOwn(v, h)) continue;
          const hv = v[h];
          if (h === PLATFORM_HEADER && typeof hv === "string") {
            platform = hv;
            continue;
          }
          if (h === VERSION_HEADER && typeof hv === "string") {
            appVersion = hv;
            continue;
          }
          put(headers, h, privateField(privacy, h, hv, 2, false));
        }
        reqData.headers = headers;
      } else if (k === "query" && isPlainObject(v)) {
        reqData.query = redactQueryObject(v);
      } else {
        put(reqData, k, privateField(privacy, k, v, 1, false));
      }
      reqHasData = true;
    }
    if (reqHasData) data.req = reqData;
  } else if (req !== undefined) {
    data.req = redactField("req", req);
  }

  for (const k in obj) {
    if (!Object.hasOwn(obj, k)) continue;
    if (TOP_PROMOTED.has(k)) {
      const keep =
        (k === "pid" && pid === null) ||
        (k === "hostname" && hostname === null) ||
        (k === "context" && context === null) ||
        (k === "message" && messageField === null) ||
        (k === "authUserId" && userId === null) ||
        (k === "dealId" && dealId === null) ||
        (k === "processingTimeMs" && latencyMs === null) ||
        // Both times present but different: keep `time` (the column took `timestamp`).
        (k === "time" && timeSource === "timestamp" && env.time !== undefined && env.time !== timeMs);
      if (!keep || obj[k] === undefined) continue;
    } else if (k === "msg" && msgPromoted) {
      continue;
    }
    put(data, k, privateField(privacy, k, obj[k], 0, TEXT_FIELDS.has(k)));
  }

  return {
    ok: true,
    entry: {
      index,
      timeMs,
      timeSource,
      level: env.level,
      context,
      message,
      userId,
      dealId,
      requestId,
      hostname,
      pid,
      method,
      url,
      platform,
      appVersion,
      latencyMs,
      data,
    },
  };
}
