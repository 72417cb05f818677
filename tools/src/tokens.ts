/**
 * `npm run tokens -- create --name NAME --role ROLE [--expires 30d] |
 * list [--json] [--all] | revoke NAME`: API tokens for scripts and other
 * services (`Authorization: Bearer <token>`). `create` prints the token and
 * nothing else on stdout, so `TOKEN=$(npm run -s tokens -- create ...)`
 * captures it; it is shown once and only its hash is kept. Creation and
 * revocation are in the audit log as done by "cli".
 * Exit status: 0 done, 1 refused (a live token has that name, no such
 * token), 2 usage or configuration error.
 */
import { InvalidArgumentError } from "commander";
import { ROLES, createToken, listTokens, parseExpiry, parseRole, revokeToken, type ApiToken, type Role } from "@log-insights/auth";
import { CLI_ACTOR, cliProgram, runProgram, say, table, when, withDatabase } from "./cli";

function roleArg(value: string): Role {
  try {
    return parseRole(value);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}

function expiryArg(value: string): number {
  try {
    return parseExpiry(value);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}

function status(t: ApiToken, now: number): string {
  if (t.revokedAtMs !== null) return `revoked ${when(t.revokedAtMs)}`;
  if (t.expiresAtMs !== null && t.expiresAtMs <= now) return "expired";
  return "live";
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

const program = cliProgram("npm run tokens --", "API tokens: create (the token alone on stdout), list, revoke.");

program
  .command("create")
  .description("create a token and print it on stdout (shown once; only its hash is kept)")
  .requiredOption("--name <name>", "what it is for (unique among live tokens; 1-64 letters, digits, spaces, . _ : -)")
  .requiredOption("--role <role>", `one of ${ROLES.join(", ")}`, roleArg)
  .option("--expires <duration>", "lifetime: 12h, 30d, 6w, 1y (at most 5y; default: no expiry)", expiryArg)
  .action(async (opts: { name: string; role: Role; expires?: number }) => {
    await withDatabase("tokens", async (db) => {
      const { token, apiToken } = await createToken(db.pool, { name: opts.name, role: opts.role, expiresInMs: opts.expires ?? null, createdBy: CLI_ACTOR });
      say(`Created token "${apiToken.name}" (${apiToken.role}, ${apiToken.prefix}…, ${apiToken.expiresAtMs === null ? "no expiry" : `expires ${when(apiToken.expiresAtMs)}`}).`);
      say("It is printed once, below on stdout; store it as a secret. Use it as 'Authorization: Bearer <token>'.");
      process.stdout.write(`${token}\n`);
    });
  });

program
  .command("list")
  .description("list tokens: name, role, prefix, created by, created, expires, last used")
  .option("--json", "print a JSON array on stdout", false)
  .option("--all", "include revoked tokens", false)
  .action(async (opts: { json: boolean; all: boolean }) => {
    await withDatabase("tokens", async (db) => {
      const tokens = await listTokens(db.pool, opts.all);
      const now = Date.now();
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(tokens.map((t) => ({
          name: t.name, role: t.role, prefix: t.prefix, createdBy: t.createdBy, createdAt: iso(t.createdAtMs),
          expiresAt: iso(t.expiresAtMs), lastUsedAt: iso(t.lastUsedAtMs), revokedAt: iso(t.revokedAtMs), status: status(t, now).split(" ")[0],
        })))}\n`);
        return;
      }
      process.stdout.write(`${table(
        ["NAME", "ROLE", "PREFIX", "CREATED BY", "CREATED", "EXPIRES", "LAST USED", ...(opts.all ? ["STATUS"] : [])],
        tokens.map((t) => [t.name, t.role, `${t.prefix}…`, t.createdBy, when(t.createdAtMs), when(t.expiresAtMs), when(t.lastUsedAtMs),
          ...(opts.all ? [status(t, now)] : [])]),
      )}\n`);
      say(`${tokens.length} token${tokens.length === 1 ? "" : "s"}${opts.all ? "" : " (live and expired; --all adds the revoked)"}`);
    });
  });

program
  .command("revoke")
  .description("revoke the live token with this name (refused from then on, within 5 s on running servers)")
  .argument("<name>")
  .action(async (name: string) => {
    await withDatabase("tokens", async (db) => {
      const t = await revokeToken(db.pool, name, CLI_ACTOR);
      say(`Revoked token "${t.name}" (${t.role}, ${t.prefix}…).`);
    });
  });

runProgram("tokens", program, process.argv);
