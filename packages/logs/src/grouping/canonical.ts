/**
 * Canonical form of a question for near-duplicate comparison: its decisive
 * tokens (names, numbers, negation), which must match exactly, and its
 * content tokens (stemmed, synonyms folded, stop words and framing removed),
 * which are compared by weighted Jaccard similarity.
 *
 * Some decisions need the whole corpus, so canonicalization is a two-step
 * affair: `buildCorpusModel` looks at every distinct question once (word
 * counts for typo correction, capitalization evidence for names), then
 * `canonicalize` maps each question with that model.
 */
import { fingerprint } from "../fingerprint";
import {
  CONTRACTIONS,
  DEAL_REFERENCES,
  GENERIC_NAME_WORDS,
  KNOWN_WORDS,
  LEADING_FILLERS,
  NEGATIONS,
  STOP_WORDS,
  SYNONYMS,
  TRAILING_FILLERS,
} from "./lexicon";

export interface CanonicalQuestion {
  /** Decisive name phrases (names, numbers: runs of decisive tokens), sorted, unique. */
  entities: string[];
  /** The question is negated ("not", "no", "never", "without"). */
  negated: boolean;
  /** Content tokens, sorted, unique. */
  content: string[];
  /** entities + negation + content: equal keys are the same question. */
  key: string;
}

export interface CorpusModel {
  /** Typo -> corrected raw word. */
  corrections: Map<string, string>;
  /** Canonical tokens that name something (decisive). */
  entityTokens: Set<string>;
  /** Canonical token -> the raw word most often written for it (for labels). */
  surface: Map<string, string>;
}

export interface CorpusDoc {
  fingerprint: string;
  /** The original text (capitalization is evidence of names); optional. */
  text?: string;
  count: number;
}

export interface CorpusOptions {
  /** Known names (fund or deal names): their distinctive words are always decisive. */
  entities?: readonly string[];
}

const DIGIT_RE = /\p{N}/u;
const LETTERS_ONLY_RE = /^\p{Ll}+$/u;

// ------------------------------------------------------------------ stemming

/** A light, conservative English suffix stripper (plural, -ing, -ed, final e). */
export function stem(word: string): string {
  if (word.length <= 3 || DIGIT_RE.test(word) || !LETTERS_ONLY_RE.test(word)) return word;
  let w = word;
  if (w.endsWith("ies") && w.length > 4) w = w.slice(0, -3) + "y";
  else if (w.endsWith("sses")) w = w.slice(0, -2);
  else if (w.endsWith("s") && !w.endsWith("ss") && !w.endsWith("us") && !w.endsWith("is") && w.length > 3) w = w.slice(0, -1);
  if (w.endsWith("ing") && w.length >= 6) w = undouble(w.slice(0, -3));
  else if (w.endsWith("eed") && w.length > 4) w = w.slice(0, -1);
  else if (w.endsWith("ed") && w.length >= 5) w = undouble(w.slice(0, -2));
  if (w.endsWith("e") && !w.endsWith("ee") && w.length >= 5) w = w.slice(0, -1);
  return w;
}

function undouble(w: string): string {
  const n = w.length;
  if (n >= 4 && w[n - 1] === w[n - 2] && !"lsz".includes(w[n - 1] as string)) return w.slice(0, -1);
  return w;
}

// ------------------------------------------------------------ token pipeline

function stripPhrases(tokens: string[]): string[] {
  let start = 0;
  let end = tokens.length;
  let changed = true;
  while (changed) {
    changed = false;
    for (const p of LEADING_FILLERS) {
      if (end - start > p.length && p.every((w, i) => tokens[start + i] === w)) {
        start += p.length;
        changed = true;
      }
    }
    for (const p of TRAILING_FILLERS) {
      if (end - start > p.length && p.every((w, i) => tokens[end - p.length + i] === w)) {
        end -= p.length;
        changed = true;
      }
    }
  }
  return start === 0 && end === tokens.length ? tokens : tokens.slice(start, end);
}

/** Raw words after typo correction and contraction expansion, framing phrases removed. */
export function expandTokens(fp: string, corrections: ReadonlyMap<string, string>): string[] {
  const out: string[] = [];
  if (fp.length === 0) return out;
  for (const raw of fp.split(" ")) {
    const w = corrections.get(raw) ?? raw;
    const expanded = CONTRACTIONS.get(w);
    if (expanded) out.push(...expanded);
    else out.push(w);
  }
  return stripPhrases(out);
}

/** A raw word's canonical token, or null for a stop word; "not" for negations. */
export function canonicalWord(w: string): string | null {
  if (NEGATIONS.has(w)) return "not";
  if (STOP_WORDS.has(w)) return null;
  return stem(SYNONYMS.get(w) ?? w);
}

// --------------------------------------------------------------- the model

/** Damerau-Levenshtein distance is at most 1 (one insertion, deletion, substitution or adjacent swap). */
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

function deletes(w: string): string[] {
  const out = [w];
  for (let i = 0; i < w.length; i++) out.push(w.slice(0, i) + w.slice(i + 1));
  return out;
}

/** Pseudo-count for a word of `KNOWN_WORDS` / the lexicon, so small corpora can correct typos too. */
const KNOWN_PRIOR = 20;
/** A correction target must be this many times more frequent than the typo. */
const CORRECTION_RATIO = 10;

function isWordToken(w: string): boolean {
  return LETTERS_ONLY_RE.test(w);
}

function isLexiconWord(w: string): boolean {
  return KNOWN_WORDS.has(w) || STOP_WORDS.has(w) || CONTRACTIONS.has(w) || SYNONYMS.has(w) || NEGATIONS.has(w);
}

/**
 * Typo corrections: an unknown, rare word of 4+ letters is replaced by a
 * word within one edit (Damerau-Levenshtein) that is at least 10 times more
 * frequent (lexicon words count 20 extra), the most frequent such word
 * winning (ties: alphabetical). Found with a symmetric-delete index, so the
 * cost is linear in the vocabulary.
 */
function buildCorrections(counts: Map<string, number>, total: number): Map<string, string> {
  const freq = new Map<string, number>();
  for (const [w, c] of counts) if (isWordToken(w)) freq.set(w, c + (isLexiconWord(w) ? KNOWN_PRIOR : 0));
  for (const w of KNOWN_WORDS) if (!freq.has(w)) freq.set(w, KNOWN_PRIOR);
  for (const w of STOP_WORDS) if (!freq.has(w)) freq.set(w, KNOWN_PRIOR);
  // Only words that are frequent enough to be a correction target go in the index.
  const index = new Map<string, string[]>();
  for (const [w, c] of freq) {
    if (w.length < 4 || c < CORRECTION_RATIO) continue;
    for (const d of deletes(w)) {
      const list = index.get(d);
      if (list) list.push(w);
      else index.set(d, [w]);
    }
  }
  const rareLimit = Math.max(3, total / 1000);
  const corrections = new Map<string, string>();
  for (const [w, c] of counts) {
    if (w.length < 4 || !isWordToken(w) || isLexiconWord(w) || c > rareLimit) continue;
    let best: string | null = null;
    let bestCount = 0;
    for (const d of deletes(w)) {
      const list = index.get(d);
      if (!list) continue;
      for (const u of list) {
        if (u === w || Math.max(u.length, w.length) < 5) continue;
        const cu = freq.get(u) ?? 0;
        if (cu < CORRECTION_RATIO * c || !withinOneEdit(w, u)) continue;
        if (cu > bestCount || (cu === bestCount && best !== null && u < best)) {
          best = u;
          bestCount = cu;
        }
      }
    }
    if (best !== null) corrections.set(w, best);
  }
  return corrections;
}

const WORD_OR_BREAK_RE = /[\p{L}\p{N}\p{M}'\u2019]+|[.?!:;\n]/gu;
const APOS_RE = /['\u2019]/g;
const UPPER_START_RE = /^\p{Lu}/u;
const HAS_LOWER_RE = /\p{Ll}/u;
const HAS_UPPER_RE = /\p{Lu}/u;

/**
 * Capitalization evidence of one text: for each lower-cased word not at a
 * sentence start, whether it was capitalized. Texts without both cases, and
 * Title Case texts (a stop word capitalized mid-sentence), give none.
 */
function capitalization(text: string, visit: (word: string, capitalized: boolean) => void): void {
  const s = text.normalize("NFKC");
  if (!HAS_LOWER_RE.test(s) || !HAS_UPPER_RE.test(s)) return;
  const words: Array<[string, boolean]> = [];
  let sentenceStart = true;
  for (const m of s.matchAll(WORD_OR_BREAK_RE)) {
    const tok = m[0];
    if (tok.length === 1 && ".?!:;\n".includes(tok)) {
      sentenceStart = true;
      continue;
    }
    if (!sentenceStart) {
      const lower = tok.replace(APOS_RE, "").toLowerCase();
      const cap = UPPER_START_RE.test(tok);
      if (cap && lower.length > 1 && STOP_WORDS.has(lower)) return; // Title Case: no evidence
      words.push([lower, cap]);
    }
    sentenceStart = false;
  }
  for (const [w, cap] of words) visit(w, cap);
}

/** Looks at every distinct question once: typo corrections, name tokens, surface forms. */
export function buildCorpusModel(docs: readonly CorpusDoc[], options: CorpusOptions = {}): CorpusModel {
  const counts = new Map<string, number>();
  const capYes = new Map<string, number>();
  const capSeen = new Map<string, number>();
  let total = 0;
  for (const d of docs) {
    const c = d.count > 0 ? d.count : 1;
    total += c;
    if (d.fingerprint.length > 0) for (const w of d.fingerprint.split(" ")) counts.set(w, (counts.get(w) ?? 0) + c);
    if (d.text !== undefined) {
      capitalization(d.text, (w, cap) => {
        capSeen.set(w, (capSeen.get(w) ?? 0) + c);
        if (cap) capYes.set(w, (capYes.get(w) ?? 0) + c);
      });
    }
  }
  const corrections = buildCorrections(counts, total);

  // Fold raw-word evidence onto canonical tokens.
  const canonYes = new Map<string, number>();
  const canonSeen = new Map<string, number>();
  const surfaceCounts = new Map<string, Map<string, number>>();
  for (const [raw, c] of counts) {
    const fixed = corrections.get(raw) ?? raw;
    const parts = CONTRACTIONS.get(fixed) ?? [fixed];
    for (const p of parts) {
      const canon = canonicalWord(p);
      if (canon === null) continue;
      let sc = surfaceCounts.get(canon);
      if (!sc) surfaceCounts.set(canon, (sc = new Map()));
      sc.set(p, (sc.get(p) ?? 0) + c);
      canonYes.set(canon, (canonYes.get(canon) ?? 0) + (capYes.get(raw) ?? 0));
      canonSeen.set(canon, (canonSeen.get(canon) ?? 0) + (capSeen.get(raw) ?? 0));
    }
  }
  const entityTokens = new Set<string>();
  for (const [canon, seen] of canonSeen) {
    const yes = canonYes.get(canon) ?? 0;
    if (yes > 0 && yes * 2 >= seen && canon !== "not" && !GENERIC_NAME_WORDS.has(canon) && canon.length > 1) entityTokens.add(canon);
  }
  for (const name of options.entities ?? []) {
    for (const w of fingerprint(name).split(" ")) {
      const canon = w.length > 0 ? canonicalWord(w) : null;
      if (canon !== null && canon !== "not" && !GENERIC_NAME_WORDS.has(canon)) entityTokens.add(canon);
    }
  }
  const surface = new Map<string, string>();
  for (const [canon, sc] of surfaceCounts) {
    let best = canon;
    let bestC = -1;
    for (const [w, c] of sc) if (c > bestC || (c === bestC && w < best)) [best, bestC] = [w, c];
    surface.set(canon, best);
  }
  return { corrections, entityTokens, surface };
}

export function isDecisive(token: string, model: CorpusModel): boolean {
  return DIGIT_RE.test(token) || model.entityTokens.has(token);
}

/**
 * The canonical form of one fingerprint under a corpus model. Decisive tokens
 * are kept as name phrases: a run of consecutive decisive tokens, plus the
 * generic head that follows it ("eis fund"), so "Is the EIS Fund eligible
 * for EIS relief?" ({"eis fund", "eis"}) stays apart from "Is this fund
 * eligible for EIS relief?" ({"eis"}).
 */
export function canonicalize(fp: string, model: CorpusModel): CanonicalQuestion {
  const words = expandTokens(fp, model.corrections);
  const entities = new Set<string>();
  const content = new Set<string>();
  let negated = false;
  let run: string[] = [];
  const endRun = (): void => {
    if (run.length > 0) entities.add(run.join(" "));
    run = [];
  };
  for (const w of words) {
    const canon = canonicalWord(w);
    if (canon === null) {
      endRun();
      continue;
    }
    if (canon === "not") {
      endRun();
      negated = true;
    } else if (isDecisive(canon, model)) run.push(canon);
    else if (GENERIC_NAME_WORDS.has(canon)) {
      // "the EIS Fund": part of the name; "this fund", "the deal": the deal being discussed, like "it".
      if (run.length > 0) {
        run.push(canon);
        endRun();
      } else if (!DEAL_REFERENCES.has(canon)) content.add(canon);
    } else {
      endRun();
      content.add(canon);
    }
  }
  endRun();
  // Small talk made only of stop words ("hi", "thank you"): keep its words.
  if (entities.size === 0 && content.size === 0 && !negated) for (const w of words) content.add(w);
  const e = [...entities].sort();
  const c = [...content].sort();
  return { entities: e, negated, content: c, key: `${e.join("|")}\u0001${negated ? "!" : ""}\u0001${c.join(" ")}` };
}
