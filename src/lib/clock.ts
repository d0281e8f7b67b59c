/** @module Time source injected into services and background jobs, so tests can move time by hand. */

export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** ISO 8601 UTC string for a clock reading (our wire format for every time). */
export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}
