import type { BotQuestion, ConversationSummary, LogEntry } from "@log-insights/store";
import { builder } from "./builder";

// Types that refer to each other (a question's conversation, a
// conversation's questions, a question's log entries), declared here and
// implemented in their modules.

export const BotQuestionRef = builder.objectRef<BotQuestion>("BotQuestion");
/** A conversation as listed (summary) or read whole (with its questions). */
export const ConversationRef = builder.objectRef<ConversationSummary & { questions?: BotQuestion[] }>("Conversation");
export const LogEntryRef = builder.objectRef<LogEntry>("LogEntry");
