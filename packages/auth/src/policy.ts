import type { Env } from "@log-insights/config";

/** Lifetimes and limits of sign-in, from the environment (packages/config/src/env.ts documents each). */
export interface AuthPolicy {
  /** A session unused this long ends. */
  sessionIdleMs: number;
  /** A session ends this long after sign-in, used or not. */
  sessionMaxMs: number;
  /** Failed sign-ins of one account within `lockoutWindowMs` that lock it. */
  accountAttempts: number;
  /** Failed sign-ins from one address within `lockoutWindowMs` that lock it out. */
  addressAttempts: number;
  lockoutWindowMs: number;
  /** How long a lock lasts. */
  lockoutMs: number;
  /** How long a one-time sign-in link stays valid. */
  linkMs: number;
}

export const DEFAULT_POLICY: AuthPolicy = {
  sessionIdleMs: 8 * 3600_000,
  sessionMaxMs: 7 * 86_400_000,
  accountAttempts: 5,
  addressAttempts: 20,
  lockoutWindowMs: 15 * 60_000,
  lockoutMs: 15 * 60_000,
  linkMs: 24 * 3600_000,
};

export function policyFromEnv(env: Env): AuthPolicy {
  return {
    sessionIdleMs: env.AUTH_SESSION_IDLE_MINUTES * 60_000,
    sessionMaxMs: env.AUTH_SESSION_MAX_HOURS * 3600_000,
    accountAttempts: env.AUTH_LOCKOUT_ATTEMPTS,
    addressAttempts: env.AUTH_LOCKOUT_ADDRESS_ATTEMPTS,
    lockoutWindowMs: env.AUTH_LOCKOUT_MINUTES * 60_000,
    lockoutMs: env.AUTH_LOCKOUT_MINUTES * 60_000,
    linkMs: env.AUTH_LINK_HOURS * 3600_000,
  };
}

/** The clock every function here reads (tests pass their own). */
export type Clock = () => number;
export const systemClock: Clock = () => Date.now();
