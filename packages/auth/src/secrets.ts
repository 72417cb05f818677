import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/** 256 random bits as base64url: session cookies, API tokens, sign-in links, SSO flow ids. */
export function randomSecret(bytes = 32): string {
  return randomBytes(bytes).toString("base64url");
}

/**
 * What the database keeps of a random secret: its SHA-256. The secrets are
 * 256-bit random values, so a fast hash is enough (nothing to brute-force);
 * passwords, which people choose, get argon2id instead (passwords.ts).
 */
export function secretHash(secret: string): string {
  return createHash("sha256").update(secret).digest("hex");
}

/** A keyed hash (HMAC-SHA256, hex): for values that must be matched later but not kept (addresses, erased ids). */
export function keyedHash(key: string, value: string): string {
  return createHmac("sha256", key).update(value).digest("hex");
}

export function constantTimeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
