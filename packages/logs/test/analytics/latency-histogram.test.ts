import { describe, expect, it } from "vitest";
import { LATENCY_GAMMA, binValue, binsOf, latencyBin, mergeBins, percentilesFromBins } from "../../src/analytics/latency-histogram";

/** Tiny seeded PRNG (mulberry32): the same samples on every run. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Lognormal latencies in whole ms (Box-Muller), like the bot's answer times. */
function lognormalSamples(n: number, seed: number, medianMs: number, sigma: number): number[] {
  const rand = mulberry32(seed);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const u = 1 - rand();
    const v = rand();
    const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    out.push(Math.round(medianMs * Math.exp(sigma * z)));
  }
  return out;
}

/** Exact nearest-rank percentile over the raw values. */
function exactPercentile(sorted: readonly number[], p: number): number {
  const rank = Math.max(1, Math.ceil((p * sorted.length) / 100));
  return sorted[rank - 1]!;
}

const PS = [50, 90, 95, 99] as const;
const MAX_RELATIVE_ERROR = (LATENCY_GAMMA - 1) / (LATENCY_GAMMA + 1);

describe("latencyBin", () => {
  it("puts everything at or below 1 ms in bin 0", () => {
    for (const ms of [-5, 0, 0.5, 1]) expect(latencyBin(ms)).toBe(0);
  });

  it("is ceil(ln(ms) / ln(1.04)), the formula the SQL rollups use", () => {
    expect(latencyBin(1.01)).toBe(1);
    expect(latencyBin(1.04)).toBe(1);
    expect(latencyBin(1.05)).toBe(2);
    expect(latencyBin(2)).toBe(18);
    expect(latencyBin(1000)).toBe(177);
    expect(latencyBin(600_000)).toBe(340);
    for (const ms of [3, 17, 250, 999, 12_345]) expect(latencyBin(ms)).toBe(Math.ceil(Math.log(ms) / Math.log(1.04)));
  });

  it("never decreases as the latency grows", () => {
    let previous = 0;
    for (let ms = 0; ms <= 20_000; ms += 7) {
      const bin = latencyBin(ms);
      expect(bin).toBeGreaterThanOrEqual(previous);
      previous = bin;
    }
  });

  it("refuses NaN and infinities", () => {
    expect(() => latencyBin(Number.NaN)).toThrow(RangeError);
    expect(() => latencyBin(Number.POSITIVE_INFINITY)).toThrow(RangeError);
  });
});

describe("binValue", () => {
  it("stands for 1 ms in bin 0", () => {
    expect(binValue(0)).toBe(1);
  });

  it("is within (γ-1)/(γ+1) ≈ 1.96% of every value of its bin", () => {
    expect(MAX_RELATIVE_ERROR).toBeCloseTo(0.0196, 4);
    for (let ms = 1.001; ms < 1_000_000; ms *= 1.0037) {
      const value = binValue(latencyBin(ms));
      expect(Math.abs(value - ms) / ms).toBeLessThanOrEqual(MAX_RELATIVE_ERROR + 1e-12);
    }
  });

  it("is the same relative distance from both bounds of its bin", () => {
    for (const bin of [1, 10, 177, 340]) {
      const lower = LATENCY_GAMMA ** (bin - 1);
      const upper = LATENCY_GAMMA ** bin;
      const value = binValue(bin);
      expect((value - lower) / lower).toBeCloseTo((upper - value) / upper, 12);
    }
  });
});

describe("mergeBins", () => {
  it("adds counts of the same bin across parts, and within one", () => {
    const merged = mergeBins(
      new Map([
        [1, 2],
        [5, 1],
      ]),
      [
        [5, 3],
        [9, 1],
        [5, 1],
      ],
      [],
    );
    expect([...merged].sort((a, b) => a[0] - b[0])).toEqual([
      [1, 2],
      [5, 5],
      [9, 1],
    ]);
  });

  it("returns an empty map with no parts", () => {
    expect(mergeBins().size).toBe(0);
  });

  it("gives the same histogram as binning all the values at once", () => {
    const values = lognormalSamples(2_000, 7, 900, 1);
    const merged = mergeBins(binsOf(values.slice(0, 500)), binsOf(values.slice(500, 1_700)), binsOf(values.slice(1_700)));
    expect(merged).toEqual(binsOf(values));
  });
});

describe("percentilesFromBins", () => {
  for (const [n, seed] of [
    [10, 1],
    [1_000, 2],
    [100_000, 3],
  ] as const) {
    it(`is within 2% of the exact nearest-rank p50/p90/p95/p99 for ${n} lognormal latencies`, () => {
      for (const [median, sigma] of [
        [1_500, 0.8],
        [400, 1.2],
        [8_000, 0.5],
      ] as const) {
        const values = lognormalSamples(n, seed * 31 + median, median, sigma);
        const sorted = [...values].sort((a, b) => a - b);
        const estimates = percentilesFromBins(binsOf(values), PS);
        PS.forEach((p, i) => {
          const exact = exactPercentile(sorted, p);
          const estimate = estimates[i]!;
          expect(estimate).not.toBeNull();
          expect(Math.abs(estimate - exact) / exact, `p${p} of ${n} (median ${median}): ${estimate} vs ${exact}`).toBeLessThanOrEqual(0.02);
        });
      }
    });
  }

  it("is within 2% plus the 0.05 ms rounding for every p on small latencies", () => {
    const values = lognormalSamples(5_000, 99, 20, 1.5).map((ms) => Math.max(2, ms));
    const sorted = [...values].sort((a, b) => a - b);
    const ps = Array.from({ length: 101 }, (_, i) => i);
    const estimates = percentilesFromBins(binsOf(values), ps);
    ps.forEach((p, i) => {
      const exact = exactPercentile(sorted, p);
      expect(Math.abs(estimates[i]! - exact)).toBeLessThanOrEqual(MAX_RELATIVE_ERROR * exact + 0.05 + 1e-9);
    });
  });

  it("returns null for every p when there are no latencies", () => {
    expect(percentilesFromBins([], PS)).toEqual([null, null, null, null]);
    expect(percentilesFromBins(new Map([[12, 0]]), [50])).toEqual([null]);
  });

  it("returns an empty list for no ps", () => {
    expect(percentilesFromBins(binsOf([5, 6]), [])).toEqual([]);
  });

  it("reads all zeros (and sub-millisecond latencies) as 1 ms", () => {
    expect(percentilesFromBins(binsOf([0, 0, 0, 0]), PS)).toEqual([1, 1, 1, 1]);
    expect(percentilesFromBins(binsOf([0, 0.3, 1]), [0, 100])).toEqual([1, 1]);
  });

  it("gives the one value's bin for every p with one latency", () => {
    const [p0, p50, p100] = percentilesFromBins(binsOf([1234]), [0, 50, 100]);
    expect(p0).toBe(p50);
    expect(p50).toBe(p100);
    expect(Math.abs(p50! - 1234) / 1234).toBeLessThanOrEqual(0.02);
  });

  it("handles huge latencies (10 minutes)", () => {
    const [p50, p99] = percentilesFromBins(binsOf([600_000, 600_000, 599_999]), [50, 99]);
    expect(Math.abs(p50! - 600_000) / 600_000).toBeLessThanOrEqual(0.02);
    expect(Math.abs(p99! - 600_000) / 600_000).toBeLessThanOrEqual(0.02);
  });

  it("uses nearest rank: p is the ceil(p/100 × n)-th smallest, p0 the smallest", () => {
    // Values far apart so each sits alone in its bin: 10, 100, 1000, 10000.
    const bins = binsOf([10_000, 10, 1_000, 100]);
    const [p0, p25, p26, p50, p75, p76, p100] = percentilesFromBins(bins, [0, 25, 26, 50, 75, 76, 100]);
    const near = (x: number | null | undefined, v: number) => expect(Math.abs(x! - v) / v).toBeLessThanOrEqual(0.02);
    near(p0, 10);
    near(p25, 10);
    near(p26, 100);
    near(p50, 100);
    near(p75, 1_000);
    near(p76, 10_000);
    near(p100, 10_000);
  });

  it("does not suffer float error in the rank (p7 of 100 is the 7th value)", () => {
    // 0.07 * 100 is 7.000000000000001 in floating point; the rank must still be 7.
    const values = Array.from({ length: 100 }, (_, i) => 1.04 ** (10 * (i + 1)));
    const [p7] = percentilesFromBins(binsOf(values), [7]);
    expect(Math.abs(p7! - values[6]!) / values[6]!).toBeLessThanOrEqual(0.02);
  });

  it("accepts bins in any order, repeated, as a Map or as database rows", () => {
    const values = lognormalSamples(1_000, 11, 700, 1);
    const bins = binsOf(values);
    const rows = [...bins].reverse().flatMap(([bin, count]): [number, number][] => (count > 1 ? [[bin, 1], [bin, count - 1]] : [[bin, count]]));
    expect(percentilesFromBins(rows, PS)).toEqual(percentilesFromBins(bins, PS));
  });

  it("rounds to 0.1 ms", () => {
    for (const value of percentilesFromBins(binsOf(lognormalSamples(500, 5, 300, 1)), [10, 50, 90])) {
      expect(Math.round(value! * 10) / 10).toBe(value);
    }
  });

  it("refuses p outside 0..100 and negative counts", () => {
    expect(() => percentilesFromBins(binsOf([5]), [101])).toThrow(RangeError);
    expect(() => percentilesFromBins(binsOf([5]), [-1])).toThrow(RangeError);
    expect(() => percentilesFromBins(binsOf([5]), [Number.NaN])).toThrow(RangeError);
    expect(() => percentilesFromBins([[3, -1]], [50])).toThrow(RangeError);
  });
});
