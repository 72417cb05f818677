/**
 * Per-caller limits of one API process (a caller is a session or a token,
 * principalKey): requests per minute (a token bucket, so a dashboard's burst
 * of ten panels passes and a script looping on the API does not), requests
 * at once, and open live-update streams. Several API instances each apply
 * their own.
 */
export interface CallerLimits {
  perMinute: number;
  concurrent: number;
  subscriptions: number;
}

export class CallerLimiter {
  private readonly buckets = new Map<string, { tokens: number; atMs: number }>();
  private readonly inFlight = new Map<string, number>();
  private readonly streams = new Map<string, number>();

  constructor(readonly limits: CallerLimits, private readonly clock: () => number = () => Date.now()) {}

  /** Takes one request from the caller's bucket; the seconds to wait when it is empty. */
  take(key: string): { ok: true } | { ok: false; retryAfterSeconds: number } {
    const now = this.clock();
    const rate = this.limits.perMinute / 60_000;
    const b = this.buckets.get(key) ?? { tokens: this.limits.perMinute, atMs: now };
    b.tokens = Math.min(this.limits.perMinute, b.tokens + (now - b.atMs) * rate);
    b.atMs = now;
    if (b.tokens < 1) {
      this.buckets.set(key, b);
      return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - b.tokens) / rate / 1000)) };
    }
    b.tokens -= 1;
    this.buckets.set(key, b);
    if (this.buckets.size > 50_000) this.sweep(now);
    return { ok: true };
  }

  /** Counts a request in flight; false when the caller already has the maximum. */
  enter(key: string): boolean {
    const n = this.inFlight.get(key) ?? 0;
    if (n >= this.limits.concurrent) return false;
    this.inFlight.set(key, n + 1);
    return true;
  }

  leave(key: string): void {
    const n = (this.inFlight.get(key) ?? 1) - 1;
    if (n <= 0) this.inFlight.delete(key);
    else this.inFlight.set(key, n);
  }

  /** Opens a live stream; false when the caller has the maximum open. */
  openStream(key: string): boolean {
    const n = this.streams.get(key) ?? 0;
    if (n >= this.limits.subscriptions) return false;
    this.streams.set(key, n + 1);
    return true;
  }

  closeStream(key: string): void {
    const n = (this.streams.get(key) ?? 1) - 1;
    if (n <= 0) this.streams.delete(key);
    else this.streams.set(key, n);
  }

  /** Full buckets carry no information: forget them. */
  private sweep(now: number): void {
    const rate = this.limits.perMinute / 60_000;
    for (const [k, b] of this.buckets) if (b.tokens + (now - b.atMs) * rate >= this.limits.perMinute) this.buckets.delete(k);
  }
}
