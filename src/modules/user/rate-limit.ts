/**
 * @module Fixed-window attempt counter for login (contract §3: per client IP and per account, 429 with
 * `Retry-After`). In memory: a restart forgets counts, which only helps an attacker by one window.
 * Memory is bounded: expired windows are dropped as time passes, and past `maxKeys` live windows the
 * oldest is forgotten (resetting that key's count is the lesser harm than growing without bound).
 */
import type { Clock } from "../../lib/clock";

interface Window {
  start: number;
  count: number;
}

/** Counts attempts per key in fixed windows; see {@link RateLimiter.hit}. */
export class RateLimiter {
  /** Windows in start order (a key whose window expired is re-inserted at the end), so expired ones lead. */
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly clock: Clock,
    private readonly limit: number,
    private readonly windowMs = 60_000,
    private readonly maxKeys = 100_000,
  ) {}

  /**
   * Counts one attempt for `key`. Returns 0 when allowed, else the whole seconds until the window
   * resets (the `Retry-After` value). A limit of 0 disables the limiter.
   */
  hit(key: string): number {
    if (this.limit <= 0) return 0;
    const now = this.clock.now();
    this.dropExpired(now);
    let w = this.windows.get(key);
    if (!w) {
      if (this.windows.size >= this.maxKeys) this.windows.delete(this.windows.keys().next().value as string);
      w = { start: now, count: 0 };
      this.windows.set(key, w);
    }
    w.count++;
    if (w.count <= this.limit) return 0;
    return Math.max(1, Math.ceil((w.start + this.windowMs - now) / 1000));
  }

  /** How many keys are tracked (tests). */
  get size(): number {
    return this.windows.size;
  }

  /** Amortised O(1): each window is deleted once, and the scan stops at the first live one. */
  private dropExpired(now: number): void {
    for (const [key, w] of this.windows) {
      if (now - w.start < this.windowMs) return;
      this.windows.delete(key);
    }
  }
}

/**
 * The per-IP limiter's key for a client address: IPv4 (also IPv4-mapped IPv6) as is, IPv6 by its /64
 * prefix — one subscriber is routinely given a whole /64, so a per-address limit would be free to dodge.
 */
export function clientNetwork(address: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  if (mapped) return mapped[1]!;
  if (!address.includes(":")) return address;
  const bare = address.split("%")[0]!;
  const [head = "", tail] = bare.split("::");
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const groups = tail === undefined ? left : [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill("0"), ...right];
  return `${groups.slice(0, 4).map((g) => Number.parseInt(g, 16).toString(16)).join(":")}::/64`;
}
