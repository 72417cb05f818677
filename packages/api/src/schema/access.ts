import {
  addUser, AUDIT_ACTIONS, AuthError, createSignInLink, createToken, listTokens, listUsers, parseExpiry, readAuditLog, recordAudit,
  removeUser, revokeToken, ROLE_DESCRIPTIONS, ROLES, setPassword, setUserRole, checkPassword, type ApiToken, type AuditAction, type AuditRow, type Role, type User,
} from "@log-insights/auth";
import { apiError } from "../errors";
import { builder } from "./builder";
import { pageArgs, rangeArgs } from "./inputs";

// Access management: who is asking (me), the accounts, the API tokens and
// the audit log, for admins; recording CSV exports, for everyone signed in.
// Contracts (roles, audit actions) come from @log-insights/auth.

const upper = <T extends string>(values: readonly T[]) =>
  Object.fromEntries(values.map((v) => [v.toUpperCase(), { value: v }])) as Record<Uppercase<T>, { value: T }>;

export const RoleEnum = builder.enumType("Role", {
  description: Object.entries(ROLE_DESCRIPTIONS).map(([r, d]) => `${r.toUpperCase()}: ${d}.`).join(" "),
  values: upper(ROLES),
});

const AuditActionEnum = builder.enumType("AuditAction", { values: upper(AUDIT_ACTIONS) });

interface MeShape {
  kind: "user" | "token";
  name: string;
  role: Role;
  signInMethod: string | null;
}

const MeRef = builder.objectRef<MeShape>("Me").implement({
  description: "Who is asking.",
  authScopes: { role: "viewer" },
  fields: (t) => ({
    kind: t.exposeString("kind", { description: "user (signed in) or token." }),
    name: t.exposeString("name", { description: "The email of a person, the name of a token." }),
    role: t.field({ type: RoleEnum, resolve: (m) => m.role }),
    signInMethod: t.exposeString("signInMethod", { nullable: true, description: "password, sso or link; null for a token." }),
  }),
});

const UserRef = builder.objectRef<User>("User").implement({
  description: "Someone who may use the dashboard.",
  authScopes: { role: "admin" },
  fields: (t) => ({
    id: t.exposeID("id"),
    email: t.exposeString("email"),
    role: t.field({ type: RoleEnum, resolve: (u) => u.role }),
    displayName: t.exposeString("displayName", { nullable: true }),
    hasPassword: t.exposeBoolean("hasPassword"),
    sso: t.exposeBoolean("sso", { description: "Has signed in with single sign-on." }),
    createdAt: t.field({ type: "DateTime", resolve: (u) => u.createdAtMs }),
    createdBy: t.exposeString("createdBy", { nullable: true }),
    lastSignInAt: t.field({ type: "DateTime", nullable: true, resolve: (u) => u.lastSignInAtMs }),
  }),
});

const ApiTokenRef = builder.objectRef<ApiToken>("ApiToken").implement({
  description: "A token for scripts, BI tools and Prometheus (the value itself is shown once, at creation).",
  authScopes: { role: "admin" },
  fields: (t) => ({
    id: t.exposeID("id"),
    name: t.exposeString("name"),
    role: t.field({ type: RoleEnum, resolve: (k) => k.role }),
    prefix: t.exposeString("prefix", { description: "The token's first characters, to tell tokens apart." }),
    createdBy: t.exposeString("createdBy"),
    createdAt: t.field({ type: "DateTime", resolve: (k) => k.createdAtMs }),
    expiresAt: t.field({ type: "DateTime", nullable: true, resolve: (k) => k.expiresAtMs }),
    lastUsedAt: t.field({ type: "DateTime", nullable: true, description: "To the minute.", resolve: (k) => k.lastUsedAtMs }),
    revokedAt: t.field({ type: "DateTime", nullable: true, resolve: (k) => k.revokedAtMs }),
  }),
});

const NewApiTokenRef = builder.objectRef<{ token: string; apiToken: ApiToken }>("NewApiToken").implement({
  authScopes: { role: "admin" },
  fields: (t) => ({
    token: t.exposeString("token", { description: "Send as 'Authorization: Bearer <token>'. Shown only now: it is stored hashed." }),
    apiToken: t.field({ type: ApiTokenRef, resolve: (n) => n.apiToken }),
  }),
});

const SignInLinkRef = builder.objectRef<{ url: string; expiresAtMs: number; user: User }>("SignInLink").implement({
  authScopes: { role: "admin" },
  fields: (t) => ({
    url: t.exposeString("url", { description: "Works once. Give it to the person by a private channel." }),
    expiresAt: t.field({ type: "DateTime", resolve: (l) => l.expiresAtMs }),
    user: t.field({ type: UserRef, resolve: (l) => l.user }),
  }),
});

const AuditEntryRef = builder.objectRef<AuditRow>("AuditEntry").implement({
  description: "One row of the append-only audit log.",
  authScopes: { role: "admin" },
  fields: (t) => ({
    id: t.exposeID("id"),
    at: t.field({ type: "DateTime", resolve: (r) => r.atMs }),
    actorKind: t.exposeString("actorKind", { description: "user, token, anonymous or system." }),
    actorLabel: t.exposeString("actorLabel", { nullable: true, description: "The email, the token's name, or the tool (cli, start, erase-user)." }),
    role: t.exposeString("role", { nullable: true }),
    action: t.field({ type: AuditActionEnum, resolve: (r) => r.action as AuditAction }),
    outcome: t.exposeString("outcome", { description: "ok, denied or failed." }),
    target: t.exposeString("target", { nullable: true, description: "What was looked at or changed." }),
    filters: t.field({ type: "JSON", nullable: true, description: "The range and filters of the read, or the arguments of the change.", resolve: (r) => r.filters }),
  }),
});

const AuditEntryEdge = builder.objectRef<AuditRow>("AuditEntryEdge").implement({
  authScopes: { role: "admin" },
  fields: (t) => ({
    cursor: t.string({ resolve: (r) => Buffer.from(JSON.stringify([r.atMs, r.id])).toString("base64url") }),
    node: t.field({ type: AuditEntryRef, resolve: (r) => r }),
  }),
});

const AuditLogPageRef = builder.objectRef<{ rows: AuditRow[]; hasNextPage: boolean; endCursor: string | null }>("AuditLogPage").implement({
  description: "A page of the audit log, newest first.",
  authScopes: { role: "admin" },
  fields: (t) => ({
    edges: t.field({ type: [AuditEntryEdge], resolve: (p) => p.rows }),
    hasNextPage: t.exposeBoolean("hasNextPage"),
    endCursor: t.exposeString("endCursor", { nullable: true }),
  }),
});

/** The audit log's `actor` filter: an email or token name, never NUL (PostgreSQL text cannot hold it) nor over 200 characters. */
function actorFilter(actor: string | null | undefined): string | null {
  if (actor === null || actor === undefined || actor === "") return null;
  if (actor.length > 200 || actor.includes("\u0000")) throw apiError("BAD_FILTER", "actor is an email or a token name: at most 200 characters, no NUL");
  return actor;
}

function pageSize(first: number | null | undefined, max = 500): number {
  const n = first ?? 50;
  if (n < 1 || n > max) throw apiError("PAGE_TOO_LARGE", `first must be between 1 and ${max}`);
  return n;
}

builder.queryFields((t) => ({
  me: t.field({
    type: MeRef,
    authScopes: { role: "viewer" },
    description: "Who is asking: the dashboard shows the pages and fields this role may see.",
    resolve: (_root, _args, ctx) => {
      const p = ctx.principal;
      if (p.kind === "user") return { kind: "user" as const, name: p.email, role: p.role, signInMethod: p.method };
      if (p.kind === "token") return { kind: "token" as const, name: p.name, role: p.role, signInMethod: null };
      throw apiError("UNAUTHENTICATED", "Sign in first.");
    },
  }),
  users: t.field({
    type: [UserRef],
    authScopes: { role: "admin" },
    description: "Everyone who may sign in, by email.",
    resolve: (_root, _args, ctx) => listUsers(ctx.pool),
  }),
  apiTokens: t.field({
    type: [ApiTokenRef],
    authScopes: { role: "admin" },
    args: { includeRevoked: t.arg.boolean({ defaultValue: false }) },
    description: "API tokens, newest first.",
    resolve: (_root, args, ctx) => listTokens(ctx.pool, args.includeRevoked ?? false),
  }),
  auditLog: t.field({
    type: AuditLogPageRef,
    authScopes: { role: "admin" },
    description: "The audit log in [from, to), newest first; `actions` and `actor` (an email or token name) narrow it.",
    args: { ...rangeArgs(t.arg), actions: t.arg({ type: [AuditActionEnum] }), actor: t.arg.string(), ...pageArgs(t.arg) },
    resolve: (_root, args, ctx) =>
      readAuditLog(ctx.pool, { fromMs: args.from, toMs: args.to, actions: args.actions ?? null, actor: actorFilter(args.actor), first: pageSize(args.first), after: args.after ?? null }),
  }),
}));

function linkBase(ctx: { access: { publicUrl: string | null }; origin: string }): string {
  return ctx.access.publicUrl ?? ctx.origin;
}

builder.mutationType({ description: "Changes to who may see what (admins), and records of exports." });

builder.mutationFields((t) => ({
  addUser: t.field({
    type: SignInLinkRef,
    authScopes: { role: "admin" },
    description: "Adds someone with a role; returns a one-time sign-in link for them (they can set a password from it, or use SSO).",
    args: { email: t.arg.string({ required: true }), role: t.arg({ type: RoleEnum, required: true }) },
    resolve: async (_root, args, ctx) => {
      const by = ctx.principal.kind === "user" ? ctx.principal.email : ctx.principal.kind === "token" ? `token:${ctx.principal.name}` : "anonymous";
      const user = await addUser(ctx.pool, { email: args.email, role: args.role, createdBy: by });
      await recordAudit(ctx.pool, { actor: ctx.principal, action: "user_added", target: user.email, filters: { role: user.role } });
      const link = await createSignInLink(ctx.pool, user.email, linkBase(ctx), ctx.principal, ctx.access.policy);
      return { ...link, user };
    },
  }),
  createSignInLink: t.field({
    type: SignInLinkRef,
    authScopes: { role: "admin" },
    description: "A new one-time sign-in link for someone (replaces their unused ones): for a lost password.",
    args: { email: t.arg.string({ required: true }) },
    resolve: async (_root, args, ctx) => {
      const user = (await listUsers(ctx.pool)).find((u) => u.email === args.email.trim().toLowerCase());
      if (!user) throw new AuthError("NOT_FOUND", `No account for ${args.email}.`);
      const link = await createSignInLink(ctx.pool, user.email, linkBase(ctx), ctx.principal, ctx.access.policy);
      return { ...link, user };
    },
  }),
  setUserRole: t.field({
    type: UserRef,
    authScopes: { role: "admin" },
    description: "Changes someone's role; their sessions end (they sign in again with the new role).",
    args: { email: t.arg.string({ required: true }), role: t.arg({ type: RoleEnum, required: true }) },
    resolve: async (_root, args, ctx) => {
      const { user, previous } = await setUserRole(ctx.pool, args.email, args.role);
      ctx.access.authenticator.forget();
      await recordAudit(ctx.pool, { actor: ctx.principal, action: "role_changed", target: user.email, filters: { from: previous, to: user.role } });
      return user;
    },
  }),
  removeUser: t.field({
    type: UserRef,
    authScopes: { role: "admin" },
    description: "Removes someone; their sessions end at once.",
    args: { email: t.arg.string({ required: true }) },
    resolve: async (_root, args, ctx) => {
      const user = await removeUser(ctx.pool, args.email);
      ctx.access.authenticator.forget();
      await recordAudit(ctx.pool, { actor: ctx.principal, action: "user_removed", target: user.email, filters: { role: user.role } });
      return user;
    },
  }),
  createApiToken: t.field({
    type: NewApiTokenRef,
    authScopes: { role: "admin" },
    description: "Creates an API token with a role and an optional lifetime (12h, 30d, 6w, 1y).",
    args: { name: t.arg.string({ required: true }), role: t.arg({ type: RoleEnum, required: true }), expiresIn: t.arg.string() },
    resolve: (_root, args, ctx) =>
      createToken(ctx.pool, { name: args.name, role: args.role, expiresInMs: args.expiresIn ? parseExpiry(args.expiresIn) : null, createdBy: ctx.principal }),
  }),
  revokeApiToken: t.field({
    type: ApiTokenRef,
    authScopes: { role: "admin" },
    description: "Revokes the live token with this name (refused from then on).",
    args: { name: t.arg.string({ required: true }) },
    resolve: async (_root, args, ctx) => {
      const token = await revokeToken(ctx.pool, args.name, ctx.principal);
      ctx.access.authenticator.forget();
      return token;
    },
  }),
  changePassword: t.boolean({
    authScopes: { role: "viewer" },
    description: "Sets the signed-in person's password (the current one is asked for when there is one); their other sessions end.",
    args: { currentPassword: t.arg.string(), newPassword: t.arg.string({ required: true }) },
    resolve: async (_root, args, ctx) => {
      const p = ctx.principal;
      if (p.kind !== "user") throw apiError("FORBIDDEN", "Only a signed-in person has a password.");
      const users = await listUsers(ctx.pool);
      const me = users.find((u) => u.id === p.userId);
      if (me?.hasPassword) {
        // The current password, checked (and throttled) like a sign-in, so a stolen session cannot take the account.
        await checkPassword(ctx.pool, { email: p.email, password: args.currentPassword ?? "", address: null }, ctx.access.policy);
      }
      await setPassword(ctx.pool, p.userId, args.newPassword, p.sessionHash);
      ctx.access.authenticator.forget();
      await recordAudit(ctx.pool, { actor: p, action: "password_changed", target: p.email });
      return true;
    },
  }),
  recordCsvExport: t.boolean({
    authScopes: { role: "viewer" },
    description: "Records a CSV export in the audit log; the dashboard calls it before every download and downloads only if it succeeds.",
    args: { view: t.arg.string({ required: true, description: "Which table or chart (e.g. \"Common questions\")." }), rows: t.arg.int({ required: true }), filters: t.arg({ type: "JSON" }) },
    resolve: async (_root, args, ctx) => {
      if (args.view.length > 200) throw apiError("BAD_FILTER", "view is at most 200 characters");
      const filters = args.filters && typeof args.filters === "object" && !Array.isArray(args.filters) ? (args.filters as Record<string, unknown>) : {};
      if (JSON.stringify(filters).length > 4_000) throw apiError("BAD_FILTER", "filters are at most 4,000 characters of JSON");
      await recordAudit(ctx.pool, { actor: ctx.principal, action: "csv_export", target: args.view, filters: { ...filters, rows: args.rows } });
      return true;
    },
  }),
}));
