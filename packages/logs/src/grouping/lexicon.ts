/**
 * Word lists for question canonicalization (English, investment domain).
 * All entries are lower case and apostrophe-free, as `fingerprint` writes them.
 */

/** Apostrophe-free contractions (fingerprint drops apostrophes) and their expansion. */
export const CONTRACTIONS: ReadonlyMap<string, readonly string[]> = new Map<string, string[]>([
  ["whats", ["what", "is"]],
  ["hows", ["how", "is"]],
  ["wheres", ["where", "is"]],
  ["whens", ["when", "is"]],
  ["whos", ["who", "is"]],
  ["whys", ["why", "is"]],
  ["thats", ["that", "is"]],
  ["theres", ["there", "is"]],
  ["heres", ["here", "is"]],
  ["its", ["it", "is"]],
  ["lets", ["let", "us"]],
  ["isnt", ["is", "not"]],
  ["arent", ["are", "not"]],
  ["wasnt", ["was", "not"]],
  ["werent", ["were", "not"]],
  ["dont", ["do", "not"]],
  ["doesnt", ["does", "not"]],
  ["didnt", ["did", "not"]],
  ["cant", ["can", "not"]],
  ["cannot", ["can", "not"]],
  ["couldnt", ["could", "not"]],
  ["wont", ["will", "not"]],
  ["wouldnt", ["would", "not"]],
  ["shouldnt", ["should", "not"]],
  ["havent", ["have", "not"]],
  ["hasnt", ["has", "not"]],
  ["im", ["i", "am"]],
  ["ive", ["i", "have"]],
  ["ill", ["i", "will"]],
  ["youre", ["you", "are"]],
  ["youve", ["you", "have"]],
  ["theyre", ["they", "are"]],
  ["weve", ["we", "have"]],
]);

/** Words that carry no meaning for "which question is this" (dropped before comparing). */
export const STOP_WORDS: ReadonlySet<string> = new Set(
  (
    "a an the of for on in into onto to from by with within at about as and or but if then than so " +
    "is are was were be been being am do does did doing done have has had having " +
    "can could will would shall should may might must " +
    "i me my mine myself you your yours we our ours they them their it this that these those there here " +
    "what which how much many some any all each every such very really actually currently exactly just also " +
    "please kindly thanks thank thx ty cheers hi hello hey hiya sorry ok okay again great well " +
    "tell explain elaborate clarify describe give provide show let know like " +
    "more details detail information info about regarding re " +
    "one get got"
  ).split(" "),
);

/** Negation words: whether a question is negated is decisive ("is it halal" vs "is it not halal"). */
export const NEGATIONS: ReadonlySet<string> = new Set(["not", "no", "never", "without", "nor"]);

/** Leading and trailing phrases that frame a question without changing it (removed where they stand). */
export const LEADING_FILLERS: readonly (readonly string[])[] = [
  ["i", "asked", "before", "but"],
  ["i", "asked", "before"],
  ["i", "already", "asked", "but"],
  ["just", "to", "confirm"],
  ["to", "confirm"],
  ["just", "checking"],
  ["quick", "question"],
  ["one", "more", "question"],
  ["another", "question"],
  ["by", "the", "way"],
  ["btw"],
  ["excuse", "me"],
  ["can", "you", "tell", "me"],
  ["could", "you", "tell", "me"],
  ["i", "would", "like", "to", "know"],
  ["i", "want", "to", "know"],
  ["i", "wanted", "to", "ask"],
  ["i", "was", "wondering"],
  ...["sorry", "hi", "hello", "hey", "ok", "okay", "so", "and", "also", "again", "well", "great", "please", "but"].map((w) => [w]),
];

export const TRAILING_FILLERS: readonly (readonly string[])[] = [
  ["thank", "you", "so", "much"],
  ["thank", "you", "very", "much"],
  ["thanks", "a", "lot"],
  ["many", "thanks"],
  ["thank", "you"],
  ["thanks", "in", "advance"],
  ["if", "possible"],
  ["if", "you", "can"],
  ...["again", "exactly", "please", "thanks", "thx", "ty", "cheers", "then"].map((w) => [w]),
];

/**
 * Synonyms and irregular forms mapped to one word before stemming. Kept
 * small and conservative: only words that mean the same thing in a question
 * to a deal bot.
 */
export const SYNONYMS: ReadonlyMap<string, string> = new Map<string, string>([
  ["fees", "fee"],
  ["charge", "fee"],
  ["charges", "fee"],
  ["charged", "fee"],
  ["charging", "fee"],
  ["cost", "fee"],
  ["costs", "fee"],
  ["returns", "return"],
  ["paid", "pay"],
  ["pays", "pay"],
  ["payouts", "payout"],
  ["distribution", "payout"],
  ["distributions", "payout"],
  ["shariah", "sharia"],
  ["syariah", "sharia"],
  ["shari", "sharia"],
  ["min", "minimum"],
  ["docs", "document"],
  ["doc", "document"],
  ["withdrawal", "withdraw"],
  ["withdrawals", "withdraw"],
  ["withdrawing", "withdraw"],
  ["withdrew", "withdraw"],
  ["lost", "lose"],
  ["losing", "lose"],
  ["sold", "sell"],
  ["yrs", "years"],
  ["yr", "year"],
  ["approx", "approximately"],
]);

/**
 * Generic heads of names ("EIS Fund", "Acme Ltd"): written capitalized as
 * part of a name, but not what tells two names apart, so never decisive.
 */
export const GENERIC_NAME_WORDS: ReadonlySet<string> = new Set([
  "fund",
  "deal",
  "portfolio",
  "company",
  "ltd",
  "limited",
  "plc",
  "llp",
  "inc",
  "group",
]);

/**
 * Words that, outside a name, refer to the deal being discussed ("this fund",
 * "the deal"), like "it": dropped (after stemming).
 */
export const DEAL_REFERENCES: ReadonlySet<string> = new Set(["fund", "deal"]);

/**
 * Known correctly spelled words: never "corrected" as typos, and candidates
 * for correcting a rare unknown word even in a small corpus (a prior count).
 */
export const KNOWN_WORDS: ReadonlySet<string> = new Set(
  (
    "about above after again against allowance amount annual annually another answer asked asset assets available " +
    "backed bank before behind benefits board borrower breakdown business businesses calculate capital carried " +
    "certified certificate change collateral companies company compliant compliance confirm could currency " +
    "date deal defaults delete details diversified documents download duration early earn eligible eligibility " +
    "elaborate expect expected experienced explain exit factors fixed frequency frequencies guaranteed guarantee " +
    "happens hidden historical horizon income industries information interest internal invest invested investing " +
    "investment investments investor investors kind level liquidity lock manager manages management managing " +
    "market mature maturity memorandum minimum money monthly notice options paying payment payments payout " +
    "percentage performance performed period platform potential previous profit profits projected promised " +
    "property prospectus protected quarterly question raised record recording recommend regulated reinvest " +
    "reinvested relief report reports return returns risky risks rating schedule secondary sector sectors " +
    "security sharia shariah should stake start strategy structure structured target taxed track there these " +
    "those through where which would withdraw withdrawal years zakat zakatable halal permissible compliant " +
    "scholars approved partners partner partnering operating capital protection"
  ).split(" "),
);
