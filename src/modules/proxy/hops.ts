/**
 * @module Loop detection (contract §5 "Loops"): every request the proxy forwards carries
 * `X-1backend-Hops`, the number of 1Backend proxies it has passed; one arriving with `MAX_HOPS` or more
 * is answered 508 `proxy.loop_detected` instead of being forwarded. An instance URL that leads back to
 * this server, or through other servers (ours, or foreign proxies, which pass unknown fields on) back to
 * one of them, so costs at most `MAX_HOPS` upstream requests per client request instead of running
 * until sockets or a core run out.
 *
 * Why a counter field of our own and not our entries in `Via` (RFC 9110 §7.6.3): `Via` grows by one
 * entry per hop and must be scanned (a client can fill it up to the header limit) and re-joined on
 * every request, while the counter costs one `headers.get`, a parse of a digit or two and a `set` of
 * a constant string. `Via` would also need a name that tells our nodes apart from each other.
 *
 * What a client may send, and why each is safe (we always replace the field with one clean integer,
 * so anything else comes from a client or a foreign hop, once, at the start of a chain):
 * - garbage, negative, fractional, hex or empty values are not a count we wrote: the count starts at 0,
 *   the same bound as for a request without the field (a negative value buys no extra hops);
 * - huge values saturate (no overflow, no big-number parse) and are refused: a client may claim any
 *   number of hops, but only to its own harm;
 * - several fields (the Fetch `Headers` join them with ", ") count as the largest item, so a hop that
 *   appends a field instead of replacing ours cannot reset the count;
 * - naming the field in `Connection` makes it this hop's, which is where it is read (before the
 *   hop-by-hop fields are removed): it cannot hide the count from us.
 */

/** The hop-count field, lowercase as `Headers` stores it. */
export const HOPS_HEADER = "x-1backend-hops";

/**
 * Hops a request may make through 1Backend proxies. Real chains are short (an edge listener, the slug
 * proxy, perhaps a service that proxies on with the headers it got, in front of another server: 3–4);
 * 8 leaves room for that twice over, while a loop stops after 8 upstream requests (about 16 sockets)
 * per client request. Not configurable: no deployment needs deeper chains, and a bigger bound only
 * multiplies what one request can cost in a loop.
 */
export const MAX_HOPS = 8;

/** `HOP_VALUES[n]` is the field value for a request that has passed n + 1 proxies: no allocation per request. */
const HOP_VALUES: readonly string[] = Array.from({ length: MAX_HOPS }, (_, n) => String(n + 1));

/**
 * How many 1Backend proxies a request has passed, from its `X-1backend-Hops` value (`null`: none),
 * saturated at `MAX_HOPS`; see the module note for values that are not a plain count.
 */
export function hopsOf(value: string | null): number {
  if (value === null) return 0;
  let largest = 0;
  let item = 0;
  // Per item: 0 before its digits, 1 in them, 2 after them (whitespace seen), -1 not a plain count.
  let state = 0;
  for (let i = 0; i <= value.length; i++) {
    const c = i < value.length ? value.charCodeAt(i) : 44; // a "," ends the last item
    if (c >= 48 && c <= 57) {
      if (state === 0 || state === 1) {
        // Saturates, so a 30-digit value costs no more than "9" and never overflows.
        item = Math.min(item * 10 + (c - 48), MAX_HOPS);
        state = 1;
      } else state = -1;
    } else if (c === 44) {
      if (state > 0 && item > largest) largest = item;
      item = 0;
      state = 0;
    } else if (c === 32 || c === 9) {
      if (state === 1) state = 2; // optional whitespace around an item (RFC 9110 §5.6.1)
    } else state = -1;
  }
  return largest;
}

/** The `X-1backend-Hops` value to forward for a request that arrived having passed `hops` (< MAX_HOPS) proxies. */
export function nextHopValue(hops: number): string {
  return HOP_VALUES[hops]!;
}
