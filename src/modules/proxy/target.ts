/**
 * @module Where a proxied request goes: the slug (first path segment) and the raw path and query,
 * taken from `request.url` as text — never decoded, never re-encoded. The server's handler scans the
 * target once (pathStartOf, scanFirstSegment) and routes by what it found; the proxy builds its
 * target from the same two numbers (contract §2 routing).
 *
 * Hostile paths are decided here: Bun has already resolved dot segments (`/a/../b` → `/b`, also
 * `%2e%2e` and `\`) before the handler sees the URL, so the path we forward cannot climb out of an
 * instance's path prefix. The slug must look like a slug (`^[a-z0-9]+(-[a-z0-9]+)*$`, the only form
 * the User Svc accepts): an empty first segment (`//x`), a percent-encoded one (`/skel%65ton-svc`,
 * `/..%2f`) or anything else is never decoded into a slug and answers 404 like an unknown slug.
 */

/** The parts of a request URL the proxy needs. */
export interface ProxyTarget {
  /** The first path segment, a valid slug. */
  slug: string;
  /** Raw path and query exactly as received, starting with `/<slug>` (on the edge: the request's whole path). */
  pathAndQuery: string;
  /**
   * Edge requests only (issue 13, contract §8): the listener's scheme, sent as `X-Forwarded-Proto`,
   * and the client's `Host` goes upstream unchanged. Absent on the slug proxy.
   */
  edgeScheme?: "http" | "https";
}

/** Index of the path in an absolute (`http://h/p`) or origin-form (`/p`) URL; -1 when there is none. */
export function pathStartOf(url: string): number {
  if (url.charCodeAt(0) === 47 /* / */) return 0;
  const scheme = url.indexOf("://");
  return scheme < 0 ? -1 : url.indexOf("/", scheme + 3);
}

/**
 * One scan of the first path segment of `url` (the path starts at `pathStart` ≥ 0), for both routing
 * decisions: the index where the segment ends (at "/", "?", "#" or the end of `url`), negated when
 * the segment is not a valid slug. A segment never ends before `pathStart + 1`, so the result is
 * never 0. A number rather than an object: it travels from the handler to the proxy without an
 * allocation per request. Read it with {@link segmentEndOf}.
 */
export function scanFirstSegment(url: string, pathStart: number): number {
  let end = pathStart + 1;
  let slug = true;
  let previousDash = true; // a slug cannot start with "-"
  for (; end < url.length; end++) {
    const c = url.charCodeAt(end);
    if (c === 47 /* / */ || c === 63 /* ? */ || c === 35 /* # */) break;
    if (!slug) continue;
    const alnum = (c >= 97 && c <= 122) || (c >= 48 && c <= 57);
    if (alnum) previousDash = false;
    else if (c === 45 /* - */ && !previousDash) previousDash = true;
    else slug = false;
  }
  return slug && !previousDash ? end : -end;
}

/** Where the first segment ends, from a {@link scanFirstSegment} result. */
export function segmentEndOf(scan: number): number {
  return scan < 0 ? -scan : scan;
}

/**
 * Slug and raw path of a request URL, or `undefined` when the first segment is not a valid slug.
 * `start` and `scan` are what the server's handler found (pathStartOf, scanFirstSegment); callers
 * without a handler in front (tests, the benchmark harness) leave them out.
 */
export function targetOf(url: string, start = pathStartOf(url), scan = start < 0 ? -1 : scanFirstSegment(url, start)): ProxyTarget | undefined {
  if (start < 0 || scan < 0) return undefined;
  const hash = url.indexOf("#", scan);
  return { slug: url.slice(start + 1, scan), pathAndQuery: hash < 0 ? url.slice(start) : url.slice(start, hash) };
}
