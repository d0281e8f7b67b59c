/**
 * @module Instances other nodes changed (cluster mode, contract §7 "routing coherent across nodes"):
 * the change feed hands over the ids another node's commit wrote; their rows are read by id
 * (cluster/reread.ts: one read at a time, in order, retried while the database is down) and applied
 * to the instance table as stored state (InstanceTable.applyStored): indexed, replaced or removed and
 * published, never queued for this node's committer.
 *
 * Each read starts once this node's commit in flight is over, so an id it skips (this node's
 * registration or removal of it is not committed yet) is one that commit writes after the read: this
 * node's change is the newer one.
 */
import { Reread } from "../cluster/reread";
import type { Logger } from "../../lib/log";
import type { InstanceRecord, InstanceTable } from "./instance-table";

/** How long a failed read waits before it is tried again (ms). */
const RETRY_MS = 500;

/** Where the stored rows come from, and when this node's commit in flight is over. */
export interface RemoteChangesOptions {
  table: InstanceTable;
  store: { findInstances(ids: readonly string[]): Promise<InstanceRecord[]>; loadInstances(): Promise<InstanceRecord[]> };
  /** Settles when this node's commit being written (if any) is over (Flusher.settled). */
  settled: () => Promise<void>;
  log: Logger;
}

/** Applies the instance rows other nodes wrote to this node's table, in order. */
export class RemoteInstanceChanges {
  private readonly reread: Reread<InstanceRecord>;

  constructor(o: RemoteChangesOptions) {
    const { table, store } = o;
    this.reread = new Reread<InstanceRecord>({
      read: (ids) => store.findInstances(ids),
      readAll: () => store.loadInstances(),
      held: () => Array.from(table.all(), (record) => record.id),
      apply: (ids, rows) => {
        const byId = new Map(rows.map((row) => [row.id, row]));
        for (const id of ids) table.applyStored(id, byId.get(id));
      },
      beforeRead: o.settled,
      log: o.log,
      failed: "reading instance changes of other nodes failed; retrying",
      recovered: "instance changes of other nodes read again",
      retryMs: RETRY_MS,
    });
  }

  /** The feed's consumer: ids another node wrote (duplicates welcome). */
  readonly changed = (ids: readonly string[]): void => void this.reread.changed(ids);

  /**
   * Reads every stored row once and applies it (ids in memory without a row are removed): what other
   * nodes committed between this node's load and the feed's start, which the feed does not deliver.
   * Resolves when applied (or after logging a failure, which is retried).
   */
  resync(): Promise<void> {
    return this.reread.resync();
  }

  /** Reads and applies what is pending; resolves when nothing is (tests await it). */
  drain(): Promise<void> {
    return this.reread.drain();
  }

  /** No more reads; waits for the one in flight. */
  stop(): Promise<void> {
    return this.reread.stop();
  }
}
