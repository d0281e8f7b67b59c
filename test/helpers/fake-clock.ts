/**
 * @module A clock that moves only when told: background jobs are tested with `advance()` + `runOnce()`,
 * and loops that wait (the SDK's heartbeat) wait on `sleep`, released by `advance()`.
 */
import type { Clock } from "../../src/lib/clock";

interface Sleeper {
  due: number;
  wake(): void;
}

export class FakeClock implements Clock {
  private readonly sleepers = new Set<Sleeper>();

  constructor(private current = Date.parse("2026-01-01T00:00:00Z")) {}
  now(): number {
    return this.current;
  }
  advance(ms: number): void {
    this.set(this.current + ms);
  }
  set(ms: number): void {
    this.current = ms;
    for (const s of [...this.sleepers].sort((a, b) => a.due - b.due)) if (s.due <= ms) s.wake();
  }

  /**
   * Resolves once the clock has moved `ms` on, or at once when `signal` aborts (never rejects): the
   * contract of sdk/retry.ts's `sleep`, so it can stand in for it. An arrow, to be passed unbound.
   */
  readonly sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
    new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const sleeper: Sleeper = {
        due: this.current + ms,
        wake: () => {
          this.sleepers.delete(sleeper);
          signal?.removeEventListener("abort", sleeper.wake);
          resolve();
        },
      };
      this.sleepers.add(sleeper);
      signal?.addEventListener("abort", sleeper.wake, { once: true });
    });

  /** How many `sleep`s are still waiting: 0 means nothing will run when time moves on. */
  get waiting(): number {
    return this.sleepers.size;
  }
}
