import type { Queryable } from "@log-insights/store";
import { systemClock, type AuthPolicy, type Clock } from "./policy";
import { ANONYMOUS, type Principal } from "./principal";
import { resolveSession, SESSION_COOKIE_NAMES } from "./sessions";
import { secretHash } from "./secrets";
import { resolveToken } from "./tokens";

/** A cookie's value from a Cookie header, or null. */
export function readCookie(header: string | null | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq === -1) continue;
    if (part.slice(0, eq).trim() === name) {
      const value = part.slice(eq + 1).trim();
      try {
        return decodeURIComponent(value);
      } catch {
        return value;
      }
    }
  }
  return null;
}

/** The bearer token of an Authorization header, or null. */
export function bearerToken(header: string | null | undefined): string | null {
  const m = header ? /^\s*Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return m ? m[1]! : null;
}

/** The session cookie of a request (either name), or null. */
export function sessionSecret(headers: Pick<Headers, "get">): string | null {
  for (const name of SESSION_COOKIE_NAMES) {
    const v = readCookie(headers.get("cookie"), name);
    if (v) return v;
  }
  return null;
}

export interface AuthenticatorOptions {
  db: Queryable;
  policy: AuthPolicy;
  clock?: Clock;
  /**
   * How long a resolved session or token is reused without asking the
   * database again (default 5 s): a dashboard loads ten panels at once. A
   * revocation therefore reaches other processes within this long; in this
   * process, forget() makes it immediate.
   */
  cacheMs?: number;
}

/**
 * Who a request comes from: `Authorization: Bearer <token>` when present
 * (an unknown or revoked token is anonymous, never a fallback to the
 * cookie), else the session cookie, else anonymous.
 */
export class Authenticator {
  private readonly cache = new Map<string, { principal: Principal; untilMs: number }>();
  private readonly clock: Clock;
  private readonly cacheMs: number;

  constructor(private readonly options: AuthenticatorOptions) {
    this.clock = options.clock ?? systemClock;
    this.cacheMs = options.cacheMs ?? 5_000;
  }

  async authenticate(headers: Pick<Headers, "get">): Promise<Principal> {
    const bearer = bearerToken(headers.get("authorization"));
    if (bearer !== null) return this.cached(`t:${secretHash(bearer)}`, () => resolveToken(this.options.db, bearer, this.clock));
    const session = sessionSecret(headers);
    if (session !== null) return this.cached(`s:${secretHash(session)}`, () => resolveSession(this.options.db, session, this.options.policy, this.clock));
    return ANONYMOUS;
  }

  /** Forgets a cached session or token (after sign-out or revocation in this process); no argument: everything. */
  forget(secret?: string): void {
    if (secret === undefined) this.cache.clear();
    else {
      this.cache.delete(`t:${secretHash(secret)}`);
      this.cache.delete(`s:${secretHash(secret)}`);
    }
  }

  private async cached(key: string, resolve: () => Promise<Principal | null>): Promise<Principal> {
    const now = this.clock();
    const hit = this.cache.get(key);
    if (hit && hit.untilMs > now) return hit.principal;
    const principal = (await resolve()) ?? ANONYMOUS;
    if (this.cacheMs > 0) {
      if (this.cache.size > 10_000) this.cache.clear();
      this.cache.set(key, { principal, untilMs: now + this.cacheMs });
    }
    return principal;
  }
}
