/**
 * @module Write-behind persistence of the instance table: changes gathered in memory are written in
 * one transaction per flush, on an interval and on stop, so heartbeats from many instances do not
 * become one disk write each. A crash loses at most one interval of heartbeats and registrations;
 * services re-register on their next heartbeat.
 */
import type { Logger } from "../../lib/log";
import type { InstanceTable } from "./instance-table";
import { IntervalJob } from "./interval-job";
import type { RegistryStore } from "./store";

/** Writes the instance table's pending changes to storage every interval and on stop (a background job). */
export class Flusher {
  private readonly job: IntervalJob;

  constructor(
    private readonly table: InstanceTable,
    private readonly store: RegistryStore,
    intervalMs: number,
    log: Logger,
  ) {
    this.job = new IntervalJob("registry flush", intervalMs, () => this.runOnce(), log);
  }

  start(): void {
    this.job.start(false);
  }

  /** Stops the interval and writes what is still pending. */
  async stop(): Promise<void> {
    await this.job.stop();
    this.runOnce();
  }

  /** Writes pending changes now; on failure they stay pending for the next flush. Returns rows written. */
  runOnce(): number {
    const changes = this.table.takeChanges();
    try {
      this.store.writeChanges(changes);
    } catch (err) {
      this.table.restoreChanges(changes);
      throw err;
    }
    return changes.upserts.length + changes.deletes.length;
  }
}
