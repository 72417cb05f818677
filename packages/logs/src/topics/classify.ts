/**
 * The question classifier: which topic of the taxonomy (./taxonomy) a bot
 * question is about, and which fund it names (./fund). Explainable: the
 * result lists every cue that matched, as "topic: term".
 *
 * Steps:
 * 1. Find the fund named (the first one) and blank out every fund name, so
 *    "Sharia Growth Fund" or "EIS Fund" never votes for sharia or tax.
 * 2. Normalise: lower case, accents and curly quotes folded, "'s" dropped,
 *    every other non-alphanumeric character (hyphens, slashes, "?") a word
 *    break; "%" is kept as a word of its own.
 * 3. Score every topic: the sum of the weights of its matched terms, longest
 *    terms first; a term whose words were all already counted for the same
 *    topic adds nothing ("target return" counts once, not also as "return";
 *    a misspelling listed as a term never doubles its word). A word of six
 *    letters or more tolerates one typo (see taxonomy.ts), unless it is a
 *    correctly spelled word itself.
 * 4. The highest score wins; ties go to the topic whose first cue comes
 *    earliest in the question, then to taxonomy order. No cue: `other`.
 */
import { findFund } from "./fund";
import { TAXONOMY, TOPIC_IDS } from "./taxonomy";
import type { TopicId } from "./taxonomy";

export interface Classification {
  topic: TopicId;
  /** Canonical name of the fund named in the question, or null. */
  fund: string | null;
  /** Score of every topic (0 when none of its cues matched). */
  scores: Record<TopicId, number>;
  /** The cues that matched, as "topic: term", in taxonomy order. */
  matched: string[];
}

/** One word of a compiled term. */
interface TermWord {
  word: string;
  prefix: boolean;
  /** "..." before this word: up to GAP words may come in between. */
  gapBefore: boolean;
}

interface CompiledTerm {
  topic: TopicId;
  topicIndex: number;
  term: string;
  weight: number;
  words: TermWord[];
}

const GAP = 4;
/** Stands in for the fund's name, so that words on either side do not join into a phrase. */
const FUND_PLACEHOLDER = "xfundx";
/** Words at least this long tolerate one typo. */
const FUZZY_MIN = 6;
/** Prefix terms ("illiquid*") tolerate a typo in the stem when it is at least this long. */
const FUZZY_PREFIX_MIN = 7;
/** Words (and prefix stems) of this length tolerate two swapped letters only. */
const SWAP_MIN = 5;

function normalize(text: string): string[] {
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

function compileTerm(term: string): TermWord[] {
  const words: TermWord[] = [];
  let gap = false;
  for (const raw of term.toLowerCase().split(/\s+/)) {
    if (raw === "...") {
      gap = true;
      continue;
    }
    const prefix = raw.endsWith("*");
    const base = normalize(prefix ? raw.slice(0, -1) : raw);
    base.forEach((word, i) => {
      words.push({ word, prefix: prefix && i === base.length - 1, gapBefore: gap && i === 0 });
    });
    gap = false;
  }
  return words;
}

/**
 * Every term, strongest first, then longest first (so "target return" claims
 * its words before "return" does), then in taxonomy order.
 */
const TERMS: readonly CompiledTerm[] = TAXONOMY.flatMap((topic, topicIndex) =>
  topic.cues.flatMap((group) =>
    group.terms.map((term) => ({ topic: topic.id, topicIndex, term, weight: group.weight, words: compileTerm(term) })),
  ),
)
  .filter((t) => t.words.length > 0)
  .map((t, order) => ({ t, order }))
  .sort((a, b) => b.t.weight - a.t.weight || b.t.words.length - a.t.words.length || a.order - b.order)
  .map(({ t }) => t);

/** Damerau-Levenshtein distance of at most one (substitution, insertion, deletion, adjacent swap). */
export function withinOneEdit(a: string, b: string): boolean {
  if (a === b) return true;
  const la = a.length;
  const lb = b.length;
  if (Math.abs(la - lb) > 1) return false;
  let i = 0;
  while (i < la && i < lb && a[i] === b[i]) i++;
  if (la === lb) {
    if (a.slice(i + 1) === b.slice(i + 1)) return true; // substitution
    return i + 1 < la && a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2); // swap
  }
  return la > lb ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
}

/**
 * Correctly spelled words are never read as typos of a cue ("projected" is not
 * a typo of "protected"): every word of every cue, plus common words of
 * investors' questions that are one letter away from a cue.
 */
const REAL_WORDS = new Set([
  ...TERMS.flatMap((t) => t.words.filter((w) => !w.prefix).map((w) => w.word)),
  ..."existing exist exists exiting change changes changed charge charged retains return returns reason several severe lender lenders leader leaders sellers seller settle single signal signed trade trader traders tread projected project projects protect expected respected regarding regard regards related relation review reviews reviewed reason retain retail rental rented return returns sector select secret settle seller person people prices period periods parties partly profile profiles provide provided capital capitals interested interests invested investor investors investing detail details detailed relieve relieved relies rather either heather manage manager managers managed manages secure secured securities security longer strong string income incomes planned planner planning scheme schemes schema".split(" "),
]);

function isTypoOf(stem: string, token: string): boolean {
  return token[0] === stem[0] && !REAL_WORDS.has(token) && withinOneEdit(stem, token);
}

/** Same letters, two adjacent ones swapped ("yeild" for "yield"). */
function isSwapOf(word: string, token: string): boolean {
  if (word.length !== token.length || word === token || token[0] !== word[0] || REAL_WORDS.has(token)) return false;
  let i = 0;
  while (word[i] === token[i]) i++;
  return word[i] === token[i + 1] && word[i + 1] === token[i] && word.slice(i + 2) === token.slice(i + 2);
}

function wordMatches(w: TermWord, token: string): boolean {
  if (w.prefix) {
    if (token.startsWith(w.word)) return true;
    if (token.length < w.word.length || REAL_WORDS.has(token)) return false;
    const head = token.slice(0, w.word.length);
    // A typo inside a long stem ("distrubution*"), or two letters swapped in a shorter one ("yeild*").
    return (w.word.length >= FUZZY_PREFIX_MIN && isTypoOf(w.word, head)) || (w.word.length >= SWAP_MIN && isSwapOf(w.word, head));
  }
  if (token === w.word) return true;
  if (w.word.length >= FUZZY_MIN) return token.length >= FUZZY_MIN - 1 && isTypoOf(w.word, token);
  return w.word.length >= SWAP_MIN && isSwapOf(w.word, token);
}

/** Token indexes of the first match of the term not wholly inside `covered`, or null. */
function findTerm(words: readonly TermWord[], tokens: readonly string[], covered: ReadonlySet<number>): number[] | null {
  for (let start = 0; start < tokens.length; start++) {
    const at = matchFrom(words, 0, tokens, start);
    if (at !== null && at.some((i) => !covered.has(i))) return at;
  }
  return null;
}

function matchFrom(words: readonly TermWord[], wi: number, tokens: readonly string[], ti: number): number[] | null {
  if (wi === words.length) return [];
  const w = words[wi]!;
  const maxSkip = wi > 0 && w.gapBefore ? GAP : 0;
  for (let skip = 0; skip <= maxSkip && ti + skip < tokens.length; skip++) {
    if (!wordMatches(w, tokens[ti + skip]!)) continue;
    const rest = matchFrom(words, wi + 1, tokens, ti + skip + 1);
    if (rest !== null) return [ti + skip, ...rest];
  }
  return null;
}

function emptyScores(): Record<TopicId, number> {
  return Object.fromEntries(TOPIC_IDS.map((id) => [id, 0])) as Record<TopicId, number>;
}

/** The question with every fund name replaced by a placeholder ("safer than the Halal Real Estate Fund" names no topic). */
function withoutFundNames(text: string): string {
  let rest = text;
  for (let guard = 0; guard < 5; guard++) {
    const m = findFund(rest);
    if (m === null) break;
    rest = `${rest.slice(0, m.start)} ${FUND_PLACEHOLDER} ${rest.slice(m.end)}`;
  }
  return rest;
}

/** Classifies a bot question: its topic, the fund it names, every topic's score and the cues that matched. */
export function classifyQuestion(text: string): Classification {
  const mention = findFund(text);
  const tokens = normalize(withoutFundNames(text));
  const scores = emptyScores();
  const firstAt = new Map<TopicId, number>();
  const covered = new Map<TopicId, Set<number>>(TOPIC_IDS.map((id) => [id, new Set<number>()]));
  const hits: { topicIndex: number; text: string }[] = [];
  for (const t of TERMS) {
    const topicCovered = covered.get(t.topic)!;
    const at = findTerm(t.words, tokens, topicCovered);
    if (at === null) continue;
    for (const i of at) topicCovered.add(i);
    scores[t.topic] += t.weight;
    hits.push({ topicIndex: t.topicIndex, text: `${t.topic}: ${t.term}` });
    const prev = firstAt.get(t.topic);
    if (prev === undefined || at[0]! < prev) firstAt.set(t.topic, at[0]!);
  }
  const matched = hits.sort((a, b) => a.topicIndex - b.topicIndex).map((h) => h.text);
  let best: TopicId = "other";
  let bestScore = 0;
  let bestAt = Infinity;
  for (const id of TOPIC_IDS) {
    const score = scores[id];
    if (score === 0) continue;
    const at = firstAt.get(id) ?? Infinity;
    // Topics are visited in taxonomy order, so a full tie keeps the earlier topic.
    if (score > bestScore || (score === bestScore && at < bestAt)) {
      best = id;
      bestScore = score;
      bestAt = at;
    }
  }
  return { topic: best, fund: mention?.name ?? null, scores, matched };
}
