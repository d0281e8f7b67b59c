/**
 * @module Instance selection (contract §5): round-robin among the best tier present —
 * `Healthy`, else `Degraded`, else `Unknown`. `Unreachable` instances are never chosen: the registry
 * marks an instance Unreachable when a connection to it fails or its heartbeat is stale, and its
 * prober marks it Healthy again within one health interval, so "all Unreachable" answers 503 at once
 * instead of spending the client's time on connects that are expected to fail.
 * Two passes over the (small) instance list and no allocation per request.
 */
import type { InstanceStatus, RoutedInstance } from "../registry/routing";

const NEVER = 3;

/** Lower is better; `NEVER` is not routable. */
function rankOf(status: InstanceStatus): number {
  switch (status) {
    case "Healthy":
      return 0;
    case "Degraded":
      return 1;
    case "Unknown":
      return 2;
    default:
      return NEVER;
  }
}

export interface Picker {
  /**
   * The next instance for `slug` among `instances`, skipping ids in `exclude` (instances this
   * request already failed to reach); `undefined` when none is routable.
   */
  pick(slug: string, instances: readonly RoutedInstance[], exclude?: readonly string[]): RoutedInstance | undefined;
}

/** A picker with one round-robin cursor per slug. */
export function createPicker(): Picker {
  const cursors = new Map<string, number>();
  return {
    pick(slug, instances, exclude) {
      let best = NEVER;
      let count = 0;
      for (const instance of instances) {
        const rank = rankOf(instance.status);
        if (rank === NEVER || rank > best || (exclude !== undefined && exclude.includes(instance.id))) continue;
        if (rank < best) {
          best = rank;
          count = 0;
        }
        count++;
      }
      if (count === 0) return undefined;
      const cursor = cursors.get(slug) ?? 0;
      cursors.set(slug, cursor + 1 >= Number.MAX_SAFE_INTEGER ? 0 : cursor + 1);
      let nth = cursor % count;
      for (const instance of instances) {
        if (rankOf(instance.status) !== best || (exclude !== undefined && exclude.includes(instance.id))) continue;
        if (nth-- === 0) return instance;
      }
      return undefined;
    },
  };
}
