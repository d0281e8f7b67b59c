/**
 * @module The sweeper (contract §4): an instance not seen alive for longer than the unhealthy
 * threshold is marked Unreachable; one not seen alive for the instance TTL is removed (TTL 0: never).
 * "Seen alive" is its last heartbeat, or its registration when it never had one.
 *
 * In a cluster (contract §7) it runs on the elected leader only (index.ts), and its two rules are
 * judged where the view they need is fresh:
 * - Silence → Unreachable only for the instances this node owns ({@link InstanceShare}: the ones
 *   its prober probes). A node learns another node's observations of an instance only when they are
 *   written (a heartbeat alone every OB_HEARTBEAT_WRITE_INTERVAL, 1 min by default, against a 15 s
 *   threshold), so judging silence elsewhere would mark live instances Unreachable: one heartbeating
 *   through node C, or probed by node B. The owner's view is fresh: its own probes are heartbeats,
 *   every interval. The other nodes' shares are judged by their owners' probes, which mark a failure
 *   Unreachable at once (and it reaches the cluster through the change feed): a silent instance is
 *   one whose probe fails. An instance that just moved here (a node joined or left) has been judged
 *   by another node until then, so its silence counts from the moment this node's share changed.
 * - TTL eviction for every instance: the stored heartbeat lags this node's view by less than the
 *   write interval, which config.ts keeps at most a quarter of the TTL.
 * On one node the share is everything since forever: both rules as they always were.
 */
import type { Clock } from "../../lib/clock";
import type { Logger } from "../../lib/log";
import type { InstanceTable } from "./instance-table";
import type { InstanceShare } from "./nodes";
import { BackgroundJob } from "../../lib/background-job";

/** What the sweeper works on and its thresholds (ms). */
export interface SweeperOptions {
  table: InstanceTable;
  clock: Clock;
  log: Logger;
  intervalMs: number;
  unhealthyAfterMs: number;
  /** 0 never removes. */
  instanceTtlMs: number;
  /** The instances this node judges for silence, asked once per sweep; absent: all of them (one node). */
  share?: () => InstanceShare;
}

/** How many instances one sweep marked Unreachable and removed. */
export interface SweepResult {
  markedUnreachable: number;
  removed: number;
}

/** Marks silent instances Unreachable and removes expired ones, every interval (a background job). */
export class Sweeper extends BackgroundJob {
  constructor(private readonly o: SweeperOptions) {
    super({ name: "instance sweeper", intervalMs: o.intervalMs, log: o.log });
  }

  /** One sweep at the clock's current time. */
  runOnce(): SweepResult {
    const { table, clock, unhealthyAfterMs, instanceTtlMs } = this.o;
    const share = this.o.share?.();
    const now = clock.now();
    const expired: string[] = [];
    const stale: string[] = [];
    for (const record of table.all()) {
      const seen = record.lastHeartbeat ?? record.createdAt;
      if (instanceTtlMs > 0 && now - seen > instanceTtlMs) expired.push(record.id);
      else if (record.status !== "Unreachable" && now - seen > unhealthyAfterMs && silentHere(share, record.id, seen, now, unhealthyAfterMs)) stale.push(record.id);
    }
    for (const id of stale) table.setHealth(id, "Unreachable");
    for (const id of expired) table.remove(id, "expired");
    if (expired.length > 0) this.o.log.info("expired instances removed", { count: expired.length });
    return { markedUnreachable: stale.length, removed: expired.length };
  }
}

/**
 * Whether this node judges `id` silent: it owns the instance, and it has been silent past the
 * threshold counted from when this node's share began (no share: one node, always).
 */
function silentHere(share: InstanceShare | undefined, id: string, seen: number, now: number, thresholdMs: number): boolean {
  if (share === undefined) return true;
  if (now - Math.max(seen, share.since) <= thresholdMs) return false;
  return share.whole || share.owns(id);
}
