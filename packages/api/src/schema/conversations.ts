import { readConversations } from "@log-insights/store";
import { builder } from "./builder";
import { connectionType, pageShape } from "./connection";
import { pageArgs, QuestionFilter, range, rangeArgs, toFilter } from "./inputs";
import { BotQuestionRef, ConversationRef } from "./refs";

ConversationRef.implement({
  authScopes: { role: "support" },
  description: "One user's questions about one deal, less than 30 minutes apart.",
  fields: (t) => ({
    id: t.exposeID("id"),
    userId: t.exposeInt("userId", { nullable: true }),
    dealId: t.exposeString("dealId", { nullable: true }),
    startedAt: t.field({ type: "DateTime", resolve: (c) => c.startedAtMs }),
    endedAt: t.field({ type: "DateTime", resolve: (c) => c.endedAtMs }),
    questionCount: t.exposeInt("questionCount"),
    problemCount: t.exposeInt("problemCount", { description: "Questions with at least one problem signal." }),
    firstQuestion: t.exposeString("firstQuestion", { nullable: true, description: "The opening question." }),
    questions: t.field({
      type: [BotQuestionRef],
      description: "The questions with their answers, in the order they were asked (recorded in the audit log as a view of the conversation).",
      resolve: async (c, _args, ctx) => {
        await ctx.recordView("view_conversation", c.id, { userId: c.userId, dealId: c.dealId });
        return c.questions ?? (await ctx.loaders.conversation.load(c.id))?.questions ?? [];
      },
    }),
  }),
});

const ConversationConnection = connectionType("Conversation", ConversationRef, "A page of conversations, newest first.");

builder.queryFields((t) => ({
  conversations: t.field({
    authScopes: { role: "support" },
    type: ConversationConnection,
    description: "Conversations started in a range, newest first. userId and dealId filter the conversation; other filters keep conversations with at least one matching question.",
    args: { ...rangeArgs(t.arg), ...pageArgs(t.arg), filter: t.arg({ type: QuestionFilter }) },
    resolve: async (_root, args, ctx) => {
      const filter = await toFilter(args.filter, ctx);
      const page = { first: args.first, after: args.after };
      const result = await ctx.cache.get("conversations", { from: args.from, to: args.to, filter, page }, () =>
        readConversations(ctx.db, range(args), filter, page));
      return pageShape(result, args.after);
    },
  }),
  conversation: t.field({
    authScopes: { role: "support" },
    type: ConversationRef,
    nullable: true,
    description: "One conversation with its questions and answers in order; null when there is none with this id.",
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, args, ctx) => {
      await ctx.recordView("view_conversation", String(args.id));
      return ctx.loaders.conversation.load(String(args.id));
    },
  }),
}));
