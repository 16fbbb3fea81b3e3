/**
 * Per-connection token buckets (rate r messages/s, burst b): a message costs one token, tokens refill at r
 * per second up to b. A limited peer gets at most one RATE_LIMITED answer per 100 ms, so a flood cannot
 * make the coordinator amplify it.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number; lastReply: number }>();

  constructor(
    private readonly rate: number,
    private readonly burst: number,
  ) {}

  /** Takes one token for `key` at time `now` (ms). */
  take(key: string, now: number): { limited: boolean; reply: boolean } {
    if (!this.rate) return { limited: false, reply: false };
    let b = this.buckets.get(key);
    if (!b) {
      b = { tokens: this.burst, at: now, lastReply: 0 };
      this.buckets.set(key, b);
    }
    b.tokens = Math.min(this.burst, b.tokens + ((now - b.at) * this.rate) / 1000);
    b.at = now;
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return { limited: false, reply: false };
    }
    const reply = now - b.lastReply > 100;
    if (reply) b.lastReply = now;
    return { limited: true, reply };
  }

  /** Forgets buckets idle for 10 s of connections `keep` does not claim (bounded memory under floods). */
  sweep(now: number, keep: (key: string) => boolean): void {
    if (this.buckets.size <= 1000) return;
    for (const [k, b] of this.buckets) if (now - b.at > 10_000 && !keep(k)) this.buckets.delete(k);
  }

  get size(): number {
    return this.buckets.size;
  }
}
