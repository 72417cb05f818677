import type { ArgBuilder, ObjectFieldBuilder } from "@pothos/core";
import {
  readBreakdown, readOtherTopics, readOverview, readQuestionCounts, readResponseTimes,
  type BreakdownRow, type OtherTopic, type CountBucket, type LatencyBucket, type LatencySummary, type Overview, type OverviewPeriod,
} from "@log-insights/store";
import { TOPICS_BY_ID, type Interval, type TopicId } from "@log-insights/logs";
import type { Types } from "./builder";
import { builder } from "./builder";
import { Dimension, Interval as IntervalEnum } from "./enums";
import { checkTimeZone, QuestionFilter, range, rangeArgs, toFilter } from "./inputs";

/** The arguments of a time series (questionCounts, responseTimes): a range, buckets in a time zone, a filter. */
function seriesArgs(arg: ArgBuilder<Types>) {
  return {
    ...rangeArgs(arg),
    interval: arg({ type: IntervalEnum, required: true }),
    timeZone: arg.string({ defaultValue: "UTC", description: "IANA time zone for day, week and month boundaries." }),
    filter: arg({ type: QuestionFilter }),
  };
}

async function seriesOf(args: Parameters<typeof range>[0] & { interval: Interval; timeZone?: string | null; filter?: Parameters<typeof toFilter>[0] }, ctx: Parameters<typeof toFilter>[1]) {
  return { series: { ...range(args), interval: args.interval, timeZone: args.timeZone ?? "UTC" }, filter: await toFilter(args.filter, ctx) };
}

// Headline numbers, time series and breakdowns: Query.overview,
// questionCounts, responseTimes, topics, breakdown.

export const LatencySummaryRef = builder.objectRef<LatencySummary>("LatencySummary").implement({
  authScopes: { role: "viewer" },
  description: "The bot's answer times (processingTimeMs) in milliseconds; percentiles within 2% (4% histogram bins). Null when no answer had a time.",
  fields: (t) => ({
    count: t.exposeInt("count", { description: "Answers with a known time." }),
    mean: t.exposeFloat("mean", { nullable: true }),
    p50: t.exposeFloat("p50", { nullable: true }),
    p90: t.exposeFloat("p90", { nullable: true }),
    p95: t.exposeFloat("p95", { nullable: true }),
    p99: t.exposeFloat("p99", { nullable: true }),
  }),
});

function periodFields<P extends OverviewPeriod>(t: ObjectFieldBuilder<Types, P>) {
  return {
    from: t.field({ type: "DateTime", resolve: (p) => p.fromMs }),
    to: t.field({ type: "DateTime", resolve: (p) => p.toMs }),
    questions: t.int({ resolve: (p) => p.questions }),
    users: t.int({ description: "Distinct users who asked.", resolve: (p) => p.users }),
    conversations: t.int({ description: "Conversations started in the period.", resolve: (p) => p.conversations }),
    answered: t.int({ resolve: (p) => p.answered }),
    hedged: t.int({ resolve: (p) => p.hedged }),
    failed: t.int({ resolve: (p) => p.failed }),
    unfinished: t.int({ resolve: (p) => p.unfinished }),
    partial: t.int({ description: "Partly answered (counted in hedged).", resolve: (p) => p.partial }),
    noDocuments: t.int({ resolve: (p) => p.noDocuments }),
    slow: t.int({ resolve: (p) => p.slow }),
    reasked: t.int({ resolve: (p) => p.reasked }),
    answeredRate: t.float({ nullable: true, description: "answered / questions; null with no questions.", resolve: (p) => p.answeredRate }),
    cacheHitRate: t.float({ nullable: true, description: "Of the questions whose cache lookup was logged; null when none was.", resolve: (p) => p.cacheHitRate }),
    latencyMs: t.field({ type: LatencySummaryRef, resolve: (p) => p.latencyMs }),
  };
}

export const OverviewPeriodRef = builder.objectRef<OverviewPeriod>("OverviewPeriod").implement({
  authScopes: { role: "viewer" },
  description: "Headline numbers of one period.",
  fields: (t) => periodFields(t),
});

export const OverviewRef = builder.objectRef<Overview>("Overview").implement({
  authScopes: { role: "viewer" },
  description: "Headline numbers of the range, and of the same length of time just before it (previous) for the trend.",
  fields: (t) => ({
    ...periodFields(t),
    previous: t.field({ type: OverviewPeriodRef, resolve: (o) => o.previous }),
  }),
});

export const CountBucketRef = builder.objectRef<CountBucket>("CountBucket").implement({
  authScopes: { role: "viewer" },
  description: "Questions asked in one bucket, by outcome.",
  fields: (t) => ({
    start: t.field({ type: "DateTime", description: "Start of the bucket's whole interval (its label), even when the range starts later.", resolve: (b) => b.startMs }),
    end: t.field({ type: "DateTime", resolve: (b) => b.endMs }),
    count: t.exposeInt("count"),
    answered: t.exposeInt("answered"),
    hedged: t.exposeInt("hedged"),
    failed: t.exposeInt("failed"),
    unfinished: t.exposeInt("unfinished"),
  }),
});

export const LatencyBucketRef = builder.objectRef<LatencyBucket>("LatencyBucket").implement({
  authScopes: { role: "viewer" },
  description: "The bot's answer times in one bucket, in milliseconds.",
  fields: (t) => ({
    start: t.field({ type: "DateTime", resolve: (b) => b.startMs }),
    end: t.field({ type: "DateTime", resolve: (b) => b.endMs }),
    count: t.exposeInt("count"),
    mean: t.exposeFloat("mean", { nullable: true }),
    p50: t.exposeFloat("p50", { nullable: true }),
    p90: t.exposeFloat("p90", { nullable: true }),
    p95: t.exposeFloat("p95", { nullable: true }),
    p99: t.exposeFloat("p99", { nullable: true }),
  }),
});

function rowFields<R extends BreakdownRow>(t: ObjectFieldBuilder<Types, R>) {
  return {
    count: t.int({ resolve: (p) => p.count }),
    share: t.float({ description: "Of all questions in the range matching the filter (0-1).", resolve: (p) => p.share }),
    answered: t.int({ resolve: (p) => p.answered }),
    hedged: t.int({ resolve: (p) => p.hedged }),
    failed: t.int({ resolve: (p) => p.failed }),
    unfinished: t.int({ resolve: (p) => p.unfinished }),
    previousCount: t.int({ description: "Count in the same length of time just before: the trend.", resolve: (p) => p.previousCount }),
  };
}

export const TopicCountRef = builder.objectRef<BreakdownRow>("TopicCount").implement({
  authScopes: { role: "viewer" },
  description: "Questions about one topic.",
  fields: (t) => ({
    topic: t.exposeString("value", { nullable: true, description: "The topic id (returns, fees, risk, ...); null: not classified." }),
    label: t.string({
      description: "The topic's name for people.",
      resolve: (r) => (r.value === null ? "Unclassified" : (TOPICS_BY_ID[r.value as TopicId]?.label ?? r.value)),
    }),
    ...rowFields(t),
  }),
});

export const BreakdownRowRef = builder.objectRef<BreakdownRow>("BreakdownRow").implement({
  authScopes: { role: "viewer" },
  description: "Questions with one value of a dimension.",
  fields: (t) => ({
    value: t.exposeString("value", { nullable: true, description: "The topic, fund, platform or app version; null: not known (no fund named, no platform header)." }),
    ...rowFields(t),
  }),
});

export const OtherTopicRef = builder.objectRef<OtherTopic>("OtherTopic").implement({
  authScopes: { role: "viewer" },
  description: "A theme among the questions no topic covers: clustered texts labelled by their distinctive terms.",
  fields: (t) => ({
    label: t.exposeString("label", { description: "The distinctive terms joined with \" · \" (class-based TF-IDF), or \"unclustered\"." }),
    terms: t.exposeStringList("terms"),
    count: t.exposeInt("count", { description: "Questions in the theme over the range." }),
    examples: t.exposeStringList("examples", { description: "The most asked wordings, most asked first." }),
  }),
});

builder.queryFields((t) => ({
  otherTopics: t.field({
    authScopes: { role: "viewer" },
    type: [OtherTopicRef],
    description: "What the questions the taxonomy calls \"other\" are about, largest theme first.",
    args: { ...rangeArgs(t.arg), filter: t.arg({ type: QuestionFilter }) },
    resolve: async (_root, args, ctx) => {
      const filter = await toFilter(args.filter, ctx);
      return ctx.cache.get("otherTopics", { from: args.from, to: args.to, filter }, () => readOtherTopics(ctx.db, range(args), filter));
    },
  }),
  overview: t.field({
    authScopes: { role: "viewer" },
    type: OverviewRef,
    description: "Headline numbers for a range and the period just before it.",
    args: {
      ...rangeArgs(t.arg),
      timeZone: t.arg.string({ defaultValue: "UTC", description: "IANA time zone (checked; totals do not depend on it)." }),
      filter: t.arg({ type: QuestionFilter }),
    },
    resolve: async (_root, args, ctx) => {
      checkTimeZone(args.timeZone ?? "UTC");
      const filter = await toFilter(args.filter, ctx);
      return ctx.cache.get("overview", { from: args.from, to: args.to, filter }, () => readOverview(ctx.db, range(args), filter));
    },
  }),
  questionCounts: t.field({
    authScopes: { role: "viewer" },
    type: [CountBucketRef],
    description: "Questions per hour, day, week or month in a time zone; every bucket present (zero-filled).",
    args: seriesArgs(t.arg),
    resolve: async (_root, args, ctx) => {
      const { series, filter } = await seriesOf(args, ctx);
      return ctx.cache.get("questionCounts", { ...series, filter }, () => readQuestionCounts(ctx.db, series, filter));
    },
  }),
  responseTimes: t.field({
    authScopes: { role: "viewer" },
    type: [LatencyBucketRef],
    description: "The bot's answer times per bucket: count, mean and percentiles; zero-filled.",
    args: seriesArgs(t.arg),
    resolve: async (_root, args, ctx) => {
      const { series, filter } = await seriesOf(args, ctx);
      return ctx.cache.get("responseTimes", { ...series, filter }, () => readResponseTimes(ctx.db, series, filter));
    },
  }),
  topics: t.field({
    authScopes: { role: "viewer" },
    type: [TopicCountRef],
    description: "Questions by topic, most asked first, with the previous period's count.",
    args: { ...rangeArgs(t.arg), filter: t.arg({ type: QuestionFilter }) },
    resolve: async (_root, args, ctx) => {
      const filter = await toFilter(args.filter, ctx);
      return ctx.cache.get("breakdown", { dimension: "topic", from: args.from, to: args.to, filter }, () => readBreakdown(ctx.db, "topic", range(args), filter));
    },
  }),
  breakdown: t.field({
    authScopes: { role: "viewer" },
    type: [BreakdownRowRef],
    description: "Questions by topic, fund, platform or app version, most asked first, with the previous period's count.",
    args: { dimension: t.arg({ type: Dimension, required: true }), ...rangeArgs(t.arg), filter: t.arg({ type: QuestionFilter }) },
    resolve: async (_root, args, ctx) => {
      const filter = await toFilter(args.filter, ctx);
      return ctx.cache.get("breakdown", { dimension: args.dimension, from: args.from, to: args.to, filter }, () =>
        readBreakdown(ctx.db, args.dimension, range(args), filter));
    },
  }),
}));
