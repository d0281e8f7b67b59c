/**
 * @module Fixed-window counter per key with bounded memory: the building block of the login and
 * registration limits (contract §3, 429 with `Retry-After`; the policy is in `login-limits.ts`) and
 * of the prober's budget of immediate probes. In
 * memory: a restart forgets counts, which only helps an attacker by one window. Memory is bounded:
 * expired windows are dropped as time passes, and past `maxKeys` live windows the oldest is forgotten
 * (resetting that key's count is the lesser harm than growing without bound).
 */
import type { Clock } from "./clock";
import { parseIp } from "./ip";

interface Window {
  start: number;
  count: number;
}

/** The time source, the events allowed per window, the window (ms, default a minute) and the keys kept at most. */
export interface RateLimiterOptions {
  clock: Clock;
  /** Events allowed per window; 0 disables the limiter (it then tracks nothing). */
  limit: number;
  windowMs?: number;
  maxKeys?: number;
}

/** Counts events per key in fixed windows; see {@link RateLimiter.hit} and {@link RateLimiter.blocked}. */
export class RateLimiter {
  /** Windows in start order (a key whose window expired is re-inserted at the end), so expired ones lead. */
  private readonly windows = new Map<string, Window>();
  private readonly clock: Clock;
  /** Events allowed per window; 0 disables the limiter. */
  readonly limit: number;
  private readonly windowMs: number;
  private readonly maxKeys: number;

  constructor(o: RateLimiterOptions) {
    this.clock = o.clock;
    this.limit = o.limit;
    this.windowMs = o.windowMs ?? 60_000;
    this.maxKeys = o.maxKeys ?? 100_000;
  }

  /**
   * Counts one event for `key`. Returns 0 when allowed, else the whole seconds until the window
   * resets (the `Retry-After` value). A limit of 0 disables the limiter.
   */
  hit(key: string): number {
    if (this.limit <= 0) return 0;
    const w = this.add(key);
    return w.count <= this.limit ? 0 : this.secondsLeft(w);
  }

  /** Without counting: the seconds until `key` may count again when it already holds `limit` events, else 0. */
  blocked(key: string): number {
    if (this.limit <= 0) return 0;
    const w = this.live(key);
    return w && w.count >= this.limit ? this.secondsLeft(w) : 0;
  }

  /** Events counted for `key` in its current window (0 when none, or when disabled). */
  count(key: string): number {
    return this.live(key)?.count ?? 0;
  }

  /** Seconds until `key`'s current window ends (0 when it has none). */
  retryAfter(key: string): number {
    const w = this.live(key);
    return w ? this.secondsLeft(w) : 0;
  }

  /**
   * Counts one event for `key` unconditionally (a reservation the caller may take back with
   * {@link undo}). Returns the clock reading it was counted at.
   */
  reserve(key: string): number {
    if (this.limit > 0) this.add(key);
    return this.clock.now();
  }

  /** Takes back one event counted at `at`, if the window it was counted in is still the live one. */
  undo(key: string, at: number): void {
    const w = this.live(key);
    if (w && w.start <= at && w.count > 0) w.count--;
  }

  /** Forgets `key`'s count. */
  reset(key: string): void {
    this.windows.delete(key);
  }

  /** How many keys are tracked (tests). */
  get size(): number {
    return this.windows.size;
  }

  private add(key: string): Window {
    const now = this.clock.now();
    this.dropExpired(now);
    let w = this.windows.get(key);
    if (!w) {
      if (this.windows.size >= this.maxKeys) this.windows.delete(this.windows.keys().next().value as string);
      w = { start: now, count: 0 };
      this.windows.set(key, w);
    }
    w.count++;
    return w;
  }

  private live(key: string): Window | undefined {
    const w = this.windows.get(key);
    return w && this.clock.now() - w.start < this.windowMs ? w : undefined;
  }

  private secondsLeft(w: Window): number {
    return Math.max(1, Math.ceil((w.start + this.windowMs - this.clock.now()) / 1000));
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
 * The limiters' key for a client address: IPv4 (also IPv4-mapped IPv6) as is, IPv6 by its /64
 * prefix — one subscriber is routinely given a whole /64, so a per-address limit would be free to dodge.
 * Any spelling of one address gives one key (lib/ip.ts); text that is no IP address is its own key.
 */
export function clientNetwork(address: string): string {
  const ip = parseIp(address);
  if (ip === undefined) return address;
  if (ip.family === 4) return ip.address;
  return `${ip.groups.slice(0, 4).map((g) => g.toString(16)).join(":")}::/64`;
}
