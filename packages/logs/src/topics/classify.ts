/**
 * The question classifier: which topic of the taxonomy (./taxonomy) a bot
 * question is about, and which fund it names (./fund). Explainable: the
 * result lists every cue that matched, as "topic: term".
 *
 * Steps:
 * 1. Find the fund named (the first one) and blank out every fund name, so
 *    "Sharia Growth Fund" or "EIS Fund" never votes for sharia or tax; "this
 *    opportunity" (the deal itself) is blanked too (./text).
 * 2. Normalise: lower case, accents and curly quotes folded, "'s" dropped,
 *    every other non-alphanumeric character (hyphens, slashes, "?") a word
 *    break; "%" is kept as a word of its own.
 * 3. Score every topic: the sum of the weights of its matched terms, longest
 *    terms first; a term sharing a word already counted for the same topic
 *    adds nothing ("target return" counts once, not also as "return"; "get my
 *    capital back" counts "get my capital", not also "capital back"; a
 *    misspelling listed as a term never doubles its word). A word of six
 *    letters or more tolerates one typo (see taxonomy.ts), unless it is a
 *    correctly spelled word itself.
 * 4. The highest score wins; ties go to the topic whose first cue comes
 *    earliest in the question, then to taxonomy order.
 * 5. No cue at all: the second-stage model (./model, naive Bayes over
 *    canonical words, trained on the taxonomy, the dev half and seed
 *    phrasings) decides when its posterior is at least NO_CUE_MIN, else
 *    `other`. Its decision is explained in `matched` ("model: strategy 0.93,
 *    nearest 'Who are the borrowers in the GBP Income Fund?'"); `scores`
 *    stay the cue scores (all 0).
 */
import { withinOneEdit } from "../grouping/canonical";
import { findFund } from "./fund";
import { TOPIC_MODEL, modelFeatures, nearestExample, predictFeatures } from "./model";
import type { TopicModel } from "./model";
import { normalize, questionTokens } from "./text";
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
  /** First letter of the first word: only tokens with that letter can start a match. */
  first: string;
  topicIndex: number;
  term: string;
  weight: number;
  words: TermWord[];
}

const GAP = 4;
/** Stage 2 settings (see ClassifierOptions; chosen by leave-one-out on the dev half, see the module comment). */
const NO_CUE_MIN = 0.5;
/**
 * Near-tie tie-breaking by the model is OFF by default (-1): on the dev half's
 * leave-one-out check it fixed as many questions as it broke, and it overturns
 * the documented rule that the first topic asked wins a tie. Kept as an option
 * (tieMargin 1) to re-measure on a larger labeled set.
 */
const TIE_MARGIN = -1;
const TIE_BONUS = 2;
/**
 * Head start of the cue leader in a near tie: the first topic asked usually is
 * the main one (the documented tie rule), so the model overturns a full tie
 * only when its posteriors differ by more than 0.25, and a one-point lead by
 * more than 0.75.
 */
const LEADER_BONUS = 0.5;
/** Words at least this long tolerate one typo. */
const FUZZY_MIN = 6;
/** Prefix terms ("illiquid*") tolerate a typo in the stem when it is at least this long. */
const FUZZY_PREFIX_MIN = 7;
/** Words (and prefix stems) of this length tolerate two swapped letters only. */
const SWAP_MIN = 5;

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
  .map((t) => ({ ...t, first: t.words[0]!.word[0]! }))
  .map((t, order) => ({ t, order }))
  .sort((a, b) => b.t.weight - a.t.weight || b.t.words.length - a.t.words.length || a.order - b.order)
  .map(({ t }) => t);

/** Indexes into TERMS by the first letter of the term, ascending. */
const TERMS_BY_FIRST: ReadonlyMap<string, readonly number[]> = (() => {
  const m = new Map<string, number[]>();
  TERMS.forEach((t, i) => {
    const list = m.get(t.first);
    if (list === undefined) m.set(t.first, [i]);
    else list.push(i);
  });
  return m;
})();

// withinOneEdit is shared with question grouping (grouping/canonical.ts); re-exported for the tests.
export { withinOneEdit };

/**
 * Correctly spelled words are never read as typos of a cue ("projected" is not
 * a typo of "protected"): every word of every cue, plus common words of
 * investors' questions that are one letter away from a cue.
 */
const REAL_WORDS = new Set([
  ...TERMS.flatMap((t) => t.words.filter((w) => !w.prefix).map((w) => w.word)),
  ..."existing exist exists exiting change changes changed charge charged retains return returns reason several severe lender lenders leader leaders sellers seller settle single signal signed trade trader traders tread projected project projects protect expected respected regarding regard regards related relation review reviews reviewed reason retain retail rental rented return returns sector select secret settle seller person people prices period periods parties partly profile profiles provide provided capital capitals interested interests invested investor investors investing detail details detailed relieve relieved relies rather either heather manage manager managers managed manages secure secured securities security longer strong string income incomes planned planner planning scheme schemes schema".split(" "),
  // One letter from a cue added later ("cashing out" is not "crashing", "vesting" not "vetting").
  ..."cash cashes cashing clashes clashing crushes crushing cheer cheek cheeks oversee oversees overseen packed picker picket premised protest protests protesting projection projections projecting remover residence resister retell shocks sides slide slices socks stacks sticks tapped tripped tease teased vested vesting vented venting maternal guided glides guises".split(" "),
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

/**
 * Token indexes of the first match of the term that shares no token with `covered`, or null.
 * `starts` lists the token positions by first letter: every kind of match
 * (exact, prefix, typo, swap) keeps the first letter, so only tokens sharing
 * the term's first letter can start a match (this keeps the classifier fast).
 */
function findTerm(
  words: readonly TermWord[],
  tokens: readonly string[],
  covered: ReadonlySet<number>,
  starts: ReadonlyMap<string, readonly number[]>,
): number[] | null {
  for (const start of starts.get(words[0]!.word[0]!) ?? []) {
    const at = matchFrom(words, 0, tokens, start);
    if (at !== null && at.every((i) => !covered.has(i))) return at;
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

const NOTHING_COVERED: Set<number> = new Set<number>();

const ZERO_SCORES: Readonly<Record<TopicId, number>> = Object.fromEntries(TOPIC_IDS.map((id) => [id, 0])) as Record<TopicId, number>;

function emptyScores(): Record<TopicId, number> {
  return { ...ZERO_SCORES };
}

export interface ClassifierOptions {
  /** The second-stage model (default: TOPIC_MODEL); another one for leave-one-out checks. */
  model?: TopicModel;
  /** No cue: the model's topic is taken when its posterior is at least this, else `other`. */
  noCueMin?: number;
  /** Topics within this many points of the top cue score are a near tie, broken with the model. */
  tieMargin?: number;
  /** In a near tie, each candidate's score gains bonus x model posterior (the cue leader also LEADER_BONUS). */
  tieBonus?: number;
}

/** Classifies a bot question: its topic, the fund it names, every topic's score and the cues that matched. */
export function classifyQuestion(text: string): Classification {
  return classifyWith(text, {});
}

/** classifyQuestion with explicit second-stage settings (evaluation and tests). */
export function classifyWith(text: string, options: ClassifierOptions): Classification {
  const model = options.model ?? TOPIC_MODEL;
  const mention = findFund(text);
  const tokens = questionTokens(text, mention);
  const scores = emptyScores();
  const firstAt = new Map<TopicId, number>();
  const covered = new Map<TopicId, Set<number>>();
  const hits: { topicIndex: number; text: string }[] = [];
  const starts = new Map<string, number[]>();
  tokens.forEach((tok, i) => {
    const list = starts.get(tok[0]!);
    if (list === undefined) starts.set(tok[0]!, [i]);
    else list.push(i);
  });
  // Only terms whose first letter starts some token can match; visit them in TERMS order.
  const candidates: number[] = [];
  for (const letter of starts.keys()) {
    const list = TERMS_BY_FIRST.get(letter);
    if (list !== undefined) for (const i of list) candidates.push(i);
  }
  candidates.sort((a, b) => a - b);
  for (const ti of candidates) {
    const t = TERMS[ti]!;
    const topicCovered = covered.get(t.topic) ?? NOTHING_COVERED;
    const at = findTerm(t.words, tokens, topicCovered, starts);
    if (at === null) continue;
    if (topicCovered === NOTHING_COVERED) covered.set(t.topic, new Set(at));
    else for (const i of at) topicCovered.add(i);
    scores[t.topic] += t.weight;
    hits.push({ topicIndex: t.topicIndex, text: `${t.topic}: ${t.term}` });
    const prev = firstAt.get(t.topic);
    if (prev === undefined || at[0]! < prev) firstAt.set(t.topic, at[0]!);
  }
  const matched = hits.sort((a, b) => a.topicIndex - b.topicIndex).map((h) => h.text);
  // Cue ranking: score, then the first cue's position (the first thing asked), then taxonomy order.
  const ranked = TOPIC_IDS.filter((id) => scores[id] > 0).sort(
    (a, b) => scores[b] - scores[a] || (firstAt.get(a) ?? Infinity) - (firstAt.get(b) ?? Infinity) || TOPIC_IDS.indexOf(a) - TOPIC_IDS.indexOf(b),
  );
  let best: TopicId = ranked[0] ?? "other";
  if (ranked.length === 0) {
    // Stage 2, no cue: the model decides when it is confident, else `other`.
    const p = predictFeatures(model, modelFeatures(tokens));
    if (p.topic !== "other" && p.posterior[p.topic] >= (options.noCueMin ?? NO_CUE_MIN)) {
      best = p.topic;
      matched.push(explain(model, p.topic, p.words, p.posterior[p.topic]));
    }
  } else {
    const margin = options.tieMargin ?? TIE_MARGIN;
    const top = scores[ranked[0]!];
    const candidates = ranked.filter((id) => scores[id] >= top - margin);
    if (candidates.length > 1) {
      // Stage 2, near tie: the model's posterior adds up to `bonus` points; the cue ranking breaks what is left.
      const p = predictFeatures(model, modelFeatures(tokens));
      const bonus = options.tieBonus ?? TIE_BONUS;
      let bestValue = -Infinity;
      for (const id of candidates) {
        // The cue leader (on a full tie: the first topic asked) keeps a head start.
        const value = scores[id] + bonus * p.posterior[id] + (id === ranked[0] ? LEADER_BONUS : 0);
        if (value > bestValue) {
          best = id;
          bestValue = value;
        }
      }
      if (best !== ranked[0]) matched.push(explain(model, best, p.words, p.posterior[best]));
    }
  }
  return { topic: best, fund: mention?.name ?? null, scores, matched };
}

function explain(model: TopicModel, topic: TopicId, words: readonly string[], p: number): string {
  const nearest = nearestExample(model, topic, words);
  const why = nearest === null ? `words ${words.map((w) => `'${w}'`).join(", ")}` : `nearest '${nearest}'`;
  return `model: ${topic} ${p.toFixed(2)}, ${why}`;
}
