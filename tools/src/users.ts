/**
 * `npm run users -- add EMAIL --role ROLE [--password] | list [--json] |
 * remove EMAIL | role EMAIL ROLE | link EMAIL`: the dashboard's accounts
 * from the command line, for a first deployment (no admin to add one from
 * the admin pages yet) and for scripts. A one-time sign-in link (or, with
 * --password, a one-time password) is the only thing printed on stdout;
 * everything meant for people goes to stderr. Every change is in the audit
 * log as done by "cli".
 * Exit status: 0 done, 1 refused (no such account, it exists already, the
 * last admin), 2 usage or configuration error.
 */
import { InvalidArgumentError } from "commander";
import {
  ROLES, addUser, createSignInLink, listUsers, parseRole, policyFromEnv, randomSecret, recordAudit, removeUser, setUserRole,
  type Role,
} from "@log-insights/auth";
import { loadEnv, type Env } from "@log-insights/config";
import type { Queryable } from "@log-insights/store";
import { CLI_ACTOR, cliProgram, runProgram, say, signInLinkBase, table, when, withDatabase } from "./cli";

function roleArg(value: string): Role {
  try {
    return parseRole(value);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}

const hours = (ms: number): string => (ms % 3_600_000 === 0 ? `${ms / 3_600_000} h` : `${Math.round(ms / 60_000)} min`);

async function printLink(db: Queryable, env: Env, email: string): Promise<void> {
  const policy = policyFromEnv(env);
  const link = await createSignInLink(db, email, signInLinkBase(env), CLI_ACTOR, policy);
  say(`One-time sign-in link for ${email} (works once, until ${when(link.expiresAtMs)}, ${hours(policy.linkMs)}; a newer link replaces it).`);
  say("Send it to them over a channel you trust; from it they can set a password or keep using single sign-on:");
  process.stdout.write(`${link.url}\n`);
}

const program = cliProgram("npm run users --", "The dashboard's accounts: add, list, remove, change a role, send a sign-in link.");

program
  .command("add")
  .description("add an account and print a one-time sign-in link for it (stdout)")
  .argument("<email>", "their email address (the sign-in name)")
  .requiredOption("--role <role>", `one of ${ROLES.join(", ")}`, roleArg)
  .option("--password", "print a generated one-time password instead of a link (they change it after signing in)", false)
  .option("--name <name>", "their name as the dashboard shows it")
  .action(async (email: string, opts: { role: Role; password: boolean; name?: string }) => {
    const env = loadEnv();
    await withDatabase("users", async (db) => {
      const password = opts.password ? randomSecret(18) : null;
      const user = await addUser(db.pool, { email, role: opts.role, displayName: opts.name ?? null, password, createdBy: "cli" });
      await recordAudit(db.pool, { actor: CLI_ACTOR, action: "user_added", target: user.email, filters: { role: user.role, signIn: password ? "password" : "link" } });
      say(`Added ${user.email} as ${user.role}.`);
      if (password) {
        say(`Their one-time password is below (shown once, kept only as a hash). Give it to them over a channel you trust,`);
        say(`and ask them to change it as soon as they sign in (their account page on the dashboard: ${signInLinkBase(env)}):`);
        process.stdout.write(`${password}\n`);
      } else {
        await printLink(db.pool, env, user.email);
      }
    });
  });

program
  .command("list")
  .description("list the accounts: email, role, how they sign in, last sign-in")
  .option("--json", "print a JSON array on stdout", false)
  .action(async (opts: { json: boolean }) => {
    await withDatabase("users", async (db) => {
      const users = await listUsers(db.pool);
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(users.map((u) => ({
          email: u.email, role: u.role, name: u.displayName, sso: u.sso, password: u.hasPassword,
          lastSignInAt: u.lastSignInAtMs === null ? null : new Date(u.lastSignInAtMs).toISOString(),
          createdAt: new Date(u.createdAtMs).toISOString(), createdBy: u.createdBy,
        })))}\n`);
        return;
      }
      const how = (u: (typeof users)[number]): string => [u.sso ? "SSO" : null, u.hasPassword ? "password" : null].filter(Boolean).join(" + ") || "link only";
      process.stdout.write(`${table(["EMAIL", "ROLE", "SIGN-IN", "LAST SIGN-IN", "ADDED BY"], users.map((u) => [u.email, u.role, how(u), when(u.lastSignInAtMs), u.createdBy ?? ""]))}\n`);
      say(`${users.length} account${users.length === 1 ? "" : "s"}`);
    });
  });

program
  .command("remove")
  .description("remove an account (its sessions and links end at once); the last admin cannot be removed")
  .argument("<email>")
  .action(async (email: string) => {
    await withDatabase("users", async (db) => {
      const user = await removeUser(db.pool, email);
      await recordAudit(db.pool, { actor: CLI_ACTOR, action: "user_removed", target: user.email, filters: { role: user.role } });
      say(`Removed ${user.email} (${user.role}); their sessions have ended.`);
    });
  });

program
  .command("role")
  .description("change someone's role (their sessions end: they sign in again); the last admin stays an admin")
  .argument("<email>")
  .argument("<role>", `one of ${ROLES.join(", ")}`, roleArg)
  .action(async (email: string, role: Role) => {
    await withDatabase("users", async (db) => {
      const { user, previous } = await setUserRole(db.pool, email, role);
      if (previous === user.role) {
        say(`${user.email} is already ${user.role}; nothing changed.`);
        return;
      }
      await recordAudit(db.pool, { actor: CLI_ACTOR, action: "role_changed", target: user.email, filters: { from: previous, to: user.role } });
      say(`${user.email}: ${previous} -> ${user.role}; their sessions have ended.`);
    });
  });

program
  .command("link")
  .description("print a new one-time sign-in link for an account (stdout); their unused links stop working")
  .argument("<email>")
  .action(async (email: string) => {
    const env = loadEnv();
    await withDatabase("users", (db) => printLink(db.pool, env, email));
  });

runProgram("users", program, process.argv);
