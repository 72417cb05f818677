import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateBucket, type QuestionRecord } from "../../../tools/src/generate/index";
import { clusterOther, fingerprint, groupQuestions, labelClusters, questionGroupId, stem, type QuestionItem } from "../src/index";

const item = (text: string, count = 1): QuestionItem => ({ fingerprint: fingerprint(text), text, count });

/** Whether two questions (asked once each, alone) end in one group. */
function merged(a: string, b: string): boolean {
  const groups = groupQuestions([item(a), item(b)]);
  if (fingerprint(a) === fingerprint(b)) return true;
  return groups.length === 1;
}

describe("groupQuestions: the brief's examples", () => {
  it("merges a contraction/preposition/case variant of the same question", () => {
    const groups = groupQuestions([item("What's the target return of the EIS fund", 3), item("What is the target return for the EIS Fund?", 5)]);
    expect(groups).toHaveLength(1);
    const g = groups[0]!;
    expect(g.count).toBe(8);
    expect(g.share).toBe(1);
    expect(g.representative).toBe("What is the target return for the EIS Fund?");
    expect(g.id).toBe(questionGroupId(fingerprint("What is the target return for the EIS Fund?")));
    expect(g.fingerprints).toEqual([fingerprint("What is the target return for the EIS Fund?"), fingerprint("What's the target return of the EIS fund")]);
  });

  it("keeps different funds and different intents apart", () => {
    expect(merged("What is the target return of the EIS Fund?", "What is the target return of the Property Income Fund?")).toBe(false);
    expect(merged("What are the fees?", "What are the risks?")).toBe(false);
  });
});

const MUST_MERGE: Array<[string, string]> = [
  ["What's the target return of the EIS fund", "What is the target return for the EIS Fund?"],
  ["What are the fees for the EIS Fund?", "what are the fees for the eis fund"],
  ["Is the Sharia Growth Fund Sharia compliant?", "Is the Sharia Growth Fund shariah compliant?"],
  ["What is the minimum investment for the GBP Income Fund?", "min investment for the GBP Income Fund?"],
  ["Sorry, what is the target return of the EIS Fund?", "What is the target return of the EIS Fund?"],
  ["Just to confirm, how often does the Property Income Fund pay?", "How often does the Property Income Fund pay?"],
  ["What is the target return of the EIS Fund exactly?", "What is the target return of the EIS Fund?"],
  ["I asked before but what is the notice period for withdrawals?", "What's the notice period for withdrawals?"],
  ["What is the taget return of the EIS Fund?", "What is the target return of the EIS Fund?"], // typo: dropped letter
  ["What are the risks of the Property Incmoe Fund?", "What are the risks of the Property Income Fund?"], // typo in a name: swap
  ["What is the fee for the EIS Fund?", "What are the fees for the EIS Fund?"], // singular / plural
  ["EIS Fund target return?", "Target return of the EIS Fund?"], // word order
  ["What fees does the EIS Fund charge?", "What are the charges of the EIS Fund?"], // synonyms
  ["Is this fund halal?", "is this deal halal"], // "this fund" = "this deal"
  ["Is the EIS Fund ISA eligible?", "Is the EIS fund ISA-eligible??"],
  ["What is the 5 year return of the EIS Fund?", "What's the 5 year return for the EIS fund"], // equal numbers
  ["Can I lose all my money in the Green Energy Fund?", "can i lose all of my money in the green energy fund"],
  ["What is the investment strategy of the Tech Ventures Fund?", "Whats the investment strategy for Tech Ventures Fund"],
  ["How do I reset my password?", "Hi, how do I reset my password? Thanks"],
];

const MUST_NOT_MERGE: Array<[string, string]> = [
  ["What is the target return of the EIS Fund?", "What is the target return of the Property Income Fund?"], // different fund
  ["What is the target return of the Healthcare Property Fund?", "What is the target return of the Property Income Fund?"], // funds sharing a word
  ["What are the risks of the Tech Ventures Fund?", "What are the risks of the Tech Ventures Fund II?"],
  ["What are the fees?", "What are the risks?"], // different intent
  ["Is there a management fee on the EIS Fund?", "Is there a performance fee on the EIS Fund?"],
  ["Is the EIS Fund high risk?", "Is the EIS Fund low risk?"],
  ["Is the EIS Fund Sharia compliant?", "Is the EIS Fund not Sharia compliant?"], // negation
  ["What is the target return for 2024?", "What is the target return for 2025?"], // different year
  ["Does the fund pay 8% a year?", "Does the fund pay 10% a year?"], // different percentage
  ["If I invest £10,000 how much would I get back?", "If I invest £5,000 how much would I get back?"], // different amount
  ["Can I invest £1,000 in the EIS Fund?", "Can I invest £1,000,000 in the EIS Fund?"],
  ["What is the track record of returns for the EIS Fund?", "What is the track record of the team behind the EIS Fund?"], // shared words
  ["When is the first payment from the EIS Fund?", "How often are payments made by the EIS Fund?"],
  ["Is the GBP Income Fund ISA eligible?", "Is the GBP Income Fund eligible for EIS relief?"],
  ["Is the EIS Fund eligible for EIS relief?", "Is this fund eligible for EIS relief?"], // a name vs the same word elsewhere
  ["What is the target return for this fund?", "Is the target return fixed for this fund?"],
  ["How do I reset my password?", "How do I delete my account?"],
  ["Can I withdraw early from the Trade Finance Fund?", "Are there fees to withdraw from the Trade Finance Fund?"],
  ["What is the minimum investment for the EIS Fund?", "What is the maximum investment for the EIS Fund?"],
  ["Is the EIS Fund halal?", "Is the Halal Real Estate Fund halal?"],
];

describe("groupQuestions: hand-written pairs", () => {
  it("has at least 30 pairs", () => {
    expect(MUST_MERGE.length + MUST_NOT_MERGE.length).toBeGreaterThanOrEqual(30);
  });
  it.each(MUST_MERGE)("merges %j and %j", (a, b) => {
    expect(merged(a, b)).toBe(true);
    expect(merged(b, a)).toBe(true);
  });
  it.each(MUST_NOT_MERGE)("keeps %j and %j apart", (a, b) => {
    expect(merged(a, b)).toBe(false);
    expect(merged(b, a)).toBe(false);
  });
});

describe("groupQuestions: contract", () => {
  it("returns nothing for nothing", () => {
    expect(groupQuestions([])).toEqual([]);
  });

  it("sums repeated fingerprints, sorts by count and shares add up to 1", () => {
    const groups = groupQuestions([
      item("What are the risks?", 2),
      item("what are the risks", 3),
      item("What is the minimum investment?", 4),
      { ...item("Is it halal?", 1), lastAskedAtMs: 5 },
      { ...item("is it halal", 1), lastAskedAtMs: 9 },
    ]);
    expect(groups.map((g) => g.count)).toEqual([5, 4, 2]);
    expect(groups.reduce((s, g) => s + g.share, 0)).toBeCloseTo(1, 12);
    expect(groups[0]!.representative).toBe("what are the risks"); // the text asked most (3 of 5)
    expect(groups[2]!.lastAskedAtMs).toBe(9);
    for (const g of groups) expect(g.id).toMatch(/^qg_[0-9a-f]{16}$/);
  });

  it("rejects a threshold outside (0, 1]", () => {
    expect(() => groupQuestions([item("hi")], { threshold: 0 })).toThrow(RangeError);
    expect(() => groupQuestions([item("hi")], { threshold: 1.5 })).toThrow(RangeError);
  });

  it("treats the words of given entity names as decisive even in lower-case text", () => {
    const a = "what is the target return of the alpha fund";
    const b = "what is the target return of the beta fund";
    expect(groupQuestions([item(a, 5), item(b, 5)], { entities: ["Alpha Fund", "Beta Fund"] })).toHaveLength(2);
  });

  it("stems conservatively", () => {
    expect(["returns", "fees", "investing", "invested", "charges", "companies", "guaranteed", "guarantee"].map(stem)).toEqual([
      "return",
      "fee",
      "invest",
      "invest",
      "charg",
      "company",
      "guarantee",
      "guarantee",
    ]);
  });
});

// ------------------------------------------------------------ generator bank

function shuffled<T>(xs: readonly T[], seed: number): T[] {
  const out = [...xs];
  let s = seed >>> 0;
  for (let i = out.length - 1; i > 0; i--) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** Damerau-Levenshtein distance <= 1 (a typo). */
function nearly(a: string, b: string): boolean {
  if (a === b) return true;
  if (Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  if (a.length === b.length) return a.slice(i + 1) === b.slice(i + 1) || (a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2));
  return a.length > b.length ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
}

/** Whether the text names the fund (allowing a typo per word); questions about "this fund" cannot tell funds apart. */
function namesFund(fp: string, fund: string): boolean {
  const name = fingerprint(fund).split(" ");
  const words = fp.split(" ");
  for (let i = 0; i + name.length <= words.length; i++) if (name.every((w, k) => nearly(w, words[i + k]!))) return true;
  return false;
}

function purity(records: readonly QuestionRecord[], groupOf: (r: QuestionRecord) => string, label: (r: QuestionRecord) => string): number {
  const byGroup = new Map<string, Map<string, number>>();
  for (const r of records) {
    const g = groupOf(r);
    let m = byGroup.get(g);
    if (!m) byGroup.set(g, (m = new Map()));
    const l = label(r);
    m.set(l, (m.get(l) ?? 0) + 1);
  }
  let majority = 0;
  for (const m of byGroup.values()) majority += Math.max(...m.values());
  return majority / records.length;
}

describe("groupQuestions on the generator's questions", () => {
  let dir: string;
  let questions: QuestionRecord[];
  let items: QuestionItem[];
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "grouping-"));
    const truth = await generateBucket({ outDir: join(dir, "bucket"), seed: 42, days: 7, sessionsPerDay: 100, truthPath: null });
    questions = truth.questions;
    const byFp = new Map<string, QuestionItem>();
    questions.forEach((q, i) => {
      const fp = fingerprint(q.question);
      const it = byFp.get(fp);
      if (it) it.count++;
      else byFp.set(fp, { fingerprint: fp, text: q.question, count: 1, lastAskedAtMs: i });
    });
    items = [...byFp.values()];
  }, 60_000);
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("is deterministic: shuffled input gives the same groups and ids", () => {
    const a = groupQuestions(items);
    for (const seed of [1, 2, 3]) expect(groupQuestions(shuffled(items, seed))).toEqual(a);
    const reversed = items.map((it) => ({ ...it })).reverse();
    expect(groupQuestions(reversed)).toEqual(a);
  });

  it("groups purely (same fund + aspect) and puts re-asks with their original", () => {
    const groups = groupQuestions(items);
    const groupOfFp = new Map<string, string>();
    for (const g of groups) for (const fp of g.fingerprints) groupOfFp.set(fp, g.id);
    const groupOf = (r: QuestionRecord): string => groupOfFp.get(fingerprint(r.question))!;
    // What the text can tell: the fund when it names it, else only "this fund", and the aspect asked.
    const observable = (r: QuestionRecord): string => `${namesFund(fingerprint(r.question), r.fund) ? r.fund : "-"}|${r.aspect}`;
    const strict = (r: QuestionRecord): string => `${r.fund}|${r.aspect}`;
    const p = purity(questions, groupOf, observable);
    const pStrict = purity(questions, groupOf, strict);
    const pStrictFp = purity(questions, (r) => fingerprint(r.question), strict);

    // A re-ask's original: the latest earlier question of the same user and deal on the same aspect (same session).
    let reasks = 0;
    let together = 0;
    let togetherFp = 0;
    questions.forEach((q, i) => {
      if (!q.reask) return;
      const t = Date.parse(q.askedAt);
      for (let j = i - 1; j >= 0; j--) {
        const o = questions[j]!;
        if (o.userId === q.userId && o.dealId === q.dealId && o.aspect === q.aspect && t - Date.parse(o.askedAt) < 2 * 3600_000) {
          reasks++;
          if (groupOf(o) === groupOf(q)) together++;
          if (fingerprint(o.question) === fingerprint(q.question)) togetherFp++;
          return;
        }
      }
    });
    const recall = together / reasks;
    console.log(
      `grouping on ${questions.length} generated questions (${items.length} fingerprints -> ${groups.length} groups): ` +
        `purity ${p.toFixed(4)} (fund as named in the text + aspect), strict fund+aspect ${pStrict.toFixed(4)} ` +
        `(fingerprints alone: ${pStrictFp.toFixed(4)}); re-asks with their original ${together}/${reasks} = ${recall.toFixed(4)} ` +
        `(fingerprints alone: ${(togetherFp / reasks).toFixed(4)})`,
    );
    expect(reasks).toBeGreaterThan(100);
    expect(p).toBeGreaterThanOrEqual(0.95);
    expect(recall).toBeGreaterThanOrEqual(0.9);
    // Merging must cost little strict purity beyond what the fingerprints already mix ("this fund" about any fund).
    expect(pStrict).toBeGreaterThanOrEqual(pStrictFp - 0.1);
    expect(groups.length).toBeLessThan(items.length * 0.6);
  });
});

// ------------------------------------------------------------------ labels

describe("labelClusters (c-TF-IDF)", () => {
  const withdrawals = [
    "What is the notice period for a withdrawal?",
    "How long is the notice period to withdraw?",
    "Is there a notice period for withdrawals?",
    "Can I make a withdrawal without notice period?",
  ];
  const zakat = ["How do I calculate zakat on my investment?", "Is the fund zakatable?", "How much zakat do I pay?", "What is the zakat percentage?"];
  const app = ["How do I reset my password?", "I forgot my password", "How do I change my password in the app?", "Why is the app so slow?"];

  it("labels each cluster with its distinctive terms", () => {
    const labels = labelClusters([withdrawals, zakat, app]);
    expect(labels).toHaveLength(3);
    expect(labels[0]!.terms).toContain("notice period");
    expect(labels[0]!.terms.some((t) => t.startsWith("withdraw"))).toBe(true);
    expect(labels[0]!.label).toBe(labels[0]!.terms.join(" · "));
    expect(labels[1]!.terms[0]).toBe("zakat");
    expect(labels[2]!.terms.slice(0, 2)).toEqual(expect.arrayContaining(["password", "app"]));
    for (const l of labels) {
      expect(l.terms.length).toBeGreaterThanOrEqual(2);
      expect(l.terms.length).toBeLessThanOrEqual(3);
    }
  });

  it("is deterministic, honours weights and maxTerms, and labels small talk by its text", () => {
    expect(labelClusters([withdrawals, zakat, app])).toEqual(labelClusters([withdrawals, zakat, app]));
    const [one] = labelClusters([{ texts: ["Is the app slow?", "What are the fees?"], weights: [10, 1] }, zakat], { maxTerms: 1 });
    expect(one!.terms).toEqual(["app"]);
    const [thanks] = labelClusters([["thank you", "Thank you!", "thanks"], zakat]);
    expect(thanks!.label).toBe("thank you");
  });
});

describe("clusterOther", () => {
  const texts = [
    "How do I reset my password?",
    "I forgot my password, how do I reset it?",
    "password reset please",
    "How do I top up my wallet?",
    "Can I top up my wallet by card?",
    "top up wallet",
    "What's the weather like in London today?",
    "Who won the football last night?",
    "Who won the football?",
  ];

  it("finds topic clusters with labels, members as indices", () => {
    const clusters = clusterOther(texts);
    const members = clusters.map((c) => c.members);
    expect(members).toContainEqual([0, 1, 2]);
    expect(members).toContainEqual([3, 4, 5]);
    expect(members).toContainEqual([7, 8]);
    const pw = clusters.find((c) => c.members.includes(0))!;
    expect(pw.terms[0]).toMatch(/password/);
    const wallet = clusters.find((c) => c.members.includes(3))!;
    expect(wallet.label).toMatch(/top up|wallet/);
    // the weather question is alone: pooled last
    expect(clusters[clusters.length - 1]).toEqual({ label: "unclustered", terms: [], members: [6] });
    expect(clusters.flatMap((c) => c.members).sort((a, b) => a - b)).toEqual(texts.map((_, i) => i));
  });

  it("gives the same clusters for shuffled input", () => {
    const order = shuffled(
      texts.map((_, i) => i),
      5,
    );
    const a = clusterOther(texts).map((c) => ({ label: c.label, texts: c.members.map((i) => texts[i]).sort() }));
    const b = clusterOther(order.map((i) => texts[i]!)).map((c) => ({ label: c.label, texts: c.members.map((i) => texts[order[i]!]).sort() }));
    expect(b).toEqual(a);
  });
});
