import {
  readCommonQuestions, readKnowledgeGaps, readProblemQuestions, searchQuestions,
  type BotQuestion, type KnowledgeGap, type QuestionGroupRow,
} from "@log-insights/store";
import { builder } from "./builder";
import { connectionType, pageShape } from "./connection";
import { Outcome, ProblemKind, Signal } from "./enums";
import { optionalRangeArgs, pageArgs, QuestionFilter, range, rangeArgs, toFilter } from "./inputs";
import { BotQuestionRef, ConversationRef, LogEntryRef } from "./refs";

// Questions: the drill-downs (problem questions, search, one question),
// common questions and knowledge gaps.

BotQuestionRef.implement({
  authScopes: { role: "viewer" },
  description: "One question to the deal bot, with its answer and what went wrong (secrets were removed at ingest).",
  fields: (t) => ({
    id: t.exposeID("id"),
    askedAt: t.field({ type: "DateTime", resolve: (q) => q.askedAtMs }),
    answeredAt: t.field({ type: "DateTime", nullable: true, resolve: (q) => q.answeredAtMs }),
    userId: t.exposeInt("userId", { nullable: true, authScopes: { role: "support" }, description: "The investor (support and admin only)." }),
    dealId: t.exposeString("dealId", { nullable: true }),
    fund: t.exposeString("fund", { nullable: true, description: "The fund named in the question (assigned at ingest)." }),
    topic: t.exposeString("topic", { nullable: true }),
    text: t.exposeString("text", { description: "The question." }),
    answer: t.exposeString("answer", { nullable: true, authScopes: { role: "support" }, description: "The bot's answer (support and admin only)." }),
    outcome: t.field({ type: Outcome, resolve: (q) => q.outcome }),
    signals: t.field({ type: [Signal], description: "Satisfaction signals, worst first; empty when nothing went wrong.", resolve: (q) => q.signals }),
    reason: t.exposeString("reason", { nullable: true, description: "The worst signal in one plain sentence; null when nothing went wrong." }),
    attention: t.exposeFloat("attention", { description: "How much the question needs attention (the worst signal's weight plus a tenth of the others'); 0 when fine." }),
    latencyMs: t.exposeInt("latencyMs", { nullable: true, description: "The bot's own processingTimeMs." }),
    cacheHit: t.exposeBoolean("cacheHit", { nullable: true }),
    documentCount: t.exposeInt("documentCount", { nullable: true }),
    conversationId: t.exposeID("conversationId", { nullable: true, authScopes: { role: "support" } }),
    platform: t.exposeString("platform", { nullable: true }),
    appVersion: t.exposeString("appVersion", { nullable: true }),
    errorMessage: t.exposeString("errorMessage", { nullable: true }),
    model: t.exposeString("model", { nullable: true }),
    conversation: t.field({
      type: ConversationRef,
      nullable: true,
      authScopes: { role: "support" },
      description: "The conversation the question belongs to.",
      resolve: (q, _args, ctx) => (q.conversationId === null ? null : ctx.loaders.conversation.load(q.conversationId)),
    }),
    logEntries: t.field({
      type: [LogEntryRef],
      nullable: true,
      authScopes: { role: "admin" },
      description: "The log lines the question was rebuilt from, in file order (secrets removed; admin only, and recorded in the audit log).",
      resolve: async (q, _args, ctx) => {
        await ctx.recordView("view_log_lines", `question:${q.id}`);
        return ctx.loaders.questionEntries.load(q.id);
      },
    }),
  }),
});

const BotQuestionConnection = connectionType<BotQuestion, { terms?: string[] }>(
  "BotQuestion",
  BotQuestionRef,
  "A page of questions.",
  (t) => ({
    searchTerms: t.field({
      type: ["String"],
      nullable: true,
      description: "searchQuestions only: the words searched for, to highlight matches.",
      resolve: (page) => page.terms ?? null,
    }),
  }),
);

const QuestionGroupRef = builder.objectRef<QuestionGroupRow>("QuestionGroup").implement({
  authScopes: { role: "viewer" },
  description: "Near-duplicate questions counted together.",
  fields: (t) => ({
    id: t.exposeID("id"),
    text: t.exposeString("text", { description: "The group's most asked wording." }),
    count: t.exposeInt("count"),
    share: t.exposeFloat("share", { description: "Of all questions in the range matching the filter (0-1)." }),
    hedged: t.exposeInt("hedged"),
    firstAskedAt: t.field({ type: "DateTime", resolve: (g) => g.firstAskedAtMs }),
    lastAskedAt: t.field({ type: "DateTime", resolve: (g) => g.lastAskedAtMs }),
    previousCount: t.exposeInt("previousCount", { description: "Count in the same length of time just before: the trend." }),
  }),
});

const QuestionGroupConnection = connectionType("QuestionGroup", QuestionGroupRef, "A page of common questions, most asked first.");

type Example = KnowledgeGap["examples"][number];

const KnowledgeGapExampleRef = builder.objectRef<Example>("KnowledgeGapExample").implement({
  authScopes: { role: "viewer" },
  description: "A recent hedged question of a knowledge gap.",
  fields: (t) => ({
    id: t.exposeID("id"),
    text: t.exposeString("text"),
    askedAt: t.field({ type: "DateTime", resolve: (e) => e.askedAtMs }),
    question: t.field({ type: BotQuestionRef, nullable: true, resolve: (e, _args, ctx) => ctx.loaders.question.load(e.id) }),
  }),
});

const KnowledgeGapRef = builder.objectRef<KnowledgeGap>("KnowledgeGap").implement({
  authScopes: { role: "viewer" },
  description: "A fund and topic the bot could not answer from the deal documents: what the deals team should add.",
  fields: (t) => ({
    id: t.exposeID("id"),
    fund: t.exposeString("fund", { nullable: true }),
    topic: t.exposeString("topic", { nullable: true }),
    topicLabel: t.exposeString("topicLabel"),
    hedged: t.exposeInt("hedged", { description: "Hedged answers, partial ones included." }),
    partial: t.exposeInt("partial"),
    questions: t.exposeInt("questions", { description: "All questions about this fund and topic." }),
    hedgedShare: t.exposeFloat("hedgedShare"),
    lastAskedAt: t.field({ type: "DateTime", nullable: true, resolve: (g) => g.lastAskedAtMs }),
    examples: t.field({ type: [KnowledgeGapExampleRef], description: "The latest hedged questions, newest first.", resolve: (g) => g.examples }),
    summary: t.exposeString("summary", { description: "One sentence for the deals team." }),
  }),
});

const KnowledgeGapConnection = connectionType("KnowledgeGap", KnowledgeGapRef, "A page of knowledge gaps, most hedged first.");

/**
 * The keyset cursor of a gap. The reader returns only the page's endCursor;
 * edges need one each, so this mirrors its format (base64url of [hedged,
 * fund, topic]); a test checks that the last edge's cursor is the reader's endCursor.
 */
export function knowledgeGapCursor(g: Pick<KnowledgeGap, "hedged" | "fund" | "topic">): string {
  return Buffer.from(JSON.stringify([g.hedged, g.fund, g.topic])).toString("base64url");
}

builder.queryFields((t) => ({
  problemQuestions: t.field({
    authScopes: { role: "viewer" },
    type: BotQuestionConnection,
    description: "Questions with at least one of `kinds` (default: every kind), worst first (attention, then newest).",
    args: { ...rangeArgs(t.arg), kinds: t.arg({ type: [ProblemKind] }), ...pageArgs(t.arg), filter: t.arg({ type: QuestionFilter }) },
    resolve: async (_root, args, ctx) => {
      const filter = await toFilter(args.filter, ctx);
      const kinds = args.kinds ?? null;
      const page = { first: args.first, after: args.after };
      const result = await ctx.cache.get("problemQuestions", { from: args.from, to: args.to, kinds, filter, page }, () =>
        readProblemQuestions(ctx.db, range(args), kinds, filter, page));
      return pageShape(result, args.after);
    },
  }),
  searchQuestions: t.field({
    authScopes: { role: "viewer" },
    type: BotQuestionConnection,
    description: "Questions whose question or answer matches the text (words, stemmed; or the literal text in the question), newest first. The range defaults to the last year.",
    args: { text: t.arg.string({ required: true, description: "At most 200 characters." }), ...optionalRangeArgs(t.arg), ...pageArgs(t.arg), filter: t.arg({ type: QuestionFilter }) },
    resolve: async (_root, args, ctx) => {
      const filter = await toFilter(args.filter, ctx);
      const page = { first: args.first, after: args.after };
      const r = { ...(args.from != null ? { fromMs: args.from } : {}), ...(args.to != null ? { toMs: args.to } : {}) };
      const result = await ctx.cache.get("searchQuestions", { text: args.text, ...r, filter, page }, () =>
        searchQuestions(ctx.db, args.text, r, filter, page));
      return { ...pageShape(result, args.after), terms: result.terms };
    },
  }),
  question: t.field({
    authScopes: { role: "viewer" },
    type: BotQuestionRef,
    nullable: true,
    description: "One question, with its log entries; null when there is none with this id.",
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) => ctx.loaders.question.load(String(args.id)),
  }),
  commonQuestions: t.field({
    authScopes: { role: "viewer" },
    type: QuestionGroupConnection,
    description: "Common questions: near-duplicates counted together, most asked first.",
    args: { ...rangeArgs(t.arg), ...pageArgs(t.arg), filter: t.arg({ type: QuestionFilter }) },
    resolve: async (_root, args, ctx) => {
      const filter = await toFilter(args.filter, ctx);
      const page = { first: args.first, after: args.after };
      const result = await ctx.cache.get("commonQuestions", { from: args.from, to: args.to, filter, page }, () =>
        readCommonQuestions(ctx.db, range(args), filter, page));
      return pageShape(result, args.after);
    },
  }),
  knowledgeGaps: t.field({
    authScopes: { role: "viewer" },
    type: KnowledgeGapConnection,
    description: "Hedged answers grouped by fund and topic, most frequent first.",
    args: { ...rangeArgs(t.arg), ...pageArgs(t.arg) },
    resolve: async (_root, args, ctx) => {
      const page = { first: args.first, after: args.after };
      const result = await ctx.cache.get("knowledgeGaps", { from: args.from, to: args.to, page }, () => readKnowledgeGaps(ctx.db, range(args), page));
      return pageShape(
        {
          nodes: result.gaps.map((g) => ({ cursor: knowledgeGapCursor(g), node: g })),
          totalCount: result.totalCount,
          endCursor: result.endCursor,
          hasNextPage: result.hasNextPage,
        },
        args.after,
      );
    },
  }),
}));
