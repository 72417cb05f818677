/**
 * Second-stage topic model: a multinomial naive Bayes over canonical words,
 * consulted by the classifier (./classify) only where the cue phrases do not
 * decide: a question with no cue at all, or a near tie between two topics.
 *
 * Why naive Bayes over canonical words: the training data is small (the
 * taxonomy's cue phrases and descriptions, the dev half of the labeled set,
 * a few seed phrasings: see ./examples), and naive Bayes is the classic
 * low-variance choice for that; it also generalises the cues through shared
 * words ("borrowers" in an example sits next to "lend*" in the cues). The
 * words are canonical like in question grouping (../grouping): contractions
 * expanded, synonyms folded, light stemming, stop words dropped, but the
 * question frames that carry intent are kept as features of their own
 * ("how long" -> horizon, "when ... get" -> liquidity, "who" -> strategy,
 * "what happens if" -> risk). A word the model does not know is read as a
 * typo of a known word one edit away (same first letter, five letters or
 * more).
 *
 * Built once at module load from constants: no I/O, deterministic. The
 * model's decision is explained by the nearest example question of the
 * chosen topic (most shared words, weighted by rarity).
 *
 * Honest measurement: the dev half is part of the training data, so dev
 * accuracy is optimistic; `buildTopicModel` takes the examples so that a
 * leave-one-out check (train without the question, classify it) can be run.
 */
import { CONTRACTIONS, STOP_WORDS, SYNONYMS } from "../grouping/lexicon";
import { stem, withinOneEdit } from "../grouping/canonical";
import { DEV_EXAMPLES, SEED_EXAMPLES } from "./examples";
import type { TopicExample } from "./examples";
import { FUND_PLACEHOLDER, normalize, questionTokens } from "./text";
import { TAXONOMY, TOPIC_IDS } from "./taxonomy";
import type { TopicId } from "./taxonomy";

/** Question frames kept as features: two words read as one ("how long"). */
const FRAMES: ReadonlyMap<string, string> = new Map([
  ["how long", "#how_long"],
  ["how much", "#how_much"],
  ["how many", "#how_many"],
  ["how often", "#how_often"],
  ["how safe", "#how_safe"],
  ["what if", "#what_if"],
  ["what happens", "#what_if"],
  ["happen if", "#what_if"],
  ["who is", "#who"],
  ["who are", "#who"],
  ["who runs", "#who"],
  ["where can", "#where"],
  ["where do", "#where"],
  ["where is", "#where"],
  ["can i", "#can_i"],
]);

/** Words with no topic of their own in a question about a fund (beyond the stop words). */
const IGNORED = new Set([FUND_PLACEHOLDER, "fund", "funds", "deal", "deals", "cur8", "investment", "invest", "s", "t", "d", "ll", "ve", "re", "m"]);

/** Question words the stop-word list drops but that point to a topic ("when" -> payments, horizon). */
const KEPT_STOP_WORDS = new Set(["when", "who", "where", "why", "long", "often", "back", "out", "get"]);

/** Canonical features of a question's normalised words (fund names already blanked out). */
export function modelFeatures(tokens: readonly string[]): string[] {
  const words: string[] = [];
  for (const t of tokens) {
    const expanded = CONTRACTIONS.get(t);
    if (expanded) words.push(...expanded);
    else words.push(t);
  }
  const out: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    const frame = i + 1 < words.length ? FRAMES.get(`${w} ${words[i + 1]!}`) : undefined;
    if (frame !== undefined) out.push(frame);
    if (IGNORED.has(w) || (STOP_WORDS.has(w) && !KEPT_STOP_WORDS.has(w))) continue;
    out.push(stem(SYNONYMS.get(w) ?? w));
  }
  return out;
}

interface Example {
  topic: TopicId;
  text: string;
  features: ReadonlySet<string>;
}

export interface TopicModel {
  /** log P(word | topic) for every known word, per topic (in TOPIC_IDS order). */
  logLikelihood: ReadonlyMap<string, Float64Array>;
  /** Log of the unseen-word probability per topic. */
  logUnseen: Float64Array;
  /** Inverse document frequency of each word over the example questions, for the explanation. */
  idf: ReadonlyMap<string, number>;
  examples: readonly Example[];
  /** Known words of five letters or more by first letter, sorted (deterministic, fast typo folding). */
  vocabulary: ReadonlyMap<string, readonly string[]>;
}

export interface TopicModelOptions {
  /** Laplace smoothing. */
  alpha?: number;
  /** Weight of one cue term as a training document, per unit of its group weight (1-3). */
  cueWeight?: number;
  /** Weight of a topic's description as a training document. */
  descriptionWeight?: number;
}

/** Cue term -> plain words ("how ... long" -> "how long", "risk*" -> "risk"). */
function cueText(term: string): string {
  return term.replace(/\.\.\./g, " ").replace(/\*/g, "");
}

/** Features of a question as the classifier sees it: fund names blanked, normalised, canonical. */
export function questionFeatures(text: string): string[] {
  return modelFeatures(questionTokens(text));
}

export function buildTopicModel(examples: readonly TopicExample[], options: TopicModelOptions = {}): TopicModel {
  const alpha = options.alpha ?? 0.1;
  const cueWeight = options.cueWeight ?? 0.25;
  const descriptionWeight = options.descriptionWeight ?? 1;
  const k = TOPIC_IDS.length;
  const counts = new Map<string, Float64Array>();
  const totals = new Float64Array(k);
  const add = (topicIndex: number, features: readonly string[], weight: number): void => {
    for (const f of features) {
      let row = counts.get(f);
      if (row === undefined) counts.set(f, (row = new Float64Array(k)));
      row[topicIndex]! += weight;
      totals[topicIndex]! += weight;
    }
  };
  TAXONOMY.forEach((topic, ti) => {
    add(ti, modelFeatures(normalize(topic.description)), descriptionWeight);
    for (const group of topic.cues) for (const term of group.terms) add(ti, modelFeatures(normalize(cueText(term))), cueWeight * group.weight);
  });
  const prepared: Example[] = examples.map(([topic, text]) => ({ topic, text, features: new Set(questionFeatures(text)) }));
  for (const e of prepared) add(TOPIC_IDS.indexOf(e.topic), [...e.features], 1);

  const v = counts.size;
  const logUnseen = new Float64Array(k);
  for (let t = 0; t < k; t++) logUnseen[t] = Math.log(alpha / (totals[t]! + alpha * v));
  const logLikelihood = new Map<string, Float64Array>();
  for (const [word, row] of counts) {
    const ll = new Float64Array(k);
    for (let t = 0; t < k; t++) ll[t] = Math.log((row[t]! + alpha) / (totals[t]! + alpha * v));
    logLikelihood.set(word, ll);
  }
  const df = new Map<string, number>();
  for (const e of prepared) for (const f of e.features) df.set(f, (df.get(f) ?? 0) + 1);
  const idf = new Map([...df].map(([w, n]) => [w, Math.log((prepared.length + 1) / n)]));
  const vocabulary = new Map<string, string[]>();
  for (const w of [...counts.keys()].sort()) {
    if (w.length < 5) continue;
    const list = vocabulary.get(w[0]!);
    if (list === undefined) vocabulary.set(w[0]!, [w]);
    else list.push(w);
  }
  return { logLikelihood, logUnseen, idf, examples: prepared, vocabulary };
}

export interface ModelPrediction {
  /** Posterior probability of every topic (uniform prior), in TOPIC_IDS order. */
  posterior: Record<TopicId, number>;
  /** The most probable topic. */
  topic: TopicId;
  /** The known words the prediction used (after typo folding). */
  words: string[];
}

/** A known word for an unknown one: one edit away, same first letter, five letters or more. */
function foldTypo(model: TopicModel, word: string): string | null {
  if (word.length < 5 || word.startsWith("#")) return null;
  for (const known of model.vocabulary.get(word[0]!) ?? []) {
    if (Math.abs(known.length - word.length) <= 1 && withinOneEdit(known, word)) return known;
  }
  return null;
}

/** Naive Bayes posterior over the topics for a question's canonical features. */
export function predictFeatures(model: TopicModel, features: readonly string[]): ModelPrediction {
  const k = TOPIC_IDS.length;
  const logp = new Float64Array(k);
  const words: string[] = [];
  for (const raw of new Set(features)) {
    const word = model.logLikelihood.has(raw) ? raw : foldTypo(model, raw);
    if (word === null) continue; // unknown everywhere: says nothing about the topic
    words.push(word);
    const ll = model.logLikelihood.get(word)!;
    for (let t = 0; t < k; t++) logp[t]! += ll[t]!;
  }
  let max = -Infinity;
  for (let t = 0; t < k; t++) max = Math.max(max, logp[t]!);
  let sum = 0;
  for (let t = 0; t < k; t++) sum += Math.exp(logp[t]! - max);
  const posterior = Object.fromEntries(TOPIC_IDS.map((id, t) => [id, Math.exp(logp[t]! - max) / sum])) as Record<TopicId, number>;
  let topic: TopicId = "other";
  for (const id of TOPIC_IDS) if (posterior[id] > posterior[topic]) topic = id;
  return { posterior, topic, words };
}

/** The example question of `topic` sharing the most (rarity-weighted) words with the question, or null. */
export function nearestExample(model: TopicModel, topic: TopicId, words: readonly string[]): string | null {
  let best: string | null = null;
  let bestScore = 0;
  for (const e of model.examples) {
    if (e.topic !== topic) continue;
    let s = 0;
    for (const w of words) if (e.features.has(w)) s += model.idf.get(w) ?? 0;
    if (s > bestScore) {
      best = e.text;
      bestScore = s;
    }
  }
  return best;
}

/** The model the classifier uses: the taxonomy plus the dev half and the seed phrasings. */
export const TOPIC_MODEL: TopicModel = buildTopicModel([...DEV_EXAMPLES, ...SEED_EXAMPLES]);
