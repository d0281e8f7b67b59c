/**
 * @module What the proxy reads from the registry: the instances of a slug with their current status,
 * kept in memory and updated by registry events, so routing never queries the database or waits on a cache.
 */
import type { InstanceStatus } from "../../contracts/registry/instances";

export type { InstanceStatus };

/** One routable instance. */
export interface RoutedInstance {
  id: string;
  slug: string;
  /** Normalised base URL, e.g. `http://127.0.0.1:9311` or `http://10.0.0.5:80/prefix` (no trailing slash). */
  url: string;
  status: InstanceStatus;
}

/** A change in the instance table, published in-process the moment it happens. */
export type RegistryEvent =
  /** A new instance, or an existing one whose URL, owner or settings changed. */
  | { type: "registered"; instance: RoutedInstance }
  /** The status of an instance changed (probe, sweeper, re-registration or a proxy connect failure). */
  | { type: "status"; instance: RoutedInstance; previous: InstanceStatus }
  /** The instance is gone: removed through the API, or expired by the sweeper. */
  | { type: "removed"; instance: RoutedInstance; reason: "removed" | "expired" };

/**
 * Why the registry refuses a connect to an instance (contract §4 network policy): its address is
 * denied, it is this server, or its host name does not resolve now. `reason` names the rule (for logs).
 */
export interface ConnectRefusal {
  kind: "denied" | "self" | "unresolved";
  reason: string;
}

/**
 * A host-name instance allowed at the address the registry checked: the connect goes to `url`, never
 * to a fresh lookup of the name, which could answer elsewhere (DNS rebinding, TTL 0, or Bun's own DNS
 * cache of up to 30 s). Built once per verdict and instance, so requests reuse it without building
 * strings. IP-literal instances get no pin: their URL already is the checked address.
 */
export interface PinnedConnect {
  kind: "pinned";
  /** The checked address (IPv6 without brackets): the first one the name resolved to. */
  address: string;
  /** The instance base URL with the address in place of the name: `http://127.0.0.2:8080/prefix`, `http://[::1]:80`. */
  url: string;
  /** The `Host` field the instance URL would have given (RFC 9110 §7.2, default port omitted): `localhost:8080`. */
  host: string;
  /** https only: SNI and the certificate identity stay the name's (checked by Bun against `serverName`). */
  tls?: { serverName: string };
}

/** A connect check's answer: go ahead (`undefined`), go ahead at a pinned address, or refused. */
export type ConnectVerdict = ConnectRefusal | PinnedConnect | undefined;

/** A subscriber to {@link RegistryEvent}s; called synchronously by the change that caused the event. */
export type RegistryListener = (event: RegistryEvent) => void;

/** The registry's side of the proxy: read instances, report a failed connect, subscribe to changes. */
export interface InstanceRouting {
  /** Current instances owned by `slug` (empty when none); never touches the database. */
  instancesOf(slug: string): readonly RoutedInstance[];
  /** The proxy could not connect to this instance: mark it `Unreachable` at once and tell subscribers. */
  reportConnectFailure(instanceId: string): void;
  /**
   * Checked before every connect to the instance: `undefined` means go ahead, and is what an IP-literal
   * instance answers synchronously, without allocating; an allowed host name answers its
   * {@link PinnedConnect}, the address to connect to (synchronously while its verdict is fresh);
   * a name due for resolution answers with a promise. Optional only so test doubles need not.
   */
  checkConnect?(instanceId: string): ConnectVerdict | Promise<ConnectVerdict>;
  /**
   * Subscribes to every instance change; returns the unsubscribe function. The registry always
   * provides it; optional only so test doubles of this interface need not.
   */
  subscribe?(listener: RegistryListener): () => void;
}
