/**
 * The question classifier (topics/classify.ts) and fund extraction
 * (topics/fund.ts): hand-written cases per topic, fund names, tie rules,
 * `other`, and every distinct real sample question with the topic and fund
 * decided by reading it (the real files are read in place; skipped when absent).
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import {
  SEED_EXAMPLES,
  TAXONOMY,
  TOPIC_IDS,
  buildTopicModel,
  classifyQuestion,
  classifyWith,
  extractFund,
  findFund,
  withinOneEdit,
} from "../src/topics";
import type { TopicId } from "../src/topics";

describe("taxonomy", () => {
  it("has one entry per topic id, in order, each with a label, description and cues", () => {
    expect(TAXONOMY.map((t) => t.id)).toEqual([...TOPIC_IDS]);
    for (const t of TAXONOMY) {
      expect(t.label.length).toBeGreaterThan(0);
      expect(t.description.length).toBeGreaterThan(0);
      expect(t.cues.length).toBeGreaterThan(0);
      for (const g of t.cues) expect(g.terms.length).toBeGreaterThan(0);
    }
  });
});

describe("classifyQuestion: one case list per topic", () => {
  const cases: Record<TopicId, string[]> = {
    returns: ["What is the target return?", "what's the IRR", "How has the fund performed?", "What yield does it pay?", "What multiple is the fund aiming for?", "how much will I earn on £1,000?"],
    risk: ["What are the main risks?", "Could I lose all my money?", "Is my capital protected?", "what happens if a borrower defaults", "How risky is it?"],
    fees: ["What fees are charged?", "Is there a management fee?", "What's the carried interest?", "Are there any hidden costs?", "Is there an exit fee?"],
    liquidity: ["Can I withdraw early?", "Is there a lock-up?", "How often are distributions paid?", "Can I sell my stake on a secondary market?", "What is the notice period for redemptions?"],
    sharia: ["Is it halal?", "How much zakat is due?", "Is the deal Sharia compliant?", "Does it involve riba?", "Is purification needed?"],
    tax: ["Is it ISA eligible?", "Can I claim EIS relief?", "What about inheritance tax?", "Is there capital gains tax?", "do i need to tell HMRC"],
    documents: ["Where can I find the prospectus?", "Is there an information memorandum?", "What documents are available?", "Can I see the term sheet?", "Is there a webinar recording?"],
    horizon: ["How long is the investment?", "What is the investment horizon?", "When does it mature?", "What's the term?", "How many years will it run?"],
    strategy: ["What is the investment strategy?", "Who manages the fund?", "What sectors does it focus on?", "How diversified is the portfolio?", "What's the team's track record?"],
    other: ["hi", "thanks!", "How do I reset my password?", "What's the minimum investment?", "Can you tell me a joke?"],
  };
  for (const topic of TOPIC_IDS) {
    it.each(cases[topic])(`${topic}: %j`, (q) => {
      expect(classifyQuestion(q).topic).toBe(topic);
    });
  }

  it("explains itself: the matched cues and every topic's score", () => {
    const c = classifyQuestion("What is the target return?");
    expect(c.matched).toContain("returns: target return*");
    expect(c.scores.returns).toBeGreaterThan(0);
    expect(Object.keys(c.scores)).toEqual([...TOPIC_IDS]);
    expect(c.scores.other).toBe(0);
  });

  it("a question with no cue is other, with all scores 0", () => {
    const c = classifyQuestion("What is the capital of Malaysia?");
    expect(c.topic).toBe("other");
    expect(c.matched).toEqual([]);
    expect(Object.values(c.scores).every((s) => s === 0)).toBe(true);
  });
});

describe("classifyQuestion: second stage for questions with no cue", () => {
  it("the model decides and explains itself with the nearest example", () => {
    const c = classifyQuestion("Who are the tenants and are they solid?");
    expect(Object.values(c.scores).every((s) => s === 0)).toBe(true);
    expect(c.topic).toBe("strategy");
    expect(c.matched).toHaveLength(1);
    expect(c.matched[0]).toMatch(/^model: strategy \d\.\d\d, nearest '.+'$/);
  });

  it("is deterministic and leaves unrelated questions in other", () => {
    expect(classifyQuestion("Who are the tenants?")).toEqual(classifyQuestion("Who are the tenants?"));
    expect(classifyQuestion("What is the capital of Malaysia?").topic).toBe("other");
  });

  it("a model trained without an example still classifies it from the rest (leave-one-out)", () => {
    const model = buildTopicModel(SEED_EXAMPLES.filter(([, q]) => q !== "who are the borrowers"));
    expect(classifyWith("who are the borrowers", { model }).topic).toBe("strategy");
  });
});

describe("classifyQuestion: robustness", () => {
  it.each([
    ["How often are distrubutions paid?", "liquidity"],
    ["what is the yeild", "returns"],
    ["WHAT ARE THE FEES???", "fees"],
    ["is it sharia-complaint", "sharia"],
    ["whats the investmnet horizon", "horizon"],
    ["What’s the lock‑up?", "liquidity"],
  ] as const)("typos, case and punctuation: %j -> %s", (q, topic) => {
    expect(classifyQuestion(q).topic).toBe(topic);
  });

  it("a correctly spelled word is not read as a typo of a cue", () => {
    // "existing" is one letter from "exiting"; "projected" one from "protected".
    expect(classifyQuestion("Can I transfer an existing ISA?").matched.some((m) => m.startsWith("liquidity"))).toBe(false);
    expect(classifyQuestion("What is the projected IRR?").scores.risk).toBe(0);
  });

  it("fund names never vote for a topic", () => {
    expect(classifyQuestion("What fees does the EIS Fund charge?").topic).toBe("fees");
    expect(classifyQuestion("What fees does the EIS Fund charge?").scores.tax).toBe(0);
    expect(classifyQuestion("How risky is the Sharia Growth Fund?").scores.sharia).toBe(0);
    expect(classifyQuestion("Is the Property Income Fund safer than the Halal Real Estate Fund?").topic).toBe("risk");
    expect(classifyQuestion("How long is the Blue Horizon Logistics Fund?").matched).toEqual(["horizon: how long"]);
  });
});

describe("classifyQuestion: multi-intent and ties", () => {
  it("the strongest topic wins", () => {
    // fees: "fee" + "exit fee*" (3 + 3) beat liquidity: "exit" (3).
    expect(classifyQuestion("Is there an exit fee?").topic).toBe("fees");
    // tax: "tax" + "relief" outweigh returns: "returns".
    expect(classifyQuestion("Do returns qualify for tax relief?").topic).toBe("tax");
  });

  it("on a tie, the topic whose first cue comes first in the question wins", () => {
    const a = classifyQuestion("What is the target return and the investment horizon?");
    expect(a.scores.returns).toBe(a.scores.horizon);
    expect(a.topic).toBe("returns");
    const b = classifyQuestion("What is the investment horizon and the target return?");
    expect(b.topic).toBe("horizon");
  });
});

describe("fund extraction", () => {
  it.each([
    ["What is the target return for the EIS Fund?", "EIS Fund"],
    ["what's the return on the eis fund", "EIS Fund"],
    ["Is Sharia Growth Fund halal?", "Sharia Growth Fund"],
    ["How does Cur8 Capital's Property Income Fund pay out?", "Property Income Fund"],
    ["What does the Tech Ventures fund invest in?", "Tech Ventures Fund"],
    ["the gbp income fund's liquidity terms?", "GBP Income Fund"],
    ["What's the IRR for the Pharmacy Private Equity Fund?", "Pharmacy Private Equity Fund"],
    ["Is the halal real estate fund zakatable", "Halal Real Estate Fund"],
    ["What does Cur8's Sukuk Income Fund invest in?", "Sukuk Income Fund"],
    ["Compare the EIS Fund and the Tech Ventures Fund", "EIS Fund"],
    ["What are the fees on the Bricks & Mortar Fund?", "Bricks & Mortar Fund"],
    ["What is the exit plan for the Pharmacy deal?", "Pharmacy Fund"],
    // Found in generated data: an auxiliary verb before a bare name is not part of it.
    ["Has EIS Fund paid what it promised in previous years?", "EIS Fund"],
    ["Have Green Energy Fund investors been paid?", "Green Energy Fund"],
  ])("%j -> %j", (q, name) => {
    expect(extractFund(q)).toBe(name);
    expect(classifyQuestion(q).fund).toBe(name);
  });

  it.each([
    "What fees does this fund charge?",
    "How risky is the fund?",
    "Is it better than a hedge fund?",
    "Which funds are zakatable?",
    "What are the key benefits of partnering with Everest Group for this fund?",
    "Can I use my ISA to fund the investment?",
    "Is this deal halal?",
    "What is the significance of the fund's focus on underrepresented founders?",
  ])("names no fund: %j", (q) => {
    expect(extractFund(q)).toBeNull();
  });

  it("a name repeated under several deals is the same name: it comes from the text, never a deal id", () => {
    // The real sample asks about the EIS Fund under deal ids 709, 249 and 665.
    const names = [
      "What is the expected investment horizon for the EIS Fund?",
      "What are the quarterly payment options available for investors in the EIS Fund?",
      "Can you clarify what the illiquid nature of the investment means for investors in the EIS Fund?",
    ].map(extractFund);
    expect(new Set(names)).toEqual(new Set(["EIS Fund"]));
  });

  it("reports where the name is, so it can be blanked out", () => {
    const q = "Is the Sharia Growth Fund ISA eligible?";
    const m = findFund(q)!;
    expect(q.slice(m.start, m.end)).toBe("Sharia Growth Fund");
  });
});

describe("withinOneEdit", () => {
  it.each([
    ["return", "retrun", true],
    ["return", "retur", true],
    ["return", "returns", true],
    ["return", "rexurn", true],
    ["return", "rtrn", false],
    ["return", "nruter", false],
  ] as const)("%s ~ %s: %s", (a, b, ok) => {
    expect(withinOneEdit(a, b)).toBe(ok);
  });
});

// ---------------------------------------------------------------------------
// The real sample: every distinct question, with the topic and fund decided by
// reading it. All get a topic other than `other`.

const REAL: readonly (readonly [question: string, topic: TopicId, fund: string | null])[] = [
  ["What is the expected investment horizon for the EIS Fund?", "horizon", "EIS Fund"],
  ["Can you explain how the S/EIS tax benefits work for eligible investors in the EIS Fund?", "tax", "EIS Fund"],
  ["What types of startups does the EIS Fund focus on sourcing for its portfolio?", "strategy", "EIS Fund"],
  ["What is the total number of startups that the EIS Fund plans to include in its portfolio?", "strategy", "EIS Fund"],
  ["What are the payment options available for investors in the EIS Fund?", "liquidity", "EIS Fund"],
  ["Can you provide more details about the types of documents available for the EIS Fund?", "documents", "EIS Fund"],
  ["What kind of returns can investors expect from the EIS Fund?", "returns", "EIS Fund"],
  ["What is the significance of the fund's focus on underrepresented founders in the startup selection process?", "strategy", null],
  ["What is the target return for the GBP Income Fund?", "returns", "GBP Income Fund"],
  ["Can you explain what types of properties are typically financed through the GBP Income Fund?", "strategy", "GBP Income Fund"],
  // "Special income opportunities" are what the fund invests in, not its return.
  ["What are the special income opportunities mentioned in the GBP Income Fund description?", "strategy", "GBP Income Fund"],
  ["Can you clarify what the liquidity terms are for the GBP Income Fund?", "liquidity", "GBP Income Fund"],
  ["Could you provide more information about the asset-backed opportunities within the GBP Income Fund?", "strategy", "GBP Income Fund"],
  ["What documents are available to learn more about the GBP Income Fund?", "documents", "GBP Income Fund"],
  ["What is the eligibility criteria for the IF-ISA associated with the GBP Income Fund?", "tax", "GBP Income Fund"],
  ["Can you explain what Zakat eligibility means in the context of the GBP Income Fund?", "sharia", "GBP Income Fund"],
  ["What is the target return for the Pharmacy Income Fund?", "returns", "Pharmacy Income Fund"],
  ["Can you explain what types of investments the capital will be used for in the Pharmacy Income Fund?", "strategy", "Pharmacy Income Fund"],
  ["What are the potential risks associated with investing in the Pharmacy Income Fund?", "risk", "Pharmacy Income Fund"],
  ["What are the profit payment frequencies for the Pharmacy Income Fund?", "liquidity", "Pharmacy Income Fund"],
  ["What types of investments are eligible for ISA in the Pharmacy Income Fund?", "tax", "Pharmacy Income Fund"],
  ['Can you clarify what "100% eligible for Zakat" means in the context of the Pharmacy Income Fund?', "sharia", "Pharmacy Income Fund"],
  ["Can you provide more details on the defensive sector aspect of the Pharmacy Income Fund?", "strategy", "Pharmacy Income Fund"],
  ["What documents are available for review regarding the Pharmacy Income Fund?", "documents", "Pharmacy Income Fund"],
  ["What is the projected internal rate of return (IRR) for the Pharmacy Private Equity Fund?", "returns", "Pharmacy Private Equity Fund"],
  ["Can you tell me more about the Buy and Build strategy mentioned in the deal description?", "strategy", null],
  ["What kind of operational value creation methods are being considered for the pharmacies in the Buy and Build strategy?", "strategy", null],
  // The business's revenue mix (its model), not the investor's return.
  ["What percentage of revenue is expected to come from NHS funding for the pharmacies in this deal?", "strategy", null],
  ['Can you clarify what is meant by "Asset Zakatable" and how it applies to this deal?', "sharia", null],
  ["What are the key benefits of partnering with Everest Group for this fund?", "strategy", null],
  ["What specific documents are available for this deal, and how can I access the FAQ Document and Webinar Recording?", "documents", null],
  ["Can you provide more details on what topics are covered in the FAQ Document?", "documents", null],
  ["Can you explain how the partnership with Everest Group will specifically enhance the operational value creation in the pharmacies?", "strategy", null],
  ["What are the expected long-term growth metrics for the Pharmacy Private Equity Fund beyond the projected IRR?", "returns", "Pharmacy Private Equity Fund"],
  ["Could you elaborate on the potential risks associated with this investment, particularly in the context of the medium risk label?", "risk", null],
  ['What is meant by "Zakat: 57% Eligible (Feb 2025)" in relation to the GBP Income Fund?', "sharia", "GBP Income Fund"],
  ["Can you provide more details on the types of special income opportunities offered through the GBP Income Fund?", "strategy", "GBP Income Fund"],
  ["Are there any specific documents available that outline the investment process for the GBP Income Fund?", "documents", "GBP Income Fund"],
  ["Can you explain more about the liquidity terms for the GBP Income Fund? Specifically, what does the 3-month notice for liquidity entail?", "liquidity", "GBP Income Fund"],
  ['Can you clarify what "IF-ISA eligible" means in the context of the GBP Income Fund?', "tax", "GBP Income Fund"],
  // What the fund holds ("secure, vetted" describes the investments), not a risk question.
  ['Can you tell me more about the types of investments that are considered "secure, vetted" within the GBP Income Fund?', "strategy", "GBP Income Fund"],
  // Two intents: the first asked (returns) wins the tie.
  ["What is the target return for the EIS Fund, and what is the investment horizon?", "returns", "EIS Fund"],
  ["Can you explain more about the types of startups that will be included in the diversified portfolio?", "strategy", null],
  ["What kind of tax relief can eligible investors claim through the S/EIS schemes?", "tax", null],
  ["Can you provide more details on the quarterly payment options available for the EIS Fund?", "liquidity", "EIS Fund"],
  ['Can you clarify what is meant by "illiquid investment" in the context of the EIS Fund?', "liquidity", "EIS Fund"],
  ["What are the specific benefits of sourcing from underrepresented founders in the EIS Fund?", "strategy", "EIS Fund"],
  ["Can you explain what the quarterly payment options entail for investors in the EIS Fund?", "liquidity", "EIS Fund"],
  ["Can you provide more information about the types of documents available for the EIS Fund, specifically what insights can be gained from the Webinar Recording or Deployment Report?", "documents", "EIS Fund"],
  ["Can you tell me more about the types of insights or information that might be included in the Deployment Report for the EIS Fund?", "documents", "EIS Fund"],
  ["What specific metrics or key performance indicators will be included in the Deployment Report for the EIS Fund?", "documents", "EIS Fund"],
  ['Can you clarify what types of startups are considered "high-potential" for the EIS Fund?', "strategy", "EIS Fund"],
  ["What is the target return for the EIS Fund and what is the investment horizon?", "returns", "EIS Fund"],
  ["Can you provide more details about the types of startups included in the diversified portfolio?", "strategy", null],
  ["Are there any specific criteria for the startups that the fund will invest in, particularly regarding underrepresented founders?", "strategy", null],
  ["Can you explain the S/EIS tax benefits and how they apply to eligible investors in the EIS Fund?", "tax", "EIS Fund"],
  ["What are the quarterly payment options available for investors in the EIS Fund?", "liquidity", "EIS Fund"],
  ["Could you clarify what types of documents are available for investors to review regarding the EIS Fund?", "documents", "EIS Fund"],
  ["Can you provide a brief overview of what is included in the Deployment Report for the EIS Fund?", "documents", "EIS Fund"],
  ["Can you tell me more about the focus on underrepresented founders and how that impacts the selection of startups for the EIS Fund?", "strategy", "EIS Fund"],
  ["Can you explain what types of tax relief and loss relief are available to investors under the SEIS/EIS schemes?", "tax", null],
  ["Can you provide more information on the types of updates or metrics that are typically included in the quarterly Deployment Report for the EIS Fund?", "documents", "EIS Fund"],
  ["Can you clarify what the illiquid nature of the investment means for investors in the EIS Fund?", "liquidity", "EIS Fund"],
];

describe("real sample questions", () => {
  it.each(REAL.map((r) => [...r]))("%j -> %s, %j", (question, topic, fund) => {
    const c = classifyQuestion(question as string);
    expect(c.topic).toBe(topic);
    expect(c.fund).toBe(fund);
    expect(c.topic).not.toBe("other");
  });

  const bucket = resolve(dirname(fileURLToPath(import.meta.url)), "../../../../shared/samples/real-bucket");
  const present = existsSync(bucket);
  it.skipIf(!present)("the list above holds every distinct question of the real sample files", () => {
    const files: string[] = [];
    const walk = (dir: string): void => {
      for (const name of readdirSync(dir)) {
        const p = join(dir, name);
        if (statSync(p).isDirectory()) walk(p);
        else if (name.endsWith(".json.gz")) files.push(p);
      }
    };
    walk(bucket);
    const questions = new Set<string>();
    for (const f of files) {
      const entries = JSON.parse(gunzipSync(readFileSync(f)).toString("utf8")) as { message?: string; query?: string }[];
      for (const e of entries) if (e.message === "Processing deal bot query" && typeof e.query === "string") questions.add(e.query);
    }
    expect(questions.size).toBe(63);
    expect(new Set(REAL.map((r) => r[0]))).toEqual(questions);
  });
});
