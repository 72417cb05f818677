/**
 * Question fingerprint: a normalized form of the question text so that the
 * same question typed slightly differently groups together ("What's the
 * target return?" and "what’s the  target return" are one question).
 *
 * Steps, in order:
 * 1. Unicode NFKC (full-width letters, ligatures, compatibility forms) and
 *    lower case (locale-independent).
 * 2. Typographic quotes, apostrophes and dashes folded to ASCII.
 * 3. Apostrophes are dropped, joining the word: "what's" -> "whats",
 *    "investors'" -> "investors" (so "whats" typed without one still matches).
 * 4. Kept inner characters (decided for meaning in this domain):
 *    - "/" and "&" between letters/digits: "s/eis" (S/EIS = SEIS and EIS, not
 *      the word "seis"), "24/7", "r&d";
 *    - "." between digits: "7.25" must not become "725";
 *    - "%" right after a digit, with any space before it removed: "12 %" -> "12%".
 *    Hyphens and dashes become spaces: "IF-ISA" = "IF ISA", "pre-seed" =
 *    "pre seed"; numeric ranges "7-10" -> "7 10" (still identical for equal text).
 * 5. Every other character that is not a letter, digit or combining mark
 *    (any script: Arabic, Devanagari, CJK are kept) becomes a space;
 *    whitespace is collapsed and trimmed.
 * Diacritics are not folded ("zakāt" stays distinct from "zakat"): folding
 * would break scripts where marks carry meaning.
 */

const QUOTES_RE = /[\u2018\u2019\u201A\u201B\u2032\u2035\u02BC\u02B9\u0060\u00B4]/g;
const DOUBLE_QUOTES_RE = /[\u201C\u201D\u201E\u201F\u2033\u2036\u00AB\u00BB]/g;
const DASHES_RE = /[\u2010-\u2015\u2212\u2E3A\u2E3B\uFE58\uFE63\uFF0D]/g;

const APOSTROPHE_RE = /'/g;
const KEPT_INNER_RE = /([\p{L}\p{N}])\s*([/&])\s*(?=[\p{L}\p{N}])/gu;
const DECIMAL_RE = /(\p{N})\.(?=\p{N})/gu;
const PERCENT_RE = /(\p{N})\s*%/gu;
/** Placeholders for kept characters, from a private-use range that step 5 keeps. */
const KEEP_SLASH = "\uE000";
const KEEP_AMP = "\uE001";
const KEEP_DOT = "\uE002";
const KEEP_PERCENT = "\uE003";
const PLACEHOLDERS_RE = /[\uE000-\uE003]/g;
const OTHER_RE = /[^\p{L}\p{N}\p{M}\uE000-\uE003]+/gu;

/** Normalized question text for grouping (see the module comment for the rules). */
export function fingerprint(text: string): string {
  let s = text.normalize("NFKC").toLowerCase().replace(PLACEHOLDERS_RE, " ");
  s = s.replace(QUOTES_RE, "'").replace(DOUBLE_QUOTES_RE, '"').replace(DASHES_RE, "-");
  s = s.replace(APOSTROPHE_RE, "");
  s = s.replace(KEPT_INNER_RE, (_m, before: string, sep: string) => before + (sep === "/" ? KEEP_SLASH : KEEP_AMP));
  s = s.replace(DECIMAL_RE, `$1${KEEP_DOT}`);
  s = s.replace(PERCENT_RE, `$1${KEEP_PERCENT}`);
  s = s.replace(OTHER_RE, " ").trim();
  return s
    .replaceAll(KEEP_SLASH, "/")
    .replaceAll(KEEP_AMP, "&")
    .replaceAll(KEEP_DOT, ".")
    .replaceAll(KEEP_PERCENT, "%");
}
