/** Fixed-window counter per key; the clock comes in as an argument. */
export class WindowLimiter {
  private readonly hits = new Map<string, { start: number; count: number }>();
  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly maxKeys = 10_000,
  ) {}

  /** Counts one attempt; returns whether it is allowed and, if not, when to retry. */
  hit(key: string, now: number): { allowed: boolean; retryAfterMs: number } {
    let w = this.hits.get(key);
    if (!w || now - w.start >= this.windowMs) {
      if (!w && this.hits.size >= this.maxKeys) this.prune(now);
      w = { start: now, count: 0 };
      this.hits.set(key, w);
    }
    w.count++;
    if (w.count > this.limit) return { allowed: false, retryAfterMs: w.start + this.windowMs - now };
    return { allowed: true, retryAfterMs: 0 };
  }

  reset(key: string): void {
    this.hits.delete(key);
  }

  private prune(now: number): void {
    for (const [k, w] of this.hits) if (now - w.start >= this.windowMs) this.hits.delete(k);
    if (this.hits.size >= this.maxKeys) this.hits.delete(this.hits.keys().next().value as string);
  }
}
