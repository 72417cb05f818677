/**
 * Personal data typed by investors into the bot ("my email is ...", "call me
 * on 07700 900123", "pay it to GB82 WEST 1234 5698 7654 32") is masked before
 * anything is stored: the question, the answer, the LLM input and error text
 * keep their meaning, the value becomes a placeholder. Pure: no I/O.
 *
 * What is masked, and how look-alikes are told apart:
 * - Email addresses: a local part, "@", a domain with a dot and a letter-only
 *   top-level label. Found by scanning for "@" (no regex over the local part,
 *   which is quadratic on long runs of letters).
 * - IBANs: a country code with its ISO 13616 length, two check digits, the
 *   BBAN, spaces allowed; only when the mod-97 check passes.
 * - Card numbers: 13-19 digits, contiguous or in the groups cards are printed
 *   in (4-4-4-4[-3], 4-6-5, 4-6-4), with spaces or dashes; only when the
 *   first digit is a card network's (2-6) and the Luhn check passes.
 * - UK National Insurance numbers: two prefix letters (HMRC's allocation
 *   rules, plus HMRC's specimen prefix QQ), six digits (paired spaces
 *   allowed), a suffix A-D.
 * - Phone numbers: international "+" forms (8-15 digits, spaces, dots, dashes
 *   and parentheses between digits), UK national numbers (0 then 9-10 digits:
 *   07xxx xxxxxx, 020 xxxx xxxx, 01xxx xxxxxx...) and North American ones
 *   ("(555) 123-4567", "555-123-4567", "1-800-555-1234").
 * Dates, times, years, money amounts (£10,000, 1,250,000), percentages,
 * versions, ids and small numbers are none of these shapes and are left alone.
 *
 * Every pattern does bounded work per start position (no nested unbounded
 * quantifiers), so masking is linear in the text: 1 MB of hostile text takes
 * milliseconds. Masking masked text changes nothing (placeholders hold no
 * digit and no "@").
 */

/** Placeholders, one per kind of personal data. */
export const EMAIL_PLACEHOLDER = "[email]";
export const PHONE_PLACEHOLDER = "[phone]";
export const IBAN_PLACEHOLDER = "[iban]";
export const CARD_PLACEHOLDER = "[card]";
export const NI_NUMBER_PLACEHOLDER = "[ni-number]";

export type PiiKind = "email" | "phone" | "iban" | "card" | "niNumber";

export const PII_PLACEHOLDERS: Readonly<Record<PiiKind, string>> = Object.freeze({
  email: EMAIL_PLACEHOLDER,
  phone: PHONE_PLACEHOLDER,
  iban: IBAN_PLACEHOLDER,
  card: CARD_PLACEHOLDER,
  niNumber: NI_NUMBER_PLACEHOLDER,
});

// ---------------------------------------------------------------------------
// Emails

const NON_ASCII_WORD_RE = /[\p{L}\p{M}\p{N}]/u;

/** A letter, mark or digit of another script (internationalized addresses); not quotes, dashes or spaces. */
function isNonAsciiWord(text: string, i: number): boolean {
  return NON_ASCII_WORD_RE.test(text[i]!);
}

/** [A-Za-z0-9._%+-] or a non-ASCII letter. */
function isLocalChar(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122)
    || c === 46 || c === 95 || c === 37 || c === 43 || c === 45 || (c > 127 && isNonAsciiWord(text, i));
}

/** [A-Za-z0-9.-] or a non-ASCII letter. */
function isDomainChar(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 46 || c === 45 || (c > 127 && isNonAsciiWord(text, i));
}

function isAsciiLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/**
 * Every "@" is looked at once: its local part is walked to the left, its
 * domain to the right; neither walk crosses another "@", so each character is
 * visited at most twice.
 */
function maskEmails(text: string): string {
  let out = "";
  let copied = 0;
  let from = 0;
  for (;;) {
    const at = text.indexOf("@", from);
    if (at === -1) break;
    from = at + 1;
    let start = at;
    while (start > copied && isLocalChar(text, start - 1)) start--;
    while (start < at && text.charCodeAt(start) === 46) start++; // a local part does not start with "."
    if (start === at) continue;
    let end = at + 1;
    while (end < text.length && isDomainChar(text, end)) end++;
    // A sentence may end right after the address: "write to me at a@b.com."
    while (end > at + 1 && (text.charCodeAt(end - 1) === 46 || text.charCodeAt(end - 1) === 45)) end--;
    let lastDot = end - 1;
    while (lastDot > at && text.charCodeAt(lastDot) !== 46) lastDot--;
    if (lastDot <= at + 1 || end - lastDot - 1 < 2) continue;
    let tldOk = true;
    for (let i = lastDot + 1; i < end && tldOk; i++) tldOk = isAsciiLetter(text.charCodeAt(i)) || (text.charCodeAt(i) > 127 && isNonAsciiWord(text, i));
    // No empty label ("a@b..com") and no label starting with a dot right after "@".
    if (!tldOk || text.charCodeAt(at + 1) === 46 || text.slice(at + 1, end).includes("..")) continue;
    out += text.slice(copied, start) + EMAIL_PLACEHOLDER;
    copied = from = end;
  }
  return copied === 0 ? text : out + text.slice(copied);
}

// ---------------------------------------------------------------------------
// IBANs

/** ISO 13616 IBAN lengths by country (the SWIFT registry). */
const IBAN_LENGTHS: ReadonlyMap<string, number> = new Map(
  Object.entries({
    AD: 24, AE: 23, AL: 28, AT: 20, AZ: 28, BA: 20, BE: 16, BG: 22, BH: 22, BI: 27, BR: 29, BY: 28, CH: 21, CR: 22,
    CY: 28, CZ: 24, DE: 22, DJ: 27, DK: 18, DO: 28, EE: 20, EG: 29, ES: 24, FI: 18, FK: 18, FO: 18, FR: 27, GB: 22,
    GE: 22, GI: 23, GL: 18, GR: 27, GT: 28, HN: 28, HR: 21, HU: 28, IE: 22, IL: 23, IQ: 23, IS: 26, IT: 27, JO: 30,
    KW: 30, KZ: 20, LB: 28, LC: 32, LI: 21, LT: 20, LU: 20, LV: 21, LY: 25, MC: 27, MD: 24, ME: 22, MK: 19, MN: 20,
    MR: 27, MT: 31, MU: 30, NI: 28, NL: 18, NO: 15, OM: 23, PK: 24, PL: 28, PS: 29, PT: 25, QA: 29, RO: 24, RS: 22,
    RU: 33, SA: 24, SC: 31, SD: 18, SE: 24, SI: 19, SK: 24, SM: 27, SO: 23, ST: 25, SV: 28, TL: 23, TN: 24, TR: 26,
    UA: 29, VA: 22, VG: 24, XK: 20, YE: 30,
  }),
);

/**
 * A candidate: country code, check digits (a space may follow the country
 * code), then up to 30 more letters or digits with single spaces between
 * them. It may run into the next word ("... 7654 32 is mine"); the country's
 * length decides where the IBAN ends.
 */
const IBAN_CANDIDATE_RE = /(?<![A-Za-z0-9])[A-Za-z]{2} ?\d{2}(?: ?[A-Za-z0-9]){11,30}(?![A-Za-z0-9])/g;

/** ISO 7064 mod 97-10 over the rearranged IBAN (letters as 10-35): 1 when valid. */
export function ibanChecksumOk(iban: string): boolean {
  const s = iban.slice(4) + iban.slice(0, 4);
  let rem = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) rem = (rem * 10 + (c - 48)) % 97;
    else if (c >= 65 && c <= 90) rem = (rem * 100 + (c - 55)) % 97;
    else return false;
  }
  return rem === 1;
}

function maskIbanCandidate(match: string): string {
  const length = IBAN_LENGTHS.get(match.slice(0, 2).toUpperCase());
  if (length === undefined) return match;
  // Walk the match until `length` letters/digits are taken; the IBAN must end there (a space or the match's end).
  let taken = "";
  let i = 0;
  for (; i < match.length && taken.length < length; i++) if (match[i] !== " ") taken += match[i];
  if (taken.length < length || (i < match.length && match[i] !== " ")) return match;
  const upper = taken.toUpperCase();
  // All in one case: "gb82west..." typed in lower case counts, "Gb82West..." (words) does not.
  if (taken !== upper && taken !== taken.toLowerCase()) return match;
  return ibanChecksumOk(upper) ? IBAN_PLACEHOLDER + match.slice(i) : match;
}

// ---------------------------------------------------------------------------
// Card numbers

/**
 * 13-19 digits, contiguous or grouped as cards are printed, the separator
 * the same throughout. Not inside a longer number or digit groups, an amount
 * ("1,250,000"), a decimal, an id ("ref-4111..."), a "+" phone number, or the
 * groups of a spaced IBAN whose check failed ("GB00 WEST 6035 1368 ...").
 */
const CARD_CANDIDATE_RE =
  /(?<![\w.,+-])(?<!\d[ -])(?<![A-Za-z]{2}\d{2} )(?<![A-Za-z]{2}\d{2} [A-Za-z0-9]{4} )(?:\d{13,19}|\d{4}([ -])\d{4}\1\d{4}\1\d{1,4}(?:\1\d{1,3})?|\d{4}([ -])\d{6}\2\d{4,5})(?![\w]|[.,-]\d)/g;

/** The Luhn (mod 10) check over a string of digits. */
export function luhnOk(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

function maskCardCandidate(match: string): string {
  const digits = match.replace(/[ -]/g, "");
  if (digits.length < 13 || digits.length > 19) return match;
  // Card networks' major industry identifiers: 2 (Mastercard), 3 (Amex, Diners, JCB), 4 (Visa), 5 (Mastercard, Maestro), 6 (Discover, UnionPay, Maestro).
  const first = digits.charCodeAt(0) - 48;
  if (first < 2 || first > 6) return match;
  return luhnOk(digits) ? CARD_PLACEHOLDER : match;
}

// ---------------------------------------------------------------------------
// UK National Insurance numbers

const NI_CANDIDATE_RE = /(?<![A-Za-z0-9])([A-Za-z]{2}) ?(\d{2}) ?(\d{2}) ?(\d{2}) ?([A-Da-d])(?![A-Za-z0-9])/g;
/** Prefixes HMRC never allocates. */
const NI_BAD_PREFIXES = new Set(["BG", "GB", "KN", "NK", "NT", "TN", "ZZ"]);

/** HMRC's prefix rules: first letter not D, F, I, Q, U, V; second not D, F, I, O, Q, U, V; not BG, GB, KN, NK, NT, TN, ZZ. QQ is HMRC's specimen prefix ("QQ 12 34 56 C"), masked too. */
export function niPrefixOk(prefix: string): boolean {
  const p = prefix.toUpperCase();
  if (p === "QQ") return true;
  return !"DFIQUV".includes(p[0]!) && !"DFIOQUV".includes(p[1]!) && !NI_BAD_PREFIXES.has(p);
}

function maskNiCandidate(match: string, prefix: string, _a: string, _b: string, _c: string, suffix: string): string {
  const letters = prefix + suffix;
  // One case throughout ("QQ123456C" or "qq123456c"): "On 12 12 12 a" is prose.
  if (letters !== letters.toUpperCase() && letters !== letters.toLowerCase()) return match;
  return niPrefixOk(prefix) ? NI_NUMBER_PLACEHOLDER : match;
}

// ---------------------------------------------------------------------------
// Phone numbers

/** "+" and a country code, then 7-14 more digits, each after at most two of space . - ( ). */
const PHONE_INTL_RE = /(?<![\w+])\+[1-9](?:[ .\-()]{0,2}\d){7,14}(?!\d)/g;
/** North American: optional 1, area code (2-9..), exchange, line; "(555) 123-4567", "555-123-4567", "555.123.4567". */
const PHONE_US_RE = /(?<![\w+.,/:-])(?:1[ .-]?)?(?:\([2-9]\d{2}\) ?|[2-9]\d{2}[.-])\d{3}[ .-]\d{4}(?![\w]|[.,/:-]\d)/g;
/** UK national: 0, an area or mobile code, then two groups; 10 or 11 digits in all (checked after). */
const PHONE_UK_RE = /(?<![\w+.,/:-])(?:\(0[1-9]\d{1,3}\)|0[1-9]\d{1,3})[ -]?\d{3,4}[ -]?\d{3,4}(?![\w]|[.,/:-]\d)/g;

function countDigits(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) n++;
  }
  return n;
}

function maskIntlPhone(match: string): string {
  const n = countDigits(match);
  return n >= 8 && n <= 15 ? PHONE_PLACEHOLDER : match;
}

function maskUkPhone(match: string): string {
  const n = countDigits(match);
  return n === 10 || n === 11 ? PHONE_PLACEHOLDER : match;
}

// ---------------------------------------------------------------------------

/** One pass of every shape; `digits` and `at` (an "@" present) say which shapes can occur. */
function maskPass(text: string, digits: number, at: boolean): string {
  let out = text;
  if (at) out = maskEmails(out);
  if (digits >= 6) {
    out = out.replace(IBAN_CANDIDATE_RE, maskIbanCandidate);
    out = out.replace(NI_CANDIDATE_RE, maskNiCandidate);
  }
  if (digits >= 8) {
    if (digits >= 13) out = out.replace(CARD_CANDIDATE_RE, maskCardCandidate);
    if (out.includes("+")) out = out.replace(PHONE_INTL_RE, maskIntlPhone);
    if (digits >= 10) {
      out = out.replace(PHONE_US_RE, PHONE_PLACEHOLDER);
      out = out.replace(PHONE_UK_RE, maskUkPhone);
    }
  }
  return out;
}

/**
 * Results for short texts: a question is logged three times (its start, the
 * LLM inputs, its outcome), and investors ask the same questions again and
 * again. Cleared when full, so memory stays bounded.
 */
const cache = new Map<string, string>();
const CACHE_LIMIT = 4096;
const CACHE_MAX_LENGTH = 2048;

/**
 * Masks the personal data in one piece of free text (see the module comment
 * for what and how). Text with nothing to mask is returned as is.
 */
export function maskPii(text: string): string {
  if (text.length < 6) return text;
  let digits = 0;
  let at = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) digits++;
    else if (c === 64) at = true;
  }
  // The cheapest shape needs 6 digits (an NI number) or an "@".
  if (digits < 6 && !at) return text;
  const cacheable = text.length <= CACHE_MAX_LENGTH;
  if (cacheable) {
    const hit = cache.get(text);
    if (hit !== undefined) return hit;
  }
  let out = maskPass(text, digits, at);
  // A value glued to one just masked ("...900123+44 7700 900124") is only seen once its neighbour is a
  // placeholder: passes repeat until nothing changes, so masking masked text changes nothing.
  for (let i = 0; i < 4; i++) {
    const again = maskPass(out, digits, at);
    if (again === out) break;
    out = again;
  }
  if (cacheable) {
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(text, out);
  }
  return out;
}

const MAX_DEPTH = 64;
const TOO_DEEP = "[too deep]";

/** Masks personal data in every string of a JSON-like value (error objects: message, stack...); copy-on-write, bounded depth. */
export function maskPiiDeep<T>(value: T, depth = 0): T {
  if (typeof value === "string") return maskPii(value) as T;
  if (value === null || typeof value !== "object") return value;
  if (depth >= MAX_DEPTH) return TOO_DEEP as T;
  if (Array.isArray(value)) {
    let out: unknown[] | null = null;
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      const r = maskPiiDeep(v, depth + 1);
      if (out === null && r !== v) out = value.slice(0, i);
      if (out !== null) out.push(r);
    }
    return (out ?? value) as T;
  }
  const obj = value as Record<string, unknown>;
  let out: Record<string, unknown> | null = null;
  const keys = Object.keys(obj);
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    const v = obj[k];
    const r = maskPiiDeep(v, depth + 1);
    if (out === null && r !== v) {
      out = {};
      for (let j = 0; j < i; j++) defineKey(out, keys[j]!, obj[keys[j]!]);
    }
    if (out !== null) defineKey(out, k, r);
  }
  return (out ?? obj) as T;
}

function defineKey(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === "__proto__") Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}
