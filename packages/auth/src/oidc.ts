import * as client from "openid-client";
import type { Env } from "@log-insights/config";
import type { Queryable } from "@log-insights/store";
import { recordAudit } from "./audit";
import { AuthError } from "./errors";
import { systemClock, type AuthPolicy, type Clock } from "./policy";
import type { Principal } from "./principal";
import { higherRole, type Role } from "./roles";
import { randomSecret, secretHash } from "./secrets";
import { createSession, type NewSession } from "./sessions";

/** Where the provider sends people back (apps/web/src/app/auth/sso/callback). */
export const SSO_CALLBACK_PATH = "/auth/sso/callback";
/** The browser cookie that ties a callback to the browser that started the flow. */
export const SSO_FLOW_COOKIE = "li_sso_flow";
const FLOW_MS = 10 * 60_000;

export interface OidcSettings {
  issuer: string;
  clientId: string;
  clientSecret: string | null;
  /** The dashboard's public URL: the redirect URI is its SSO_CALLBACK_PATH. */
  publicUrl: string;
  scopes: string;
  /** Email domains allowed in (any, when empty and groups decide). */
  allowedDomains: string[];
  groupsClaim: string;
  /** Groups allowed in (any, when empty and domains decide). */
  allowedGroups: string[];
  /** Groups that make someone an admin or support; when either is set, the role follows the groups at every sign-in. */
  adminGroups: string[];
  supportGroups: string[];
  /** The role of someone let in who is in no role group (and has no account yet). */
  defaultRole: Role;
  /** What the sign-in button says ("Sign in with Google"). */
  label: string;
}

/** SSO settings from the environment, or null when OIDC_ISSUER_URL is unset (the config schema checks the rest). */
export function oidcSettingsFromEnv(env: Env, publicUrl: string): OidcSettings | null {
  if (!env.OIDC_ISSUER_URL || !env.OIDC_CLIENT_ID) return null;
  return {
    issuer: env.OIDC_ISSUER_URL,
    clientId: env.OIDC_CLIENT_ID,
    clientSecret: env.OIDC_CLIENT_SECRET ?? null,
    publicUrl,
    scopes: env.OIDC_SCOPES,
    allowedDomains: env.OIDC_ALLOWED_DOMAINS.map((d) => d.toLowerCase().replace(/^@/, "")),
    groupsClaim: env.OIDC_GROUPS_CLAIM,
    allowedGroups: env.OIDC_ALLOWED_GROUPS,
    adminGroups: env.OIDC_ADMIN_GROUPS,
    supportGroups: env.OIDC_SUPPORT_GROUPS,
    defaultRole: env.OIDC_DEFAULT_ROLE,
    label: env.OIDC_BUTTON_LABEL,
  };
}

function isLoopback(url: URL): boolean {
  return url.protocol === "http:" && ["localhost", "127.0.0.1", "[::1]"].includes(url.hostname);
}

export interface SsoIdentity {
  subject: string;
  email: string;
  name: string | null;
  groups: string[];
}

/**
 * Who may come in, and as what: the email domain and the groups claim
 * against the settings. Pure, so every rule is tested without a provider.
 */
export function admit(settings: OidcSettings, id: SsoIdentity, existingRole: Role | null): { role: Role } | { refused: string } {
  const domain = id.email.split("@")[1] ?? "";
  if (settings.allowedDomains.length > 0 && !settings.allowedDomains.includes(domain)) return { refused: `the email domain ${domain || "(none)"} is not allowed` };
  if (settings.allowedGroups.length > 0 && !id.groups.some((g) => settings.allowedGroups.includes(g))) return { refused: "not in an allowed group" };
  const byGroups = settings.adminGroups.length + settings.supportGroups.length > 0;
  if (byGroups) {
    let role = settings.defaultRole;
    if (id.groups.some((g) => settings.supportGroups.includes(g))) role = higherRole(role, "support");
    if (id.groups.some((g) => settings.adminGroups.includes(g))) role = "admin";
    return { role };
  }
  return { role: existingRole ?? settings.defaultRole };
}

/**
 * Single sign-on with any OpenID Connect provider (Google Workspace, Entra
 * ID, Okta, Keycloak): the authorization code flow with PKCE, state and
 * nonce, through openid-client (certified, maintained; no hand-written OAuth).
 * The flow's secrets live in oidc_flows, tied to the browser by a cookie.
 */
export class OidcSignIn {
  private config: Promise<client.Configuration> | undefined;

  constructor(readonly settings: OidcSettings, private readonly clock: Clock = systemClock) {}

  get redirectUri(): string {
    return new URL(SSO_CALLBACK_PATH, this.settings.publicUrl).toString();
  }

  private configuration(): Promise<client.Configuration> {
    this.config ??= (async () => {
      const issuer = new URL(this.settings.issuer);
      const auth = this.settings.clientSecret ? client.ClientSecretPost(this.settings.clientSecret) : client.None();
      // Plain HTTP only for a provider on this machine (development and tests).
      return client.discovery(issuer, this.settings.clientId, undefined, auth, isLoopback(issuer) ? { execute: [client.allowInsecureRequests] } : undefined);
    })();
    this.config.catch(() => {
      this.config = undefined; // the provider may be back on the next try
    });
    return this.config;
  }

  /** Starts a sign-in: where to send the browser, and the flow cookie to set. */
  async begin(db: Queryable, returnTo: string): Promise<{ redirectUrl: string; flowCookie: string }> {
    let config: client.Configuration;
    try {
      config = await this.configuration();
    } catch (err) {
      throw new AuthError("SSO_FAILED", `The sign-in provider could not be reached (${(err as Error).message}).`);
    }
    const flow = randomSecret();
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const now = this.clock();
    await db.query("DELETE FROM oidc_flows WHERE expires_at < $1", [new Date(now)]);
    await db.query(
      "INSERT INTO oidc_flows (id_hash, state, nonce, code_verifier, return_to, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
      [secretHash(flow), state, nonce, verifier, safeReturnTo(returnTo), new Date(now), new Date(now + FLOW_MS)],
    );
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: this.redirectUri,
      scope: this.settings.scopes,
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: "S256",
      state,
      nonce,
    });
    return { redirectUrl: url.toString(), flowCookie: flow };
  }

  /**
   * The provider's callback: checks state, nonce and PKCE (openid-client),
   * then who it is against the settings; creates or updates the account and
   * starts a session. Every refusal is in the audit log with its reason.
   */
  async complete(db: Queryable, flowCookie: string | null, callbackUrl: URL, policy: AuthPolicy): Promise<{ session: NewSession; principal: Extract<Principal, { kind: "user" }>; returnTo: string }> {
    const anonymous = { kind: "anonymous" } as const;
    const fail = async (code: "SSO_FAILED" | "SSO_NOT_ALLOWED", reason: string, email?: string): Promise<never> => {
      await recordAudit(db, { actor: anonymous, action: "sign_in_failed", outcome: code === "SSO_NOT_ALLOWED" ? "denied" : "failed", target: email ?? null, filters: { method: "sso", reason } });
      throw new AuthError(code, code === "SSO_NOT_ALLOWED" ? `This account may not use the dashboard: ${reason}.` : `Single sign-on did not complete: ${reason}.`);
    };
    if (!flowCookie) return fail("SSO_FAILED", "the sign-in was not started in this browser (or took over 10 minutes)");
    const { rows } = await db.query<{ state: string; nonce: string; code_verifier: string; return_to: string; expires_at: Date }>(
      "DELETE FROM oidc_flows WHERE id_hash = $1 RETURNING state, nonce, code_verifier, return_to, expires_at", [secretHash(flowCookie)]);
    const flow = rows[0];
    if (!flow || flow.expires_at.getTime() <= this.clock()) return fail("SSO_FAILED", "the sign-in was not started in this browser (or took over 10 minutes)");
    const providerError = callbackUrl.searchParams.get("error");
    if (providerError) return fail("SSO_FAILED", `the provider answered ${providerError.slice(0, 100)}`);
    let claims: client.IDToken | undefined;
    try {
      const tokens = await client.authorizationCodeGrant(await this.configuration(), callbackUrl, {
        pkceCodeVerifier: flow.code_verifier, expectedState: flow.state, expectedNonce: flow.nonce, idTokenExpected: true,
      });
      claims = tokens.claims();
    } catch (err) {
      return fail("SSO_FAILED", (err as Error).message.slice(0, 200));
    }
    if (!claims) return fail("SSO_FAILED", "no ID token");
    const rawEmail = (claims.email ?? claims.preferred_username ?? claims.upn) as unknown;
    const email = typeof rawEmail === "string" && rawEmail.includes("@") ? rawEmail.trim().toLowerCase() : null;
    if (!email) return fail("SSO_NOT_ALLOWED", "the provider sent no email address (add the email scope)");
    if (claims.email_verified === false) return fail("SSO_NOT_ALLOWED", "the email address is not verified", email);
    const rawGroups = claims[this.settings.groupsClaim];
    const groups = Array.isArray(rawGroups) ? rawGroups.filter((g): g is string => typeof g === "string") : typeof rawGroups === "string" ? [rawGroups] : [];
    const identity: SsoIdentity = { subject: claims.sub, email, name: typeof claims.name === "string" ? claims.name : null, groups };

    const { rows: existing } = await db.query<{ id: string; email: string; role: Role }>(
      `SELECT id::text, email, role FROM auth_users WHERE (oidc_issuer = $1 AND oidc_subject = $2) OR email = $3
       ORDER BY (oidc_subject = $2) DESC NULLS LAST LIMIT 1`,
      [this.settings.issuer, identity.subject, email],
    );
    const verdict = admit(this.settings, identity, existing[0]?.role ?? null);
    if ("refused" in verdict) return fail("SSO_NOT_ALLOWED", verdict.refused, email);
    let userId: string;
    if (existing[0]) {
      userId = existing[0].id;
      await db.query(
        "UPDATE auth_users SET email = $2, role = $3, oidc_issuer = $4, oidc_subject = $5, display_name = coalesce($6, display_name) WHERE id = $1",
        [userId, email, verdict.role, this.settings.issuer, identity.subject, identity.name],
      );
      if (existing[0].role !== verdict.role) {
        await recordAudit(db, { actor: { kind: "system", label: "sso" }, action: "role_changed", target: email, filters: { from: existing[0].role, to: verdict.role, by: "groups claim" } });
      }
    } else {
      const { rows: created } = await db.query<{ id: string }>(
        `INSERT INTO auth_users (email, role, display_name, oidc_issuer, oidc_subject, created_by) VALUES ($1, $2, $3, $4, $5, 'sso') RETURNING id::text`,
        [email, verdict.role, identity.name, this.settings.issuer, identity.subject],
      );
      userId = created[0]!.id;
      await recordAudit(db, { actor: { kind: "system", label: "sso" }, action: "user_added", target: email, filters: { role: verdict.role, by: "first single sign-on" } });
    }
    const session = await createSession(db, userId, "sso", policy, this.clock);
    const principal = { kind: "user" as const, userId, email, role: verdict.role, sessionHash: session.hash, method: "sso" as const };
    await recordAudit(db, { actor: principal, action: "sign_in", filters: { method: "sso" } });
    return { session, principal, returnTo: flow.return_to };
  }
}

/** A path on this site only ("/problems?x=1"); anything else (another host, "//evil") becomes "/". */
export function safeReturnTo(returnTo: string | null | undefined): string {
  if (!returnTo || !returnTo.startsWith("/") || returnTo.startsWith("//") || returnTo.startsWith("/\\")) return "/";
  try {
    const u = new URL(returnTo, "http://x.invalid");
    return u.host === "x.invalid" ? `${u.pathname}${u.search}${u.hash}` : "/";
  } catch {
    return "/";
  }
}
