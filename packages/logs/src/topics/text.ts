/**
 * Text preparation shared by the cue scorer (./classify) and the topic model
 * (./model): fund names blanked out, then normalised into words.
 */
import { findFund } from "./fund";
import type { FundMention } from "./fund";

/** Stands in for the fund's name, so that words on either side do not join into a phrase. */
export const FUND_PLACEHOLDER = "xfundx";

/**
 * Lower case, accents and curly quotes folded, "'s" dropped, every other
 * non-alphanumeric character (hyphens, slashes, "?") a word break; "%" is
 * kept as a word of its own.
 */
export function normalize(text: string): string[] {
  return text
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[\u2018\u2019\u02bc`]/g, "'")
    .replace(/'s\b/g, "")
    .replace(/%/g, " % ")
    .replace(/[^a-z0-9%]+/g, " ")
    .trim()
    .split(" ")
    .filter((w) => w.length > 0);
}

/** Words before "opportunity" that make it a name for the deal itself ("this opportunity"). */
const DEAL_DETERMINERS = new Set(["this", "that", "the", "an", "investment"]);

/**
 * "this opportunity", "the investment opportunity": the deal asked about, like
 * a fund name, so it never votes for strategy (where "opportunities" as what
 * the fund buys is a cue). The word becomes the fund placeholder; plural
 * "opportunities" and other uses are kept.
 */
export function withoutDealReferences(tokens: readonly string[]): string[] {
  return tokens.map((t, i) => (t === "opportunity" && i > 0 && DEAL_DETERMINERS.has(tokens[i - 1]!) ? FUND_PLACEHOLDER : t));
}

/** The words the classifier and the model read: fund names and deal references blanked, normalised. */
export function questionTokens(text: string, first?: FundMention | null): string[] {
  return withoutDealReferences(normalize(withoutFundNames(text, first)));
}

/**
 * The question with every fund name replaced by a placeholder ("safer than the
 * Halal Real Estate Fund" names no topic). `first` is findFund(text) when the
 * caller already has it (saves one search).
 */
export function withoutFundNames(text: string, first?: FundMention | null): string {
  let rest = text;
  let m = first === undefined ? findFund(rest) : first;
  for (let guard = 0; guard < 5 && m !== null; guard++) {
    rest = `${rest.slice(0, m.start)} ${FUND_PLACEHOLDER} ${rest.slice(m.end)}`;
    m = findFund(rest);
  }
  return rest;
}
