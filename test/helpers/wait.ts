/** @module Polls a condition until it holds or a deadline passes (no fixed sleeps in tests). */

/**
 * Resolves with the first truthy value of `probe`, or throws after `timeoutMs` naming `what`. A probe
 * that throws (a connection refused while a process starts) counts as "not yet"; the last error is
 * reported on timeout.
 */
export async function waitFor<T>(what: string, probe: () => T | Promise<T>, timeoutMs = 15_000, everyMs = 20): Promise<NonNullable<T>> {
  const deadline = performance.now() + timeoutMs;
  let last: unknown;
  while (performance.now() < deadline) {
    try {
      last = await probe();
      if (last) return last as NonNullable<T>;
    } catch (err) {
      last = err;
    }
    await Bun.sleep(everyMs);
  }
  const detail = last instanceof Error ? last.message : JSON.stringify(last);
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${detail})`);
}
