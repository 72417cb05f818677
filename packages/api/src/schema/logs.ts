import {
  readErrorGroups, readIngestionStatus, readLogCounts, readLogEntries,
  type ErrorGroup, type IngestionStatus, type LogCountBucket, type LogEntryFilter,
} from "@log-insights/store";
import { apiError } from "../errors";
import { builder } from "./builder";
import { connectionType, pageShape } from "./connection";
import { Interval } from "./enums";
import { pageArgs, range, rangeArgs } from "./inputs";
import { LogEntryRef } from "./refs";

// Every stored log entry (not only the bot's), error groups and the ingestion state.

LogEntryRef.implement({
  authScopes: { role: "admin" },
  description: "A stored log entry, any service's (secrets were removed at ingest).",
  fields: (t) => ({
    id: t.exposeID("id", { description: "<file id>:<index in the file>." }),
    time: t.field({ type: "DateTime", resolve: (e) => e.tsMs }),
    level: t.exposeInt("level", { description: "pino level: 10 trace, 20 debug, 30 info, 40 warn, 50 error, 60 fatal." }),
    levelName: t.exposeString("levelName"),
    context: t.exposeString("context", { nullable: true }),
    message: t.exposeString("message", { nullable: true }),
    userId: t.exposeInt("userId", { nullable: true }),
    dealId: t.exposeString("dealId", { nullable: true }),
    requestId: t.exposeString("requestId", { nullable: true }),
    platform: t.exposeString("platform", { nullable: true }),
    appVersion: t.exposeString("appVersion", { nullable: true }),
    latencyMs: t.exposeInt("latencyMs", { nullable: true }),
    data: t.field({ type: "JSON", nullable: true, description: "The entry's other fields.", resolve: (e) => e.data ?? null }),
  }),
});

const LogEntryConnection = connectionType("LogEntry", LogEntryRef, "A page of log entries, newest first.");

const LogCountBucketRef = builder.objectRef<LogCountBucket>("LogCountBucket").implement({
  authScopes: { role: "admin" },
  description: "Log entries in one bucket.",
  fields: (t) => ({
    start: t.field({ type: "DateTime", resolve: (b) => b.startMs }),
    end: t.field({ type: "DateTime", resolve: (b) => b.endMs }),
    count: t.exposeInt("count"),
    errors: t.exposeInt("errors", { description: "Entries at level error (50) or above." }),
  }),
});

const ErrorGroupRef = builder.objectRef<ErrorGroup>("ErrorGroup").implement({
  authScopes: { role: "admin" },
  description: "Error entries (level 50 and above) with the same context and message.",
  fields: (t) => ({
    context: t.exposeString("context", { nullable: true }),
    message: t.exposeString("message", { nullable: true }),
    count: t.exposeInt("count"),
    firstSeenAt: t.field({ type: "DateTime", resolve: (g) => g.firstSeenMs }),
    lastSeenAt: t.field({ type: "DateTime", resolve: (g) => g.lastSeenMs }),
    sampleEntryId: t.exposeID("sampleEntryId", { description: "The latest entry of the group." }),
  }),
});

type Files = IngestionStatus["files"];
type Minute = IngestionStatus["entriesPerMinute"][number];
type FailedFile = IngestionStatus["failedFiles"][number];

const IngestFilesRef = builder.objectRef<Files>("IngestFileCounts").implement({
  authScopes: { role: "admin" },
  description: "Files in the ingest ledger by status.",
  fields: (t) => ({
    pending: t.exposeInt("pending"),
    done: t.exposeInt("done"),
    failed: t.exposeInt("failed"),
    skipped: t.exposeInt("skipped"),
  }),
});

const MinuteRef = builder.objectRef<Minute>("EntriesPerMinute").implement({
  authScopes: { role: "admin" },
  fields: (t) => ({
    start: t.field({ type: "DateTime", resolve: (m) => m.startMs }),
    count: t.exposeInt("count"),
  }),
});

const FailedFileRef = builder.objectRef<FailedFile>("FailedFile").implement({
  authScopes: { role: "admin" },
  description: "A file that could not be ingested.",
  fields: (t) => ({
    key: t.exposeString("key"),
    error: t.exposeString("error", { nullable: true }),
    attempts: t.exposeInt("attempts"),
    updatedAt: t.field({ type: "DateTime", resolve: (f) => f.updatedAtMs }),
  }),
});

const IngestionStatusRef = builder.objectRef<IngestionStatus>("IngestionStatus").implement({
  authScopes: { role: "admin" },
  description: "The ingest ledger's state, freshness and throughput.",
  fields: (t) => ({
    files: t.field({ type: IngestFilesRef, resolve: (s) => s.files }),
    lastFileKey: t.exposeString("lastFileKey", { nullable: true, description: "The newest file stored (by the time in its key)." }),
    lastFileAt: t.field({ type: "DateTime", nullable: true, resolve: (s) => s.lastFileAtMs }),
    lastIngestedAt: t.field({ type: "DateTime", nullable: true, description: "When a file was last stored.", resolve: (s) => s.lastIngestedAtMs }),
    lagSeconds: t.exposeInt("lagSeconds", { nullable: true, description: "How far the newest stored log entry is behind now." }),
    entriesPerMinute: t.field({ type: [MinuteRef], description: "Entries stored per minute over the last hour, oldest first.", resolve: (s) => s.entriesPerMinute }),
    failedFiles: t.field({ type: [FailedFileRef], description: "Files that failed, newest first (at most 50).", resolve: (s) => s.failedFiles }),
  }),
});

function entryFilter(args: { levels?: readonly string[] | null; context?: string | null; text?: string | null }): LogEntryFilter {
  return {
    ...(args.levels && args.levels.length > 0 ? { levels: args.levels } : {}),
    ...(args.context ? { context: args.context } : {}),
    ...(args.text ? { text: args.text } : {}),
  };
}

const MAX_ERROR_GROUPS = 500;
const INGESTION_TTL_MS = 5_000;

builder.queryFields((t) => {
  const filterArgs = {
    levels: t.arg.stringList({ description: "pino level names (error) or numbers (50)." }),
    context: t.arg.string({ description: "Exact logger context, e.g. DealBotService." }),
    text: t.arg.string({ description: "Text inside the message (literal, case-insensitive; at most 200 characters)." }),
  };
  return {
    logEntries: t.field({
      authScopes: { role: "admin" },
      type: LogEntryConnection,
      description: "Every stored log entry in a range (all services, not only the bot's), newest first.",
      args: { ...rangeArgs(t.arg), ...filterArgs, ...pageArgs(t.arg) },
      resolve: async (_root, args, ctx) => {
        const filter = entryFilter(args);
        const page = { first: args.first, after: args.after };
        await ctx.recordView("view_log_lines", null, { from: new Date(args.from).toISOString(), to: new Date(args.to).toISOString(), ...filter });
        const result = await ctx.cache.get("logEntries", { from: args.from, to: args.to, filter, page }, () =>
          readLogEntries(ctx.db, range(args), filter, page));
        return pageShape(result, args.after);
      },
    }),
    logCounts: t.field({
      authScopes: { role: "admin" },
      type: [LogCountBucketRef],
      description: "Log entries per hour, day, week or month (zero-filled), with errors: the log explorer's histogram.",
      args: {
        ...rangeArgs(t.arg),
        interval: t.arg({ type: Interval, required: true }),
        timeZone: t.arg.string({ defaultValue: "UTC", description: "IANA time zone for day, week and month boundaries." }),
        ...filterArgs,
      },
      resolve: (_root, args, ctx) => {
        const filter = entryFilter(args);
        const series = { ...range(args), interval: args.interval, timeZone: args.timeZone ?? "UTC" };
        return ctx.cache.get("logCounts", { ...series, filter }, () => readLogCounts(ctx.db, series, filter));
      },
    }),
    errorGroups: t.field({
      authScopes: { role: "admin" },
      type: [ErrorGroupRef],
      description: "Error entries grouped by context and message, most frequent first.",
      args: { ...rangeArgs(t.arg), limit: t.arg.int({ defaultValue: 100, description: `Groups returned, at most ${MAX_ERROR_GROUPS}.` }) },
      resolve: (_root, args, ctx) => {
        const limit = args.limit ?? 100;
        if (limit < 1 || limit > MAX_ERROR_GROUPS) throw apiError("PAGE_TOO_LARGE", `limit must be between 1 and ${MAX_ERROR_GROUPS}`);
        return ctx.cache.get("errorGroups", { from: args.from, to: args.to, limit }, () => readErrorGroups(ctx.db, range(args), limit));
      },
    }),
    ingestion: t.field({
      authScopes: { role: "admin" },
      type: IngestionStatusRef,
      description: "Files done and failed, the last file's time, lag and throughput (cached for 5 s at most; the lag is counted up to now).",
      resolve: async (_root, _args, ctx) => {
        // Every open dashboard polls this: a few seconds of cache take it off the database, and the lag
        // is brought up to date from the time the status was read.
        const { status, readAtMs } = await ctx.cache.get("ingestion", {}, async () => ({ status: await readIngestionStatus(ctx.db), readAtMs: Date.now() }), INGESTION_TTL_MS);
        const behind = Math.max(0, Math.round((Date.now() - readAtMs) / 1000));
        return behind === 0 || status.lagSeconds === null ? status : { ...status, lagSeconds: status.lagSeconds + behind };
      },
    }),
  };
});
