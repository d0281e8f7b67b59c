/**
 * @module Fixed-window attempt counter for login (contract §3: per client IP and per slug, 429 with
 * `Retry-After`). In memory: a restart forgets counts, which only helps an attacker by one window.
 */
import type { Clock } from "../../lib/clock";

interface Window {
  start: number;
  count: number;
}

export class RateLimiter {
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly clock: Clock,
    private readonly limit: number,
    private readonly windowMs = 60_000,
  ) {}

  /**
   * Counts one attempt for `key`. Returns 0 when allowed, else the whole seconds until the window
   * resets (the `Retry-After` value). A limit of 0 disables the limiter.
   */
  hit(key: string): number {
    if (this.limit <= 0) return 0;
    const now = this.clock.now();
    let w = this.windows.get(key);
    if (!w || now - w.start >= this.windowMs) {
      if (this.windows.size > 50_000) this.sweep(now);
      w = { start: now, count: 0 };
      this.windows.set(key, w);
    }
    w.count++;
    if (w.count <= this.limit) return 0;
    return Math.max(1, Math.ceil((w.start + this.windowMs - now) / 1000));
  }

  private sweep(now: number): void {
    for (const [key, w] of this.windows) if (now - w.start >= this.windowMs) this.windows.delete(key);
  }
}
