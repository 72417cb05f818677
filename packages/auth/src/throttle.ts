import type { Queryable } from "@log-insights/store";
import { instanceKey } from "./instance-key";
import type { AuthPolicy, Clock } from "./policy";
import { keyedHash } from "./secrets";

/**
 * Failed sign-ins, counted per account and per client address in a window
 * (sign_in_failures). Past the limit the key is locked for a while: the right
 * password is refused too until then, so guessing is slow whatever the
 * guesser spreads over. An address is kept as a keyed hash, never as itself.
 */
export interface ThrottleKeys {
  account: string;
  address: string | null;
}

export async function throttleKeys(db: Queryable, email: string, address: string | null): Promise<ThrottleKeys> {
  const key = address ? await instanceKey(db, "address-key") : null;
  return { account: `account:${email.trim().toLowerCase()}`, address: address && key ? `address:${keyedHash(key, address)}` : null };
}

/** When the later of the two locks ends (ms), or null when neither is locked. */
export async function lockedUntil(db: Queryable, keys: ThrottleKeys, clock: Clock): Promise<number | null> {
  const { rows } = await db.query<{ until: Date | null }>(
    "SELECT max(locked_until) AS until FROM sign_in_failures WHERE key = ANY($1::text[]) AND locked_until > $2",
    [[keys.account, keys.address].filter((k): k is string => k !== null), new Date(clock())],
  );
  return rows[0]?.until?.getTime() ?? null;
}

/** Counts a failure against both keys; locks each that reached its limit. */
export async function recordFailure(db: Queryable, keys: ThrottleKeys, policy: AuthPolicy, clock: Clock): Promise<void> {
  const now = new Date(clock());
  const windowStart = new Date(clock() - policy.lockoutWindowMs);
  const lockEnd = new Date(clock() + policy.lockoutMs);
  const bump = (key: string, limit: number) =>
    db.query(
      `INSERT INTO sign_in_failures AS f (key, failures, window_start, locked_until)
       VALUES ($1, 1, $2, CASE WHEN $3::int <= 1 THEN $5::timestamptz END)
       ON CONFLICT (key) DO UPDATE SET
         failures     = CASE WHEN f.window_start < $4 THEN 1 ELSE f.failures + 1 END,
         window_start = CASE WHEN f.window_start < $4 THEN $2 ELSE f.window_start END,
         locked_until = CASE WHEN (CASE WHEN f.window_start < $4 THEN 1 ELSE f.failures + 1 END) >= $3 THEN $5::timestamptz ELSE f.locked_until END`,
      [key, now, limit, windowStart, lockEnd],
    );
  await bump(keys.account, policy.accountAttempts);
  if (keys.address) await bump(keys.address, policy.addressAttempts);
}

/** A successful sign-in clears the account's count (the address keeps its own). */
export async function clearAccount(db: Queryable, keys: ThrottleKeys): Promise<void> {
  await db.query("DELETE FROM sign_in_failures WHERE key = $1", [keys.account]);
}
