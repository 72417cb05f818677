/**
 * The question bank and the bot's answers: for every intent a few "aspects"
 * (what exactly is asked), many phrasings, and an answer built from the
 * fund's facts. A fact the documents lack makes the bot hedge; the hedges and
 * the question wording vary the way real users and a real LLM do.
 */
import type { Fund, Intent } from "./catalogue";
import type { Rng } from "./prng";

export interface Aspect {
  id: string;
  intent: Intent;
  /** Relative frequency among all questions. */
  weight: number;
  /** Phrasings; `{ref}` becomes "the <fund>", "this fund", "this deal"..., `{fund}` the fund's name. */
  questions: string[];
  /** Article-less noun phrases naming what is asked, for hedges ("fee structure"). */
  topics: string[];
  /** The substantive answer when the documents hold the fact, else null (the bot hedges). */
  answer?: (f: Fund, r: Rng) => string | null;
  /** When `answer` is null: a related fact the bot gives before hedging the rest (a partial answer). */
  fallback?: (f: Fund, r: Rng) => string | null;
  /** Small talk: a friendly reply, not a hedge. */
  reply?: string[];
  /** Out of scope: a refusal, labelled hedged (the user got no answer). */
  deflect?: string[];
  /** What such funds "generally" do, appended to some hedges. */
  generic?: string;
}

const F = (f: Fund): string => `the ${f.name}`;
const Fc = (f: Fund): string => `The ${f.name}`;

function listOf(items: string[]): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}

export const ASPECTS: readonly Aspect[] = [
  // ---------------------------------------------------------------- returns
  {
    id: "returns.target",
    intent: "returns",
    weight: 9,
    questions: [
      "What is the target return for {ref}?",
      "What's the target return on {ref}?",
      "What kind of returns can investors expect from {ref}?",
      "What returns can I expect from {ref}?",
      "How much return does {ref} target?",
      "What is the expected return of {ref}?",
      "Can you tell me the target net return of {ref}?",
      "what returns are expected for {ref}",
      "What annual return is {ref} aiming for?",
      "What is the projected return for investors in {ref}?",
      "How much can I expect to earn from {ref}?",
    ],
    topics: ["target return", "expected return"],
    answer: (f, r) =>
      f.targetReturn === null
        ? null
        : r.pick([
            `The target return for ${F(f)} is ${f.targetReturn}.`,
            `${Fc(f)} is targeting returns of ${f.targetReturn}.`,
            `Investors in ${F(f)} can expect target returns of ${f.targetReturn}, although this is not guaranteed.`,
            `${Fc(f)} aims to deliver ${f.targetReturn}. Please note that this is a target, not a guaranteed return.`,
          ]),
    generic: "returns on funds like this depend on the performance of the underlying investments",
  },
  {
    id: "returns.irr",
    intent: "returns",
    weight: 3,
    questions: [
      "What is the projected IRR for {ref}?",
      "What's the internal rate of return (IRR) of {ref}?",
      "What IRR is {ref} targeting?",
      "Is there a projected IRR for {ref}?",
      "What is the expected IRR on {ref}?",
      "irr for {ref}?",
    ],
    topics: ["projected IRR", "internal rate of return"],
    answer: (f) =>
      f.irr === null ? null : `The projected internal rate of return (IRR) for ${F(f)} is ${f.irr}.`,
    fallback: (f) => (f.targetReturn === null ? null : `${Fc(f)} has a target return of ${f.targetReturn}.`),
  },
  {
    id: "returns.example",
    intent: "returns",
    weight: 1.5,
    questions: [
      "If I invest £10,000 in {ref}, how much would I get back?",
      "How much would I make on £5,000 in {ref}?",
      "If I put 1000 pounds into {ref} what will I earn?",
      "What would a £20k investment in {ref} return?",
    ],
    topics: ["projected payout for that amount", "exact amount you would get back"],
    answer: () => null,
    fallback: (f) =>
      f.targetReturn === null
        ? null
        : `${Fc(f)} targets ${f.targetReturn}, so your return would depend on how the investments perform.`,
  },
  {
    id: "returns.guarantee",
    intent: "returns",
    weight: 2,
    questions: [
      "Are the returns on {ref} guaranteed?",
      "Is the return of {ref} guaranteed?",
      "Is the target return fixed for {ref}?",
      "Are {fund} investors guaranteed to get the target return?",
    ],
    topics: ["guarantee on returns"],
    answer: (f) =>
      f.targetReturn === null
        ? null
        : `No. The ${f.targetReturn} figure for ${F(f)} is a target, not a guarantee, and your capital is at risk.`,
  },
  {
    id: "returns.history",
    intent: "returns",
    weight: 1.5,
    questions: [
      "What are the historical returns of {ref}?",
      "How has {ref} performed so far?",
      "What is the track record of returns for {ref}?",
      "Has {ref} paid what it promised in previous years?",
    ],
    topics: ["historical performance", "past return figure"],
    answer: () => null,
    generic: "past performance is not a reliable indicator of future results",
  },
  // ------------------------------------------------------------------- risk
  {
    id: "risk.main",
    intent: "risk",
    weight: 5,
    questions: [
      "What are the main risks of investing in {ref}?",
      "What are the potential risks associated with investing in {ref}?",
      "What risks should I be aware of with {ref}?",
      "Could you elaborate on the risks of {ref}?",
      "What could go wrong with {ref}?",
      "what are the risks",
      "What are the key risk factors for {ref}?",
    ],
    topics: ["risk breakdown", "main risk factors"],
    answer: (f) =>
      f.riskNotes === null
        ? null
        : `The main risk with ${F(f)} is that ${f.riskNotes}. ${Fc(f)} is labelled as ${f.risk ?? "medium"} risk, so please only invest money you can afford to lock away.`,
    fallback: (f) => (f.risk === null ? null : `${Fc(f)} is labelled as having a ${f.risk} risk profile.`),
    generic: "funds like this carry market, liquidity and counterparty risks",
  },
  {
    id: "risk.rating",
    intent: "risk",
    weight: 3,
    questions: [
      "How risky is {ref}?",
      "What is the risk rating of {ref}?",
      "Is {ref} high risk?",
      "What risk level is {ref}?",
      "Can you explain the risk label on {ref}?",
      "Is {ref} low risk or high risk?",
    ],
    topics: ["risk rating"],
    answer: (f, r) =>
      f.risk === null
        ? null
        : r.pick([
            `${Fc(f)} has a ${f.risk} risk rating.`,
            `${Fc(f)} is labelled as ${f.risk} risk. As with all investments, your capital is at risk.`,
          ]),
  },
  {
    id: "risk.capital",
    intent: "risk",
    weight: 3,
    questions: [
      "Could I lose my money in {ref}?",
      "Is my capital protected in {ref}?",
      "Is {ref} a safe investment?",
      "Can I lose all my investment in {ref}?",
      "Is my money safe in {ref}?",
    ],
    topics: ["capital protection"],
    answer: (f) =>
      f.risk === null
        ? null
        : `Your capital is at risk with ${F(f)}: it is rated ${f.risk} risk${f.riskNotes === null ? "" : `, and ${f.riskNotes}`}.`,
  },
  {
    id: "risk.security",
    intent: "risk",
    weight: 2,
    questions: [
      "What security do investors have in {ref}?",
      "Is {ref} asset-backed?",
      "What happens if a borrower defaults in {ref}?",
      "Is there any collateral behind {ref}?",
    ],
    topics: ["security arrangements", "collateral"],
    answer: (f) => (f.security === null ? null : `In ${F(f)}, ${f.security}.`),
  },
  // ------------------------------------------------------------------- fees
  {
    id: "fees.structure",
    intent: "fees",
    weight: 5,
    questions: [
      "What fees does {ref} charge?",
      "What are the fees for {ref}?",
      "what are the costs of investing in {ref}",
      "Can you break down the fees on {ref}?",
      "How much are the fees on {ref}?",
      "What is the fee structure of {ref}?",
      "What are the charges?",
    ],
    topics: ["fee structure", "fee schedule"],
    answer: (f) => (f.fees === null ? null : `${Fc(f)} charges ${f.fees}.`),
    generic: "funds like this charge an annual management fee and sometimes a performance fee",
  },
  {
    id: "fees.management",
    intent: "fees",
    weight: 2,
    questions: [
      "Is there a management fee on {ref}?",
      "What's the annual management fee for {ref}?",
      "Does {ref} have a performance fee or carried interest?",
      "What is the carry on {ref}?",
    ],
    topics: ["management fee", "performance fee"],
    answer: (f) => (f.fees === null ? null : `For ${F(f)}, the documents list ${f.fees}.`),
  },
  {
    id: "fees.hidden",
    intent: "fees",
    weight: 2,
    questions: [
      "Are there any hidden charges with {ref}?",
      "Are there any exit fees if I leave {ref} early?",
      "Does Cur8 charge a platform fee for {ref}?",
      "Are there fees to withdraw from {ref}?",
    ],
    topics: ["exit or platform fee", "charge for early withdrawal"],
    answer: () => null,
    fallback: (f) => (f.fees === null ? null : `The documents list ${f.fees} for ${F(f)}.`),
  },
  // --------------------------------------------------------------- payments
  {
    id: "payments.frequency",
    intent: "payments",
    weight: 5,
    questions: [
      "How often are profits paid out by {ref}?",
      "What are the profit payment frequencies for {ref}?",
      "Does {ref} pay quarterly or annually?",
      "How often does {ref} pay?",
      "Are distributions from {ref} paid monthly?",
      "What is the payout schedule for {ref}?",
      "when do i get paid",
    ],
    topics: ["payment schedule", "profit payment frequency"],
    answer: (f, r) =>
      f.payments === null
        ? null
        : r.pick([`${Fc(f)} offers ${f.payments}.`, `Investors in ${F(f)} receive ${f.payments}.`]),
  },
  {
    id: "payments.first",
    intent: "payments",
    weight: 2,
    questions: [
      "When will I receive my first payment from {ref}?",
      "When is the first profit payment for {ref}?",
      "When do payouts from {ref} start?",
    ],
    topics: ["date of the first payment"],
    answer: (f) =>
      f.firstPayment === null ? null : `The first payment from ${F(f)} is expected ${f.firstPayment}.`,
    fallback: (f) => (f.payments === null ? null : `${Fc(f)} offers ${f.payments}.`),
  },
  {
    id: "payments.options",
    intent: "payments",
    weight: 2,
    questions: [
      "What are the payment options available for investors in {ref}?",
      "Can I reinvest the profits from {ref}?",
      "How are payouts made from {ref}?",
      "Can I choose to have my profits reinvested in {ref}?",
    ],
    topics: ["payment arrangement", "reinvestment option"],
    answer: (f) =>
      f.payments === null
        ? null
        : `Profits from ${F(f)} (${f.payments}) are paid into your Cur8 wallet, from where you can withdraw them or reinvest them in other deals.`,
    fallback: (f) => (f.payments === null ? null : `${Fc(f)} offers ${f.payments}.`),
  },
  // -------------------------------------------------------------- liquidity
  {
    id: "liquidity.terms",
    intent: "liquidity",
    weight: 5,
    questions: [
      "What are the liquidity terms for {ref}?",
      "Can I withdraw my money early from {ref}?",
      "Can you clarify what the liquidity terms are for {ref}?",
      "How easily can I get my money out of {ref}?",
      "What notice period do I need to give to withdraw from {ref}?",
      "Is there a lock-in period for {ref}?",
      "can i take my money out whenever i want?",
    ],
    topics: ["liquidity terms", "withdrawal terms"],
    answer: (f, r) =>
      f.liquidity === null
        ? null
        : r.pick([
            `${Fc(f)} has ${f.liquidity}.`,
            `In terms of liquidity, ${F(f)} has ${f.liquidity}.`,
            `The liquidity terms for ${F(f)} are ${f.liquidity}. You should plan to keep your money invested accordingly.`,
          ]),
  },
  {
    id: "liquidity.exit",
    intent: "liquidity",
    weight: 3,
    questions: [
      "How do I exit my investment in {ref}?",
      "What is the exit strategy for {ref}?",
      "Can I sell my stake in {ref} before the end of the term?",
      "Is there a secondary market for {ref}?",
      "What does the illiquid nature of {ref} mean for investors?",
    ],
    topics: ["option for an early exit", "exit strategy"],
    answer: (f) => (f.secondary === null ? null : `For ${F(f)}, ${f.secondary}.`),
    fallback: (f) => (f.liquidity === null ? null : `${Fc(f)} has ${f.liquidity}.`),
  },
  // ----------------------------------------------------------------- sharia
  {
    id: "sharia.compliance",
    intent: "sharia",
    weight: 5,
    questions: [
      "Is {ref} Sharia compliant?",
      "Is {ref} halal?",
      "How is {ref} structured to be Sharia compliant?",
      "Is investing in {ref} permissible?",
      "Is {ref} shariah compliant?",
      "Does {ref} involve any interest (riba)?",
      "is this halal",
    ],
    topics: ["Sharia structure", "Sharia compliance details"],
    answer: (f) => (f.sharia === null ? null : `Yes, ${F(f)} is designed to be Sharia compliant: ${f.sharia}.`),
  },
  {
    id: "sharia.board",
    intent: "sharia",
    weight: 2,
    questions: [
      "Who is the Sharia advisor for {ref}?",
      "Has {ref} been certified by a Sharia board?",
      "Which scholars approved {ref}?",
      "Is there a Sharia certificate for {ref}?",
    ],
    topics: ["Sharia board", "Sharia certification"],
    answer: (f) => (f.shariaBoard === null ? null : `${Fc(f)} is overseen by ${f.shariaBoard}.`),
    fallback: (f) => (f.sharia === null ? null : `${Fc(f)} is designed to be Sharia compliant: ${f.sharia}.`),
  },
  {
    id: "sharia.zakat",
    intent: "sharia",
    weight: 5,
    questions: [
      "What percentage of {ref} is zakatable?",
      "How much zakat do I need to pay on {ref}?",
      "Can you explain what Zakat eligibility means for {ref}?",
      "how do i calculate zakat on my investment in {ref}",
      "What is the zakatable amount for {ref}?",
      "Is {ref} zakatable?",
      "Do I pay zakat on {ref}?",
    ],
    topics: ["zakatable percentage", "Zakat eligibility"],
    answer: (f, r) =>
      f.zakatPct === null
        ? null
        : r.pick([
            `${f.zakatPct}% of ${F(f)} is zakatable, so you would calculate zakat (2.5%) on ${f.zakatPct}% of the value of your investment.`,
            `According to the latest Zakat statement, ${f.zakatPct}% of ${F(f)} is eligible for Zakat.`,
          ]),
  },
  // -------------------------------------------------------------------- tax
  {
    id: "tax.isa",
    intent: "tax",
    weight: 4,
    questions: [
      "Is {ref} ISA eligible?",
      "Can I hold {ref} in an IF-ISA?",
      "Can I invest in {ref} through my ISA?",
      "Is {ref} eligible for the Innovative Finance ISA?",
      "Can I use my ISA allowance for {ref}?",
      "isa eligible?",
    ],
    topics: ["ISA eligibility", "IF-ISA eligibility"],
    answer: (f) =>
      f.isa === true
        ? `Yes, ${F(f)} is eligible for the Innovative Finance ISA (IF-ISA), so returns can be tax-free within your ISA allowance.`
        : f.isa === false
          ? `No, ${F(f)} is not ISA eligible; you can invest through a general investment account instead.`
          : null,
  },
  {
    id: "tax.relief",
    intent: "tax",
    weight: 4,
    questions: [
      "What tax relief can I claim on {ref}?",
      "How do the S/EIS tax benefits work for {ref}?",
      "Is {ref} eligible for EIS relief?",
      "Can I claim EIS tax relief on {ref}?",
      "What is loss relief and does it apply to {ref}?",
      "Can I carry back the tax relief from {ref} to last year?",
    ],
    topics: ["tax relief", "EIS relief details"],
    answer: (f) =>
      !f.eis
        ? `${Fc(f)} does not qualify for EIS or SEIS tax relief.`
        : f.taxNotes === null
          ? null
          : `Eligible investors in ${F(f)} can claim ${f.taxNotes}.`,
    fallback: (f) => (f.eis ? `${Fc(f)} is expected to qualify for EIS relief.` : null),
    generic: "EIS investments can attract income tax relief and loss relief",
  },
  {
    id: "tax.income",
    intent: "tax",
    weight: 2,
    questions: [
      "Do I pay tax on the profits from {ref}?",
      "Is there capital gains tax on returns from {ref}?",
      "How are returns from {ref} taxed?",
    ],
    topics: ["tax treatment of returns"],
    answer: (f) => (f.taxNotes === null || f.eis ? null : `For ${F(f)}, ${f.taxNotes}.`),
    fallback: (f) =>
      f.isa === true ? `${Fc(f)} can be held in an IF-ISA, where returns are tax-free.` : null,
  },
  // -------------------------------------------------------------- documents
  {
    id: "documents.list",
    intent: "documents",
    weight: 5,
    questions: [
      "What documents are available for {ref}?",
      "What documents are available to learn more about {ref}?",
      "Can you provide more details about the types of documents available for {ref}?",
      "Which documents can I read about {ref}?",
      "What reports does {ref} publish?",
      "docs for {ref}?",
    ],
    topics: ["available documents"],
    answer: (f, r) =>
      f.documents.length === 0
        ? null
        : r.chance(0.4)
          ? `The available documents for ${F(f)} include:\n\n${f.documents.map((d, i) => `${i + 1}. ${d}`).join("\n")}\n\nThese documents can provide further insights into the fund and its operations.`
          : `The available documents for ${F(f)} include ${listOf(f.documents)}. These can give you more detail about the fund.`,
  },
  {
    id: "documents.specific",
    intent: "documents",
    weight: 2,
    questions: [
      "Where can I find the information memorandum for {ref}?",
      "Where can I download the term sheet for {ref}?",
      "Can you send me the prospectus for {ref}?",
      "Is there a webinar recording for {ref}?",
      "What topics are covered in the FAQ for {ref}?",
    ],
    topics: ["document you asked about", "content of that document"],
    answer: () => null,
    fallback: (f) =>
      f.documents.length === 0 ? null : `The documents listed for ${F(f)} are ${listOf(f.documents)}.`,
  },
  // ---------------------------------------------------------------- horizon
  {
    id: "horizon.term",
    intent: "horizon",
    weight: 5,
    questions: [
      "What is the expected investment horizon for {ref}?",
      "How long is my money tied up in {ref}?",
      "What is the term of {ref}?",
      "How long will {ref} run for?",
      "How many years should I expect to hold {ref}?",
      "What's the duration of the investment in {ref}?",
      "What is the investment period for {ref}?",
      "how long is the investment",
    ],
    topics: ["investment horizon", "term"],
    answer: (f, r) =>
      f.horizon === null
        ? null
        : r.pick([
            `The expected investment horizon for ${F(f)} is ${f.horizon}.`,
            `${Fc(f)} has an investment horizon of ${f.horizon}.`,
          ]),
  },
  {
    id: "horizon.maturity",
    intent: "horizon",
    weight: 2,
    questions: [
      "When does {ref} mature?",
      "What date does {ref} end?",
      "When will I get my capital back from {ref}?",
    ],
    topics: ["maturity date", "exact end date"],
    answer: () => null,
    fallback: (f) => (f.horizon === null ? null : `${Fc(f)} has an investment horizon of ${f.horizon}.`),
  },
  // --------------------------------------------------------------- strategy
  {
    id: "strategy.main",
    intent: "strategy",
    weight: 4,
    questions: [
      "What is the investment strategy of {ref}?",
      "What does {ref} invest in?",
      "Can you tell me more about the strategy behind {ref}?",
      "How does {ref} make money?",
      "What kind of companies does {ref} back?",
    ],
    topics: ["investment strategy"],
    answer: (f) => (f.strategy === null ? null : `${Fc(f)} focuses on ${f.strategy}.`),
  },
  {
    id: "strategy.sectors",
    intent: "strategy",
    weight: 2,
    questions: [
      "What sectors does {ref} focus on?",
      "Which industries will {ref} invest in?",
      "What types of businesses does {ref} focus on?",
    ],
    topics: ["sector focus"],
    answer: (f) => (f.sectors === null ? null : `${Fc(f)} focuses on ${f.sectors}.`),
    fallback: (f) => (f.strategy === null ? null : `${Fc(f)} focuses on ${f.strategy}.`),
  },
  {
    id: "strategy.partner",
    intent: "strategy",
    weight: 2,
    questions: [
      "Who are the partners behind {ref}?",
      "Who manages {ref}?",
      "Who is the operating partner for {ref}?",
      "What are the key benefits of partnering with the manager of {ref}?",
    ],
    topics: ["partner behind the fund", "fund manager"],
    answer: (f) => (f.partner === null ? null : `${Fc(f)} is run in partnership with ${f.partner}.`),
  },
  {
    id: "strategy.team",
    intent: "strategy",
    weight: 1,
    questions: [
      "What is the track record of the team behind {ref}?",
      "How experienced is the team managing {ref}?",
    ],
    topics: ["team's track record"],
    answer: (f) => (f.team === null ? null : `${Fc(f)} is managed by ${f.team}.`),
    fallback: (f) => (f.partner === null ? null : `${Fc(f)} is run in partnership with ${f.partner}.`),
  },
  {
    id: "strategy.use",
    intent: "strategy",
    weight: 2,
    questions: [
      "How will the capital raised in {ref} be used?",
      "What will my money be used for in {ref}?",
      "Can you explain what types of investments the capital will be used for in {ref}?",
    ],
    topics: ["use of funds"],
    answer: (f) => (f.useOfFunds === null ? null : `The capital raised by ${F(f)} will be used for ${f.useOfFunds}.`),
  },
  {
    id: "strategy.diversification",
    intent: "strategy",
    weight: 1,
    questions: [
      "How diversified is {ref}?",
      "How many companies will {ref} invest in?",
      "How many investments will be in {ref}?",
    ],
    topics: ["level of diversification"],
    answer: (f) => (f.diversification === null ? null : `${Fc(f)} plans to hold ${f.diversification}.`),
  },
  // ------------------------------------------------------------------ other
  {
    id: "other.minimum",
    intent: "other",
    weight: 2,
    questions: [
      "What is the minimum investment for {ref}?",
      "What's the minimum amount I can invest in {ref}?",
      "How much do I need to invest in {ref}?",
      "min investment for {ref}?",
    ],
    topics: ["minimum investment"],
    answer: (f) => (f.minInvestment === null ? null : `The minimum investment for ${F(f)} is ${f.minInvestment}.`),
  },
  {
    id: "other.greeting",
    intent: "other",
    weight: 0.6,
    questions: ["hi", "Hello", "Hi there", "salam", "hey", "Assalamu alaikum"],
    topics: [],
    reply: [
      "Hello! I can help with questions about {F}. What would you like to know?",
      "Hi! Ask me anything about {F}, such as its returns, risks or Sharia structure.",
    ],
  },
  {
    id: "other.thanks",
    intent: "other",
    weight: 0.6,
    questions: ["Thanks!", "thank you", "Great, thanks", "ok thanks", "Thank you so much"],
    topics: [],
    reply: [
      "You're welcome! Let me know if you have any other questions about {F}.",
      "Happy to help. Feel free to ask if anything else about {F} is unclear.",
    ],
  },
  {
    id: "other.support",
    intent: "other",
    weight: 0.8,
    questions: [
      "Can I speak to a human?",
      "How do I reset my password?",
      "How do I top up my wallet?",
      "How do I delete my account?",
      "Why is the app so slow?",
      "How do I change my bank details?",
    ],
    topics: [],
    deflect: [
      "I can only help with questions about {F}. For account or app support, please contact the Cur8 support team.",
      "I'm sorry, I can't help with that here. Please contact the Cur8 support team through the app for help with your account.",
    ],
  },
  {
    id: "other.advice",
    intent: "other",
    weight: 0.6,
    questions: [
      "Which fund would you recommend for me?",
      "Should I invest in this or buy Bitcoin?",
      "Is now a good time to invest?",
      "Should I put my savings into {ref}?",
    ],
    topics: [],
    deflect: [
      "I'm not able to give personal financial advice. You may want to review the deal documents for {F} and speak to a financial adviser.",
      "I can't recommend whether you should invest. Please consider your own circumstances and, if needed, seek independent financial advice.",
    ],
  },
  {
    id: "other.offtopic",
    intent: "other",
    weight: 0.4,
    questions: [
      "What's the weather like in London today?",
      "Can you tell me a joke?",
      "Who won the football last night?",
      "What is the capital of Malaysia?",
    ],
    topics: [],
    deflect: [
      "I'm here to answer questions about {F}, so I can't help with that.",
      "Sorry, I can only answer questions related to {F}.",
    ],
  },
  {
    id: "other.regulation",
    intent: "other",
    weight: 0.5,
    questions: [
      "Is Cur8 regulated by the FCA?",
      "Is my money protected by the FSCS if I invest in {ref}?",
      "Who holds my money while it is invested in {ref}?",
    ],
    topics: ["regulatory protection", "custody arrangements"],
    answer: () => null,
  },
];

const ASPECT_WEIGHTS = ASPECTS.map((a) => a.weight);

export function pickAspect(r: Rng): Aspect {
  return r.weighted(ASPECTS, ASPECT_WEIGHTS);
}

// ------------------------------------------------------------------ wording

const PREFIXES = ["Hi, ", "Quick question: ", "Hello, ", "Hey - ", "Sorry, ", "Also, ", "And "];
const SUFFIXES = [" Thanks", " thanks!", " please", " thx", " Thank you."];

/** Misspells one longer word: swaps two letters, drops one or doubles one. */
export function typo(text: string, r: Rng): string {
  const words = text.split(" ");
  const candidates = words.map((w, i) => (/^[a-z]{5,}$/i.test(w) ? i : -1)).filter((i) => i >= 0);
  if (candidates.length === 0) return text;
  const wi = r.pick(candidates);
  const w = words[wi] as string;
  const p = r.int(1, w.length - 2);
  const kind = r.int(0, 2);
  let out: string;
  if (kind === 0) out = w.slice(0, p) + (w[p + 1] as string) + (w[p] as string) + w.slice(p + 2);
  else if (kind === 1) out = w.slice(0, p) + w.slice(p + 1);
  else out = w.slice(0, p) + (w[p] as string) + w.slice(p);
  words[wi] = out;
  return words.join(" ");
}

function lowerFirst(s: string): string {
  return s.length === 0 ? s : (s[0] as string).toLowerCase() + s.slice(1);
}

/** Fills a template for a fund and varies its wording (contractions, case, punctuation, typos). */
export function phraseQuestion(template: string, fund: Fund, r: Rng): string {
  let q = template.replace(/\{fund\}/g, fund.name);
  if (q.includes("{ref}")) {
    const ref = r.weighted(
      [`the ${fund.name}`, "this fund", "this deal", "the fund", `${fund.name}`],
      [62, 14, 10, 8, 6],
    );
    q = q.replace("{ref}", ref).replace(/\{ref\}/g, "it");
  }
  if (q.startsWith("What is ") && r.chance(0.3)) q = "What's " + q.slice(8);
  else if (q.startsWith("What's ") && r.chance(0.3)) q = "What is " + q.slice(7);
  if (r.chance(0.05)) q = r.pick(PREFIXES) + lowerFirst(q);
  if (r.chance(0.04)) q = q.replace(/[?.!]*$/, "?") + r.pick(SUFFIXES);
  if (r.chance(0.08)) q = q.replace(/\?$/, "");
  else if (r.chance(0.02)) q = q.replace(/\?$/, "??");
  if (r.chance(0.07)) q = q.toLowerCase();
  if (r.chance(0.04)) q = typo(q, r);
  return q;
}

/** A near-identical re-ask of an earlier question (same intent, nearly the same words). */
export function reaskOf(previous: string, r: Rng): string {
  const edits: Array<(s: string) => string> = [
    (s) => s.toLowerCase(),
    (s) => s.replace(/[?.!]+$/, ""),
    (s) => s + "?",
    (s) => "Sorry, " + lowerFirst(s),
    (s) => "Again: " + s,
    (s) => "Just to confirm, " + lowerFirst(s),
    (s) => "I asked before but " + lowerFirst(s),
    (s) => (s.startsWith("What is ") ? "What's " + s.slice(8) : s.startsWith("What's ") ? "What is " + s.slice(7) : s),
    (s) => s.replace(/[?]*$/, "") + " exactly?",
    (s) => s.replace(/[?]*$/, "") + " please?",
    (s) => typo(s, r),
  ];
  for (let attempt = 0; attempt < 8; attempt++) {
    let q = r.pick(edits)(previous);
    if (r.chance(0.35)) q = r.pick(edits)(q);
    if (q !== previous) return q;
  }
  return `Sorry, ${lowerFirst(previous)}`;
}

// ------------------------------------------------------------------ answers

const HEDGES: Array<(t: string, f: string) => string> = [
  (t, f) => `The specific ${t} for ${f} is not detailed in the provided information. Please refer to the deal documents for more information.`,
  (t, f) => `I don't have details on the ${t} for ${f}. You may want to check the FAQ or contact the Cur8 team.`,
  (t) => `The ${t} isn't specified in the documents available to me. For accurate details, please refer to the deal documents.`,
  (t, f) => `The available information does not specify the ${t} for ${f}. For detailed information, it would be best to refer to the deal documents.`,
  (t, f) => `Unfortunately, I couldn't find any information about the ${t} in the documents for ${f}. Please reach out to the Cur8 team for clarification.`,
  (t, f) => `I'm sorry, but the ${t} for ${f} is not covered in the information I have access to.`,
  (t) => `There is no information about the ${t} in the provided deal details. I recommend reviewing the deal documents or speaking with the investment team.`,
  (t, f) => `Based on the information provided, I can't confirm the ${t} for ${f}. Please check the deal documents.`,
  (t) => `The deal documents I have don't include details on the ${t}. You may find this in the FAQ or by contacting support.`,
  (t, f) => `That information (the ${t}) is not available in the provided documents for ${f}.`,
];

const HEDGE_WITH_GENERIC: Array<(t: string, f: string, g: string) => string> = [
  (t, f, g) => `The specific ${t} for ${f} is not detailed in the provided information. Generally, ${g}. For precise details, please refer to the deal documents.`,
  (t, _f, g) => `The provided information does not specify the ${t}. However, ${g}. For more specific details, you may want to consult the deal documents.`,
];

const PARTIAL_TAILS: Array<(t: string) => string> = [
  (t) => `However, specific details about the ${t} are not provided in the available information. For more, please refer to the deal documents.`,
  (t) => `However, the provided information doesn't cover the ${t}.`,
  (t) => `I don't have further details on the ${t}, so please check the deal documents or the FAQ.`,
  (t) => `The documents available to me don't specify the ${t}; please refer to the deal documents for more.`,
];

const NO_DOCUMENTS: Array<(f: string) => string> = [
  (f) => `I'm sorry, I don't have any documents for ${f} at the moment, so I can't answer that. Please refer to the deal page or contact the Cur8 team.`,
  (f) => `I couldn't find any deal documents to answer your question about ${f}. Please try again later or contact support.`,
  (f) => `There are no documents available for ${f} right now, so I'm unable to provide that information.`,
];

export interface AnswerPlan {
  text: string;
  /** The answer does not (fully) answer: hedge, refusal, partial answer or no documents. */
  hedged: boolean;
  /** Part answered, the rest hedged (implies hedged). */
  partial: boolean;
}

const fill = (s: string, f: Fund): string => s.replace(/\{F\}/g, `the ${f.name}`);

/** What the bot answers to `aspect` about `fund` given how many documents it had. */
export function composeAnswer(aspect: Aspect, fund: Fund, documentCount: number, r: Rng): AnswerPlan {
  const fName = `the ${fund.name}`;
  if (aspect.reply) return { text: fill(r.pick(aspect.reply), fund), hedged: false, partial: false };
  if (aspect.deflect) return { text: fill(r.pick(aspect.deflect), fund), hedged: true, partial: false };
  if (documentCount === 0) return { text: r.pick(NO_DOCUMENTS)(fName), hedged: true, partial: false };
  const topic = aspect.topics.length > 0 ? r.pick(aspect.topics) : "details you asked about";
  const hedge = (): AnswerPlan => {
    const text =
      aspect.generic !== undefined && r.chance(0.35)
        ? r.pick(HEDGE_WITH_GENERIC)(topic, fName, aspect.generic)
        : r.pick(HEDGES)(topic, fName);
    return { text, hedged: true, partial: false };
  };
  const known = aspect.answer ? aspect.answer(fund, r) : null;
  if (known === null) {
    const related = aspect.fallback ? aspect.fallback(fund, r) : null;
    if (related !== null && r.chance(0.25)) {
      return { text: `${related} ${r.pick(PARTIAL_TAILS)(topic)}`, hedged: true, partial: true };
    }
    return hedge();
  }
  // The documents hold the answer; the model still misses it now and then.
  const roll = r.next();
  if (roll < 0.04) return hedge();
  if (roll < 0.065) {
    const detail = r.pick(["exact terms", "full conditions", "underlying assumptions", "finer details"]);
    return { text: `${known} ${r.pick(PARTIAL_TAILS)(detail)}`, hedged: true, partial: true };
  }
  return { text: known, hedged: false, partial: false };
}
