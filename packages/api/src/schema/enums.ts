import { builder } from "./builder";

export const Interval = builder.enumType("Interval", {
  description: "Width of a time bucket; day, week (starting Monday) and month follow the asked time zone.",
  values: { HOUR: { value: "hour" }, DAY: { value: "day" }, WEEK: { value: "week" }, MONTH: { value: "month" } } as const,
});

export const Outcome = builder.enumType("Outcome", {
  description: "How a question ended: answered; hedged (the documents did not say; partial answers included); failed (an error); unfinished (no outcome logged).",
  values: { ANSWERED: { value: "answered" }, HEDGED: { value: "hedged" }, FAILED: { value: "failed" }, UNFINISHED: { value: "unfinished" } } as const,
});

export const ProblemKind = builder.enumType("ProblemKind", {
  description: "What went wrong with a question.",
  values: {
    FAILED: { value: "failed" },
    UNFINISHED: { value: "unfinished" },
    HEDGED: { value: "hedged" },
    NO_DOCUMENTS: { value: "no_documents" },
    SLOW: { value: "slow" },
    REASKED: { value: "reasked" },
  } as const,
});

export const Signal = builder.enumType("Signal", {
  description: "A question's satisfaction signals, worst first in BotQuestion.signals.",
  values: {
    FAILED: { value: "failed" },
    UNFINISHED: { value: "unfinished" },
    REASKED: { value: "reasked" },
    HEDGED: { value: "hedged" },
    NO_DOCUMENTS: { value: "no_documents" },
    PARTIAL: { value: "partial" },
    SLOW: { value: "slow" },
  } as const,
});

export const Dimension = builder.enumType("Dimension", {
  description: "What to break questions down by.",
  values: { TOPIC: { value: "topic" }, FUND: { value: "fund" }, PLATFORM: { value: "platform" }, APP_VERSION: { value: "appVersion" } } as const,
});
