/**
 * The intent taxonomy: what investors ask the deal bot about.
 *
 * This file is meant to be read and edited by non-engineers. Each topic has:
 * - `id`: a fixed identifier used in the database and the API (do not rename);
 * - `label`: the name shown on the dashboard;
 * - `description`: one line saying what belongs in the topic;
 * - `cues`: groups of words and phrases that point to the topic, each group
 *   with a `weight` (how strongly it points there: 1 weak, 2 normal, 3 strong)
 *   and a `note` saying what the group is for.
 *
 * How a question is scored: every cue term found in the question adds its
 * group's weight to its topic (a term counts once, however often it occurs).
 * Words already counted for a topic do not count again for it (stronger
 * groups claim words first, then longer terms): "target return" counts once
 * (3), not also as "return" (2).
 * The highest score wins. Ties: the topic whose first cue appears earliest in
 * the question wins (the first thing asked is the main thing asked); if still
 * tied, the order of topics below. No cue at all: `other`.
 * The name of a fund ("the Sharia Growth Fund", "the EIS Fund") is removed
 * before scoring, so a fund's name never decides its topic.
 *
 * How to write a term (matching ignores case, punctuation and accents):
 * - `fee`: the whole word "fee" (not "feel", not "fees": list both).
 * - `risk*`: any word starting with "risk" (risks, risky, riskier).
 * - `lock up`: consecutive words. Hyphens and slashes count as spaces, so
 *   `lock up` also matches "lock-up"; "lockup" needs its own term.
 * - `how ... long`: "..." stands for up to four words in between
 *   ("how many years long", "how long").
 * - Words of six letters or more also match with one typo (a letter wrong,
 *   missing, extra, or two letters swapped: "distrubutions", "withdrawl"),
 *   five-letter words with two letters swapped ("yeild"), as long as the
 *   first letter is right and the word is not itself a correctly spelled
 *   word ("existing" is not a typo of "exiting"). Shorter words must be
 *   spelled exactly: list common misspellings of them as terms of their own.
 */

export const TOPIC_IDS = [
  "returns",
  "risk",
  "fees",
  "liquidity",
  "sharia",
  "tax",
  "documents",
  "horizon",
  "strategy",
  "other",
] as const;

export type TopicId = (typeof TOPIC_IDS)[number];

export interface CueGroup {
  /** What the group is about, for whoever edits it. */
  note: string;
  /** 1 weak (often used for other things too), 2 normal, 3 strong (nearly always this topic). */
  weight: 1 | 2 | 3;
  /** Words and phrases (syntax in the module comment). */
  terms: readonly string[];
}

export interface Topic {
  id: TopicId;
  label: string;
  description: string;
  cues: readonly CueGroup[];
}

export const TAXONOMY: readonly Topic[] = [
  // ------------------------------------------------------------------ returns
  {
    id: "returns",
    label: "Returns & performance",
    description: "What the investment earns: target or expected return, IRR, yield, multiple, past performance.",
    cues: [
      {
        note: "Return words",
        weight: 2,
        terms: ["return", "returns", "returned", "returning", "earn", "earns", "earning", "earnings", "make on", "make from", "gain", "gains", "upside", "payoff", "reward*"],
      },
      {
        note: "Named return measures",
        weight: 3,
        terms: ["irr", "internal rate", "yield*", "target return*", "expected return*", "projected return*", "net return*", "annual return*", "multiple", "multiples", "money multiple", "moic", "tvpi", "dpi", "cash on cash", "roi", "apr", "aer", "coupon", "profit rate", "rate of return", "growth metrics"],
      },
      {
        note: "Performance and track record of returns",
        weight: 2,
        terms: ["perform*", "track record of returns", "historic* returns", "past returns", "outperform*", "underperform*", "how much ... make", "how much ... get back", "get back", "what will i get back", "beat", "beats", "benchmark", "double my money", "2x", "3x", "4x"],
      },
      {
        note: "Profit and income (also used for payments and business revenue, so weak)",
        weight: 1,
        terms: ["profit", "profits", "profitable", "income", "percent", "%", "per annum", "a year", "annually"],
      },
    ],
  },
  // --------------------------------------------------------------------- risk
  {
    id: "risk",
    label: "Risk",
    description: "What could go wrong: risk level and label, losing capital, defaults, security and protection.",
    cues: [
      {
        note: "Risk words",
        weight: 3,
        terms: ["risk", "risks", "risky", "riskier", "riskiest", "rsik", "rsiks", "risc", "downside", "downsides", "worst case", "what could go wrong", "go wrong", "lose", "losing", "loss of capital", "lost", "default", "defaults", "defaulted", "bankrupt*", "insolven*", "collapse*", "goes bust", "go bust", "fails", "fail"],
      },
      {
        note: "Safety, protection and security",
        weight: 2,
        terms: ["safe", "safety", "safer", "protected", "protection", "secured", "security", "collateral", "asset backed", "first charge", "volatil*", "danger*", "capital at risk", "how secure", "concerns", "red flags", "worried", "worry"],
      },
      {
        note: "Weak signals",
        weight: 1,
        terms: ["secure", "stable", "stability", "guaranteed", "guarantee", "hedge", "hedged", "insurance", "insured", "fscs", "compensation scheme"],
      },
    ],
  },
  // --------------------------------------------------------------------- fees
  {
    id: "fees",
    label: "Fees & charges",
    description: "What the investor pays: management, performance and platform fees, carry, charges, costs.",
    cues: [
      {
        note: "Fee words",
        weight: 3,
        terms: ["fee", "fees", "feee", "fess", "charge", "charges", "charged", "charging", "the carry", "carry fee", "carried interest", "promote", "commission*", "hurdle", "expense ratio", "ter", "ocf", "ongoing charge*", "hidden cost*", "admin cost*", "platform cost*", "spread"],
      },
      {
        note: "Cost words",
        weight: 2,
        terms: ["cost", "costs", "costly", "expense*", "how much does ... cost", "pay cur8", "cur8 take", "cur8 earn", "take a cut", "their cut", "what cut", "deducted", "deduction*", "free of charge"],
      },
      {
        note: "Fees on the way out (outweigh the liquidity cue 'exit')",
        weight: 3,
        terms: ["exit fee*", "exit charge*", "withdrawal fee*", "withdrawal charge*", "redemption fee*", "early exit fee*", "penalty", "penalties"],
      },
    ],
  },
  // ---------------------------------------------------------------- liquidity
  {
    id: "liquidity",
    label: "Payments, liquidity & exit",
    description: "Getting money out: payouts and distributions, withdrawals, notice periods, lock-ups, selling, exit.",
    cues: [
      {
        note: "Liquidity, withdrawal and exit",
        weight: 3,
        terms: ["liquid", "liquidity", "illiquid*", "withdraw*", "redeem*", "redemption*", "lock up", "lockup", "lock in", "locked", "locked in", "locked up", "tied up", "cash out", "money out", "get out", "pull out", "take out", "exit", "exits", "exiting", "early exit", "exit plan*", "exit strateg*", "exit route*", "secondary market", "secondary", "sell", "selling", "sold", "transfer my", "notice period", "notice", "access my money", "access my funds", "access my capital", "get my money", "get my capital", "capital back", "money back", "leave early", "leaving early"],
      },
      {
        note: "Payouts and distributions",
        weight: 3,
        terms: ["payout*", "pay out", "paid out", "payment*", "distribution*", "distribute*", "dividend*", "profit payment*", "income payment*", "get paid", "be paid", "how often ... pay", "when ... pay", "reinvest*", "compound*", "wallet"],
      },
      {
        note: "Payment rhythm (weak: also describes reports and fees)",
        weight: 1,
        terms: ["paid", "pays", "monthly", "quarterly", "semi annual*", "biannual*", "frequency", "frequencies", "how often"],
      },
    ],
  },
  // ------------------------------------------------------------------- sharia
  {
    id: "sharia",
    label: "Sharia & zakat",
    description: "Islamic compliance: Sharia screening and certification, zakat, halal/haram, purification, contracts.",
    cues: [
      {
        note: "Sharia compliance",
        weight: 3,
        terms: ["sharia*", "shariah*", "shari'a", "syariah", "sharia compliant", "halal", "haram", "permissible", "islamic*", "riba", "interest free", "scholar*", "fatwa", "aaoifi", "purif*", "impure", "murabaha", "murabahah", "ijara", "ijarah", "musharak*", "mudarab*", "sukuk", "tawarruq", "wakala*", "ethical screening", "compliant"],
      },
      {
        note: "Zakat",
        weight: 3,
        terms: ["zakat*", "zakah", "zakaat", "zakaah", "zakath", "nisab", "zakatable"],
      },
      {
        note: "Weak signals (used in other senses too)",
        weight: 1,
        terms: ["interest", "compliance", "screened", "screening", "alcohol", "gambling", "religious*", "faith"],
      },
    ],
  },
  // ---------------------------------------------------------------------- tax
  {
    id: "tax",
    label: "Tax & ISA",
    description: "Tax treatment: tax relief, EIS/SEIS, ISA eligibility, inheritance tax, capital gains, reporting to HMRC.",
    cues: [
      {
        note: "Tax words and schemes",
        weight: 3,
        terms: ["tax", "taxes", "taxed", "taxable", "taxation", "tax free", "relief", "reliefs", "eis", "seis", "s eis", "isa", "isas", "if isa", "ifisa", "innovative finance", "iht", "inheritance*", "capital gains", "cgt", "hmrc", "self assessment", "carry back", "loss relief", "deferral relief", "business relief", "bpr", "sipp", "pension*", "allowance", "tax year", "income tax", "tax return", "withholding", "w 8ben", "w8ben"],
      },
      {
        note: "Eligibility (tax wrappers mostly)",
        weight: 1,
        terms: ["wrapper", "eligibility", "eligible", "qualify", "qualifies", "qualifying"],
      },
    ],
  },
  // ---------------------------------------------------------------- documents
  {
    id: "documents",
    label: "Documents & reports",
    description: "The deal's paperwork: prospectus, information memorandum, term sheet, FAQ, reports, where to find them.",
    cues: [
      {
        note: "Named documents",
        weight: 3,
        terms: ["document*", "doc", "docs", "documentation", "prospectus", "prospectuses", "information memorandum", "info memorandum", "memorandum", "im", "term sheet", "termsheet", "fact sheet", "factsheet", "faq", "faqs", "kid", "key information document", "report", "reports", "reporting", "statement", "statements", "webinar*", "recording", "brochure", "pitch deck", "deck", "pdf", "presentation", "annual accounts", "audited accounts", "valuation report", "certificate", "contract", "agreement", "subscription agreement", "legal docs"],
      },
      {
        note: "Finding, reading and sending paperwork",
        weight: 2,
        terms: ["where can i find", "where do i find", "where can i read", "where can i see", "where can i download", "download", "send me", "email me", "link to", "a link", "read more", "learn more", "paperwork", "updates", "update", "newsletter"],
      },
    ],
  },
  // ------------------------------------------------------------------ horizon
  {
    id: "horizon",
    label: "Investment horizon & term",
    description: "How long the money is invested: term, duration, investment period, maturity, end date.",
    cues: [
      {
        note: "Term and duration",
        weight: 3,
        terms: ["horizon", "term", "duration", "investment period", "holding period", "how long", "how many years", "how many months", "timeframe", "time frame", "timeline", "mature", "matures", "maturity", "end date", "when does ... end", "when will ... end", "when ... finish", "close date", "closing date", "wind down", "lifespan", "life of the fund", "fund life", "years to run", "length of"],
      },
      {
        note: "Time words (weak: also used for payments and liquidity)",
        weight: 1,
        terms: ["years", "year", "months", "long term", "short term", "medium term", "until", "deadline", "when ... start", "extension", "extend*"],
      },
    ],
  },
  // ----------------------------------------------------------------- strategy
  {
    id: "strategy",
    label: "Strategy, team & portfolio",
    description: "What the fund does: strategy, sectors, assets, portfolio, partners, manager and team, track record, use of money.",
    cues: [
      {
        note: "Strategy and what is bought",
        weight: 3,
        terms: ["strategy", "strategies", "thesis", "investing in what", "what does ... invest", "what ... buy", "business model", "buy and build", "sector*", "industr*", "portfolio*", "pipeline", "deal flow", "dealflow", "sourcing", "sourced", "source", "founders", "founder", "diversif*", "concentrat*", "allocation", "geograph*", "region*", "used for", "use of funds", "use of proceeds", "capital be used", "money be used", "deploy", "deployed", "deploying", "deployment of", "opportunit*", "value creation", "operational*", "acquisition*", "acquire*", "revenue*", "underrepresented", "selection", "financed", "financing", "lend*", "improve", "countries", "where ... operate"],
      },
      {
        note: "What the fund buys (nouns also used in questions about other topics: 'are the startups halal?')",
        weight: 2,
        terms: ["startup*", "start ups", "companies", "company", "businesses", "properties", "property types", "assets", "projects", "holdings"],
      },
      {
        note: "What kind of investments (the same words also ask about tax or risk of those investments, so normal weight)",
        weight: 2,
        terms: ["invest in", "invests in", "investing in", "types of investments", "type of investments", "kind of investments", "types of investment", "criteria"],
      },
      {
        note: "People: manager, team, partners, track record",
        weight: 3,
        terms: ["manager", "managers", "managed", "manages", "managing", "management team", "team", "partner", "partners", "partnering", "partnership*", "sponsor", "gp", "general partner", "who runs", "who is behind", "behind the", "track record", "experience", "experienced", "background", "everest"],
      },
      {
        note: "Weak signals",
        weight: 1,
        terms: ["focus", "focuses", "focused", "approach", "types of", "kind of", "type of", "mandate", "esg", "impact", "how does ... work", "how does ... make money", "make money"],
      },
    ],
  },
  // -------------------------------------------------------------------- other
  {
    id: "other",
    label: "Other",
    description:
      "Everything else: greetings and thanks, account and app support, minimum investment, regulation, personal advice, off-topic.",
    cues: [
      {
        note: "Specific off-taxonomy questions: how to invest, minimum amounts, account and identity, talking to a person",
        weight: 3,
        terms: ["how do i invest", "how to invest", "how can i invest", "minimum investment", "min investment", "minimum amount", "smallest amount", "minimum ticket", "min ticket", "bank account", "bank details", "password", "verify my identity", "real person", "joint account", "referral bonus", "open to new investors"],
      },
      {
        note: "Small talk, app and account support, advice, regulation: recognised here so they are not forced into a topic",
        weight: 1,
        terms: ["hello", "hi", "hey", "salam", "assalamu*", "thanks", "thank", "thx", "password", "login", "log in", "account", "app", "human", "minimum", "min", "regulated", "fca", "recommend", "should i", "weather", "joke"],
      },
    ],
  },
];

/** The taxonomy by id. */
export const TOPICS_BY_ID: Readonly<Record<TopicId, Topic>> = Object.fromEntries(
  TAXONOMY.map((t) => [t.id, t]),
) as Record<TopicId, Topic>;
