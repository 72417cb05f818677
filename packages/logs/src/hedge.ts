/**
 * Hedge detection: does the bot's answer say the information is not
 * available (not in the documents, "I don't have information", "contact the
 * fund manager") instead of answering? Hedged answers are the main
 * "no result / low satisfaction" signal in the real logs (no feedback field).
 *
 * Structure: readable pattern lists grouped in families, each pattern with an
 * id and an example it must match (a test checks every example), so a labeled
 * evaluation can report per-pattern hits and a pattern can be tuned alone.
 *
 * Families (`HedgeFamily`):
 * - unavailable: the information is not in the provided information/documents
 *   ("is not detailed in the provided information", "the documents do not
 *   mention", "there is no information on ...").
 * - unable: the bot says it cannot answer ("I don't have information",
 *   "I'm unable to find", "it is unclear").
 * - referral: the user is sent elsewhere because the bot cannot answer
 *   ("please contact the fund manager for details", "you would need to check
 *   the FAQ", "for this information, refer to the deal documents").
 * - deferral: the specifics of a named topic are deferred to a document
 *   ("For specific details on how the tax relief works, refer to the Tax
 *   Guide"). A partial answer by construction.
 * - referral-only: the answer has nothing but a referral ("Please refer to the
 *   deal documents.").
 *
 * Decided: a courtesy referral after a substantive answer ("For more
 * information, you may want to refer to the deal documents.") is NOT a hedge:
 * most real answers end with one, including complete ones. It is reported as
 * `courtesyReferral` so an evaluation can weigh it.
 *
 * `partial`: hedged AND some clause of the answer is substantive: not a
 * hedge, not a referral, not generic filler ("typically", "generally"), at
 * least four words. "The target return is 12%. However, the fees are not
 * specified in the provided information." is partial.
 */

export type HedgeFamily = "unavailable" | "unable" | "referral" | "deferral" | "referral-only";

export interface HedgePattern {
  id: string;
  family: Exclude<HedgeFamily, "referral-only">;
  pattern: RegExp;
  /**
   * Lower-case words of which at least one must occur in the answer for the
   * pattern to be tried: a cheap prefilter (most answers skip most patterns).
   * "n't" stands for any contraction ("isn't", "don't").
   */
  keywords: readonly string[];
  /** A phrase the pattern must match (checked by the tests). */
  example: string;
}

export interface HedgeResult {
  hedged: boolean;
  /** Hedged, but the answer also gives substantive content. */
  partial: boolean;
  /** The text that made the answer a hedge, or null. */
  matched: string | null;
  /** Which family matched first (families are tried in the order above). */
  family: HedgeFamily | null;
  /** A courtesy referral ("for more details, see the deal documents") is present. */
  courtesyReferral: boolean;
}

// ---------------------------------------------------------------------------
// Vocabulary shared by the patterns (regex source fragments).

/** Negation: " not" or a contraction ("isn't", "doesn't"). */
const NEG = String.raw`(?:\s+not|n't)`;
/** An optional adverb after the negation: "not explicitly", "isn't clearly". */
const ADV = String.raw`(?:\s+(?:explicitly|specifically|directly|clearly|expressly|currently|yet|fully|publicly|readily|precisely|exactly|further))?`;
const NOT = NEG + ADV;
/** "is not", "aren't", "has not been", "have not yet been". */
const BE_NOT = String.raw`(?:\b(?:is|are|was|were|be|been)${NEG}|\b(?:has|have)${NEG}(?:\s+yet)?\s+been|\bnot\s+been)${ADV}`;
/** Verbs whose negation always means "the information is missing". */
const INFO_VERB = String.raw`(?:detailed|specified|mentioned|disclosed|outlined|stated|described|documented|explained|clarified|indicated|elaborated|spelled\s+out|broken\s+down|itemi[sz]ed|quantified|defined|published|named|identified|laid\s+out|set\s+out|pinned\s+down|recorded|discussed|confirmed|modell?ed|touched\s+on|made\s+(?:public|available))`;
/** Verbs that mean "missing" only next to an information noun or source ("not available to US investors" is not a hedge). */
const AMBIG_VERB = String.raw`(?:provided|available|included|given|covered|found|shared|listed|known|present|contained|offered|supplied|reported|confirmed|addressed)`;
/** Where the information would be. */
const SOURCE = String.raw`(?:(?:provided|available|given|supplied|shared|current|attached|above|following|deal|fund|relevant)\s+)?(?:information|info|documents?|documentation|docs|context|materials?|data|description|details|sources?|text|records|fact\s*sheet|summary|content|deal\s+documents)`;
/** What is missing. */
const INFO_NOUN = String.raw`(?:information|info|details?|specifics|particulars|data|figures?|numbers|breakdown|criteria|metrics|specifications?|date|dates|names?|percentage|amount|rate|timing|schedule|history|methodology)`;
/** A document or body of information, as the subject or place of a hedge ("the IM", "the term sheet", "the deal pack"). */
const DOC_NAME = String.raw`(?:documents?|documentation|docs|materials?|material|paperwork|information(?:\s+memorandum)?|info|IM|memorandum|prospectus|term\s*sheet|fact\s*sheet|factsheet|summary|FAQ|pack|notes|context|data|description|sources?|records|content)`;
/** What points at such a document: "the", "this deal's", "any of the". */
const DET = String.raw`(?:the|this|these|those|any(?:\s+of\s+the)?|its|our|my|your|[\w-]+'s)`;
/** Anyone a user may be sent to, including advisers ("a tax adviser", "a scholar"). */
const PARTY_WORD = String.raw`(?:managers?|sponsor|team|support|adviser|advisor|accountant|professional|scholar|provider|developer|valuer|partner|them|directly|desk)`;
/** Who a user can be sent to. */
const PARTY = String.raw`(?:the\s+|your\s+|our\s+|a\s+)?(?:fund\s+managers?|managers?|(?:customer\s+)?support(?:\s+team)?|customer\s+service|investor\s+relations|(?:deal|investment|investor|support|cur8|platform|sales)\s+team|team|cur8(?:\s+capital)?|sponsor|issuer|relationship\s+manager|help\s*desk)`;
const CONTACT = String.raw`(?:contact(?:ing)?|reach(?:ing)?\s+out\s+to|get(?:ting)?\s+in\s+touch\s+with|speak(?:ing)?\s+(?:to|with)|talk(?:ing)?\s+to|email(?:ing)?|ask(?:ing)?)`;
const REFER = String.raw`(?:refer(?:ring)?\s+to|check(?:ing)?|consult(?:ing)?|review(?:ing)?|see|look(?:ing)?\s+(?:at|into)|explore|read(?:ing)?|access(?:ing)?|visit(?:ing)?)`;
/** A document or place a referral points to. */
const DOC = String.raw`(?:deal\s+documents?|deal\s+documentation|documentation|documents?|docs|FAQs?|deal\s+(?:details|page)|fact\s*sheet|prospectus|information\s+memorandum|term\s+sheet|resources|report|guide|webinar|statement|platform|website|section)`;

const CONTACT_WORDS = ["contact", "contacting", "reach", "reaching", "touch", "speak", "speaking", "talk", "talking", "email", "emailing", "ask", "asking"];
const SPECIFIC_WORDS = ["specific", "specifics", "precise", "exact", "detailed", "particular"];

function rx(source: string): RegExp {
  return new RegExp(source, "i");
}

// ---------------------------------------------------------------------------
// The pattern lists.

/** The information is not in what the bot was given. */
export const UNAVAILABLE_PATTERNS: readonly HedgePattern[] = [
  {
    id: "not-info-verb",
    family: "unavailable",
    keywords: ["not", "n't"],
    pattern: rx(String.raw`${BE_NOT}\s+${INFO_VERB}\b`),
    example: "The specific benefits are not detailed in the provided information.",
  },
  {
    id: "not-in-source",
    family: "unavailable",
    keywords: ["not", "n't"],
    pattern: rx(String.raw`(?:\bnot|n't)${ADV}\s+(?:be\s+)?(?:${AMBIG_VERB}|${INFO_VERB})\s+(?:in|within|by|from|among|through)\s+(?:the|this|these|any|our|my)\s+${SOURCE}`),
    example: "The fees are not included in the provided documents.",
  },
  {
    id: "info-noun-not-given",
    family: "unavailable",
    keywords: ["not", "n't"],
    pattern: rx(String.raw`\b${INFO_NOUN}\b[^.!?;]{0,100}?${BE_NOT}\s+${AMBIG_VERB}\b`),
    example: "Specific details about the types of properties financed are not provided.",
  },
  {
    id: "source-does-not-say",
    family: "unavailable",
    keywords: ["not", "n't"],
    pattern: rx(String.raw`\b${SOURCE}\s+(?:itself\s+)?(?:does|do|did)${NOT}\s+(?:appear\s+to\s+|seem\s+to\s+)?(?:specify|mention|detail|state|outline|disclose|describe|clarify|indicate|elaborate|say|list|address|explain|break\s+down|cover|include|provide|contain|offer|give|share|go\s+into|reference)\b`),
    example: "The available information does not specify the eligibility criteria.",
  },
  {
    id: "does-not-specify",
    family: "unavailable",
    keywords: ["not", "n't"],
    pattern: rx(String.raw`\b(?:does|do|did)${NOT}\s+(?:appear\s+to\s+|seem\s+to\s+)?(?:specify|mention|detail|state|outline|disclose|elaborate\s+on|spell\s+out|break\s+down|go\s+into\s+detail)\b`),
    example: "The description does not specify what these opportunities entail.",
  },
  {
    id: "does-not-provide-details",
    family: "unavailable",
    keywords: ["not", "n't"],
    pattern: rx(String.raw`\b(?:does|do|did)${NOT}\s+(?:provide|include|give|offer|contain|have|share|list|cover|go\s+into)\s+(?:(?:any|the|specific|further|more|detailed|exact|precise|additional|much|enough|sufficient|explicit|clear|concrete|such)\s+)*(?:information|info|details?|specifics|particulars|data|figures|breakdown|criteria|insight|clarity)\b`),
    example: "It does not provide specific details about what these opportunities entail.",
  },
  {
    id: "there-is-no-info",
    family: "unavailable",
    keywords: ["there"],
    pattern: rx(String.raw`\bthere(?:\s+is|\s+are|\s+was|\s+were|'s)\s+no\s+(?:[\w-]+\s+){0,2}?(?:information|info|details?|mention|data|specifics|indication|reference|breakdown|figures?|record)\b`),
    example: "There is no specific information about the exit strategy.",
  },
  {
    id: "no-info-available",
    family: "unavailable",
    keywords: ["no"],
    pattern: rx(String.raw`\bno\s+(?:[\w-]+\s+){0,2}?(?:information|info|details|data|specifics|figures)\b(?:[^.!?;]{0,60}?\b(?:is|are|was|were|has\s+been|have\s+been))?\s+(?:currently\s+)?(?:available|provided|given|mentioned|included|specified|disclosed)\b`),
    example: "No details on the exit timeline were provided.",
  },
  {
    id: "info-unavailable",
    family: "unavailable",
    keywords: ["unavailable", "undisclosed", "not", "limited"],
    pattern: rx(String.raw`\b(?:information|info|details|data|specifics|figures)\b[^.!?;]{0,60}?\b(?:unavailable|undisclosed|not\s+publicly\s+available|not\s+yet\s+(?:available|known|public)|(?:is|are)\s+limited)\b`),
    example: "Information on the exit timeline is unavailable.",
  },
  {
    id: "lacks-info",
    family: "unavailable",
    keywords: ["lack", "lacks", "lacking", "absence"],
    pattern: rx(String.raw`\b(?:lacks?|lacking|absence\s+of)\s+(?:any\s+)?(?:(?:specific|detailed|further|explicit|concrete|precise|sufficient|enough)\s+)?(?:information|details|data|specifics)\b`),
    example: "The summary lacks specific details on fees.",
  },
  {
    id: "beyond-provided",
    family: "unavailable",
    keywords: ["beyond", "outside"],
    pattern: rx(String.raw`\b(?:beyond|outside(?:\s+of)?)\s+(?:the\s+)?(?:scope\s+of\s+)?(?:the\s+|my\s+)?(?:provided|available|given|current)\s+(?:information|documents|context|data|details)`),
    example: "That is beyond the provided information.",
  },
  {
    id: "not-in-named-source",
    family: "unavailable",
    keywords: ["not", "n't", "never"],
    pattern: rx(String.raw`(?:\bnot|n't|\bnever)${ADV}(?:\s+(?:been|be))?\s+(?:[\w-]+\s+){0,2}?(?:in|within|from|among|amongst|anywhere\s+in|part\s+of)\s+${DET}\s+(?:[\w'-]+\s+){0,3}?${DOC_NAME}\b`),
    example: "Early exit terms for the fund are not laid out in the IM.",
  },
  {
    id: "not-something-source-says",
    family: "unavailable",
    keywords: ["not", "n't"],
    pattern: rx(String.raw`(?:\bis\s+not|\bare\s+not|\bwas\s+not|isn't|aren't|wasn't|'s\s+not)\s+(?:something|anything|a\s+(?:scenario|question|topic|point|detail))\s+(?:that\s+)?(?:[\w'-]+\s+){0,5}?(?:I\b|I've|I'm|${DOC_NAME}\b)`),
    example: "That's not something the term sheet specifies.",
  },
  {
    id: "source-silent",
    family: "unavailable",
    keywords: ["silent", "quiet", "light", "thin", "vague", "short"],
    pattern: rx(String.raw`\b(?:is|are|remains?|were|was)\s+(?:silent|quiet|light|thin|vague)\s+(?:on|about|regarding|as\s+to|when\s+it\s+comes\s+to)\b|\bstops?\s+short\s+of\b`),
    example: "The deal pack is silent on an annual yield figure.",
  },
  {
    id: "nothing-in-source",
    family: "unavailable",
    keywords: ["nothing"],
    pattern: rx(String.raw`\bnothing\s+(?:in|within|from|I|I've|I'm|that\s+I|like\s+(?:it|that|one|this)|(?:has|was|is|have)\s+been)\b`),
    example: "There's nothing in the deal documents about the yield.",
  },
  {
    id: "missing-from-source",
    family: "unavailable",
    keywords: ["missing", "absent", "omitted", "left"],
    pattern: rx(String.raw`\b(?:missing|absent|omitted|left\s+out)\s+(?:from|of)\s+${DET}\b`),
    example: "The risk section is missing from the documents I have.",
  },
  {
    id: "not-given-to-me",
    family: "unavailable",
    keywords: ["not", "n't", "no", "nothing", "never"],
    pattern: rx(String.raw`(?:\bnot|n't|\bno|\bnothing|\bnever)\b[^.!?;]{0,80}?(?:\b(?:shared|provided|given|available|made\s+available|supplied|shown|sent)\s+(?:with|to)\s+me\b|\bI(?:'ve|\s+have)\s+been\s+(?:given|provided|shown|sent)\b|\bI\s+was\s+(?:given|provided|shown|sent)\b|\bI(?:'ve|\s+have)\s+(?:seen|got)\b|\bI\s+(?:can|could)\s+(?:see|find|access)\b|\bI\s+have\b)`),
    example: "Performance since launch hasn't been shared with me.",
  },
  {
    id: "source-gives-no",
    family: "unavailable",
    keywords: ["no"],
    pattern: rx(String.raw`\b${DOC_NAME}\b(?:\s+(?!(?:says?|states?|shows?|confirms?|explains?|notes?|shows?)\b)[\w'-]+){0,8}?\s+(?:gives?|provides?|includes?|contains?|lists?|quotes?|mentions?|offers?|makes?|has)\s+no\b`),
    example: "The factsheet I have for the fund gives no expense ratio.",
  },
  {
    id: "source-leaves-open",
    family: "unavailable",
    keywords: ["open"],
    pattern: rx(String.raw`\b(?:leaves?|left)\s+(?:(?:this|that|it|the\s+\w+)\s+)?open\b`),
    example: "That is something the materials leave open.",
  },
  {
    id: "outside-what-source-covers",
    family: "unavailable",
    keywords: ["beyond", "outside"],
    pattern: rx(String.raw`\b(?:beyond|outside(?:\s+of)?)\s+(?:the\s+scope\s+of\s+)?what\s+(?:[\w'-]+\s+){0,4}?(?:covers?|explains?|says?|contains?|includes?|address(?:es)?|I\s+can|I\s+have|I'm|I\s+was)\b`),
    example: "The tax position is outside what the term sheet covers.",
  },
  {
    id: "unclear-from-source",
    family: "unavailable",
    keywords: ["unclear", "clear", "unknown", "known"],
    pattern: rx(String.raw`\b(?:unclear|not\s+clear|not\s+known|unknown)\s+(?:yet\s+)?(?:from|in|on\s+the\s+basis\s+of|based\s+on)\b`),
    example: "Whether a transcript exists is unclear from what I have.",
  },
  {
    id: "source-does-not-go-into",
    family: "unavailable",
    keywords: ["not", "n't"],
    pattern: rx(String.raw`\b(?:${SOURCE}|IM|memorandum|term\s*sheet|fact\s*sheet|factsheet|paperwork|pack|prospectus|FAQ|summary)\b(?:\s+[\w'-]+){0,8}?\s+(?:does|do|did)${NOT}\s+(?:appear\s+to\s+|seem\s+to\s+)?(?:touch\s+on|deal\s+with|commit\s+to|clarify|model|quantify|name|set\s+out|lay\s+out|discuss|explain|confirm|identify|show|quote|put\s+a|go\s+(?:further|that\s+far|beyond|into)|rule|mention|cover|address|say|specify|give|list|include|provide)\b`),
    example: "The information I have doesn't deal with what would happen if the platform failed.",
  },
];

/** The bot says it cannot answer. */
export const UNABLE_PATTERNS: readonly HedgePattern[] = [
  {
    id: "dont-have-info",
    family: "unable",
    keywords: ["have"],
    pattern: rx(String.raw`\b(?:I|we)\s+(?:do|did)${NOT}\s+have\s+(?:[\w-]+\s+){0,3}?(?:information|info|details?|data|specifics|access|knowledge|visibility|insight|figures?|answer|confirmation|record|records|numbers?|dates?|breakdown)\b|\b(?:I|we)\s+have\s+no\s+(?:[\w-]+\s+){0,2}?(?:information|info|details|data|access|knowledge|visibility|record|records|figures?|confirmation)\b`),
    example: "I don't have information about the fund's fees.",
  },
  {
    id: "unable-to",
    family: "unable",
    keywords: ["unable", "able", "position"],
    pattern: rx(String.raw`\b(?:I|we)(?:'m|'re|\s+am|\s+are|\s+was|\s+were)\s+(?:unable|not\s+able|not\s+in\s+a\s+position)\s+to\s+(?:find|locate|provide|determine|confirm|access|answer|say|give|offer|share|see|identify|verify|comment|speak|retrieve|tell|specify|disclose|advise)\b`),
    example: "I'm unable to find the exit date.",
  },
  {
    id: "cannot",
    family: "unable",
    keywords: ["cannot", "can", "could", "n't", "unable"],
    pattern: rx(String.raw`\b(?:I|we)\s+(?:can't|cannot|can\s+not|couldn't|could\s+not|was\s+unable\s+to|wasn't\s+able\s+to)\s+(?:find|locate|provide|determine|confirm|answer|say|give|see|identify|verify|access|comment|speak|retrieve|tell|specify|offer|share)\b`),
    example: "I couldn't find any details on that.",
  },
  {
    id: "not-sure",
    family: "unable",
    keywords: ["not", "know"],
    pattern: rx(String.raw`\b(?:I|we)(?:'m|'re|\s+am|\s+are)\s+not\s+(?:sure|certain|aware)\b|\b(?:I|we)\s+(?:do|did)${NOT}\s+know\b`),
    example: "I'm not sure what the lock-up period is.",
  },
  {
    id: "unclear",
    family: "unable",
    keywords: ["unclear", "not", "uncertain", "unknown", "be", "unable", "impossible"],
    pattern: rx(String.raw`\b(?:it\s+is|it's|it\s+remains|this\s+is)\s+(?:unclear|not\s+clear|uncertain|unknown|not\s+known)\b|\b(?:cannot|can't|could\s+not|couldn't)\s+be\s+(?:determined|confirmed|verified|found|ascertained|answered)\b|\b(?:unable|impossible|not\s+possible)\s+to\s+(?:determine|confirm|say|verify|tell|ascertain|answer)\b`),
    example: "It is unclear whether the fund charges a performance fee.",
  },
  {
    id: "cannot-help-or-say",
    family: "unable",
    keywords: ["cannot", "can", "could", "n't", "able", "unable", "only"],
    pattern: rx(String.raw`\b(?:I|we)\s+(?:can't|cannot|can\s+not|couldn't|could\s+not|won't\s+be\s+able\s+to|(?:'m|am|are|'re)\s+(?:unable|not\s+able)\s+to)\s+(?:really\s+)?(?:put|tell|say|help|send|link|rule|recommend|advise|summari[sz]e|quote|compare|guess|speculate|email|forward|connect|point|give\s+you)\b|\bI(?:'m|\s+am)?\s+(?:can\s+)?only\s+(?:set\s+up\s+|able\s+|here\s+|designed\s+|trained\s+)?(?:to\s+)?(?:help|answer|assist|respond|discuss)\b`),
    example: "I can't put a number on that.",
  },
  {
    id: "wont-guess",
    family: "unable",
    keywords: ["want", "unsure", "uncertain"],
    pattern: rx(String.raw`\b(?:I|we)\s+(?:wouldn't|would\s+not|don't|do\s+not)\s+want\s+to\s+(?:guess|speculate|assume)\b|\b(?:I|we)(?:'m|'re|\s+am|\s+are)\s+(?:unsure|uncertain)\b`),
    example: "I wouldn't want to speculate.",
  },
  {
    id: "got-nothing",
    family: "unable",
    keywords: ["nothing", "got", "n't", "not"],
    pattern: rx(String.raw`\b(?:I|we)(?:'ve|\s+have)?\s+(?:got\s+)?nothing\s+(?:on|about|regarding|for|in)\b|\b(?:I|we)\s+(?:haven't|have\s+not|hasn't|wasn't|was\s+not)\s+(?:been\s+)?(?:given|provided|shown|sent|told|got)\b`),
    example: "I've got nothing on historical performance.",
  },
];

/** The user is sent elsewhere because the bot cannot answer. */
export const REFERRAL_PATTERNS: readonly HedgePattern[] = [
  {
    id: "contact-for-details",
    family: "referral",
    keywords: CONTACT_WORDS,
    pattern: rx(String.raw`\b${CONTACT}\s+${PARTY}\b[^.!?]{0,60}?\bfor\s+(?:[\w-]+\s+){0,2}?(?:details|information|specifics|clarification|confirmation|an\s+answer|the\s+answer|guidance|this|that)\b`),
    example: "Contact the fund manager for details.",
  },
  {
    id: "advised-to-contact",
    family: "referral",
    keywords: CONTACT_WORDS,
    pattern: rx(String.raw`\b(?:you\s+(?:would|will|may|might)\s+need\s+to|you(?:'d|'ll)\s+need\s+to|you\s+should|(?:I|we)\s+(?:would\s+)?(?:recommend|suggest|advise)(?:\s+that\s+you)?|(?:it\s+is|it's|it\s+would\s+be)\s+(?:best|advisable|recommended)\s+to|please)\s+${CONTACT}\s+${PARTY}\b`),
    example: "Please reach out to the support team.",
  },
  {
    id: "need-to-check",
    family: "referral",
    keywords: ["need", "have"],
    pattern: rx(String.raw`\byou(?:\s+would|\s+will|\s+may|\s+might|'d|'ll)?\s+(?:need|have)\s+to\s+(?:refer\s+to|check|consult|review|access|contact|look\s+(?:at|into)|read|see|reach\s+out|request|obtain)\b`),
    example: "You would need to access the FAQ document directly.",
  },
  {
    id: "refer-for-this",
    family: "referral",
    keywords: ["this", "that", "these", "those", "such"],
    pattern: rx(String.raw`\b${REFER}\b[^.!?]{0,80}?\bfor\s+(?:this|that|these|those|such)\s+(?:information|info|details?|specifics|data|question)\b|\bfor\s+(?:this|that)\s+(?:information|detail|question),?\s+(?:please\s+)?(?:refer|check|consult|see|review|contact)\b`),
    example: "Please check the deal documents for this information.",
  },
  {
    id: "suggest-asking",
    family: "referral",
    keywords: [...CONTACT_WORDS, "consult", "consulting", "check", "checking", "raise", "raising", "put", "putting", "request"],
    pattern: rx(String.raw`\b(?:please|you(?:'d|'ll|\s+would|\s+could|\s+can|\s+may|\s+might|\s+should|\s+will)?|I'd|I\s+would|worth|best|recommend|suggest)\b[^.!?]{0,40}?\b(?:ask(?:ing)?|consult(?:ing)?|check(?:ing)?(?:\s+(?:that|this|it))?\s+with|speak(?:ing)?\s+(?:to|with)|talk(?:ing)?\s+to|rais(?:e|ing)\s+(?:that\s+|this\s+|it\s+)?with|put(?:ting)?\s+(?:that|this|the)\s+(?:question\s+)?to|get(?:ting)?\s+in\s+touch\s+with|contact(?:ing)?|reach(?:ing)?\s+out\s+to|request\s+it\s+from)\s+(?:[\w'-]+\s+){0,3}?${PARTY_WORD}\b`),
    example: "You could ask the fund manager.",
  },
  {
    id: "party-can-answer",
    family: "referral",
    keywords: ["will", "would", "can", "could", "should", "may", "right", "best", "correct", "placed"],
    pattern: rx(String.raw`\b${PARTY_WORD}\b(?:\s+[\w'-]+){0,3}?\s+(?:will|would|can|could|should|may)\s+(?:be\s+(?:able|happy)\s+to\s+)?(?:know|tell\s+you|confirm|explain|help|answer|advise|sort|point\s+you|clarify)\b|\b(?:right|best|correct)\s+(?:person|people|place|team|contact)\s+to\s+(?:ask|contact|speak\s+to)\b|\bbest\s+placed\s+to\s+(?:answer|help|confirm|advise)\b`),
    example: "The Cur8 team can confirm the charges.",
  },
  {
    id: "question-for-someone",
    family: "referral",
    keywords: ["one", "question", "best", "better", "bet", "route", "option", "worth"],
    pattern: rx(String.raw`\b(?:that's|that\s+is|this\s+is|it's|it\s+is)\s+(?:one|a\s+question)\s+for\b|\b(?:best|better)\s+(?:raised|asked|put|directed)\s+(?:with|to)\b|\byour\s+best\s+(?:bet|route|option)\s+is\b|\bworth\s+asking\b`),
    example: "That's a question for the support team.",
  },
];

/** The specifics of a named topic are deferred to a document (partial answers). */
export const DEFERRAL_PATTERNS: readonly HedgePattern[] = [
  {
    id: "for-specifics-on-topic",
    family: "deferral",
    keywords: SPECIFIC_WORDS,
    pattern: rx(String.raw`\bfor\s+(?:(?:more|further|additional|the|any)\s+)?(?:specific|specifics|precise|exact|detailed|particular)\s+(?:details?|information|info|specifics|criteria|breakdown|figures|numbers|insights?)\s+(?:about|on|regarding|concerning|related\s+to|relating\s+to|around|as\s+to)\s+[^,.;!?]{2,}?,?\s+(?:(?:you\s+(?:may|might|can|could|should|would|will)|it\s+(?:would|may|might)\s+be\s+(?:best|helpful|advisable|useful)\s+to|it\s+is\s+(?:best|advisable|recommended)\s+to|please|I\s+(?:would\s+)?(?:recommend|suggest))\s+)?(?:(?:want|wish|need)\s+to\s+)?${REFER}`),
    example: "For specific details on how these tax benefits work, you may want to refer to the Tax Guide.",
  },
  {
    id: "refer-for-specifics-on-topic",
    family: "deferral",
    keywords: SPECIFIC_WORDS,
    pattern: rx(String.raw`\b${REFER}\s+(?:[\w-]+\s+){0,5}?${DOC}\s+for\s+(?:(?:more|further|additional|the|any)\s+)?(?:specific|specifics|precise|exact|detailed|particular)\s+(?:details?|information|info|specifics|criteria|breakdown|figures|numbers)\s+(?:about|on|regarding|concerning|related\s+to|relating\s+to|around|as\s+to)\s+\w`),
    example: "Review the full deal documentation for more specific details on risks.",
  },
];

/** All hedge patterns, in the order they are tried. */
export const HEDGE_PATTERNS: readonly HedgePattern[] = [
  ...UNAVAILABLE_PATTERNS,
  ...UNABLE_PATTERNS,
  ...REFERRAL_PATTERNS,
  ...DEFERRAL_PATTERNS,
];

/** What introduces a suggestion to the user: "you may want to", "please", "it is advisable to", "For more details,". */
const SUGGEST = String.raw`(?:you\s+(?:may|might|can|could|should|would|will)(?:\s+(?:also|first))?\s+(?:(?:want|wish|need|like)\s+to\s+)?|please\s+|kindly\s+|(?:it\s+(?:would|may|might|could)\s+be|it\s+is|it's)\s+(?:best|helpful|advisable|useful|recommended|worth|a\s+good\s+idea)\s+(?:to\s+)?|(?:I|we)\s+(?:would\s+)?(?:recommend|suggest|advise|encourage\s+you\s+to)\s+|consider\s+|\bfor\s+(?:more|further|additional|detailed|specific|precise|comprehensive|complete|full|the\s+most)\b[^.!?]{0,80}?,\s*(?:you\s+\w+\s+(?:\w+\s+to\s+)?|it\s+\w+\s+be\s+\w+\s+to\s+)?)`;

const REFER_WORDS = ["refer", "referring", "check", "checking", "consult", "consulting", "review", "reviewing", "see", "look", "looking", "explore", "read", "reading", "access", "accessing", "visit", "visiting"];
/** Prefilters of COURTESY_REFERRAL_PATTERNS, index for index (see HedgePattern.keywords). */
const COURTESY_KEYWORDS: readonly (readonly string[])[] = [REFER_WORDS, REFER_WORDS, ["please"], CONTACT_WORDS];

/** A referral of any kind (courtesy included): "you may want to refer to the deal documents". */
export const COURTESY_REFERRAL_PATTERNS: readonly RegExp[] = [
  rx(String.raw`${SUGGEST}${REFER}\b[^.!?]{0,60}?\b${DOC}\b`),
  rx(String.raw`\b${REFER}\b[^.!?]{0,60}?\b${DOC}\b[^.!?]{0,30}?\bfor\s+(?:more|further|additional|detailed|specific|comprehensive|precise|full|a\s+comprehensive|the\s+full)\b`),
  rx(String.raw`\bplease\s+(?:refer|see|check|consult|review)\b`),
  rx(String.raw`\b${CONTACT}\s+${PARTY}\b`),
];

/** Generic statements that do not answer about this deal ("typically", "generally"). */
const FILLER_RE = rx(
  String.raw`\b(?:typically|generally|usually|often|commonly|in\s+general|normally|tends?\s+to|likely)\b|^(?:these|this|the|such)\s+(?:documents?|resources?|reports?|materials?)\s+(?:can|may|might|will|should|could)\s+(?:provide|offer|give|help)`,
);

/** Clause boundaries: sentence ends, newlines, "..., but", "; however". */
const CLAUSE_BOUNDARY_RE = /[.!?]+(?=\s|$)|\n+|,\s*(?:but|however|although|though|yet|whereas)\b|;|\s+but\s+|\bhowever\b,?/gi;

interface Span {
  start: number;
  end: number;
}

/** Global copies of the patterns, to collect every match span in one pass each. */
const HEDGE_GLOBAL = HEDGE_PATTERNS.map((p) => new RegExp(p.pattern.source, "gi"));
const COURTESY_GLOBAL = COURTESY_REFERRAL_PATTERNS.map((re) => new RegExp(re.source, "gi"));

const HEDGE_KEYWORDS = HEDGE_PATTERNS.map((p) => p.keywords);

/** One scan finds every prefilter keyword present (longest first, so "cannot" wins over "can"). */
const KEYWORD_RE = new RegExp(
  String.raw`\b(?:${[...new Set([...HEDGE_KEYWORDS, ...COURTESY_KEYWORDS].flat())]
    .filter((k) => k !== "n't")
    .sort((x, y) => y.length - x.length)
    .map((k) => k.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
    .join("|")})\b|n't`,
  "gi",
);

/** The prefilter keywords present in the answer (lower case; "n't" for any contraction). */
function wordsOf(text: string): Set<string> {
  const words = new Set<string>();
  KEYWORD_RE.lastIndex = 0;
  for (let m = KEYWORD_RE.exec(text); m !== null; m = KEYWORD_RE.exec(text)) words.add(m[0].toLowerCase());
  return words;
}

function hasAnyKeyword(words: ReadonlySet<string>, keywords: readonly string[]): boolean {
  for (let i = 0; i < keywords.length; i++) if (words.has(keywords[i]!)) return true;
  return false;
}

/** Words in text[from, to): runs of non-space characters. */
function countWords(text: string, from: number, to: number, atLeast: number): number {
  let words = 0;
  let inWord = false;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    const space = c === 32 || c === 10 || c === 9 || c === 13;
    if (!space && !inWord && ++words >= atLeast) return words;
    inWord = !space;
  }
  return words;
}

function collect(
  res: readonly RegExp[],
  keywords: readonly (readonly string[])[],
  text: string,
  words: ReadonlySet<string>,
  into: Span[],
): number {
  let firstPattern = -1;
  for (let i = 0; i < res.length; i++) {
    if (!hasAnyKeyword(words, keywords[i]!)) continue;
    const re = res[i]!;
    re.lastIndex = 0;
    for (let m = re.exec(text); m !== null; m = re.exec(text)) {
      if (firstPattern === -1) firstPattern = i;
      into.push({ start: m.index, end: m.index + m[0].length });
      if (m[0].length === 0) re.lastIndex++;
    }
  }
  return firstPattern;
}

/**
 * True when some clause answers something: at least four words, not generic
 * filler, and not the clause where a hedge or referral match ends (a match
 * that starts in an earlier clause does not taint that clause).
 */
function anySubstantiveClause(text: string, spans: readonly Span[]): boolean {
  CLAUSE_BOUNDARY_RE.lastIndex = 0;
  let start = 0;
  while (start < text.length) {
    const m = CLAUSE_BOUNDARY_RE.exec(text);
    const end = m === null ? text.length : m.index + m[0].length;
    if (isSubstantiveClause(text, start, end, spans)) return true;
    if (m === null) break;
    if (m[0].length === 0) CLAUSE_BOUNDARY_RE.lastIndex++;
    start = end;
  }
  return false;
}

function isSubstantiveClause(text: string, start: number, end: number, spans: readonly Span[]): boolean {
  if (countWords(text, start, end, 4) < 4) return false; // cheap necessary condition
  for (const s of spans) if (s.end > start && s.end <= end) return false;
  const clause = text.slice(start, end).trim().replace(LIST_MARKER_RE, "");
  return countWords(clause, 0, clause.length, 4) >= 4 && !FILLER_RE.test(clause);
}

const LIST_MARKER_RE = /^[-*•\d.)\s]+/;

function normalizeAnswer(answer: string): string {
  return answer.replace(/[\u2018\u2019\u02BC]/g, "'");
}

/** True when some clause of the answer answers something (see the module comment). */
export function hasSubstantiveContent(answer: string): boolean {
  const text = normalizeAnswer(answer);
  const words = wordsOf(text);
  const spans: Span[] = [];
  collect(HEDGE_GLOBAL, HEDGE_KEYWORDS, text, words, spans);
  collect(COURTESY_GLOBAL, COURTESY_KEYWORDS, text, words, spans);
  return anySubstantiveClause(text, spans);
}

/** Detects whether a bot answer hedges (says the information is not available), and whether only partly. */
export function detectHedge(answer: string): HedgeResult {
  const text = normalizeAnswer(answer);
  const words = wordsOf(text);
  const spans: Span[] = [];
  const first = collect(HEDGE_GLOBAL, HEDGE_KEYWORDS, text, words, spans);
  const hedgeSpans = spans.length;
  const courtesyReferral = collect(COURTESY_GLOBAL, COURTESY_KEYWORDS, text, words, spans) !== -1;
  if (first !== -1) {
    const pattern = HEDGE_PATTERNS[first]!;
    const m = pattern.pattern.exec(text);
    return {
      hedged: true,
      partial: anySubstantiveClause(text, spans),
      matched: m ? m[0].replace(/\s+/g, " ").trim() : null,
      family: pattern.family,
      courtesyReferral,
    };
  }
  if (courtesyReferral && !anySubstantiveClause(text, spans)) {
    const s = spans[hedgeSpans]!;
    return {
      hedged: true,
      partial: false,
      matched: text.slice(s.start, s.end).replace(/\s+/g, " ").trim(),
      family: "referral-only",
      courtesyReferral,
    };
  }
  return { hedged: false, partial: false, matched: null, family: null, courtesyReferral };
}
