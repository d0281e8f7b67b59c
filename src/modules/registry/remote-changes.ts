/**
 * @module Instances other nodes changed (cluster mode, contract §7 "routing coherent across nodes"):
 * the change feed hands over the ids another node's commit wrote; their rows are read by id and
 * applied to the instance table as stored state (InstanceTable.applyStored): indexed, replaced or
 * removed and published, never queued for this node's committer.
 *
 * Reads never reorder: one read at a time, each started after the previous one was applied, so it
 * sees everything the previous one saw; ids arriving meanwhile wait for the next read, and several
 * deliveries of one id end at its newest stored row. Each read starts once this node's commit in
 * flight is over, so an id it skips (this node's registration or removal of it is not committed yet)
 * is one that commit writes after the read: this node's change is the newer one. A failed read
 * (the database is unavailable) keeps its ids and is tried again shortly.
 */
import { FailureLog } from "../../lib/failure-log";
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
  private pending = new Set<string>();
  /** Read every stored row (the start's catch-up), not only `pending`. */
  private everything = false;
  private reading: Promise<void> | undefined;
  private retry: ReturnType<typeof setTimeout> | undefined;
  private readonly failures: FailureLog;
  private stopped = false;

  constructor(private readonly o: RemoteChangesOptions) {
    this.failures = new FailureLog({ log: o.log, failed: "reading instance changes of other nodes failed; retrying", recovered: "instance changes of other nodes read again" });
  }

  /** The feed's consumer: ids another node wrote (duplicates welcome). */
  readonly changed = (ids: readonly string[]): void => {
    if (this.stopped) return;
    for (const id of ids) this.pending.add(id);
    void this.drain();
  };

  /**
   * Reads every stored row once and applies it (ids in memory without a row are removed): what other
   * nodes committed between this node's load and the feed's start, which the feed does not deliver.
   * Resolves when applied (or after logging a failure, which is retried).
   */
  resync(): Promise<void> {
    this.everything = true;
    return this.drain();
  }

  /** Reads and applies what is pending; resolves when nothing is (tests await it). */
  drain(): Promise<void> {
    this.reading ??= this.readAll().finally(() => (this.reading = undefined));
    return this.reading;
  }

  /** No more reads; waits for the one in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    await this.reading;
  }

  private async readAll(): Promise<void> {
    while (!this.stopped && (this.pending.size > 0 || this.everything)) {
      await this.o.settled();
      // From here to the query, synchronously: no commit of this node starts in between.
      const everything = this.everything;
      const ids = this.pending;
      this.everything = false;
      this.pending = new Set();
      try {
        const rows = everything ? await this.o.store.loadInstances() : await this.o.store.findInstances([...ids]);
        if (this.stopped) return;
        this.apply(everything ? this.everyId(rows, ids) : ids, rows);
        this.failures.succeeded();
      } catch (err) {
        for (const id of ids) this.pending.add(id);
        this.everything ||= everything;
        this.failures.failed(err);
        this.retry = setTimeout(() => void this.drain(), RETRY_MS);
        this.retry.unref?.();
        return;
      }
    }
  }

  private apply(ids: Iterable<string>, rows: readonly InstanceRecord[]): void {
    const byId = new Map(rows.map((row) => [row.id, row]));
    for (const id of ids) this.o.table.applyStored(id, byId.get(id));
  }

  /** A full read's ids: every stored row, every id in memory (gone if not stored) and the ids that were pending. */
  private everyId(rows: readonly InstanceRecord[], pending: ReadonlySet<string>): Set<string> {
    const ids = new Set(pending);
    for (const row of rows) ids.add(row.id);
    for (const record of this.o.table.all()) ids.add(record.id);
    return ids;
  }
}
