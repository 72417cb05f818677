import type { ArgBuilder } from "@pothos/core";
import type { QuestionFilter as StoreFilter, TimeRange } from "@log-insights/store";
import { roleIncludes } from "@log-insights/auth";
import type { ApiContext } from "../context";
import { apiError } from "../errors";
import type { Types } from "./builder";
import { builder } from "./builder";
import { Outcome } from "./enums";

export const QuestionFilter = builder.inputType("QuestionFilter", {
  description: "Narrows questions; absent or null fields do not filter. Strings match exactly.",
  fields: (t) => ({
    userId: t.int(),
    dealId: t.string(),
    fund: t.string(),
    topic: t.string(),
    platform: t.string(),
    appVersion: t.string(),
    outcomes: t.field({ type: [Outcome] }),
  }),
});

export type FilterArg = {
  userId?: number | null;
  dealId?: string | null;
  fund?: string | null;
  topic?: string | null;
  platform?: string | null;
  appVersion?: string | null;
  outcomes?: readonly ("answered" | "hedged" | "failed" | "unfinished")[] | null;
} | null | undefined;

/**
 * The filter as readers take it (they validate it: BAD_FILTER). A filter on
 * one investor (userId) needs the support role and is recorded in the audit
 * log as a view of that investor's questions, before anything is read.
 */
export async function toFilter(f: FilterArg, ctx: Pick<ApiContext, "principal" | "recordView">): Promise<StoreFilter> {
  if (!f) return {};
  if (f.userId !== undefined && f.userId !== null) {
    if (ctx.principal.kind === "anonymous" || !roleIncludes(ctx.principal.role, "support")) {
      throw apiError("FORBIDDEN", "Filtering by investor (userId) needs the support role.");
    }
    await ctx.recordView("view_user_questions", `user:${f.userId}`, { userId: f.userId, ...(f.dealId ? { dealId: f.dealId } : {}) });
  }
  const out: StoreFilter = {};
  for (const key of ["userId", "dealId", "fund", "topic", "platform", "appVersion", "outcomes"] as const) {
    const v = f[key];
    if (v !== undefined && v !== null) (out as Record<string, unknown>)[key] = v;
  }
  return out;
}

export function rangeArgs(arg: ArgBuilder<Types>) {
  return {
    from: arg({ type: "DateTime", required: true, description: "Start of the range (included)." }),
    to: arg({ type: "DateTime", required: true, description: "End of the range (excluded)." }),
  };
}

export function optionalRangeArgs(arg: ArgBuilder<Types>) {
  return {
    from: arg({ type: "DateTime", description: "Start of the range (included)." }),
    to: arg({ type: "DateTime", description: "End of the range (excluded)." }),
  };
}

export function pageArgs(arg: ArgBuilder<Types>) {
  return {
    first: arg.int({ description: "Page size: 25 when omitted, at most 100." }),
    after: arg.string({ description: "The endCursor of the previous page." }),
  };
}

export function range(args: { from: number; to: number }): TimeRange {
  return { fromMs: args.from, toMs: args.to };
}

const zones = new Map<string, boolean>();

/** Refuses a time zone that is not an IANA name this runtime knows (BAD_TIME_ZONE). */
export function checkTimeZone(timeZone: string): string {
  let ok = zones.get(timeZone);
  if (ok === undefined) {
    try {
      ok = timeZone.length <= 64 && new Intl.DateTimeFormat("en-US", { timeZone }).resolvedOptions().timeZone.length > 0;
    } catch {
      ok = false;
    }
    if (zones.size < 1_000) zones.set(timeZone, ok);
  }
  if (!ok) throw apiError("BAD_TIME_ZONE", `unknown time zone ${JSON.stringify(timeZone.slice(0, 64))} (use an IANA name such as Europe/London)`);
  return timeZone;
}
