/** @module Retrying transient failures (network, 429, 5xx) with capped exponential backoff and jitter. */
import { isTransient, ServerError } from "./http.js";

/**
 * Options of {@link withRetry}.
 *
 * @example
 * await withRetry(fn, { timeoutMs: 30_000, onRetry: (err, ms) => console.warn(`retrying in ${ms} ms`, err) });
 */
export interface RetryOptions {
  /** Give up once this many milliseconds have passed since the first attempt; default 60 000. */
  timeoutMs?: number;
  /** First delay; it doubles up to `maxDelayMs`. Defaults 200 and 5 000. */
  minDelayMs?: number;
  maxDelayMs?: number;
  /** Stops retrying (the last error is thrown) when aborted. */
  signal?: AbortSignal;
  /** Called before each wait, e.g. to log. */
  onRetry?: (err: unknown, delayMs: number) => void;
}

/**
 * Runs `fn` until it succeeds, it fails with a non-transient error (thrown at once), or the time is up.
 *
 * @example
 * const key = await withRetry(() => api.call("GET", "/user-svc/public-key"), { timeoutMs: 30_000 });
 */
export async function withRetry<T>(fn: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  let delay = options.minDelayMs ?? 200;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (!isTransient(err) || options.signal?.aborted) throw err;
      const hinted = err instanceof ServerError && err.retryAfter ? err.retryAfter * 1000 : 0;
      const wait = Math.max(hinted, delay * (0.75 + Math.random() * 0.5));
      if (Date.now() + wait > deadline) throw err;
      options.onRetry?.(err, wait);
      await sleep(wait, options.signal);
      delay = Math.min(delay * 2, options.maxDelayMs ?? 5_000);
    }
  }
}

/**
 * Resolves after `ms`, or early when `signal` aborts (never rejects).
 *
 * @example
 * await sleep(1000, controller.signal);
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
  });
}
