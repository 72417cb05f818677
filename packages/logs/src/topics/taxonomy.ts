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
 * (3), not also as "return" (2), and a term sharing any word with one already
 * counted adds nothing ("get my capital back" counts "get my capital" once,
 * not also "capital back").
 * "this opportunity" and "the investment opportunity" name the deal itself
 * and are blanked out like a fund name.
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
        note: "Return measures named another way: a forecast profit, a scenario return, the record of returns (as strong as the measures above, so 'worst case return' is a return, 'track record of returns' not the team's record)",
        weight: 3,
        terms: ["projected profit*", "expected profit*", "target profit*", "forecast profit*", "worst case return*", "best case return*", "track record of returns", "historic* returns", "past returns", "previous returns", "net of fees", "net of charges", "net of costs", "after fees", "after charges", "after costs", "before fees", "gross of fees", "net or gross", "gross or net"],
      },
      {
        note: "What I make, in the investor's own words, and whether the fund did what it promised",
        weight: 2,
        terms: ["would i make", "will i make", "could i make", "do i make", "can i expect", "should i expect", "could i expect", "outcome", "outcomes", "promised", "hit its target*", "met its target*", "on target", "interest rate"],
      },
      {
        note: "Performance and track record of returns",
        weight: 2,
        terms: ["perform*", "outperform*", "underperform*", "how much ... make", "how much ... get back", "get back", "what will i get back", "beat", "beats", "benchmark", "double my money", "2x", "3x", "4x"],
      },
      {
        note: "Profit and income (also used for payments and business revenue, so weak)",
        weight: 1,
        terms: ["profit", "profits", "profitable", "income", "percent", "%", "per annum", "a year", "per year", "annually"],
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
        terms: ["safe", "safety", "safer", "protect", "protects", "protecting", "protected", "protection", "protections", "secured", "security", "collateral", "asset backed", "first charge", "volatil*", "danger*", "capital at risk", "how secure", "concerns", "red flags", "worried", "worry"],
      },
      {
        note: "Weak signals",
        weight: 1,
        terms: ["secure", "stable", "stability", "guaranteed", "guarantee", "hedge", "hedged", "insurance", "insured", "fscs", "compensation scheme"],
      },
      {
        note: "Credit risk in plain words: a borrower, tenant or buyer paying late or not at all (outweighs the payment words of liquidity)",
        weight: 3,
        terms: ["paid late", "pay late", "pays late", "late payment*", "late paying", "arrears", "missed payment*", "miss a payment", "doesn't pay", "don't pay", "does not pay", "do not pay", "stops paying", "stop paying", "stopped paying", "can't pay", "cannot pay", "unable to pay", "non payment", "fail to pay", "fails to pay", "mitigat*", "fraud", "scam", "worst outcome", "get less", "less than i", "go down", "goes down", "going down", "fall in value", "drop in value", "lose value", "loses value", "value drop*", "value fall*"],
      },
      {
        note: "Bad markets and recovery",
        weight: 2,
        terms: ["downturn*", "recession*", "crash", "crashes", "market crash", "recover*"],
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
        terms: ["fee", "fees", "feee", "fess", "charge", "charges", "charged", "charging", "the carry", "carry fee", "carried interest", "promote", "commission*", "hurdle", "expense ratio", "ter", "ocf", "ongoing charge*", "hidden cost*", "admin cost*", "platform cost*", "spread", "amc", "bps", "basis points", "markup", "mark up"],
      },
      {
        note: "Deducting (strong: a deduction from a payout is asked about the fee, not the payout)",
        weight: 3,
        terms: ["deduct*"],
      },
      {
        note: "The cost of doing something (strong, like a fee: 'costs to withdraw' asks about the cost, not the withdrawal)",
        weight: 3,
        terms: ["cost to", "costs to", "cost of", "costs of", "cost for", "costs for", "costs involved", "cost involved"],
      },
      {
        note: "What the investor pays and how the platform earns (tax and zakat questions name their own stronger cue)",
        weight: 2,
        terms: ["pay anything", "anything to pay", "what do i pay", "how much do i pay", "have to pay", "need to pay", "pay extra", "extra cost*", "cost me", "cur8 make", "you make money", "platform make"],
      },
      {
        note: "Cost words",
        weight: 2,
        terms: ["cost", "costs", "costly", "expense*", "how much does ... cost", "pay cur8", "cur8 take", "cur8 earn", "take a cut", "their cut", "what cut", "free of charge"],
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
        note: "Money that cannot come out, or that the investor wants out (plain words for illiquidity)",
        weight: 3,
        terms: ["stuck", "trapped", "want out", "way out", "out early", "access my investment", "access the money", "access my cash", "cash in my", "encash*", "liquidate", "liquidating", "resell", "buy back", "buyback"],
      },
      {
        note: "Payouts and distributions asked about as such",
        weight: 3,
        terms: ["pay out", "paid out", "profit payment*", "income payment*", "get paid", "be paid", "how do i receive", "how will i receive", "how often ... pay", "when ... pay", "reinvest*", "compound*", "wallet"],
      },
      {
        note: "Payout nouns (normal weight: they are often what another question is about, 'are distributions taxable?', 'is zakat due on the dividends?')",
        weight: 2,
        terms: ["payout*", "payment*", "distribution*", "distribute*", "dividend*"],
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
        note: "Islam and Islamic finance in other words; whole-word spellings so that a typo of them is read too ('shaira', 'islamc')",
        weight: 3,
        terms: ["sharia", "shariah", "islamic", "islam", "muslim*", "halaal", "hallal", "haraam", "gharar", "maysir", "maisir", "usury", "interest based", "non compliant"],
      },
      {
        note: "Weak signals (used in other senses too)",
        weight: 1,
        terms: ["interest", "compliance", "screened", "screening", "alcohol", "gambling", "religious*", "faith", "prohibited", "forbidden", "conventional", "pork", "tobacco"],
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
        terms: ["tax", "taxes", "taxed", "taxable", "taxation", "tax free", "relief", "reliefs", "eis", "seis", "s eis", "isa", "isas", "if isa", "ifisa", "innovative finance", "iht", "inheritance*", "capital gains", "cgt", "hmrc", "self assessment", "carry back", "loss relief", "deferral relief", "business relief", "bpr", "sipp", "pension*", "allowance", "tax year", "income tax", "tax return", "withholding", "w 8ben", "w8ben", "eis3", "seis3", "vct", "stamp duty", "carry forward", "allowances"],
      },
      {
        note: "Declaring to the tax office",
        weight: 2,
        terms: ["declare", "declaring", "declaration"],
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
        note: "More names of paperwork and material",
        weight: 3,
        terms: ["guide", "guides", "handbook", "info pack", "information pack", "investor pack", "data room", "dataroom", "slides", "transcript", "financial statements", "terms and conditions", "offering document*", "offer document*", "teaser", "one pager", "memo", "ppm", "kiid", "literature"],
      },
      {
        note: "Copies and material (normal weight: 'material' and 'video' are also used loosely)",
        weight: 2,
        terms: ["copy of", "a copy", "material", "materials", "video", "videos", "attachment*"],
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
        terms: ["horizon", "term", "duration", "investment period", "holding period", "how long", "how many years", "how many months", "timeframe", "time frame", "timeline", "mature", "matures", "maturity", "end date", "when does ... end", "when will ... end", "when ... finish", "close date", "closing date", "wind down", "lifespan", "lifetime", "life of the fund", "fund life", "years to run", "length of"],
      },
      {
        note: "How long, said other ways: when it ends or closes, how long it lasts, when the capital comes back at the end",
        weight: 3,
        terms: ["lasts", "last for", "run for", "runs for", "wind up", "winding up", "investment term", "tenor", "stay invested", "remain invested", "when does ... close", "when will ... close", "when does ... stop", "when will ... stop", "when will ... back", "when do ... back", "when does ... back", "hw long"],
      },
      {
        note: "Time words (weak: also used for payments and liquidity)",
        weight: 1,
        terms: ["years", "year", "yrs", "yr", "months", "how soon", "long term", "short term", "medium term", "until", "deadline", "when ... start", "extension", "extend*"],
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
        terms: ["strategy", "strategies", "thesis", "investing in what", "what does ... invest", "what ... buy", "business model", "buy and build", "sector*", "industr*", "portfolio*", "pipeline", "deal flow", "dealflow", "sourcing", "sourced", "source", "founders", "founder", "diversif*", "concentrat*", "allocation", "geograph*", "region*", "used for", "money go", "money goes", "money going", "spent on", "use of funds", "use of proceeds", "capital be used", "money be used", "deploy", "deployed", "deploying", "deployment of", "opportunit*", "value creation", "operational*", "acquisition*", "acquire*", "revenue*", "underrepresented", "selection", "financed", "financing", "finance", "finances", "lend*", "improve", "countries", "where ... operate"],
      },
      {
        note: "What the fund buys (nouns also used in questions about other topics: 'are the startups halal?')",
        weight: 2,
        terms: ["startup*", "start ups", "companies", "company", "businesses", "properties", "property types", "assets", "projects", "holdings"],
      },
      {
        note: "What the fund holds and how it chooses (not the borrowers and tenants: they are as often the subject of a risk question, 'what if a tenant leaves?')",
        weight: 2,
        terms: ["commodit*", "stocks", "equities", "why did ... choose", "why ... chose", "how do ... choose", "how does ... choose", "chosen", "picked", "selected", "selecting", "vetted", "vetting", "due diligence"],
      },
      {
        note: "What kind of investments (the same words also ask about tax or risk of those investments, so normal weight)",
        weight: 2,
        terms: ["invest in", "invests in", "investing in", "types of investments", "type of investments", "kind of investments", "types of investment", "criteria"],
      },
      {
        note: "The manager (normal weight: the manager is often the subject of a question about fees or returns, 'what do the managers charge?')",
        weight: 2,
        terms: ["manager", "managers", "managed", "manages", "managing"],
      },
      {
        note: "People: team, partners, track record",
        weight: 3,
        terms: ["management team", "team", "partner", "partners", "partnering", "partnership*", "sponsor", "gp", "general partner", "who runs", "who is behind", "who ... behind", "track record", "experience", "experienced", "background", "everest"],
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
        note: "Talking to the bot itself or to a person, and account actions",
        weight: 3,
        terms: ["are you a bot", "are you a robot", "are you human", "are you a human", "are you real", "am i talking to", "speak to someone", "talk to someone", "speak to a", "talk to a", "customer service", "customer support", "support team", "phone number", "call me", "call back", "callback", "book a call", "update my details", "change my details", "change my email", "change my address", "delete my account", "close my account", "least i can", "least amount", "lowest amount", "smallest investment", "crashing", "glitch", "error message", "not loading", "won't load"],
      },
      {
        note: "App and account actions, and who may invest (normal weight: 'sign up for the webinar', 'top up my ISA' belong to their topic)",
        weight: 2,
        terms: ["get in touch", "sign up", "signup", "log in", "sign in", "top up", "cur8 work", "platform work", "app work", "not working", "doesn't work", "bug", "outside the uk", "non uk", "overseas", "abroad", "resident", "residents", "residency", "expat*", "citizen*", "us person"],
      },
      {
        note: "The investor's own decision to invest (whether, how much, for whom), not what the fund invests in; advice and regulation",
        weight: 2,
        terms: ["can i invest", "could i invest", "should i invest", "i can invest", "i need to invest", "need to invest", "how much can i invest", "how much do i need", "how much do i have to", "worth investing", "good investment", "on behalf of", "for my child*", "for my son", "for my daughter", "for my kids", "advice", "adviser*", "advisor*", "regulated", "fca", "regulator", "regulation", "authorised", "authorized", "ombudsman", "complaint", "complain", "kyc", "verification", "register", "registration", "bitcoin", "crypto*"],
      },
      {
        note: "Custody and administration: who holds the investor's money (the labeled set files this under other)",
        weight: 2,
        terms: ["holds my money", "hold my money", "holding my money", "custodian*", "custody", "client money"],
      },
      {
        note: "Small talk, app and account support, advice, regulation: recognised here so they are not forced into a topic",
        weight: 1,
        terms: ["hello", "hi", "hey", "salam", "assalamu*", "thanks", "thank", "thx", "password", "login", "account", "app", "human", "minimum", "min", "recommend", "should i", "weather", "joke", "who are you", "deposit", "good morning", "good afternoon", "good evening", "bye", "goodbye", "cheers", "ok", "okay", "great", "mortgage"],
      },
    ],
  },
];

/** The taxonomy by id. */
export const TOPICS_BY_ID: Readonly<Record<TopicId, Topic>> = Object.fromEntries(
  TAXONOMY.map((t) => [t.id, t]),
) as Record<TopicId, Topic>;
