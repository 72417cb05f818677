/**
 * `npm run reassign-topics -- [--since T] [--until T] [--dry-run]`:
 * re-classifies stored questions after packages/logs/src/topics/taxonomy.ts
 * changed (new questions are classified at ingest).
 */
import { parseArgs } from "node:util";
import { createLogger } from "@log-insights/config";
import { parseTimeArg } from "@log-insights/ingest";
import { migrate, openDatabase, reassignTopics } from "@log-insights/store";

const { values: args } = parseArgs({
  options: { since: { type: "string" }, until: { type: "string" }, "dry-run": { type: "boolean", default: false } },
});

async function main(): Promise<void> {
  const logger = createLogger("reassign-topics");
  const db = await openDatabase({ logger });
  try {
    await migrate(db.pool, logger);
    const r = await reassignTopics(db.pool, {
      sinceMs: args.since ? parseTimeArg(args.since, "since") : undefined,
      untilMs: args.until ? parseTimeArg(args.until, "until") : undefined,
      dryRun: args["dry-run"],
    });
    process.stdout.write(`${r.read} questions read, ${r.changed} ${args["dry-run"] ? "would change" : "changed"}\n`);
    for (const [topic, n] of Object.entries(r.byTopic).sort((a, b) => b[1] - a[1])) process.stdout.write(`  ${topic.padEnd(10)} ${n}\n`);
  } finally {
    await db.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`reassign-topics: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
