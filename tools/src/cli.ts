/**
 * What the access command lines (`npm run users`, `npm run tokens`, `npm run
 * erase-user`) share: the database opened and migrated like every other
 * tool, and one mapping from errors to exit statuses: 0 done, 1 refused
 * (not found, already exists, the last admin) or failed, 2 a usage or
 * configuration error. Messages name the problem; none carries a secret.
 */
import { Command, CommanderError } from "commander";
import { AuthError, ErasureInputError, type AuditActor } from "@log-insights/auth";
import { ConfigError, createLogger, type Env, type Logger } from "@log-insights/config";
import { migrate, openDatabase, type Database } from "@log-insights/store";

/** The audit log's actor for everything done from the command line. */
export const CLI_ACTOR: AuditActor = { kind: "system", label: "cli" };

export class UsageError extends Error {
  override name = "UsageError";
}

const USAGE_CODES = new Set(["BAD_EMAIL", "BAD_ROLE", "BAD_PASSWORD", "BAD_TOKEN_NAME", "BAD_EXPIRY"]);

/** The exit status for an error (see the module comment). */
export function exitCodeOf(err: unknown): number {
  if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
  if (err instanceof UsageError || err instanceof ConfigError || err instanceof ErasureInputError) return 2;
  if (err instanceof AuthError) return USAGE_CODES.has(err.code) ? 2 : 1;
  return 1;
}

/** The database (DATABASE_URL, else the embedded one), migrated; quiet unless LOG_LEVEL says otherwise. */
export async function withDatabase<T>(name: string, fn: (db: Database, logger: Logger) => Promise<T>): Promise<T> {
  const logger = createLogger(name, process.env.LOG_LEVEL ?? "warn");
  const db = await openDatabase({ logger });
  try {
    await migrate(db.pool, logger);
    return await fn(db, logger);
  } finally {
    await db.close();
  }
}

/** Where sign-in links point: PUBLIC_URL, else this machine's dashboard (PORT, default 3000). */
export function signInLinkBase(env: Pick<Env, "PUBLIC_URL" | "PORT">): string {
  return env.PUBLIC_URL ?? `http://localhost:${env.PORT ?? 3000}`;
}

/** Human-readable text: stderr, so stdout holds only what a script captures. */
export function say(text: string): void {
  process.stderr.write(text.endsWith("\n") ? text : `${text}\n`);
}

/** A commander program that throws instead of exiting (its subcommands inherit that), so the exit status is ours. */
export function cliProgram(name: string, description: string): Command {
  return new Command()
    .name(name)
    .description(description)
    .exitOverride()
    .showHelpAfterError()
    .helpCommand(false);
}

/** Runs a commander program to completion and sets the exit status; errors are one line on stderr. */
export function runProgram(name: string, program: Command, argv: string[]): void {
  program.parseAsync(argv).then(
    () => {
      process.exitCode ??= 0;
    },
    (err: unknown) => {
      // commander already printed its own message (usage errors, --help).
      if (!(err instanceof CommanderError)) say(`${name}: ${err instanceof Error ? err.message : String(err)}`);
      process.exitCode = exitCodeOf(err);
    },
  );
}

/** "2025-05-01 12:34 UTC", or the fallback for none. */
export function when(ms: number | null, none = "never"): string {
  return ms === null ? none : `${new Date(ms).toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

/** Rows as aligned columns. */
export function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (r: string[]): string => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join("  ").trimEnd();
  return [line(head), ...rows.map(line)].join("\n");
}
