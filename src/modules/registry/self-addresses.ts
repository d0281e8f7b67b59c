/**
 * @module Which host:port endpoints are this server (contract §4: instance URLs pointing at this
 * server are refused; one such instance made a single proxied request loop through the server until
 * it held hundreds of sockets and a full core). "Us" is: the listening address at the real port (on
 * 0.0.0.0 or ::, every local interface address, all of 127.0.0.0/8 and ::1 at that port), the
 * host:port of OB_SELF_URL, and every node's URL in the registry's node table. Names are resolved; a
 * snapshot is kept for a few seconds so registrations (heartbeats) do not query storage or DNS each time.
 */
import { isIP } from "node:net";
import { networkInterfaces } from "node:os";
import { bareHost, canonicalIp, isLoopback, isUnspecified, urlHost } from "../../lib/ip";
import type { Clock } from "../../lib/clock";
import { hostPortOf } from "../../lib/tcp-probe";
import type { ResolveFn } from "./resolve";

/** How long one view of "us" is reused: nodes joining or leaving are seen within this. */
const SNAPSHOT_TTL_MS = 5000;

/** Where this server listens and is reached, and how to find the other nodes. */
export interface SelfAddressOptions {
  listenHost: string;
  /** The real listening port (after binding port 0); 0 when nothing listens (in-process tests). */
  listenPort: number;
  selfUrl: string;
  /** URLs of every node in the registry, this one included. */
  nodeUrls: () => Promise<readonly string[]>;
  resolve: ResolveFn;
  clock: Clock;
  /** Addresses of the local interfaces; replaceable for tests. */
  interfaces?: () => string[];
}

interface Endpoint {
  /** As named (bare, lowercase): a name or an address. */
  host: string;
  port: number;
  /** What `host` resolves to (canonical). */
  addresses: ReadonlySet<string>;
  why: string;
}

/** What one view of "us" is made of. */
interface SelfSnapshotParts {
  endpoints: readonly Endpoint[];
  /** Ports listened on at every local address (0.0.0.0 or ::), with the reason. */
  wildcard: ReadonlyMap<number, string>;
  /** Addresses of the local interfaces (canonical). */
  local: ReadonlySet<string>;
}

/** One view of "us". */
export class SelfSnapshot {
  private readonly endpoints: readonly Endpoint[];
  private readonly wildcard: ReadonlyMap<number, string>;
  private readonly local: ReadonlySet<string>;

  constructor(parts: SelfSnapshotParts) {
    this.endpoints = parts.endpoints;
    this.wildcard = parts.wildcard;
    this.local = parts.local;
  }

  /**
   * Why `host:port` is this server, or undefined. `addresses` are what `host` resolves to (empty:
   * compare the name only, which needs no DNS).
   */
  match(host: string, port: number, addresses: readonly string[]): string | undefined {
    const name = bareHost(host);
    for (const e of this.endpoints) if (e.port === port && e.host === name) return e.why;
    const everywhere = this.wildcard.get(port);
    for (const raw of addresses) {
      const a = canonicalIp(raw);
      if (everywhere !== undefined && this.isLocal(a)) return everywhere;
      for (const e of this.endpoints) {
        if (e.port !== port) continue;
        if (e.addresses.has(a)) return e.why;
        // A connect to 0.0.0.0 or :: reaches the local host (Linux): us wherever we listen locally.
        if (isUnspecified(a) && [...e.addresses].some((x) => this.isLocal(x))) return e.why;
      }
    }
    return undefined;
  }

  private isLocal(a: string): boolean {
    return this.local.has(a) || isLoopback(a) || isUnspecified(a);
  }
}

/** Builds and caches {@link SelfSnapshot}s. */
export class SelfAddresses {
  private cached: { at: number; snapshot: Promise<SelfSnapshot> } | undefined;
  private lastNodeUrls: readonly string[] = [];

  constructor(private readonly o: SelfAddressOptions) {}

  /** The current view of "us" (rebuilt after {@link SNAPSHOT_TTL_MS}). */
  current(): Promise<SelfSnapshot> {
    const now = this.o.clock.now();
    if (this.cached !== undefined && now - this.cached.at < SNAPSHOT_TTL_MS) return this.cached.snapshot;
    const snapshot = this.build();
    this.cached = { at: now, snapshot };
    return snapshot;
  }

  private async build(): Promise<SelfSnapshot> {
    const { o } = this;
    const wildcard = new Map<number, string>();
    const named: { host: string; port: number; why: string }[] = [];
    const listen = bareHost(o.listenHost);
    if (o.listenPort > 0) {
      const why = `its listening address ${urlHost(listen)}:${o.listenPort}`;
      if (listen === "" || isUnspecified(listen)) wildcard.set(o.listenPort, why);
      else named.push({ host: listen, port: o.listenPort, why });
    }
    const urls: [string, string][] = [[o.selfUrl, "its OB_SELF_URL"], ...(await this.nodeUrls()).map((u): [string, string] => [u, `registry node ${u}`])];
    for (const [url, why] of urls) {
      const endpoint = hostPortOf(url);
      if (endpoint !== undefined && endpoint.port > 0) named.push({ host: bareHost(endpoint.host), port: endpoint.port, why });
    }
    const endpoints = await Promise.all(named.map(async (e) => ({ ...e, addresses: new Set(await this.addressesOf(e.host)) })));
    const local = new Set((o.interfaces ?? localInterfaceAddresses)().map(canonicalIp));
    return new SelfSnapshot({ endpoints, wildcard, local });
  }

  /** The node table's URLs; while storage is unavailable, the last ones read (proxying goes on from memory). */
  private async nodeUrls(): Promise<readonly string[]> {
    try {
      this.lastNodeUrls = await this.o.nodeUrls();
    } catch {
      // keep the last known list
    }
    return this.lastNodeUrls;
  }

  private async addressesOf(host: string): Promise<string[]> {
    if (isIP(host)) return [canonicalIp(host)];
    try {
      return (await this.o.resolve(host)).map(canonicalIp);
    } catch {
      return []; // unresolvable: still compared by name
    }
  }
}

function localInterfaceAddresses(): string[] {
  return Object.values(networkInterfaces()).flatMap((list) => (list ?? []).map((i) => i.address));
}
