/**
 * @module The edge's in-memory model (contract §8): routes, redirects and certificates as every edge
 * listener reads them. The store (edge/store.ts) loads it at start and keeps it current after every
 * save and after other nodes' saves (the change feed); the listeners read it per request without a
 * query and rebuild their match index or TLS contexts when {@link EdgeTable.onChange} fires.
 *
 * Ids are 1Backend's: a host, optionally followed by a path prefix (`x.com`, `x.com/app`, `x.com:8443/app`).
 */

/** A route: requests for `host` whose path starts with `path` (by `/` segments) go to `target`. */
export interface EdgeRoute {
  /** As saved: host[:port][/path]. */
  id: string;
  /** Lower-cased host, with `:port` only when the id names one. */
  host: string;
  /** "" for the bare host, else "/seg/…" without a trailing slash. */
  path: string;
  /** An absolute http(s) URL, or `slug:<service>` (balanced over that slug's instances). */
  target: string;
}

/** A redirect: requests for `host` + `path` answer `statusCode` to `target` (plus the unmatched suffix). */
export interface EdgeRedirect {
  id: string;
  host: string;
  path: string;
  /** An absolute URL. */
  target: string;
  statusCode: 301 | 302 | 303 | 307 | 308;
}

/** A certificate the TLS listener can serve; only this process's memory holds `keyPem` in clear. */
export interface EdgeCertificate {
  /** Its id (the host it was saved or issued for). */
  id: string;
  /** The names it is valid for, lower-cased (subject alt names, else the common name); may hold `*.x.com`. */
  names: readonly string[];
  /** Leaf first, then its chain. */
  certPem: string;
  keyPem: string;
  /** Epoch ms. */
  notBefore: number;
  notAfter: number;
}

export type EdgeChange = "routes" | "redirects" | "certs";

/** The edge's current routes, redirects and certificates, replaced whole per kind and announced. */
export class EdgeTable {
  private routesById: ReadonlyMap<string, EdgeRoute> = new Map();
  private redirectsById: ReadonlyMap<string, EdgeRedirect> = new Map();
  private certsById: ReadonlyMap<string, EdgeCertificate> = new Map();
  private readonly listeners = new Set<(change: EdgeChange) => void>();

  routes(): ReadonlyMap<string, EdgeRoute> {
    return this.routesById;
  }
  redirects(): ReadonlyMap<string, EdgeRedirect> {
    return this.redirectsById;
  }
  certs(): ReadonlyMap<string, EdgeCertificate> {
    return this.certsById;
  }

  /** Every host that has a route or a redirect (what ACME orders certificates for). */
  hosts(): Set<string> {
    const hosts = new Set<string>();
    for (const r of this.routesById.values()) hosts.add(hostWithoutPort(r.host));
    for (const r of this.redirectsById.values()) hosts.add(hostWithoutPort(r.host));
    return hosts;
  }

  setRoutes(routes: Iterable<EdgeRoute>): void {
    this.routesById = new Map([...routes].map((r) => [r.id, r]));
    this.announce("routes");
  }
  setRedirects(redirects: Iterable<EdgeRedirect>): void {
    this.redirectsById = new Map([...redirects].map((r) => [r.id, r]));
    this.announce("redirects");
  }
  setCerts(certs: Iterable<EdgeCertificate>): void {
    this.certsById = new Map([...certs].map((c) => [c.id, c]));
    this.announce("certs");
  }

  /** Calls `listener` after every change; returns the unsubscribe. */
  onChange(listener: (change: EdgeChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private announce(change: EdgeChange): void {
    for (const listener of this.listeners) listener(change);
  }
}

function hostWithoutPort(host: string): string {
  return host.startsWith("[") ? host.slice(0, host.indexOf("]") + 1) : host.split(":")[0]!;
}
