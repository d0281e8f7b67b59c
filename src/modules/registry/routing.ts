/**
 * @module What the proxy reads from the registry: the instances of a slug with their current status,
 * kept in memory and updated by registry events, so routing never queries the database or waits on a cache.
 */

export type InstanceStatus = "Unknown" | "Healthy" | "Degraded" | "Unreachable";

/** One routable instance. */
export interface RoutedInstance {
  id: string;
  slug: string;
  /** Normalised base URL, e.g. `http://127.0.0.1:9311` or `http://10.0.0.5:80/prefix` (no trailing slash). */
  url: string;
  status: InstanceStatus;
}

export interface InstanceRouting {
  /** Current instances owned by `slug` (empty when none); never touches the database. */
  instancesOf(slug: string): readonly RoutedInstance[];
  /** The proxy could not connect to this instance: mark it `Unreachable` at once and tell subscribers. */
  reportConnectFailure(instanceId: string): void;
}
