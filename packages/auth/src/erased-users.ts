// Light on purpose: the ingest imports this (@log-insights/auth/erased-users)
// to skip erased investors, without loading the rest of the auth package
// (argon2, openid-client).
import type { Queryable } from "@log-insights/store";
import { instanceKey } from "./instance-key";
import { keyedHash } from "./secrets";

/** The auth_settings name of the key that erased investors' ids are hashed with (AUTH_SECRET wins when set). */
export const ERASURE_KEY_NAME = "erasure-key";

/**
 * Advisory lock between an erasure and the ingest: the erasure holds it
 * exclusively for its transaction, every ingest transaction holds it shared
 * while it reads the erased ids and writes its rows. So an ingest that
 * started before an erasure commits before the erasure deletes (and its rows
 * are deleted too), and one that starts during it waits and then sees the
 * new id: an erased investor can never slip in between.
 */
export const ERASURE_LOCK = "5217735098236170913";

/**
 * The reason recorded for an entry (or rejected record) of an erased
 * investor: by the ingest, which skips them, and by the erasure, which
 * removes them. Such a rejected record keeps no raw text, so a file still
 * reads = stored + rejected.
 */
export const ERASED_REASON = "erased investor";

/** The canonical text of an investor id (log tables hold them as bigint). */
function idText(userId: number | bigint | string): string | null {
  const s = typeof userId === "string" ? userId.trim() : String(userId);
  if (!/^\d{1,18}$/.test(s)) return null;
  return BigInt(s).toString();
}

/** What erased_users keeps of an investor: HMAC-SHA256 (hex) of the id under the erasure key. */
export function erasedUserHash(key: string, userId: number | bigint | string): string {
  const id = idText(userId);
  if (id === null) throw new Error("an investor id is a whole number");
  return keyedHash(key, `investor:${id}`);
}

/** The erasure key of this installation (made once, kept in auth_settings, unless AUTH_SECRET is set). */
export function erasureKey(db: Queryable): Promise<string> {
  return instanceKey(db, ERASURE_KEY_NAME);
}

/**
 * The shapes in which a log entry's text names an investor besides its
 * user_id column: `"authUserId":N` (also quoted, or as `"userId"` /
 * `"user_id"`), and the `auth_user_id=N` cookie the log model keeps.
 */
const NAMED_ID = /"(?:authUserId|auth_user_id|userId|user_id)"\s*:\s*"?(\d{1,18})(?!\d)|auth_user_id=(\d{1,18})(?!\d)/g;

/** Every investor id a text names in those shapes. */
export function investorIdsNamedIn(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(NAMED_ID)) out.push(BigInt(m[1] ?? m[2]!).toString());
  return out;
}

/**
 * The set of erased investors, as the ingest checks it: only hashes are
 * held, each id met is hashed once (memoized), and an empty set costs
 * nothing (the usual case: `size` is 0 and nothing is hashed).
 */
export class ErasedUsers {
  private readonly memo = new Map<string, boolean>();

  constructor(private readonly key: string | null, private readonly hashes: ReadonlySet<string>) {}

  get size(): number {
    return this.hashes.size;
  }

  /** True when this investor id was erased. */
  has(userId: number | bigint | string | null | undefined): boolean {
    if (this.hashes.size === 0 || userId === null || userId === undefined || this.key === null) return false;
    const id = idText(userId);
    if (id === null) return false;
    let hit = this.memo.get(id);
    if (hit === undefined) {
      hit = this.hashes.has(erasedUserHash(this.key, id));
      if (this.memo.size > 100_000) this.memo.clear();
      this.memo.set(id, hit);
    }
    return hit;
  }

  /** True when the text (an entry's stored line, a rejected record's raw text) names an erased investor. */
  namedIn(text: string | null | undefined): boolean {
    if (this.hashes.size === 0 || !text) return false;
    return investorIdsNamedIn(text).some((id) => this.has(id));
  }
}

export const NO_ERASED_USERS = new ErasedUsers(null, new Set());

/**
 * The erased investors, for one ingest transaction. With `lock` (the
 * default; needs an open transaction) it first takes ERASURE_LOCK shared,
 * in its own statement, so the list read afterwards includes an erasure
 * that committed while we waited.
 */
export async function loadErasedUsers(db: Queryable, options: { lock?: boolean } = {}): Promise<ErasedUsers> {
  if (options.lock ?? true) await db.query(`SELECT pg_advisory_xact_lock_shared(${ERASURE_LOCK})`);
  const { rows } = await db.query<{ user_hash: string }>("SELECT user_hash FROM erased_users");
  if (rows.length === 0) return NO_ERASED_USERS;
  return new ErasedUsers(await erasureKey(db), new Set(rows.map((r) => r.user_hash)));
}
