/**
 * Fund extraction: the fund (or deal) a question names, as a canonical
 * display name ("the eis fund" → "EIS Fund", "Cur8 Capital's Property Income
 * Fund" → "Property Income Fund", "the Tech Ventures fund" → "Tech Ventures
 * Fund"). Only the question text is used: fund names repeat across deal ids,
 * so the deal id never decides the fund.
 *
 * Rules, in order:
 * - A name ends with the word "fund"/"funds" (any case, "Fund's" too); the
 *   words before it belong to the name while they are name-like: not a
 *   function word ("the", "this", "is", "my"...), not a possessive owner
 *   ("Cur8 Capital's" ends the walk), at most five words. "and", "&" and "of"
 *   are kept between two capitalised words ("Bricks & Mortar Fund").
 * - Generic words at the start of a name are dropped ("a private equity fund",
 *   "the investment fund" name nothing); a name of generic words only is no name.
 * - "<Capitalised Name> deal" names a deal the same way ("the Pharmacy deal" →
 *   "Pharmacy Fund"), only when the name is capitalised and no fund is named.
 * - The first name found wins.
 * - Display: each word title-cased, acronyms upper-cased (EIS, GBP, ISA...),
 *   words written in capitals kept ("GBP"), "Fund" appended.
 */

export interface FundMention {
  /** Canonical display name, e.g. "EIS Fund". */
  name: string;
  /** Character range in the question covered by the name (its words and "fund"). */
  start: number;
  end: number;
}

interface Token {
  text: string;
  lower: string;
  start: number;
  end: number;
}

/** Words that end a name when walking back from "fund". */
const STOP = new Set(
  (
    "a an the this that these those its it it's is are was were be been am has have had do does did can could would will should shall may might must " +
    "i me my mine we our you your yours he she they their them his her of in on at to for from with about into onto by as than " +
    "and or but if so not no nor what what's whats which who whom whose where when why how whether any some each every all both " +
    "there here invest invested investing investment's put putting buy bought join joining hold holding in into via through " +
    "tell explain clarify describe give show provide list compare vs versus between new " +
    "regarding re concerning question quick also hi hello hey thanks please so ok okay then just salam"
  ).split(/\s+/),
);

/** Words that do not name a fund on their own ("the investment fund", "a hedge fund"). */
const GENERIC = new Set(
  (
    "investment investments best good great top recommended main whole entire same other another overall underlying " +
    "hedge index mutual pension emergency private equity closed open ended target specific particular current chosen " +
    "selected first second third last previous next single one two three bot deal deals platform cur8 sharia-compliant halal-only"
  ).split(/\s+/),
);

/** Connectors kept inside a capitalised name. */
const CONNECTORS = new Set(["and", "&", "of"]);

const ACRONYMS = new Set([
  "eis", "seis", "gbp", "usd", "eur", "isa", "if", "uk", "us", "usa", "eu", "esg", "reit", "nhs", "ai", "sme", "smes", "b2b", "saas", "uae", "gcc", "ii", "iii", "iv",
]);

const TOKEN_RE = /[\p{L}\p{N}][\p{L}\p{N}&'’-]*|&/gu;

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  for (const m of text.matchAll(TOKEN_RE)) {
    const raw = m[0].replace(/’/g, "'").replace(/-+$/, "");
    out.push({ text: raw, lower: raw.toLowerCase(), start: m.index, end: m.index + raw.length });
  }
  return out;
}

function stripPossessive(lower: string): string {
  return lower.replace(/'s?$/, "");
}

function isPossessive(lower: string): boolean {
  return /'s?$/.test(lower) && lower !== "it's";
}

function isCapitalised(text: string): boolean {
  return /^[\p{Lu}\p{N}]/u.test(text);
}

function displayWord(text: string): string {
  return text
    .split("-")
    .map((part) => {
      const lower = part.toLowerCase();
      if (ACRONYMS.has(lower)) return lower.toUpperCase();
      if (part.length >= 2 && part === part.toUpperCase() && /\p{L}/u.test(part)) return part;
      return part.length === 0 ? part : part[0]!.toUpperCase() + part.slice(1).toLowerCase();
    })
    .join("-");
}

/** Walks back from the suffix word at index `at`; returns the name's first token index, or -1. */
function nameStart(tokens: readonly Token[], at: number, capitalisedOnly: boolean): number {
  let first = at;
  for (let j = at - 1; j >= 0 && at - j <= 5; j--) {
    const t = tokens[j]!;
    if (isPossessive(t.lower)) break;
    if (CONNECTORS.has(t.lower)) {
      const before = tokens[j - 1];
      if (before && first < at && isCapitalised(before.text) && isCapitalised(tokens[first]!.text) && !STOP.has(before.lower)) continue;
      break;
    }
    if (STOP.has(t.lower)) break;
    if (capitalisedOnly && !isCapitalised(t.text)) break;
    first = j;
  }
  // Drop generic words (and connectors) from the front of the name.
  while (first < at && (GENERIC.has(tokens[first]!.lower) || CONNECTORS.has(tokens[first]!.lower))) first++;
  return first < at ? first : -1;
}

/** The first fund or deal named in the question, or null. */
export function findFund(question: string): FundMention | null {
  const tokens = tokenize(question);
  for (let i = 0; i < tokens.length; i++) {
    const word = stripPossessive(tokens[i]!.lower);
    if (word !== "fund" && word !== "funds") continue;
    const first = nameStart(tokens, i, false);
    if (first >= 0) return mention(tokens, first, i);
  }
  for (let i = 0; i < tokens.length; i++) {
    const word = stripPossessive(tokens[i]!.lower);
    if (word !== "deal") continue;
    const first = nameStart(tokens, i, true);
    if (first >= 0) return mention(tokens, first, i);
  }
  return null;
}

function mention(tokens: readonly Token[], first: number, suffix: number): FundMention {
  const words = tokens.slice(first, suffix).map((t) => displayWord(t.text));
  return { name: `${words.join(" ")} Fund`, start: tokens[first]!.start, end: tokens[suffix]!.end };
}

/** The canonical display name of the fund named in the question, or null. */
export function extractFund(question: string): string | null {
  return findFund(question)?.name ?? null;
}
