/** @module Opaque, sortable-enough identifiers shaped like 1Backend's (`usr-7fJ2kq9LmZ`). */

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** Random base62 string of `length` characters (rejection-free: 62 ≈ 2^5.95, bias is negligible for ids). */
export function randomBase62(length = 12): string {
  const bytes = crypto.getRandomValues(new Uint8Array(length));
  let out = "";
  for (const byte of bytes) out += BASE62[byte % 62];
  return out;
}

/** New id with a readable prefix, e.g. `newId("usr")` → `usr-4gT0qXc1PbZs`. */
export function newId(prefix: string): string {
  return `${prefix}-${randomBase62()}`;
}
