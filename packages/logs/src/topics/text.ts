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
