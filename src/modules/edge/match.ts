/**
 * @module Matching a request to an edge route or redirect (contract §8), pure and in memory. A
 * {@link PrefixIndex} is built from the table when it changes (never per request); a request is
 * looked up by its host and raw path:
 * - the host is the `Host` field lower-cased, a trailing dot dropped; its port counts only for ids that
 *   name one (`x.com:8443/app`): such an id wins over a portless one of the same path, and a portless id
 *   matches the host on any port;
 * - the path prefix is matched by `/` segments, longest first, down to the bare host: `x.com/app` matches
 *   `/app`, `/app/` and `/app/…`, never `/apple`. The path is compared case-sensitively, in the one
 *   spelling of {@link matchPathOf} (escapes and slashes; Bun has resolved dot segments already), on
 *   both sides; the upstream gets it as received.
 * Per request: one map lookup for the host, then one per distinct prefix length that the host's ids
 * have and that ends at a segment boundary of the path — no scan of all ids, no allocation but the
 * prefix substring looked up.
 *
 * Redirects are answered before routes (the handler asks {@link PrefixIndex.find} of both, in that
 * order); {@link RedirectTarget} computes a redirect's `Location`.
 */

/** What an index holds: anything keyed like an EdgeRoute or EdgeRedirect (model.ts). */
export interface Keyed {
  /** Lower-cased host, with `:port` only when the id names one. */
  host: string;
  /** "" for the bare host, else "/seg/…" without a trailing slash. */
  path: string;
}

/** A request's host as the index looks it up: `name` without port, `withPort` when the request named one. */
export interface HostKey {
  name: string;
  withPort: string | undefined;
}

/** `Host` field → {@link HostKey}; `undefined` for an absent or empty one. */
export function hostKeyOf(field: string | null): HostKey | undefined {
  if (field === null || field.length === 0) return undefined;
  const host = field.toLowerCase();
  const colon = host.charCodeAt(0) === 91 /* [ */ ? host.indexOf(":", host.indexOf("]")) : host.lastIndexOf(":");
  let name = colon < 0 ? host : host.slice(0, colon);
  if (name.endsWith(".")) name = name.slice(0, -1);
  if (name.length === 0) return undefined;
  return { name, withPort: colon < 0 ? undefined : name + host.slice(colon) };
}

/** RFC 3986 §2.3 unreserved characters by char code (ALPHA, DIGIT, "-", ".", "_", "~"). */
const UNRESERVED = new Uint8Array(128);
for (const c of "-._~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") UNRESERVED[c.charCodeAt(0)] = 1;

/**
 * A path as routes and redirects are matched on it (an id's path when indexed, the request's per
 * request): the RFC 3986 §6.2.2 equivalents of one path spelled one way — escapes of unreserved
 * characters decoded (`%61` → `a`), the others upper-cased (`%c3` → `%C3`, `%2f` → `%2F`, still no
 * segment boundary) — and runs of `/` as one, as nginx matches (`merge_slashes`). Bun hands the path
 * over with its escapes as sent, so without this `/%61dmin` or `//admin` missed `x.com/admin` (a route,
 * or a redirect fencing that path off) and reached the bare host's upstream, which decodes or merges
 * them into `/admin`. Costs two `indexOf` on a path with neither `%` nor `//`, which is returned as is.
 */
export function matchPathOf(path: string): string {
  if (path.indexOf("%") < 0 && path.indexOf("//") < 0) return path;
  return path.replace(/\/{2,}/g, "/").replace(/%([0-9A-Fa-f]{2})/g, (escape, hex: string) => {
    const c = parseInt(hex, 16);
    return c < 128 && UNRESERVED[c] === 1 ? String.fromCharCode(c) : escape.toUpperCase();
  });
}

/** The entries of one host: by path, and the distinct path lengths, longest first. */
interface HostTable<T> {
  byPath: Map<string, T>;
  lengths: number[];
}

/** Entries by host and path prefix (see the module note). Immutable: rebuild it when the table changes. */
export class PrefixIndex<T extends Keyed> {
  private readonly hosts = new Map<string, HostTable<T>>();

  constructor(entries: Iterable<T>) {
    const byHost = new Map<string, Map<string, T>>();
    for (const entry of entries) {
      let paths = byHost.get(entry.host);
      if (paths === undefined) byHost.set(entry.host, (paths = new Map()));
      paths.set(entry.path, entry);
    }
    // A host:port table also holds the portless entries of its host (a portless id matches any port),
    // its own winning at equal paths: one lookup per request finds both.
    for (const [host, paths] of byHost) {
      const bare = portOf(host) === undefined ? undefined : byHost.get(hostWithoutPort(host));
      const merged = bare === undefined ? paths : new Map([...bare, ...paths]);
      const lengths = [...new Set([...merged.keys()].map((p) => p.length))].sort((a, b) => b - a);
      this.hosts.set(host, { byPath: merged, lengths });
    }
  }

  /** The entry for `host` whose path is the longest segment prefix of `path`; `undefined` when none. */
  find(host: HostKey, path: string): T | undefined {
    const table = (host.withPort !== undefined ? this.hosts.get(host.withPort) : undefined) ?? this.hosts.get(host.name);
    if (table === undefined) return undefined;
    for (const length of table.lengths) {
      if (length === 0) return table.byPath.get("");
      if (length > path.length || (length < path.length && path.charCodeAt(length) !== 47) /* / */) continue;
      const found = table.byPath.get(length === path.length ? path : path.slice(0, length));
      if (found !== undefined) return found;
    }
    return undefined;
  }

  /** Whether any entry names `host` (lower-cased, without port) or `host:<port>`. */
  hasHost(name: string): boolean {
    if (this.hosts.has(name)) return true;
    for (const host of this.hosts.keys()) if (portOf(host) !== undefined && hostWithoutPort(host) === name) return true;
    return false;
  }
}

function portOf(host: string): string | undefined {
  const colon = host.startsWith("[") ? host.indexOf(":", host.indexOf("]")) : host.lastIndexOf(":");
  return colon < 0 ? undefined : host.slice(colon + 1);
}

function hostWithoutPort(host: string): string {
  return host.startsWith("[") ? host.slice(0, host.indexOf("]") + 1) : host.split(":")[0]!;
}

/**
 * A redirect's target split once (when the table changes), so a match only concatenates:
 * `Location` = target without query and fragment + the request path after the matched prefix (one `/`
 * where they meet) + `?` target query `&` request query + the target's `#fragment`.
 */
export class RedirectTarget {
  private readonly base: string;
  private readonly query: string;
  private readonly fragment: string;

  constructor(saved: string) {
    // A field value is bytes: a target with non-ASCII characters (a valid URL at save, ids.ts) is sent
    // as its URL serialization — punycode host, UTF-8 percent-encoded — or a character above U+00FF
    // would make Bun throw on every matching request, and one below go out as a lone Latin-1 byte.
    // ASCII targets are kept as saved. The request's suffix and query are ASCII already (Bun encodes).
    const target = /[^\x20-\x7e]/.test(saved) && URL.canParse(saved) ? new URL(saved).href : saved;
    const hash = target.indexOf("#");
    this.fragment = hash < 0 ? "" : target.slice(hash);
    const rest = hash < 0 ? target : target.slice(0, hash);
    const question = rest.indexOf("?");
    this.query = question < 0 ? "" : rest.slice(question + 1);
    this.base = question < 0 ? rest : rest.slice(0, question);
  }

  /** The `Location` for a request whose path after the matched prefix is `suffix` ("" or "/…"), query `query` (without `?`). */
  location(suffix: string, query: string): string {
    const base = suffix.length > 0 && this.base.endsWith("/") ? this.base.slice(0, -1) : this.base;
    const queries = this.query.length > 0 && query.length > 0 ? `${this.query}&${query}` : this.query || query;
    return base + suffix + (queries.length > 0 ? `?${queries}` : "") + this.fragment;
  }
}

/**
 * Whether `location` points back at the request itself: the same scheme, host, port, path and query
 * as `scheme://host` + `pathAndQuery` (such a redirect is skipped, as 1Backend does, and the request goes
 * on to the routes). Only computed when a redirect matched.
 */
export function isSelfRedirect(location: string, scheme: "http" | "https", host: string, pathAndQuery: string): boolean {
  const origin = `${scheme}://${host}`;
  if (!URL.canParse(origin)) return false;
  const request = new URL(pathAndQuery, origin);
  const target = URL.canParse(location, origin) ? new URL(location, origin) : undefined;
  return (
    target !== undefined &&
    target.protocol === request.protocol &&
    target.host === request.host &&
    target.pathname === request.pathname &&
    target.search === request.search
  );
}
