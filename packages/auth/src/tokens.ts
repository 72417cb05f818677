import type { Queryable } from "@log-insights/store";
import { recordAudit, type AuditActor } from "./audit";
import { AuthError } from "./errors";
import { systemClock, type Clock } from "./policy";
import type { Principal } from "./principal";
import type { Role } from "./roles";
import { randomSecret, secretHash } from "./secrets";

/** Every token starts with this, so secret scanners (and people) recognise one. */
export const TOKEN_PREFIX = "li_";

export interface ApiToken {
  id: string;
  name: string;
  role: Role;
  /** The token's first characters, to tell tokens apart (not enough to use it). */
  prefix: string;
  createdBy: string;
  createdAtMs: number;
  expiresAtMs: number | null;
  lastUsedAtMs: number | null;
  revokedAtMs: number | null;
}

interface TokenRow {
  id: string; name: string; role: Role; prefix: string; created_by: string; created_at: Date;
  expires_at: Date | null; last_used_at: Date | null; revoked_at: Date | null;
}

const COLUMNS = "id::text, name, role, prefix, created_by, created_at, expires_at, last_used_at, revoked_at";

function toToken(r: TokenRow): ApiToken {
  return {
    id: r.id, name: r.name, role: r.role, prefix: r.prefix, createdBy: r.created_by, createdAtMs: r.created_at.getTime(),
    expiresAtMs: r.expires_at?.getTime() ?? null, lastUsedAtMs: r.last_used_at?.getTime() ?? null, revokedAtMs: r.revoked_at?.getTime() ?? null,
  };
}

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9 ._:-]{0,63}$/;

/** A duration for --expires: 30d, 12h, 6w, 1y (at most 5 years). */
export function parseExpiry(text: string): number {
  const m = /^\s*(\d{1,4})\s*(h|d|w|y)\s*$/i.exec(text);
  if (!m) throw new AuthError("BAD_EXPIRY", `"${text}" is not a duration such as 12h, 30d, 6w or 1y.`);
  const unit = { h: 3600_000, d: 86_400_000, w: 7 * 86_400_000, y: 365 * 86_400_000 }[m[2]!.toLowerCase() as "h" | "d" | "w" | "y"];
  const ms = Number(m[1]) * unit;
  if (ms <= 0 || ms > 5 * 365 * 86_400_000) throw new AuthError("BAD_EXPIRY", "An expiry is between 1 hour and 5 years.");
  return ms;
}

export interface CreateTokenInput {
  name: string;
  role: Role;
  /** Lifetime from now; null: never expires. */
  expiresInMs?: number | null;
  createdBy: AuditActor;
}

/** Creates a token: the value is returned once and only its hash is kept. Recorded in the audit log. */
export async function createToken(db: Queryable, input: CreateTokenInput, clock: Clock = systemClock): Promise<{ token: string; apiToken: ApiToken }> {
  const name = input.name.trim();
  if (!NAME_RE.test(name)) throw new AuthError("BAD_TOKEN_NAME", "A token name is 1-64 letters, digits, spaces or . _ : - and starts with a letter or digit.");
  const token = `${TOKEN_PREFIX}${randomSecret()}`;
  const now = clock();
  const expiresAt = input.expiresInMs ? new Date(now + input.expiresInMs) : null;
  const by = input.createdBy.kind === "user" ? input.createdBy.email : input.createdBy.kind === "system" ? input.createdBy.label : input.createdBy.kind === "token" ? `token:${input.createdBy.name}` : "anonymous";
  const { rows } = await db.query<TokenRow>(
    `INSERT INTO api_tokens (name, role, token_hash, prefix, created_by, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (name) WHERE revoked_at IS NULL DO NOTHING RETURNING ${COLUMNS}`,
    [name, input.role, secretHash(token), token.slice(0, TOKEN_PREFIX.length + 6), by, new Date(now), expiresAt],
  );
  if (!rows[0]) throw new AuthError("ALREADY_EXISTS", `A token named "${name}" already exists: revoke it first or pick another name.`);
  const apiToken = toToken(rows[0]);
  await recordAudit(db, { actor: input.createdBy, action: "token_created", target: name, filters: { role: input.role, expiresAt: expiresAt?.toISOString() ?? null } });
  return { token, apiToken };
}

export async function listTokens(db: Queryable, includeRevoked = false): Promise<ApiToken[]> {
  const { rows } = await db.query<TokenRow>(`SELECT ${COLUMNS} FROM api_tokens ${includeRevoked ? "" : "WHERE revoked_at IS NULL"} ORDER BY created_at DESC, id DESC`);
  return rows.map(toToken);
}

/** Revokes the live token with this name; recorded in the audit log. */
export async function revokeToken(db: Queryable, name: string, by: AuditActor, clock: Clock = systemClock): Promise<ApiToken> {
  const { rows } = await db.query<TokenRow>(`UPDATE api_tokens SET revoked_at = $2 WHERE name = $1 AND revoked_at IS NULL RETURNING ${COLUMNS}`, [name.trim(), new Date(clock())]);
  if (!rows[0]) throw new AuthError("NOT_FOUND", `No live token named "${name}".`);
  await recordAudit(db, { actor: by, action: "token_revoked", target: rows[0].name });
  return toToken(rows[0]);
}

/** Token use is recorded (last_used_at, and an audit row) at most once per token per this long. */
export const TOKEN_USE_RECORD_MS = 60_000;

/**
 * The principal of a bearer token, or null when it is unknown, revoked or
 * expired. The first use in each minute writes last_used_at and one audit
 * row; the UPDATE's condition makes that exactly once per minute even with
 * many requests (and API instances) at once.
 */
export async function resolveToken(db: Queryable, token: string, clock: Clock = systemClock): Promise<Extract<Principal, { kind: "token" }> | null> {
  if (!token.startsWith(TOKEN_PREFIX) || token.length > 100) return null;
  const now = clock();
  const { rows } = await db.query<TokenRow>(`SELECT ${COLUMNS} FROM api_tokens WHERE token_hash = $1`, [secretHash(token)]);
  const t = rows[0];
  if (!t || t.revoked_at !== null || (t.expires_at !== null && t.expires_at.getTime() <= now)) return null;
  const principal = { kind: "token" as const, tokenId: t.id, name: t.name, role: t.role };
  if (t.last_used_at === null || now - t.last_used_at.getTime() >= TOKEN_USE_RECORD_MS) {
    const touched = await db.query(
      "UPDATE api_tokens SET last_used_at = $2 WHERE id = $1 AND (last_used_at IS NULL OR last_used_at <= $3)",
      [t.id, new Date(now), new Date(now - TOKEN_USE_RECORD_MS)],
    );
    if ((touched.rowCount ?? 0) > 0) await recordAudit(db, { actor: principal, action: "token_used", target: t.name });
  }
  return principal;
}
