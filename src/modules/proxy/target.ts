/**
 * @module Where a proxied request goes: the slug (first path segment) and the raw path and query,
 * taken from `request.url` as text — never decoded, never re-encoded.
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
  /** Raw path and query exactly as received, starting with `/<slug>`. */
  pathAndQuery: string;
}

/** Index of the path in an absolute (`http://h/p`) or origin-form (`/p`) URL; -1 when there is none. */
export function pathStartOf(url: string): number {
  if (url.charCodeAt(0) === 47 /* / */) return 0;
  const scheme = url.indexOf("://");
  return scheme < 0 ? -1 : url.indexOf("/", scheme + 3);
}

/**
 * Slug and raw path of a request URL, or `undefined` when the first segment is not a valid slug.
 * `start` is where the path starts, when the caller already found it (the server's handler reads the
 * target once and routes by that one index: contract §2).
 */
export function targetOf(url: string, start = pathStartOf(url)): ProxyTarget | undefined {
  if (start < 0) return undefined;
  let end = start + 1;
  let previousDash = true; // a slug cannot start with "-"
  for (; end < url.length; end++) {
    const c = url.charCodeAt(end);
    if (c === 47 /* / */ || c === 63 /* ? */ || c === 35 /* # */) break;
    const alnum = (c >= 97 && c <= 122) || (c >= 48 && c <= 57);
    if (alnum) previousDash = false;
    else if (c === 45 /* - */ && !previousDash) previousDash = true;
    else return undefined;
  }
  if (end === start + 1 || previousDash) return undefined;
  const hash = url.indexOf("#", end);
  return { slug: url.slice(start + 1, end), pathAndQuery: hash < 0 ? url.slice(start) : url.slice(start, hash) };
}
