/**
 * Secret redaction. The bot logs whole request headers: session cookies
 * (`access_token`, `refresh_token`), `authorization: Bearer ...` and an
 * `access_token` header. None of it may reach the database, the API or the
 * dashboard, so every entry passes through here before it is stored.
 *
 * Rules:
 * - A key that names a secret (see `classifyKey`) keeps its place but its value
 *   becomes "[redacted]", so an operator can see a secret was there.
 * - Cookie headers are parsed and only allow-listed, non-secret cookies are
 *   kept (`auth_user_id`); every other cookie is dropped (unknown = secret).
 * - In any string value: `Bearer <token>`, `Basic <credentials>`, JWTs (also
 *   with percent-encoded dots), vendor keys (OpenAI `sk-`, AWS `AKIA`/`ASIA`,
 *   Slack `xox?-`, GitHub `ghp_`/`github_pat_`...), the password of
 *   `scheme://user:password@host`, and `name=value` pairs whose name looks
 *   secret are redacted.
 * - URLs: secret-looking query/fragment parameters and userinfo passwords.
 *
 * Everything is copy-on-write: the input is never mutated, and an unchanged
 * subtree is returned as the same reference (most of an entry has no secret,
 * so this keeps the ingest hot path cheap).
 */

/** The replacement for a secret value. */
export const REDACTED = "[redacted]";

/** Cookies that are known not to be secrets; every other cookie is dropped. */
export const ALLOWED_COOKIES: ReadonlySet<string> = new Set(["auth_user_id"]);

/** How a key's value is treated. */
export type KeyKind = "plain" | "secret" | "cookie" | "url";

/** Deeper than this, a value is replaced (JSON from a file is finite, but may be hostile). */
const MAX_DEPTH = 64;
const TOO_DEEP = "[too deep]";

/**
 * Key names are compared normalized: lower case with `-`, `_`, `.` and spaces
 * removed, so `X-Api-Key`, `api_key` and `apiKey` are all `apikey`.
 */
function normalizeKey(key: string): string {
  return key.toLowerCase().replace(/[-_.\s]/g, "");
}

/** Secret-looking key names (normalized). */
const SECRET_KEY_RE =
  /token|secret|passw|passphrase|^pass$|^pwd$|apikey|accesskey|privatekey|signingkey|encryptionkey|clientkey|masterkey|session|^sid$|connectsid|credential|authori[sz]ation|^auth$|^xauth|signature|^jwt$/;
/**
 * Counters that merely contain "token" (`promptTokens`, `maxTokens`,
 * `completion_tokens`, `tokenCount`, a bare `tokens`): not secrets. Other
 * plural names are lists of secrets (`pushTokens`, `apiTokens`,
 * `refreshTokens`, `deviceTokens`).
 */
const TOKEN_COUNTER_RE =
  /(?:^|prompt|completion|total|max|min|input|output|reasoning|cached|cache|context|used|remaining|num|estimated|billed|request|response|candidates|thoughts|audio|text|image|new|generated|prediction|system|history|tool)tokens$|tokens?(?:count|length|limit|usage|total|used|remaining)s?$/;
/** A plural "...tokens" name: its numeric value is a count even when the name is a secret's (`apiTokens: 3`). */
const TOKENS_NAME_RE = /tokens$/i;
const COOKIE_KEY_RE = /^(?:set)?cookies?$/;
const URL_KEY_RE = /(?:url|uri)$|^href$|^refer+er$|^location$/;

const keyKindCache = new Map<string, KeyKind>();
const KEY_CACHE_LIMIT = 10_000;

/** How the value under `key` is redacted (cached: the same few keys repeat in every entry). */
export function classifyKey(key: string): KeyKind {
  const cached = keyKindCache.get(key);
  if (cached !== undefined) return cached;
  const n = normalizeKey(key);
  let kind: KeyKind = "plain";
  if (COOKIE_KEY_RE.test(n)) kind = "cookie";
  else if (SECRET_KEY_RE.test(n) && !TOKEN_COUNTER_RE.test(n)) kind = "secret";
  else if (URL_KEY_RE.test(n)) kind = "url";
  if (keyKindCache.size < KEY_CACHE_LIMIT) keyKindCache.set(key, kind);
  return kind;
}

/** True when a field/header named `key` holds a secret (cookies included). */
export function isSecretKey(key: string): boolean {
  const kind = classifyKey(key);
  return kind === "secret" || kind === "cookie";
}

// ---------------------------------------------------------------------------
// Cookies

let lastCookieIn: string | null = null;
let lastCookieOut = "";

/**
 * Keeps only allow-listed cookies of a `Cookie` (or `Set-Cookie`) header:
 * "auth_user_id=3587; access_token=...; refresh_token=..." -> "auth_user_id=3587".
 * When nothing is kept from a non-empty header the result is "[redacted]".
 */
export function redactCookieHeader(header: string): string {
  // One chat session repeats the same cookie on every entry of a file.
  if (header === lastCookieIn) return lastCookieOut;
  const kept: string[] = [];
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    const name = (eq === -1 ? part : part.slice(0, eq)).trim();
    if (name !== "" && ALLOWED_COOKIES.has(name.toLowerCase())) kept.push(part.trim());
  }
  const out = kept.length > 0 ? kept.join("; ") : header.trim() === "" ? header : REDACTED;
  lastCookieIn = header;
  lastCookieOut = out;
  return out;
}

function redactCookieValue(value: unknown, depth: number): unknown {
  if (typeof value === "string") return redactCookieHeader(value);
  // Bounded like redactValue: an array nested 100,000 deep overflowed the stack here.
  if (Array.isArray(value)) return depth >= MAX_DEPTH ? TOO_DEEP : value.map((v) => redactCookieValue(v, depth + 1));
  if (value !== null && typeof value === "object") {
    // A parsed cookie jar (`req.cookies`): same allow-list, other cookies dropped.
    const out: Record<string, unknown> = {};
    let dropped = false;
    for (const [k, v] of Object.entries(value)) {
      if (ALLOWED_COOKIES.has(k.toLowerCase()) && (v === null || typeof v !== "object")) setKey(out, k, v);
      else dropped = true;
    }
    return dropped && Object.keys(out).length === 0 ? REDACTED : out;
  }
  return value;
}

// ---------------------------------------------------------------------------
// Strings

/**
 * `Bearer <token>`: the token must be 16+ token characters with a digit, so
 * that prose ("bearer instruments", "bearer bonds") is left alone.
 */
const BEARER_RE = /\b(bearer)\s+(?=[A-Za-z\-._~+/]*\d)[A-Za-z0-9\-._~+/]{16,}=*/gi;
/**
 * JSON Web Tokens (header.payload.signature, base64url, header starting `{"`):
 * what `/\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*\/g` matches,
 * found in one pass. That regex is quadratic: in "eyJ-eyJ-eyJ-..." every
 * "eyJ" starts a scan to the end of the run (1 MB of it took minutes), and a
 * logged question is text a user typed. A failed start tells us every later
 * start in the same run fails too (same end, shorter header), so the scan
 * skips the run.
 */
function redactJwts(text: string): string {
  let out = "";
  let copied = 0;
  let from = 0;
  for (;;) {
    const at = text.indexOf("eyJ", from);
    if (at === -1) break;
    if (at > 0 && isWordChar(text.charCodeAt(at - 1)) && !isPercentEscapeBefore(text, at)) {
      from = at + 1;
      continue;
    }
    const headerEnd = runEnd(text, at + 3);
    const dot1 = jwtDotLength(text, headerEnd);
    if (headerEnd - at - 3 >= 8 && dot1 > 0) {
      const payloadEnd = runEnd(text, headerEnd + dot1);
      const dot2 = jwtDotLength(text, payloadEnd);
      if (payloadEnd - headerEnd - dot1 >= 8 && dot2 > 0) {
        const end = runEnd(text, payloadEnd + dot2);
        out += text.slice(copied, at) + REDACTED;
        copied = from = end;
        continue;
      }
    }
    from = headerEnd;
  }
  return copied === 0 ? text : out + text.slice(copied);
}

/**
 * The separator between a JWT's parts at `i`: "." (1), or percent-encoded in
 * a URL: "%2E"/"%2e" (3), "%252E" (5, encoded twice); 0 when none.
 */
function jwtDotLength(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (c === 46) return 1;
  if (c !== 37) return 0;
  if (text.charCodeAt(i + 1) === 50 && (text.charCodeAt(i + 2) | 32) === 101) return 3;
  if (text.startsWith("25", i + 1) && text.charCodeAt(i + 3) === 50 && (text.charCodeAt(i + 4) | 32) === 101) return 5;
  return 0;
}

function isHexChar(c: number): boolean {
  return (c >= 48 && c <= 57) || ((c | 32) >= 97 && (c | 32) <= 102);
}

/** A percent escape ends right before `at` ("%3DeyJ...": an encoded "=" then the token). */
function isPercentEscapeBefore(text: string, at: number): boolean {
  return at >= 3 && text.charCodeAt(at - 3) === 37 && isHexChar(text.charCodeAt(at - 2)) && isHexChar(text.charCodeAt(at - 1));
}

/** [A-Za-z0-9_] */
function isWordChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

/** End of the run of base64url characters ([A-Za-z0-9_-]) starting at `from`. */
function runEnd(text: string, from: number): number {
  let i = from;
  while (i < text.length && (isWordChar(text.charCodeAt(i)) || text.charCodeAt(i) === 45)) i++;
  return i;
}
/**
 * `Basic <base64>` (HTTP Basic credentials, in a header value or quoted in
 * text). The token is redacted when it decodes to printable text holding a
 * ":" (user:password), or looks like a key (16+ characters with a digit, or
 * base64 padding), so that prose ("basic understanding") is left alone.
 */
const BASIC_RE = /\b(basic)(\s{1,8})([A-Za-z0-9+/]{6,}={0,2})(?![A-Za-z0-9+/=])/gi;
const BASIC_TEST_RE = /basic/i;

function redactBasic(whole: string, word: string, space: string, token: string): string {
  let credentials = token.endsWith("=") || (token.length >= 16 && /\d/.test(token));
  if (!credentials) {
    const decoded = Buffer.from(token, "base64").toString("latin1");
    credentials = decoded.includes(":") && /^[\x20-\x7e]+$/.test(decoded);
  }
  return credentials ? `${word}${space}${REDACTED}` : whole;
}

/**
 * Vendor keys anywhere in text, by their documented prefixes: OpenAI
 * (`sk-`, `sk-proj-`...: 20+ key characters with a digit), AWS access key ids
 * (`AKIA`/`ASIA` + 16 upper-case letters or digits), Slack (`xoxb-`, `xoxp-`,
 * `xoxa-`, `xoxs-`, `xoxr-`), GitHub (`ghp_`, `gho_`, `ghs_`, `ghu_`, `ghr_`,
 * `github_pat_`). A key starts a run of key characters (the look-behind), so
 * each run is scanned once: linear, also on "sk-sk-sk-...".
 */
const VENDOR_KEY_RE =
  /(?<![A-Za-z0-9_-])(?:sk-(?=[A-Za-z0-9_-]*\d)[A-Za-z0-9_-]{20,}|(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Za-z0-9])|xox[abprs]-(?=[A-Za-z0-9-]*\d)[A-Za-z0-9-]{10,}|gh[oprsu]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{22,})/g;
const VENDOR_TEST_RE = /sk-|AKIA|ASIA|xox[abprs]-|gh[oprsu]_|github_pat_/;

/** Where a URL's authority ends: / ? # whitespace, quotes, brackets, a backslash (escaped JSON) or a comma. */
function isAuthorityEnd(c: number): boolean {
  return c === 47 || c === 63 || c === 35 || c <= 32 || c === 34 || c === 39 || c === 60 || c === 62 || c === 96
    || c === 92 || c === 44 || c === 41 || c === 93 || c === 125;
}

/**
 * The password of `scheme://user:password@host` anywhere in text
 * ("connect to postgres://app:s3cret@db:5432 failed", "redis://:pw@cache"):
 * "user:[redacted]@host". Each authority is read once.
 */
function redactUserinfo(text: string): string {
  let out = "";
  let copied = 0;
  let from = 0;
  for (;;) {
    const sep = text.indexOf("://", from);
    if (sep === -1) break;
    const start = sep + 3;
    let end = start;
    while (end < text.length && !isAuthorityEnd(text.charCodeAt(end))) end++;
    from = end > start ? end : start;
    // Both searches stay inside the authority: a search past it would make "@" + "a://b" * n quadratic.
    let at = end - 1;
    while (at >= start && text.charCodeAt(at) !== 64) at--;
    if (at < start) continue;
    let colon = start;
    while (colon < at && text.charCodeAt(colon) !== 58) colon++;
    if (colon >= at) continue;
    const password = text.slice(colon + 1, at);
    if (password === "" || password === REDACTED) continue;
    out += text.slice(copied, colon + 1) + REDACTED;
    copied = at;
  }
  return copied === 0 ? text : out + text.slice(copied);
}

/**
 * The token shapes found anywhere in text (not `name=value` pairs): bearer
 * and basic credentials, JWTs, vendor keys, URL passwords.
 */
function redactTokens(text: string): string {
  let out = text;
  if (BEARER_TEST_RE.test(out)) out = out.replace(BEARER_RE, `$1 ${REDACTED}`);
  if (BASIC_TEST_RE.test(out)) out = out.replace(BASIC_RE, redactBasic);
  if (out.includes("eyJ")) out = redactJwts(out);
  if (VENDOR_TEST_RE.test(out)) out = out.replace(VENDOR_KEY_RE, REDACTED);
  if (out.includes("://") && out.includes("@")) out = redactUserinfo(out);
  return out;
}

/** The name of a `name=value` pair inside free text, a cookie string or a query string. */
const PAIR_NAME_RE = /([A-Za-z0-9_.-]{2,64})=/g;
/** A pair's value ends at one of these (`[^\s;&"'<>,]+`). */
const PAIR_VALUE_END = /[\s;&"'<>,]/;

/**
 * Redacts the values of secret-looking `name=value` pairs. The value of a
 * pair that is not secret is searched too: "page=2#id_token=..." and
 * "next=/cb?token=..." hide a secret pair inside another pair's value (one
 * regex over whole pairs skipped them). One pass: a value is only read to
 * its end when its name is secret, and the search resumes after it.
 */
function redactPairs(text: string): string {
  let out = "";
  let copied = 0;
  const re = new RegExp(PAIR_NAME_RE);
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    // Not secret: the search goes on right after "=", inside the value.
    if (!isSecretKey(m[1]!)) continue;
    const valueStart = m.index + m[0].length;
    let valueEnd = valueStart;
    while (valueEnd < text.length && !PAIR_VALUE_END.test(text[valueEnd]!)) valueEnd++;
    if (valueEnd > valueStart && text.slice(valueStart, valueEnd) !== REDACTED) {
      out += text.slice(copied, valueStart) + REDACTED;
      copied = valueEnd;
    }
    re.lastIndex = valueEnd;
  }
  return copied === 0 ? text : out + text.slice(copied);
}

/** One scan that most strings fail: could it hold a bearer or basic token, a JWT, a vendor key, a URL password or a pair? */
// Case-insensitive only where the patterns are ("Bearer", "basic"): a case-sensitive regex scans ~30% faster, and every string of every entry passes here.
const SUSPECT_RE = /[Bb](?:[Ee][Aa][Rr][Ee][Rr]|[Aa][Ss][Ii][Cc])|eyJ|=|:\/\/|sk-|A[KS]IA|xox|gh[oprsu]_|github_pat_/;
const BEARER_TEST_RE = /bearer/i;

/**
 * Results for short strings that needed a regex pass. Header values such as
 * `x-amzn-trace-id: Root=1-...` repeat on every entry of a chat session;
 * the cache is cleared when full, so memory stays bounded.
 */
const stringCache = new Map<string, string>();
const STRING_CACHE_LIMIT = 4096;
const STRING_CACHE_MAX_LENGTH = 512;

/**
 * Redacts secrets inside one string value: bearer and basic credentials,
 * JWTs, vendor keys, URL passwords and secret-looking `name=value` pairs.
 * Prose without any of them is returned as is.
 */
export function redactString(value: string): string {
  if (value.length < 8 || !SUSPECT_RE.test(value)) return value;
  const cacheable = value.length <= STRING_CACHE_MAX_LENGTH;
  if (cacheable) {
    const hit = stringCache.get(value);
    if (hit !== undefined) return hit;
  }
  let out = redactTokens(value);
  if (out.includes("=")) out = redactPairs(out);
  if (cacheable) {
    if (stringCache.size >= STRING_CACHE_LIMIT) stringCache.clear();
    stringCache.set(value, out);
  }
  return out;
}

// ---------------------------------------------------------------------------
// URLs

/** Query parameters that are secrets in URLs only (too generic as field names). */
const URL_SECRET_PARAM_RE = /^(?:key|code|sig|signature|otp|pin|hash|auth|state|nonce|ticket)$/;

function isSecretParam(rawName: string): boolean {
  let name = rawName;
  if (name.includes("%")) {
    try {
      name = decodeURIComponent(name);
    } catch {
      // A malformed escape: judge the raw name.
    }
  }
  return isSecretKey(name) || URL_SECRET_PARAM_RE.test(normalizeKey(name));
}

/**
 * A parsed query string (`req.query`): its names are URL parameters, so the
 * URL rules apply (`code`, `sig`, `key`... are secrets here, as in `req.url`).
 */
export function redactQueryObject(query: Record<string, unknown>, depth = 2): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(query)) {
    const v = query[k];
    setKey(out, k, isSecretParam(k) && v !== null && v !== "" ? REDACTED : redactField(k, v, depth));
  }
  return out;
}

function redactParams(params: string): string {
  let changed = false;
  const parts = params.split("&");
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    const eq = part.indexOf("=");
    if (eq <= 0) continue;
    if (isSecretParam(part.slice(0, eq)) && part.slice(eq + 1) !== REDACTED) {
      parts[i] = `${part.slice(0, eq + 1)}${REDACTED}`;
      changed = true;
    }
  }
  return changed ? parts.join("&") : params;
}

/**
 * Redacts a URL (absolute or a path): secret-looking query and fragment
 * parameters (`?access_token=...`, `#id_token=...`, `?X-Amz-Signature=...`)
 * become "[redacted]", as does a password in `user:password@host`.
 * JWTs (also percent-encoded, in any parameter) and vendor keys anywhere in
 * it are redacted too.
 */
export function redactUrl(url: string): string {
  let out = url;
  const at = out.indexOf("@");
  if (at !== -1) {
    // scheme://user:password@host/...
    out = out.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/:@?#]*):[^/@?#]*@/i, `$1:${REDACTED}@`);
  }
  const q = out.indexOf("?");
  const h = out.indexOf("#");
  if (q !== -1 || h !== -1) {
    const hashAt = h === -1 ? out.length : h;
    const head = q !== -1 && q < hashAt ? out.slice(0, q) : out.slice(0, hashAt);
    const query = q !== -1 && q < hashAt ? out.slice(q + 1, hashAt) : null;
    const fragment = h === -1 ? null : out.slice(h + 1);
    out =
      head +
      (query === null ? "" : `?${redactParams(query)}`) +
      (fragment === null ? "" : `#${fragment.includes("=") ? redactParams(fragment) : fragment}`);
  }
  if (out.includes("eyJ")) out = redactJwts(out);
  if (VENDOR_TEST_RE.test(out)) out = out.replace(VENDOR_KEY_RE, REDACTED);
  return out;
}

// ---------------------------------------------------------------------------
// Values

/** Sets a key on a fresh object; `__proto__` from JSON.parse stays an own property. */
function setKey(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === "__proto__") {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    target[key] = value;
  }
}

/** Redacts the value found under `key` (the key decides how). Exported for parse-entry's fast path. */
export function redactField(key: string, value: unknown, depth = 0): unknown {
  switch (classifyKey(key)) {
    case "secret":
      if (typeof value === "number" && TOKENS_NAME_RE.test(key)) return value;
      return value === null || value === "" ? value : REDACTED;
    case "cookie":
      return redactCookieValue(value, depth);
    case "url":
      return typeof value === "string" ? redactUrl(value) : redactValue(value, depth);
    default:
      return redactValue(value, depth);
  }
}

function redactValue(value: unknown, depth: number): unknown {
  if (typeof value === "string") return redactString(value);
  if (value === null || typeof value !== "object") return value;
  if (depth >= MAX_DEPTH) return TOO_DEEP;
  if (Array.isArray(value)) {
    let out: unknown[] | null = null;
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      const r = redactValue(v, depth + 1);
      if (out === null && r !== v) out = value.slice(0, i);
      if (out !== null) out.push(r);
    }
    return out ?? value;
  }
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj);
  let out: Record<string, unknown> | null = null;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    const v = obj[k];
    const r = redactField(k, v, depth + 1);
    if (out === null && r !== v) {
      out = {};
      for (let j = 0; j < i; j++) setKey(out, keys[j]!, obj[keys[j]!]);
    }
    if (out !== null) setKey(out, k, r);
  }
  return out ?? obj;
}

/**
 * Deep-redacts any JSON-like value: secret keys in objects at any depth
 * (headers, nested objects, arrays of objects), cookie headers, and
 * bearer tokens / JWTs / secret pairs inside strings. Never mutates the
 * input; unchanged subtrees are returned as the same reference.
 */
export function redactSecrets<T>(value: T): T {
  return redactValue(value, 0) as T;
}

// ---------------------------------------------------------------------------
// Raw text

/** `"name": "string value"` in raw JSON text; $1 is the key with its colon, $2 the name. */
const RAW_STRING_PAIR_RE = /("((?:[^"\\\n]|\\.){1,128})"\s*:\s*)"(?:[^"\\]|\\.)*"/g;

/** A JSON object key followed by its colon. */
const RAW_KEY_RE = /"((?:[^"\\\n]|\\.){1,128})"\s*:\s*/g;

/**
 * End (exclusive) of the JSON value starting at `from`: a string, an object or
 * array (brackets matched, strings skipped), or a bare literal. A value cut off
 * by truncation ends at the end of the text.
 */
function rawValueEnd(text: string, from: number): number {
  const first = text[from];
  if (first === '"') {
    for (let i = from + 1; i < text.length; i++) {
      if (text[i] === "\\") i++;
      else if (text[i] === '"') return i + 1;
    }
    return text.length;
  }
  if (first === "{" || first === "[") {
    let depth = 0;
    for (let i = from; i < text.length; i++) {
      const c = text[i];
      if (c === '"') {
        for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === "\\") i++;
      } else if (c === "{" || c === "[") depth++;
      else if (c === "}" || c === "]") {
        depth--;
        if (depth === 0) return i + 1;
      }
    }
    return text.length;
  }
  let i = from;
  while (i < text.length && !/[,}\]\s]/.test(text[i]!)) i++;
  return i;
}

/**
 * Best-effort redaction of raw JSON text (a rejected record, possibly
 * truncated or invalid, pretty-printed or not): values of secret-looking
 * keys (strings, numbers, whole objects/arrays), cookie values (allow-listed
 * cookies kept), and bearer and basic credentials, JWTs, vendor keys, URL
 * passwords and secret `name=value` pairs anywhere. Used where a record could not become an entry but its text is
 * still stored for the operator: that text must not leak secrets either.
 */
export function redactRawText(text: string): string {
  let out = "";
  let copied = 0;
  RAW_KEY_RE.lastIndex = 0;
  for (let m = RAW_KEY_RE.exec(text); m !== null; m = RAW_KEY_RE.exec(text)) {
    const key = m[1]!;
    const kind = classifyKey(key);
    const valueStart = m.index + m[0].length;
    const parsedQuery = key === "query" && text[valueStart] === "{";
    if (kind === "plain" && !parsedQuery) continue;
    if (valueStart >= text.length) break;
    const valueEnd = rawValueEnd(text, valueStart);
    const value = text.slice(valueStart, valueEnd);
    let replacement: string;
    if (value === "null" || value === '""') continue;
    if (parsedQuery) {
      // `req.query`: its names are URL parameters (`"code": ...` is a secret here), as redactQueryObject treats a stored entry's.
      replacement = value.replace(RAW_STRING_PAIR_RE, (whole, head: string, name: string) => (isSecretParam(name) ? `${head}"${REDACTED}"` : whole));
      if (replacement === value) continue;
    } else if (kind === "url") {
      // A URL's secret parameters by the URL rules (`?code=`, `#id_token=`), as in a stored entry.
      if (!value.startsWith('"')) continue;
      const closed = value.length > 1 && value.endsWith('"');
      const url = value.slice(1, closed ? -1 : undefined);
      const redacted = redactUrl(url);
      if (redacted === url) continue;
      replacement = `"${redacted}"`;
    } else if (kind === "cookie" && value.startsWith('"')) {
      const closed = value.length > 1 && value.endsWith('"');
      replacement = `"${redactCookieHeader(value.slice(1, closed ? -1 : undefined))}"`;
    } else {
      replacement = `"${REDACTED}"`;
    }
    out += text.slice(copied, valueStart) + replacement;
    copied = valueEnd;
    RAW_KEY_RE.lastIndex = valueEnd;
  }
  out += text.slice(copied);
  out = redactTokens(out);
  if (out.includes("=")) out = redactPairs(out);
  return out;
}
