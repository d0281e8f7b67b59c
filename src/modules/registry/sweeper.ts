/**
 * @module The sweeper (contract §4): an instance not seen alive for longer than the unhealthy
 * threshold is marked Unreachable; one not seen alive for the instance TTL is removed (TTL 0: never).
 * "Seen alive" is its last heartbeat, or its registration when it never had one.
 */
import type { Clock } from "../../lib/clock";
import type { Logger } from "../../lib/log";
import type { InstanceTable } from "./instance-table";
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
    const now = clock.now();
    const expired: string[] = [];
    const stale: string[] = [];
    for (const record of table.all()) {
      const silentFor = now - (record.lastHeartbeat ?? record.createdAt);
      if (instanceTtlMs > 0 && silentFor > instanceTtlMs) expired.push(record.id);
      else if (silentFor > unhealthyAfterMs && record.status !== "Unreachable") stale.push(record.id);
    }
    for (const id of stale) table.setHealth(id, "Unreachable");
    for (const id of expired) table.remove(id, "expired");
    if (expired.length > 0) this.o.log.info("expired instances removed", { count: expired.length });
    return { markedUnreachable: stale.length, removed: expired.length };
  }
}
