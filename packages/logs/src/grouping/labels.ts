/**
 * Automatic labels and topic clusters for questions the taxonomy misses.
 *
 * `labelClusters` uses class-based TF-IDF (c-TF-IDF, as in BERTopic): all
 * texts of a cluster form one document, and a term t scores in cluster c
 *
 *     tf(t, c) / terms(c) · ln(1 + A / f(t))
 *
 * where A is the average number of terms per cluster and f(t) the term's
 * frequency over all clusters: frequent in this cluster, rare in the others.
 * Terms are canonical words (stop words and framing removed, stemmed,
 * synonyms folded, deal references like "this fund" dropped) and adjacent
 * word pairs ("notice period"), shown in their most common written form. The
 * label is the top 2-4 terms joined with " · "; a pair replaces the single
 * words it contains.
 *
 * `clusterOther` groups free texts into topic-like clusters: equal canonical
 * forms first, then one pass of centroid clustering (each question, most
 * frequent first, joins the cluster whose TF-IDF centroid is most similar by
 * cosine, if at least `threshold`, else starts one), then c-TF-IDF labels.
 * Deal names (a name phrase ending in "fund", "deal"...) are not topic words
 * and are left out.
 */
import { fingerprint } from "../fingerprint";
import { buildCorpusModel, canonicalWord, expandTokens, isDecisive, type CorpusModel } from "./canonical";
import { DEAL_REFERENCES, GENERIC_NAME_WORDS } from "./lexicon";

export type LabelInput = readonly string[] | { texts: readonly string[]; weights?: readonly number[] };

export interface ClusterLabel {
  /** The terms joined with " · " ("withdrawal · notice period"); "" when no term. */
  label: string;
  /** The distinctive terms, best first, as written. */
  terms: string[];
}

export interface LabelOptions {
  /** Most terms per label, 1-4. Default 3. */
  maxTerms?: number;
}

export interface OtherCluster extends ClusterLabel {
  /** Indices into the texts given. */
  members: number[];
}

export interface ClusterOtherOptions extends LabelOptions {
  /** Minimum cosine similarity between a question and a cluster centroid to join it. Default 0.4. */
  threshold?: number;
  /** Clusters smaller than this are pooled into one last cluster labelled "unclustered". Default 2. */
  minSize?: number;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Canonical words of a text in order, with their written forms; null where a
 * stop word, a deal reference ("this fund") or a deal's name ("EIS Fund") stood.
 */
function termSequence(text: string, model: CorpusModel): Array<[string, string] | null> {
  const out: Array<[string, string] | null> = [];
  let runStart = -1;
  for (const w of expandTokens(fingerprint(text), model.corrections)) {
    const c = canonicalWord(w);
    const decisive = c !== null && c !== "not" && isDecisive(c, model);
    if (decisive && runStart < 0) runStart = out.length;
    if (!decisive && c !== null && GENERIC_NAME_WORDS.has(c) && runStart >= 0) {
      for (let k = runStart; k < out.length; k++) out[k] = null; // a name: not a topic word
    }
    if (!decisive) runStart = -1;
    out.push(c === null || c === "not" || DEAL_REFERENCES.has(c) ? null : [c, w]);
  }
  return out;
}

interface TermBag {
  counts: Map<string, number>;
  total: number;
}

function bagOf(texts: readonly string[], weights: readonly number[] | undefined, model: CorpusModel, surface: Map<string, Map<string, number>>): TermBag {
  const counts = new Map<string, number>();
  let total = 0;
  const add = (key: string, written: string, w: number): void => {
    counts.set(key, (counts.get(key) ?? 0) + w);
    let s = surface.get(key);
    if (!s) surface.set(key, (s = new Map()));
    s.set(written, (s.get(written) ?? 0) + w);
  };
  texts.forEach((text, i) => {
    const w = weights?.[i] ?? 1;
    if (!(w > 0)) return;
    const seq = termSequence(text, model);
    const seen = new Set<string>();
    for (let k = 0; k < seq.length; k++) {
      const cur = seq[k];
      if (!cur) continue;
      // Each term counts once per text: a question repeating a word is not more about it.
      if (!seen.has(cur[0])) {
        seen.add(cur[0]);
        add(cur[0], cur[1], w);
        total += w;
      }
      const next = seq[k + 1];
      if (next && next[0] !== cur[0]) {
        const key = `${cur[0]} ${next[0]}`;
        if (!seen.has(key)) {
          seen.add(key);
          add(key, `${cur[1]} ${next[1]}`, w);
        }
      }
    }
  });
  return { counts, total };
}

function bestWritten(s: Map<string, number> | undefined, fallback: string): string {
  if (!s) return fallback;
  let best = fallback;
  let bestC = -1;
  for (const [w, c] of s) if (c > bestC || (c === bestC && w < best)) [best, bestC] = [w, c];
  return best;
}

/** A cluster of only stop words ("thank you", "hi"): its most common normalized text is the label. */
function smallTalkLabel(texts: readonly string[]): ClusterLabel {
  const counts = new Map<string, number>();
  for (const t of texts) {
    const fp = fingerprint(t);
    if (fp.length > 0) counts.set(fp, (counts.get(fp) ?? 0) + 1);
  }
  const best = bestWritten(counts, "");
  return best === "" ? { label: "", terms: [] } : { label: best, terms: [best] };
}

function normalizeInput(c: LabelInput): { texts: readonly string[]; weights: readonly number[] | undefined } {
  return Array.isArray(c) ? { texts: c as readonly string[], weights: undefined } : { texts: (c as { texts: readonly string[] }).texts, weights: (c as { weights?: readonly number[] }).weights };
}

/**
 * Short human labels for clusters of questions by c-TF-IDF (see the module
 * comment). Each cluster is a list of texts, or texts with weights (e.g. how
 * often each was asked; for a `QuestionGroup`, its fingerprints work as texts).
 * Returns one label per cluster, in the same order. Deterministic.
 */
export function labelClusters(clusters: readonly LabelInput[], options: LabelOptions = {}): ClusterLabel[] {
  return labelWithModel(clusters.map(normalizeInput), options, null);
}

function labelWithModel(
  clusters: Array<{ texts: readonly string[]; weights: readonly number[] | undefined }>,
  options: LabelOptions,
  given: CorpusModel | null,
): ClusterLabel[] {
  const maxTerms = Math.min(4, Math.max(1, Math.floor(options.maxTerms ?? 3)));
  const model =
    given ?? buildCorpusModel(clusters.flatMap((c) => c.texts.map((t, i) => ({ fingerprint: fingerprint(t), text: t, count: c.weights?.[i] ?? 1 }))));
  const surface = new Map<string, Map<string, number>>();
  const bags = clusters.map((c) => bagOf(c.texts, c.weights, model, surface));
  const freq = new Map<string, number>();
  let sumTotals = 0;
  for (const b of bags) {
    sumTotals += b.total;
    for (const [t, c] of b.counts) freq.set(t, (freq.get(t) ?? 0) + c);
  }
  const avg = bags.length > 0 ? sumTotals / bags.length : 0;
  return bags.map((bag, ci) => {
    if (bag.total === 0) return smallTalkLabel(clusters[ci]?.texts ?? []);
    const textCount = clusters[ci]?.texts.length ?? 0;
    const scored: Array<{ key: string; score: number }> = [];
    for (const [key, c] of bag.counts) {
      const isPair = key.includes(" ");
      if (isPair && c < 2 && textCount > 1) continue; // a pair must recur to be a term
      scored.push({ key, score: (c / bag.total) * Math.log(1 + avg / (freq.get(key) as number)) });
    }
    scored.sort((a, b) => b.score - a.score || cmp(a.key, b.key));
    const chosen: Array<{ key: string; score: number }> = [];
    for (const cand of scored) {
      if (chosen.length >= maxTerms) break;
      const words = cand.key.split(" ");
      if (words.length > 1) {
        // A pair replaces the single words it contains (when it is nearly as strong).
        const covered = chosen.filter((c) => !c.key.includes(" ") && words.includes(c.key));
        if (covered.some((c) => cand.score < 0.5 * c.score)) continue;
        if (chosen.some((c) => c.key.includes(" ") && c.key.split(" ").some((w) => words.includes(w)))) continue;
        const at = covered.length > 0 ? chosen.indexOf(covered[0] as { key: string; score: number }) : chosen.length;
        for (const c of covered) chosen.splice(chosen.indexOf(c), 1);
        chosen.splice(Math.min(at, chosen.length), 0, cand);
      } else {
        if (chosen.some((c) => c.key.split(" ").includes(cand.key))) continue;
        // Past two terms, keep only terms that still say something.
        if (chosen.length >= 2 && cand.score < 0.5 * (chosen[0] as { score: number }).score) break;
        chosen.push(cand);
      }
    }
    const terms = chosen.map((c) => bestWritten(surface.get(c.key), c.key));
    return { label: terms.join(" · "), terms };
  });
}

// ------------------------------------------------------------ clusterOther

/** Topic tokens of a text: canonical content words and decisive tokens outside deal names. */
function topicTokens(text: string, model: CorpusModel): string[] {
  const out = new Set<string>();
  let run: string[] = [];
  const flush = (isName: boolean): void => {
    if (!isName) for (const t of run) out.add(t);
    run = [];
  };
  for (const w of expandTokens(fingerprint(text), model.corrections)) {
    const c = canonicalWord(w);
    if (c === null || c === "not") {
      flush(false);
      continue;
    }
    if (isDecisive(c, model)) run.push(c);
    else if (GENERIC_NAME_WORDS.has(c)) {
      flush(run.length > 0); // "EIS Fund": a deal's name, not a topic
      if (!DEAL_REFERENCES.has(c)) out.add(c);
    } else {
      flush(false);
      out.add(c);
    }
  }
  flush(false);
  return [...out].sort();
}

/**
 * Clusters free question texts (e.g. those the intent taxonomy labels
 * "other") into topic-like clusters with c-TF-IDF labels. Deterministic: the
 * same texts in any order give the same clusters (members are indices into
 * `texts`). Sorted by size, descending; texts in clusters smaller than
 * `minSize` are pooled last as "unclustered".
 */
export function clusterOther(texts: readonly string[], options: ClusterOtherOptions = {}): OtherCluster[] {
  const threshold = options.threshold ?? 0.4;
  if (!(threshold > 0 && threshold <= 1)) throw new RangeError(`threshold must be in (0, 1], got ${threshold}`);
  const minSize = Math.max(1, Math.floor(options.minSize ?? 2));
  const model = buildCorpusModel(texts.map((t) => ({ fingerprint: fingerprint(t), text: t, count: 1 })));

  // Equal topic-token sets are one unit.
  const units = new Map<string, { tokens: string[]; members: number[] }>();
  texts.forEach((t, i) => {
    const tokens = topicTokens(t, model);
    const key = tokens.length > 0 ? tokens.join(" ") : `\u0000${fingerprint(t)}`;
    const u = units.get(key);
    if (u) u.members.push(i);
    else units.set(key, { tokens, members: [i] });
  });
  const ordered = [...units.entries()].sort((a, b) => b[1].members.length - a[1].members.length || cmp(a[0], b[0]));
  const df = new Map<string, number>();
  for (const [, u] of ordered) for (const t of u.tokens) df.set(t, (df.get(t) ?? 0) + 1);
  const n = ordered.length;
  const idf = (t: string): number => Math.log(1 + n / (df.get(t) as number));

  interface Cluster {
    centroid: Map<string, number>;
    norm2: number;
    members: number[];
  }
  const clusters: Cluster[] = [];
  const postings = new Map<string, number[]>();
  for (const [, u] of ordered) {
    const weight = u.members.length;
    const vec = u.tokens.map((t) => [t, idf(t)] as const);
    const vnorm = Math.sqrt(vec.reduce((s, [, w]) => s + w * w, 0));
    let best = -1;
    let bestSim = -1;
    if (vnorm > 0) {
      const dots = new Map<number, number>();
      for (const [t, w] of vec) for (const ci of postings.get(t) ?? []) dots.set(ci, (dots.get(ci) ?? 0) + w * ((clusters[ci] as Cluster).centroid.get(t) as number));
      for (const [ci, dot] of dots) {
        const sim = dot / (vnorm * Math.sqrt((clusters[ci] as Cluster).norm2));
        if (sim >= threshold && (sim > bestSim || (sim === bestSim && ci < best))) [best, bestSim] = [ci, sim];
      }
    }
    if (best < 0) {
      best = clusters.length;
      clusters.push({ centroid: new Map(), norm2: 0, members: [] });
    }
    const c = clusters[best] as Cluster;
    c.members.push(...u.members);
    // Centroid: the sum of the members' (unit-length) vectors.
    for (const [t, w] of vec) {
      const add = (weight * w) / (vnorm || 1);
      const old = c.centroid.get(t);
      if (old === undefined) {
        c.centroid.set(t, add);
        const list = postings.get(t);
        if (list) list.push(best);
        else postings.set(t, [best]);
      } else c.centroid.set(t, old + add);
    }
    let norm2 = 0;
    for (const v of c.centroid.values()) norm2 += v * v;
    c.norm2 = norm2;
  }

  const kept = clusters.filter((c) => c.members.length >= minSize);
  const pooled = clusters.filter((c) => c.members.length < minSize).flatMap((c) => c.members);
  const classes = kept.map((c) => ({ texts: c.members.map((i) => texts[i] as string), weights: undefined }));
  if (pooled.length > 0) classes.push({ texts: pooled.map((i) => texts[i] as string), weights: undefined });
  const labels = labelWithModel(classes, options, model);
  const out: OtherCluster[] = kept.map((c, i) => ({ ...(labels[i] as ClusterLabel), members: [...c.members].sort((a, b) => a - b) }));
  out.sort((a, b) => b.members.length - a.members.length || cmp(a.label, b.label) || (a.members[0] as number) - (b.members[0] as number));
  if (pooled.length > 0) out.push({ label: "unclustered", terms: [], members: pooled.sort((a, b) => a - b) });
  return out;
}
