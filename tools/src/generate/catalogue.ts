/**
 * Fixed vocabulary of the production logs: the message catalogue, the
 * contexts, header values, and the funds the deal bot answers questions about
 * (with the facts its answers draw on; a missing fact makes the bot hedge).
 */

export const CONTEXT = {
  bot: "DealBotService",
  openai: "OpenAIProvider",
  api: "ApiController",
  monitor: "SystemMonitor",
  db: "DatabaseService",
  payment: "PaymentService",
} as const;

/** The deal bot's messages, in the order one question logs them. */
export const MSG = {
  start: "Processing deal bot query",
  cacheAttempt: "Attempting to retrieve context from cache",
  cacheRetrieved: "Retrieved cached document contents from cache",
  cachedSizes: "Cached document size details",
  cacheHit: "Cache hit and context is valid",
  cacheMiss: "Cache miss, generating context",
  contextReady: "Context ready for LLM processing",
  contextSizes: "Context size details",
  llmInputs: "Inputs to llmService.generateResponse",
  openaiSend: "Sending request to OpenAI",
  outcome: "Query processed successfully",
  botError: "Error processing deal bot query",
  openaiError: "OpenAI request failed",
  invalidated: "Context invalidated successfully",
  slowQuery: "Slow query detected",
  paymentError: "Payment processing error",
} as const;

export const MODEL = "gpt-4o-mini";
export const TEMPERATURE = 0.5;
export const MAX_TOKENS = 4000;
export const STATIC_CONTEXT_LENGTH = 1775;
export const API_HOST = "cur8-api.pub.islamicfinanceguru.dev";

/** GET endpoints of the other services that log into the same files. */
export const API_PATHS = ["/deals", "/notifications", "/user/profile", "/deals/featured"] as const;

export const PAYMENT_ERRORS = [
  "Connection timeout",
  "Card declined",
  "Insufficient funds",
  "Payment gateway unavailable",
  "Invalid mandate reference",
] as const;

/** Errors that fail a bot question: where they are logged and what they say. */
export const BOT_FAILURES = [
  { kind: "openai", error: "Request timed out", afterMs: [30000, 30400] },
  { kind: "openai", error: "Request timed out", afterMs: [60000, 60300] },
  { kind: "openai", error: "429 Rate limit reached for gpt-4o-mini", afterMs: [150, 900] },
  { kind: "openai", error: "502 Bad Gateway", afterMs: [800, 5000] },
  { kind: "openai", error: "Connection error.", afterMs: [200, 3000] },
  { kind: "context", error: "Failed to load deal documents: AccessDenied", afterMs: [40, 400] },
  { kind: "context", error: "Redis connection lost", afterMs: [5, 60] },
] as const;

export const USER_AGENTS_BOT = [
  "Mozilla/5.0 (Linux; Android 13) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/112.0.0.0 Mobile Safari/537.36",
  "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36",
  "Cur8Mobile/2.2.9 (iOS 16.4)",
  "Cur8Mobile/2.2.9 (iOS 17.2)",
  "okhttp/4.12.0",
] as const;

export const USER_AGENTS_API = [
  "Cur8Mobile/2.2.9 (iOS 16.4)",
  "Cur8Mobile/2.2.9 (iOS 17.2)",
  "okhttp/4.12.0",
  "Mozilla/5.0 (Linux; Android 13) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/112.0.0.0 Mobile Safari/537.36",
] as const;

export const APP_VERSIONS = ["2.2.9", "2.2.9", "2.2.9", "2.2.8", "2.3.0"] as const;

export const RETOOL_USER_AGENT = "Retool/2.0 (+https://docs.tryretool.com/docs/apis)";

/** Intents a bot question is labelled with (ground truth for topic evaluation). */
export const INTENTS = [
  "returns",
  "risk",
  "fees",
  "payments",
  "liquidity",
  "sharia",
  "tax",
  "documents",
  "horizon",
  "strategy",
  "other",
] as const;
export type Intent = (typeof INTENTS)[number];

/** What the deal documents say about a fund; `null` = not in the documents (the bot hedges). */
export interface Fund {
  name: string;
  /** How many deal ids carry this fund's name. */
  deals: number;
  /** Relative popularity of each of its deals. */
  popularity: number;
  kind: "venture" | "equity" | "income" | "property" | "energy";
  currency: "GBP" | "USD";
  targetReturn: string | null;
  irr: string | null;
  horizon: string | null;
  risk: string | null;
  riskNotes: string | null;
  security: string | null;
  fees: string | null;
  payments: string | null;
  firstPayment: string | null;
  liquidity: string | null;
  secondary: string | null;
  sharia: string | null;
  shariaBoard: string | null;
  zakatPct: number | null;
  isa: boolean | null;
  eis: boolean;
  taxNotes: string | null;
  minInvestment: string | null;
  documents: string[];
  strategy: string | null;
  sectors: string | null;
  partner: string | null;
  team: string | null;
  useOfFunds: string | null;
  diversification: string | null;
}

export const FUNDS: readonly Fund[] = [
  {
    name: "EIS Fund",
    deals: 3,
    popularity: 10,
    kind: "venture",
    currency: "GBP",
    targetReturn: "2-4x net of fees",
    irr: null,
    horizon: "7-10 years",
    risk: "high",
    riskNotes: "early-stage companies can fail, so you could lose all of the capital you invest",
    security: null,
    fees: "a 2.5% annual management fee for the first four years and 20% carried interest",
    payments: null,
    firstPayment: null,
    liquidity: "illiquid: returns are only realised when portfolio companies are sold or list",
    secondary: null,
    sharia: "every startup is screened for Sharia compliance before investment",
    shariaBoard: null,
    zakatPct: null,
    isa: false,
    eis: true,
    taxNotes: "income tax relief of 30% on EIS shares (50% on SEIS shares), loss relief and capital gains deferral",
    minInvestment: "£2,000",
    documents: ["Webinar Recording", "SEIS/EIS Tax Guide", "FAQ", "Deployment Report (Quarterly)"],
    strategy: "a diversified portfolio of 20-30 pre-seed startups, sourcing a large share from underrepresented founders",
    sectors: "fintech, health tech and climate tech",
    partner: null,
    team: null,
    useOfFunds: "pre-seed rounds in UK startups that qualify for SEIS or EIS",
    diversification: "20-30 companies",
  },
  {
    name: "Sharia Growth Fund",
    deals: 2,
    popularity: 7,
    kind: "equity",
    currency: "GBP",
    targetReturn: "10-12% a year",
    irr: null,
    horizon: "5-7 years",
    risk: "medium to high",
    riskNotes: "the value of listed equities can fall as well as rise",
    security: null,
    fees: "a 1.25% annual management fee, with no performance fee",
    payments: "no regular payouts: profits are reinvested in the fund",
    firstPayment: null,
    liquidity: "monthly redemptions with 30 days' notice",
    secondary: null,
    sharia: "holdings are screened against AAOIFI standards and any impure income is purified",
    shariaBoard: "an independent Sharia supervisory board of three scholars",
    zakatPct: 32,
    isa: true,
    eis: false,
    taxNotes: null,
    minInvestment: "£500",
    documents: ["Fund Factsheet", "Key Information Document", "FAQ", "Sharia Certificate"],
    strategy: "global Sharia-screened growth companies",
    sectors: "technology, healthcare and industrials",
    partner: "Meridian Asset Management",
    team: null,
    useOfFunds: null,
    diversification: "around 40 listed companies",
  },
  {
    name: "Property Income Fund",
    deals: 2,
    popularity: 8,
    kind: "property",
    currency: "GBP",
    targetReturn: "7-8% a year",
    irr: null,
    horizon: "3 years",
    risk: "low to medium",
    riskNotes: "property values and rental income can fall, and borrowers can default",
    security: "each financing is secured by a first charge over UK residential property",
    fees: "no fees for investors: the platform earns an arrangement fee from borrowers",
    payments: "quarterly profit payments",
    firstPayment: "at the end of the first full quarter after the deal closes",
    liquidity: "3 months' notice for withdrawals",
    secondary: null,
    sharia: "financings use Murabaha and Ijara contracts, so no interest is charged or paid",
    shariaBoard: null,
    zakatPct: 60,
    isa: true,
    eis: false,
    taxNotes: "profits are taxable as income unless held in an IF-ISA",
    minInvestment: "£1,000",
    documents: ["FAQ", "IF-ISA FAQ", "Webinar Recording", "Zakat Statement (Annual)"],
    strategy: "asset-backed financing secured against UK residential property",
    sectors: null,
    partner: null,
    team: null,
    useOfFunds: "bridge and development financing for residential property",
    diversification: null,
  },
  {
    name: "Tech Ventures Fund",
    deals: 1,
    popularity: 5,
    kind: "venture",
    currency: "GBP",
    targetReturn: "3-5x the capital invested",
    irr: "25-30%",
    horizon: "8-10 years",
    risk: "high",
    riskNotes: "venture investments are illiquid and many startups fail",
    security: null,
    fees: "a 2% annual management fee and 20% carried interest above an 8% hurdle",
    payments: null,
    firstPayment: null,
    liquidity: "no redemptions before the fund's exits",
    secondary: null,
    sharia: null,
    shariaBoard: null,
    zakatPct: null,
    isa: false,
    eis: true,
    taxNotes: null,
    minInvestment: "£5,000",
    documents: ["Information Memorandum", "FAQ", "Webinar Recording"],
    strategy: "Series A rounds in B2B software companies in the UK and Europe",
    sectors: "B2B SaaS, AI tooling and cybersecurity",
    partner: "Northgate Capital",
    team: "a team that has backed more than 60 software companies",
    useOfFunds: null,
    diversification: "12-15 companies",
  },
  {
    name: "Green Energy Fund",
    deals: 2,
    popularity: 6,
    kind: "energy",
    currency: "GBP",
    targetReturn: "8-10% a year",
    irr: "11%",
    horizon: "5 years",
    risk: "medium",
    riskNotes: "returns depend on energy prices, construction timelines and grid connections",
    security: null,
    fees: "a 1% annual management fee and a 1.5% arrangement fee",
    payments: "semi-annual distributions",
    firstPayment: null,
    liquidity: "no early exit before the end of the 5-year term",
    secondary: "a secondary market may be offered after the second year",
    sharia: "projects are financed through Ijara (leasing) contracts",
    shariaBoard: null,
    zakatPct: 80,
    isa: null,
    eis: false,
    taxNotes: null,
    minInvestment: "£1,000",
    documents: ["Project Summary", "FAQ", "Webinar Recording"],
    strategy: "solar and battery storage projects in the UK and Spain",
    sectors: "solar generation and battery storage",
    partner: "SunBridge Renewables",
    team: null,
    useOfFunds: "construction of four solar parks and two battery sites",
    diversification: "six projects",
  },
  {
    name: "GBP Income Fund",
    deals: 1,
    popularity: 6,
    kind: "income",
    currency: "GBP",
    targetReturn: "7.25-7.5% a year",
    irr: null,
    horizon: "open-ended, with a 12-month minimum holding period",
    risk: "low",
    riskNotes: null,
    security: "the underlying financings are asset-backed",
    fees: "a 0.5% annual platform fee, taken from profits",
    payments: "monthly profit payments",
    firstPayment: null,
    liquidity: "3 months' notice for withdrawals after the first 12 months",
    secondary: null,
    sharia: "it invests only in Sharia-compliant, asset-backed opportunities",
    shariaBoard: null,
    zakatPct: 57,
    isa: true,
    eis: false,
    taxNotes: null,
    minInvestment: "£100",
    documents: ["Webinar Recording", "FAQ", "IF-ISA FAQ"],
    strategy: "secure, vetted asset-backed financing, mostly property",
    sectors: null,
    partner: null,
    team: null,
    useOfFunds: null,
    diversification: null,
  },
  {
    name: "Pharmacy Income Fund",
    deals: 1,
    popularity: 4,
    kind: "income",
    currency: "GBP",
    targetReturn: "9.5-10% a year",
    irr: null,
    horizon: "3 years",
    risk: "low to medium",
    riskNotes: "the fund depends on NHS funding for community pharmacies",
    security: null,
    fees: null,
    payments: "annual profit payments",
    firstPayment: null,
    liquidity: "capital is locked in for the 3-year term",
    secondary: null,
    sharia: null,
    shariaBoard: null,
    zakatPct: 100,
    isa: true,
    eis: false,
    taxNotes: null,
    minInvestment: null,
    documents: ["IF-ISA FAQ", "Webinar Recording", "Zakat Statement (Annual)"],
    strategy: "acquiring and improving independent pharmacies",
    sectors: "community pharmacy",
    partner: null,
    team: null,
    useOfFunds: "pharmacy acquisitions, operational improvements and technology",
    diversification: null,
  },
  {
    name: "Healthcare Property Fund",
    deals: 2,
    popularity: 4,
    kind: "property",
    currency: "GBP",
    targetReturn: "6.5-7% a year",
    irr: "9%",
    horizon: "5 years",
    risk: "medium",
    riskNotes: null,
    security: "long leases to care operators, with the buildings as security",
    fees: "a 1% annual management fee and a 1% arrangement fee",
    payments: "quarterly rental distributions",
    firstPayment: null,
    liquidity: null,
    secondary: null,
    sharia: "rental income comes through Ijara leases",
    shariaBoard: null,
    zakatPct: null,
    isa: false,
    eis: false,
    taxNotes: null,
    minInvestment: "£2,500",
    documents: ["Information Memorandum", "Valuation Report", "FAQ"],
    strategy: "buying care homes and medical centres let on 25-year leases",
    sectors: "care homes and medical centres",
    partner: "Crescent Care Partners",
    team: null,
    useOfFunds: null,
    diversification: "eight properties",
  },
  {
    name: "Trade Finance Fund",
    deals: 1,
    popularity: 3,
    kind: "income",
    currency: "USD",
    targetReturn: "8% a year in USD",
    irr: null,
    horizon: "12 months, renewable",
    risk: "medium",
    riskNotes: "buyers can pay late or default, and returns are in US dollars",
    security: "credit insurance on most receivables",
    fees: null,
    payments: "profit paid at maturity",
    firstPayment: null,
    liquidity: "no early redemption during the 12-month term",
    secondary: null,
    sharia: "financings are structured as Murabaha trade transactions",
    shariaBoard: "reviewed by the platform's Sharia adviser",
    zakatPct: 90,
    isa: false,
    eis: false,
    taxNotes: null,
    minInvestment: "$1,000",
    documents: ["Term Sheet", "FAQ"],
    strategy: "short-term financing of commodity shipments for established importers",
    sectors: "commodity and food imports",
    partner: null,
    team: null,
    useOfFunds: null,
    diversification: null,
  },
  {
    name: "Halal Real Estate Fund",
    deals: 1,
    popularity: 3,
    kind: "property",
    currency: "GBP",
    targetReturn: "12-15% total return",
    irr: "14%",
    horizon: "4 years",
    risk: "medium to high",
    riskNotes: "development projects can run late or over budget",
    security: null,
    fees: null,
    payments: "a single payment when the development is sold",
    firstPayment: null,
    liquidity: null,
    secondary: null,
    sharia: "structured as a Musharakah partnership",
    shariaBoard: null,
    zakatPct: null,
    isa: null,
    eis: false,
    taxNotes: null,
    minInvestment: null,
    documents: ["Information Memorandum", "Webinar Recording"],
    strategy: "residential development in Manchester and Birmingham",
    sectors: null,
    partner: "Oakline Developments",
    team: null,
    useOfFunds: "land purchase and construction of 48 apartments",
    diversification: null,
  },
];
