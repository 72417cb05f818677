/**
 * Weighted Jaccard similarity of token sets and an exact prefix-filter index
 * (the "AllPairs" / PPJoin idea, Bayardo et al. 2007, Xiao et al. 2008) to
 * find, without comparing all pairs, every indexed set whose similarity to a
 * probe can reach a threshold.
 *
 * Tokens are ranked rarest first (highest weight first). A set's prefix is
 * its shortest leading run of tokens such that the weight left after it is
 * below `threshold x weight(set)`. If J(x, y) >= t then
 * w(x ∩ y) >= t · max(w(x), w(y)), so the first shared token lies in both
 * prefixes: probing the postings of the probe's prefix tokens (within the
 * same block) finds every candidate, and the length filter
 * t·w(x) <= w(y) <= w(x)/t drops most of them before any comparison. Rare
 * tokens come first, so the postings probed are short.
 */

export interface WeightedSet {
  /** Token ranks, ascending (rank 0 = rarest token). */
  ranks: Int32Array;
  /** Sum of the token weights. */
  weight: number;
  /** Only sets of the same block are compared (e.g. same decisive tokens). */
  block: number;
}

/** Weighted Jaccard of two rank-sorted sets: w(x ∩ y) / w(x ∪ y). Two empty sets are equal (1). */
export function weightedJaccard(a: WeightedSet, b: WeightedSet, weights: Float64Array): number {
  const union = a.weight + b.weight;
  if (union === 0) return 1;
  let inter = 0;
  let i = 0;
  let j = 0;
  const x = a.ranks;
  const y = b.ranks;
  while (i < x.length && j < y.length) {
    const rx = x[i] as number;
    const ry = y[j] as number;
    if (rx === ry) {
      inter += weights[rx] as number;
      i++;
      j++;
    } else if (rx < ry) i++;
    else j++;
  }
  return inter / (union - inter);
}

/** Number of leading tokens a set must index / probe for `threshold`. */
export function prefixLength(s: WeightedSet, weights: Float64Array, threshold: number): number {
  const n = s.ranks.length;
  if (n === 0) return 0;
  // Slightly long prefixes are safe; short ones would lose pairs, so round toward longer.
  const keep = threshold * s.weight * (1 - 1e-9);
  let suffix = s.weight;
  for (let k = 0; k < n; k++) {
    suffix -= weights[s.ranks[k] as number] as number;
    if (suffix < keep) return k + 1;
  }
  return n;
}

/**
 * An index of sets, probed for the most similar indexed set. Sets with no
 * tokens are looked up by block (an empty set only equals an empty set).
 */
export class PrefixIndex {
  private readonly postings = new Map<number, number[]>();
  private readonly emptyByBlock = new Map<number, number>();
  private readonly sets: WeightedSet[] = [];
  private readonly seen: Int32Array;
  private stamp = 0;

  constructor(
    private readonly weights: Float64Array,
    private readonly threshold: number,
    capacity: number,
  ) {
    this.seen = new Int32Array(Math.max(1, capacity)).fill(-1);
  }

  private key(block: number, rank: number): number {
    return block * this.weights.length + rank;
  }

  /** Adds a set; returns its id (0, 1, 2...). */
  add(s: WeightedSet): number {
    const id = this.sets.length;
    this.sets.push(s);
    if (s.ranks.length === 0) {
      if (!this.emptyByBlock.has(s.block)) this.emptyByBlock.set(s.block, id);
      return id;
    }
    const p = prefixLength(s, this.weights, this.threshold);
    for (let k = 0; k < p; k++) {
      const key = this.key(s.block, s.ranks[k] as number);
      const list = this.postings.get(key);
      if (list) list.push(id);
      else this.postings.set(key, [id]);
    }
    return id;
  }

  /** The most similar indexed set with similarity >= threshold (ties: the lowest id), or null. */
  best(s: WeightedSet): { id: number; similarity: number } | null {
    if (s.ranks.length === 0) {
      const id = this.emptyByBlock.get(s.block);
      return id === undefined ? null : { id, similarity: 1 };
    }
    const stamp = this.stamp++;
    const t = this.threshold;
    const lo = s.weight * t * (1 - 1e-9);
    const hi = s.weight / (t * (1 - 1e-9));
    let bestId = -1;
    let bestSim = -1;
    const p = prefixLength(s, this.weights, t);
    for (let k = 0; k < p; k++) {
      const list = this.postings.get(this.key(s.block, s.ranks[k] as number));
      if (!list) continue;
      for (const id of list) {
        if (this.seen[id] === stamp) continue;
        this.seen[id] = stamp;
        const other = this.sets[id] as WeightedSet;
        if (other.weight < lo || other.weight > hi) continue;
        const sim = weightedJaccard(s, other, this.weights);
        if (sim >= t - 1e-12 && (sim > bestSim || (sim === bestSim && id < bestId))) {
          bestSim = sim;
          bestId = id;
        }
      }
    }
    return bestId < 0 ? null : { id: bestId, similarity: bestSim };
  }
}
