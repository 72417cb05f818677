import { hash, verify } from "@node-rs/argon2";

/** Algorithm.Argon2id of @node-rs/argon2 (a const enum, which isolated modules cannot read). */
const ARGON2ID = 2;
import { AuthError } from "./errors";

/**
 * argon2id with OWASP's recommended parameters (19 MiB, 2 passes, 1 lane):
 * ~25 ms a hash on one core here, slow enough for a stolen hash to be
 * expensive to guess, fast enough for a sign-in.
 */
const OPTIONS = { algorithm: ARGON2ID, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export const PASSWORD_MIN_LENGTH = 12;
/** Longer inputs are refused before hashing: argon2 of megabytes would be a free denial of service. */
export const PASSWORD_MAX_LENGTH = 256;

/** Refuses a password that is too short, too long, or the email itself. */
export function checkPasswordPolicy(password: string, email?: string): void {
  if (password.length < PASSWORD_MIN_LENGTH) throw new AuthError("BAD_PASSWORD", `A password needs at least ${PASSWORD_MIN_LENGTH} characters.`);
  if (password.length > PASSWORD_MAX_LENGTH) throw new AuthError("BAD_PASSWORD", `A password has at most ${PASSWORD_MAX_LENGTH} characters.`);
  if (email && password.trim().toLowerCase() === email.toLowerCase()) throw new AuthError("BAD_PASSWORD", "A password cannot be the email address.");
}

export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

/** A hash of nothing in particular: verified against when the account does not exist, so both take as long. */
let dummy: Promise<string> | undefined;

export async function verifyPassword(stored: string | null, password: string): Promise<boolean> {
  if (password.length > PASSWORD_MAX_LENGTH) return false;
  if (stored === null) {
    await verify(await (dummy ??= hashPassword("not a real password, never matches")), password).catch(() => false);
    return false;
  }
  try {
    return await verify(stored, password);
  } catch {
    return false;
  }
}
