/**
 * The fixed cast of one generated bucket, derived from the seed: deals (fund
 * names repeat across deal ids), users, the processes that log, and the
 * registry of planted fake secrets.
 */
import { APP_VERSIONS, FUNDS, USER_AGENTS_BOT, type Fund } from "./catalogue";
import { PersonalDataRegistry } from "./personal";
import { Rng } from "./prng";

export interface Deal {
  id: string;
  fund: Fund;
}

export interface User {
  id: number;
  platform: "iOS" | "Android";
  userAgent: string;
  appVersion: string;
}

export interface Proc {
  pid: number;
  hostname: string;
}

export type SecretKind = "access_token" | "refresh_token" | "authorization" | "access_token_header" | "url_token";

export interface Secret {
  kind: SecretKind;
  value: string;
}

/** Every fake secret written to the bucket; values are distinct. */
export class Secrets {
  readonly list: Secret[] = [];
  private readonly seen = new Set<string>();

  plant(kind: SecretKind, make: () => string): string {
    for (;;) {
      const value = make();
      if (this.seen.has(value)) continue;
      this.seen.add(value);
      this.list.push({ kind, value });
      return value;
    }
  }
}

/** Cumulative weights for O(log n) weighted picks from large pools. */
class WeightedPool<T> {
  private readonly cum: number[] = [];
  private readonly total: number;

  constructor(
    readonly items: readonly T[],
    weights: readonly number[],
  ) {
    let acc = 0;
    for (const w of weights) {
      acc += w;
      this.cum.push(acc);
    }
    this.total = acc;
  }

  pick(r: Rng): T {
    const x = r.next() * this.total;
    let lo = 0;
    let hi = this.cum.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.cum[mid] as number) > x) hi = mid;
      else lo = mid + 1;
    }
    return this.items[lo] as T;
  }
}

function botHostname(r: Rng): string {
  return `${r.hex(8)}-${r.hex(8)}-${r.hex(4)}-${r.hex(2)}`;
}

export class World {
  readonly deals: Deal[] = [];
  readonly users: User[] = [];
  readonly botProcs: Proc[] = [];
  readonly apiProcs: Proc[] = [];
  readonly adminProcs: Proc[] = [];
  readonly secrets = new Secrets();
  /** Personal data planted in questions and client addresses (recorded in the truth). */
  readonly personal = new PersonalDataRegistry();
  private readonly dealPool: WeightedPool<Deal>;
  private readonly userPool: WeightedPool<User>;

  constructor(seed: string | number, expectedSessions: number) {
    const r = new Rng(seed, "world");

    const dealIds = new Set<string>();
    const dealWeights: number[] = [];
    for (const fund of FUNDS) {
      for (let i = 0; i < fund.deals; i++) {
        let id: string;
        do id = String(r.int(100, 999));
        while (dealIds.has(id));
        dealIds.add(id);
        this.deals.push({ id, fund });
        dealWeights.push(fund.popularity * r.float(0.5, 1.5));
      }
    }
    this.dealPool = new WeightedPool(this.deals, dealWeights);

    // Returning users: a pool smaller than the number of sessions, skewed so
    // some users chat a lot. Ids look like the real ones (4 digits when few).
    const n = Math.min(200_000, Math.max(40, Math.round(expectedSessions * 0.35)));
    const span = Math.max(9000, n * 10);
    const ids = new Set<number>();
    while (ids.size < n) ids.add(1000 + r.int(0, span - 1));
    const userWeights: number[] = [];
    let rank = 0;
    for (const id of ids) {
      const platform = r.chance(0.55) ? "iOS" : "Android";
      const consistent = platform === "iOS" ? USER_AGENTS_BOT.filter((u) => u.includes("iOS")) : USER_AGENTS_BOT.filter((u) => !u.includes("iOS"));
      this.users.push({
        id,
        platform,
        userAgent: r.chance(0.8) ? r.pick(consistent) : r.pick(USER_AGENTS_BOT),
        appVersion: r.pick(APP_VERSIONS),
      });
      userWeights.push(1 / Math.pow(1 + rank++, 0.6));
    }
    // Shuffle weights so popularity is not tied to id order.
    this.userPool = new WeightedPool(this.users, r.shuffle(userWeights));

    for (let i = 0; i < 6; i++) this.botProcs.push({ pid: r.int(10, 99), hostname: botHostname(r) });
    for (let i = 0; i < 6; i++) this.apiProcs.push({ pid: r.int(10, 99), hostname: botHostname(r) });
    for (let i = 0; i < 2; i++) this.adminProcs.push({ pid: r.int(10, 99), hostname: `${r.hex(32)}-${r.digits(10)}` });
  }

  pickDeal(r: Rng): Deal {
    return this.dealPool.pick(r);
  }

  /** A user not in `exclude` (so other services' entries never belong to an open bot question). */
  pickUser(r: Rng, exclude?: ReadonlySet<number>): User {
    for (let i = 0; i < 50; i++) {
      const u = this.userPool.pick(r);
      if (!exclude || !exclude.has(u.id)) return u;
    }
    for (const u of this.users) if (!exclude || !exclude.has(u.id)) return u;
    throw new Error("no user left to pick");
  }
}
