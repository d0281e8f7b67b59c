/** @module A clock that moves only when told: background jobs are tested with `advance()` + `runOnce()`. */
import type { Clock } from "../../src/lib/clock";

export class FakeClock implements Clock {
  constructor(private current = Date.parse("2026-01-01T00:00:00Z")) {}
  now(): number {
    return this.current;
  }
  advance(ms: number): void {
    this.current += ms;
  }
  set(ms: number): void {
    this.current = ms;
  }
}
