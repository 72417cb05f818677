/**
 * `npm run erase-user -- USER_ID [--yes] [--json]`: removes one investor
 * (the logs' user id) from every table, rebuilds what was counted from
 * their rows, takes their id out of the audit log and makes the ingest skip
 * them from then on (packages/auth/src/erase-investor.ts). A dry run unless
 * --yes: it prints what would be removed and changes nothing.
 * Exit status: 0 done (or dry run), 1 failed, 2 usage or configuration error.
 */
import { eraseInvestor, parseInvestorId, type ErasureResult } from "@log-insights/auth";
import { CLI_ACTOR, cliProgram, runProgram, withDatabase } from "./cli";

function report(r: ErasureResult): string {
  const c = r.counts;
  const verb = r.dryRun ? "would be" : "were";
  const lines = [
    `${r.dryRun ? "Dry run: nothing changed. " : ""}Rows naming the investor that ${verb} removed:`,
    `  bot questions          ${c.questions}${c.mergedQuestions ? ` (${c.mergedQuestions} of them the hidden halves of questions cut across two files)` : ""}`,
    `  conversations          ${c.conversations}`,
    `  log entries            ${c.logEntries} (each recorded as rejected: "erased investor", no text)`,
    `  rejected records       ${c.rejectedRecords} (raw text dropped, reason "erased investor")`,
    `  per-user rollups       ${c.questionUserHours} hours, ${c.questionUserDays} days, ${c.questionUserMonths} months`,
    `  audit log rows         ${c.auditRows} (their id ${r.dryRun ? "would be" : "was"} replaced by [erased])`,
    `Rollups and common-question counts ${r.dryRun ? "to rebuild" : "rebuilt"}: ${c.daysRebuilt} UTC day${c.daysRebuilt === 1 ? "" : "s"}` +
      " (days past retention keep their anonymous counts: their question rows were dropped already)",
  ];
  if (r.alreadyErased) lines.push("This id had been erased before.");
  if (r.dryRun) {
    lines.push("Run again with --yes to erase. The ingest then skips this investor in every file, old ones replayed included.");
  } else {
    lines.push(`Kept: a keyed hash of the id in erased_users (${r.userHash!.slice(0, 12)}…), so no ingest stores them again; the audit log records the erasure without the id.`);
    lines.push(r.regrouped ? "Common questions regrouped." : `Common questions not regrouped yet (${r.groupsError ?? "unknown"}); the next ingest run does it.`);
    lines.push(`Done in ${r.seconds} s.`);
  }
  return lines.join("\n");
}

const program = cliProgram("npm run erase-user --", "Erases one investor from every table (a dry run unless --yes).")
  .argument("<user-id>", "the investor's user id as in the logs (authUserId)")
  .option("--yes", "erase (default: a dry run that prints what would be removed)", false)
  .option("--json", "print only a machine-readable summary on stdout", false)
  .action(async (userId: string, opts: { yes: boolean; json: boolean }) => {
    const id = parseInvestorId(userId); // a usage error before anything is opened
    await withDatabase("erase-user", async (db, logger) => {
      const result = await eraseInvestor(db.pool, id, { dryRun: !opts.yes, actor: CLI_ACTOR, logger });
      if (opts.json) process.stdout.write(`${JSON.stringify(result)}\n`);
      else process.stdout.write(`${report(result)}\n`);
    });
  });

runProgram("erase-user", program, process.argv);
