import type { DataChange } from "../live/ingest-listener";
import { builder } from "./builder";

const DataChangeRef = builder.objectRef<DataChange>("DataChange").implement({
  authScopes: { role: "viewer" },
  description: "An ingest batch was committed: cached results are dropped; a dashboard refetches what it shows.",
  fields: (t) => ({
    at: t.field({ type: "DateTime", description: "When this API instance heard of it.", resolve: (c) => c.atMs }),
    source: t.exposeString("source", { nullable: true, description: "The ingest source (bucket or folder)." }),
    files: t.exposeInt("files", { description: "Files committed in the batch." }),
    entries: t.exposeInt("entries"),
    questions: t.exposeInt("questions"),
    from: t.field({ type: "DateTime", nullable: true, description: "Earliest entry time in the batch.", resolve: (c) => c.fromMs }),
    to: t.field({ type: "DateTime", nullable: true, description: "Latest entry time in the batch.", resolve: (c) => c.toMs }),
  }),
});

builder.subscriptionType({
  description: "Live events, over server-sent events (POST or GET /graphql with Accept: text/event-stream).",
  fields: (t) => ({
    dataChanged: t.field({
      authScopes: { role: "viewer" },
      type: DataChangeRef,
      description: "Fired after each committed ingest batch (PostgreSQL LISTEN log_insights_ingest).",
      subscribe: (_root, _args, ctx) => ctx.live.subscribe(),
      resolve: (change) => change,
    }),
  }),
});
